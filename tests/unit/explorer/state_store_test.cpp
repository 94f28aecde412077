// StateStore: an exact set of word vectors with dense ids, collapse-compressed.

#include "explorer/state_store.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace mpcheck::explorer {
namespace {

using Words = std::vector<std::uint32_t>;

Words load(const StateStore& store, StateId id) {
    Words out;
    store.load(id, out);
    return out;
}

/// Whether both stores hold the same states under the same ids.
bool same_states(const StateStore& a, const StateStore& b) {
    if (a.size() != b.size()) return false;
    for (StateId id = 0; id < a.size(); ++id) {
        if (load(a, id) != load(b, id)) return false;
    }
    return true;
}

Words random_words(std::mt19937_64& random, std::size_t length, std::uint32_t alphabet) {
    Words words(length);
    for (auto& word : words)
        word = static_cast<std::uint32_t>(random() % alphabet);
    return words;
}

TEST(StateStore, StartsEmpty) {
    const StateStore store;
    EXPECT_EQ(store.size(), 0U);
    EXPECT_EQ(store.segment_count(), 0U);
}

TEST(StateStore, LoadReturnsTheInsertedWordsForManyLengthsAndValues) {
    StateStore store;
    std::mt19937_64 random(1);
    std::vector<Words> inserted;
    for (std::size_t length = 1; length <= 130; ++length) {
        for (const std::uint32_t alphabet : {2U, 1000U, 0xffffffffU}) {
            inserted.push_back(random_words(random, length, alphabet));
            store.insert(inserted.back());
        }
    }
    inserted.emplace_back(3, 0xffffffffU); // the extreme word value is an ordinary word
    store.insert(inserted.back());
    ASSERT_EQ(store.size(), inserted.size());
    for (std::size_t id = 0; id < inserted.size(); ++id) {
        EXPECT_EQ(load(store, static_cast<StateId>(id)), inserted[id]) << "state " << id;
    }
}

TEST(StateStore, InsertingAStoredVectorReturnsItsIdAndInsertsNothing) {
    StateStore store;
    const Words state{4, 8, 15, 16, 23, 42};
    const auto first = store.insert(state);
    EXPECT_TRUE(first.inserted);
    const std::size_t bytes_before = store.bytes();
    const std::size_t segments_before = store.segment_count();
    const auto again = store.insert(state);
    EXPECT_FALSE(again.inserted);
    EXPECT_EQ(again.id, first.id);
    EXPECT_EQ(store.size(), 1U);
    EXPECT_EQ(store.segment_count(), segments_before);
    EXPECT_EQ(store.bytes(), bytes_before);
}

TEST(StateStore, IdsAreDenseInInsertionOrder) {
    StateStore store;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        const auto result = store.insert(Words{i % 7, i, i / 3});
        EXPECT_TRUE(result.inserted);
        EXPECT_EQ(result.id, i);
        EXPECT_EQ(store.insert(Words{0, 0, 0}).id, 0U); // duplicates take no id
    }
    EXPECT_EQ(store.size(), 1000U);
}

TEST(StateStore, VectorsThatDifferOnlyInLengthAreDistinct) {
    StateStore store;
    // Zeros of every length share all their leading segments, yet are different states.
    for (std::size_t length = 1; length <= 300; ++length) {
        const auto result = store.insert(Words(length, 0));
        EXPECT_TRUE(result.inserted) << length;
        EXPECT_EQ(result.id, length - 1);
    }
    for (std::size_t length = 1; length <= 300; ++length) {
        EXPECT_EQ(load(store, static_cast<StateId>(length - 1)), Words(length, 0));
    }
    // A vector and its extension by a zero word are different states too.
    EXPECT_TRUE(store.insert(Words{5}).inserted);
    EXPECT_TRUE(store.insert(Words{5, 0}).inserted);
    EXPECT_TRUE(store.insert(Words{5, 0, 0}).inserted);
}

TEST(StateStore, AcceptsLengthsOneToMax) {
    StateStore store;
    Words longest(StateStore::kMaxLength);
    for (std::size_t i = 0; i < longest.size(); ++i)
        longest[i] = static_cast<std::uint32_t>(i);
    const auto id = store.insert(longest).id;
    EXPECT_EQ(load(store, id), longest);
    EXPECT_EQ(store.insert(Words{7}).id, 1U);
    EXPECT_EQ(store.size(), 2U);
}

TEST(StateStoreDeathTest, OtherLengthsAndUnknownIdsAreBugsThatAbort) {
    StateStore store;
    store.insert(Words{1});
    Words out;
    EXPECT_DEATH(store.insert(Words{}), "n >= 1");
    EXPECT_DEATH(store.insert(Words(StateStore::kMaxLength + 1, 1)), "kMaxLength");
    EXPECT_DEATH(store.load(1, out), "id < size");
    EXPECT_DEATH(store.load(kNoState, out), "id < size");
}

TEST(StateStore, LoadWithTreeFillsTheTree) {
    StateStore store;
    const Words state{9, 8, 7, 6, 5};
    const StateId id = store.insert(state).id;
    StateStore::Tree tree;
    EXPECT_EQ(tree.id(), kNoState);
    Words out;
    store.load(id, out, tree);
    EXPECT_EQ(out, state);
    EXPECT_EQ(tree.id(), id);
    EXPECT_EQ(Words(tree.words().begin(), tree.words().end()), state);
}

/// Successors of a word vector: copies that differ in 1 to 3 positions (or in none).
Words mutate(std::mt19937_64& random, Words words, std::uint32_t alphabet) {
    const auto changes = random() % 4;
    for (std::uint64_t c = 0; c < changes; ++c) {
        words[random() % words.size()] = static_cast<std::uint32_t>(random() % alphabet);
    }
    return words;
}

/// Feeds a plain store and `store` the same breadth-first search over random vectors of
/// `length` words (six successors per state, up to `states` states, each near the loaded state
/// of `store`), inserting into `store` with insert(store, words, tree, current, successor, random),
/// and asserts that both load the same words and assign identical ids and flags.
template <class Insert>
void expect_ids_of_plain_insert(StateStore& store, std::size_t length, StateId states,
                                Insert insert) {
    StateStore plain;
    std::mt19937_64 random(length);
    const Words initial = random_words(random, length, 5);
    ASSERT_EQ(plain.insert(initial).id, store.insert(initial).id);
    StateStore::Tree tree;
    Words current;
    for (StateId next = 0; next < store.size() && next < states; ++next) {
        store.load(next, current, tree);
        ASSERT_EQ(current, load(plain, next));
        for (int successor = 0; successor < 6; ++successor) {
            const Words words = mutate(random, current, 5);
            const auto expected = plain.insert(words);
            const StateStore::Insertion actual =
                insert(store, words, tree, current, successor, random);
            ASSERT_EQ(actual.id, expected.id) << "length " << length;
            ASSERT_EQ(actual.inserted, expected.inserted) << "length " << length;
        }
    }
    EXPECT_TRUE(same_states(store, plain)) << "length " << length;
}

TEST(StateStore, IncrementalInsertGivesTheSameIdsAsPlainInsert) {
    // Two stores fed the same breadth-first search, one with plain and one with incremental
    // inserts, must assign identical ids and flags.
    for (const std::size_t length : {1U, 2U, 3U, 7U, 8U, 9U, 52U, 100U}) {
        StateStore incremental;
        expect_ids_of_plain_insert(incremental, length, 3000,
                                   [](StateStore& store, const Words& words,
                                      const StateStore::Tree& tree, const Words&, int,
                                      std::mt19937_64&) { return store.insert(words, tree); });
    }
}

/// The hint naming exactly the blocks where words differs from near (bit 63: any word from
/// 63 * 16 on); vectors of different lengths get every block.
ChangedBlocks exact_hint(const Words& words, const Words& near) {
    if (words.size() != near.size()) return kAnyBlock;
    ChangedBlocks hint = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i] != near[i]) hint |= ChangedBlocks{1} << std::min<std::size_t>(i / 16, 63);
    }
    return hint;
}

TEST(StateStore, AHintNamingTheChangedBlocksGivesTheSameIds) {
    // The model tells the store which 16-word blocks a step may have written. With exactly
    // those blocks, or with some unchanged blocks more, the ids are those of a plain insert.
    for (const std::size_t length : {3U, 16U, 17U, 52U, 1030U, 1100U}) {
        StateStore hinted;
        std::vector<StateStore::Insertion> results;
        expect_ids_of_plain_insert(
            hinted, length, 500,
            [&results](StateStore& store, const Words& words, const StateStore::Tree& tree,
                       const Words& current, int successor, std::mt19937_64& random) {
                ChangedBlocks hint = exact_hint(words, current);
                if (successor % 2 == 1) hint |= ChangedBlocks{1} << (random() % 64); // a superset
                store.add_to_batch(words, tree, hint);
                store.finish_batch(results);
                return results[0];
            });
    }
}

#if !defined(NDEBUG)
// Debug builds only (the sanitizer builds): release builds trust the hint, for speed.
TEST(StateStoreDeathTest, AHintThatLeavesOutAChangedBlockIsABugThatAborts) {
    StateStore store;
    const Words state(40, 1);
    store.insert(state);
    StateStore::Tree tree;
    Words current;
    store.load(0, current, tree);
    Words changed = state;
    changed[20] = 2; // in block 1
    EXPECT_DEATH(store.add_to_batch(changed, tree, ChangedBlocks{1}), "hint");
}
#endif

TEST(StateStore, IncrementalInsertAcceptsAnyNearTree) {
    StateStore store;
    const StateId short_id = store.insert(Words{1, 2, 3}).id;
    StateStore::Tree tree;
    Words out;
    store.load(short_id, out, tree);
    // Different length than near: same result as a plain insert.
    const auto longer = store.insert(Words{1, 2, 3, 4}, tree);
    EXPECT_TRUE(longer.inserted);
    EXPECT_EQ(store.insert(Words{1, 2, 3, 4}).id, longer.id);
    // Equal to near: near's id.
    EXPECT_EQ(store.insert(Words{1, 2, 3}, tree).id, short_id);
    // A default-constructed tree is ignored.
    const StateStore::Tree none;
    EXPECT_EQ(store.insert(Words{1, 2, 3}, none).id, short_id);
    EXPECT_TRUE(store.insert(Words{3, 2, 1}, none).inserted);
}

/// The states of `batch` as the spans insert_batch takes.
std::vector<std::span<const std::uint32_t>> spans_of(const std::vector<Words>& batch) {
    return {batch.begin(), batch.end()};
}

TEST(StateStore, BatchInsertGivesTheSameResultsAsInsertingInTurn) {
    // Batches mix successors that equal near, repeat each other, are new, or have another
    // length than near.
    StateStore one_by_one;
    StateStore batched;
    std::mt19937_64 random(11);
    const Words initial = random_words(random, 30, 4);
    one_by_one.insert(initial);
    batched.insert(initial);
    StateStore::Tree tree;
    Words current;
    std::vector<StateStore::Insertion> results;
    for (StateId next = 0; next < batched.size() && next < 2000; ++next) {
        batched.load(next, current, tree);
        std::vector<Words> batch;
        for (std::size_t k = 0; k < 1 + random() % 12; ++k) {
            const auto kind = random() % 8;
            if (kind == 0) {
                batch.push_back(current);
            } else if (kind == 1 && !batch.empty()) {
                batch.push_back(batch[random() % batch.size()]);
            } else if (kind == 2) {
                batch.push_back(random_words(random, 1 + random() % 40, 4));
            } else {
                batch.push_back(mutate(random, current, 4));
            }
        }
        batched.insert_batch(spans_of(batch), tree, results);
        ASSERT_EQ(results.size(), batch.size());
        for (std::size_t k = 0; k < batch.size(); ++k) {
            const auto expected = one_by_one.insert(batch[k]);
            ASSERT_EQ(results[k].id, expected.id) << "state " << next << " successor " << k;
            ASSERT_EQ(results[k].inserted, expected.inserted);
        }
    }
    EXPECT_TRUE(same_states(batched, one_by_one));
}

TEST(StateStore, BatchInsertAcceptsADefaultTreeAndAnEmptyBatch) {
    StateStore store;
    std::vector<StateStore::Insertion> results(3);
    store.insert_batch({}, StateStore::Tree{}, results);
    EXPECT_TRUE(results.empty());
    const std::vector<Words> batch{{1}, {1, 2}, {1}, {2, 1}};
    store.insert_batch(spans_of(batch), StateStore::Tree{}, results);
    ASSERT_EQ(results.size(), 4U);
    EXPECT_EQ(results[0].id, 0U);
    EXPECT_EQ(results[1].id, 1U);
    EXPECT_EQ(results[2].id, 0U);
    EXPECT_FALSE(results[2].inserted);
    EXPECT_EQ(results[3].id, 2U);
}

/// A state laid out as the model lays out its states: a 4-word header, then records that each
/// start with their own size in words.
Words with_records(const std::vector<Words>& records) {
    Words words{static_cast<std::uint32_t>(records.size()), 0, 0, 0};
    for (const Words& body : records) {
        words.push_back(static_cast<std::uint32_t>(body.size() + 1));
        words.insert(words.end(), body.begin(), body.end());
    }
    return words;
}

TEST(StateStore, ABatchOverSeveralNearTreesGivesTheSameResultsAsInsertingInTurn) {
    // A breadth-first search that gathers the successors of up to 6 states, each added near its
    // own loaded tree, before the batch is stored. Successors repeat each other across states,
    // equal the state they come from or another one of the batch, and are new; the states
    // expanded are only ever those already stored. Hashes are full or all colliding.
    for (const std::uint64_t mask : {~std::uint64_t{0}, std::uint64_t{0}}) {
        StateStore one_by_one;
        StateStore batched(StateStoreOptions{mask});
        std::mt19937_64 random(31);
        const Words initial = with_records({{1, 2, 0}, {3, 0}, {0, 1, 2, 3}, {2, 2}});
        one_by_one.insert(initial);
        batched.insert(initial);
        StateStore::Tree tree;
        std::vector<Words> expanded;
        std::vector<StateStore::Insertion> results;
        std::vector<StateStore::Insertion> expected;
        const std::size_t limit = mask == 0 ? 300 : 3000;
        for (StateId next = 0; next < batched.size() && next < limit;) {
            expanded.clear();
            expected.clear();
            const auto states = std::min<std::size_t>(1 + random() % 6, batched.size() - next);
            for (std::size_t s = 0; s < states; ++s, ++next) {
                batched.load(next, tree);
                expanded.emplace_back(tree.words().begin(), tree.words().end());
                const auto successors = 1 + random() % 5;
                for (std::size_t k = 0; k < successors; ++k) {
                    const auto kind = random() % 8;
                    Words successor = kind == 0   ? expanded.back()
                                      : kind == 1 ? expanded[random() % expanded.size()]
                                                  : mutate(random, expanded.back(), 4);
                    batched.add_to_batch(successor, tree);
                    expected.push_back(one_by_one.insert(successor));
                }
            }
            ASSERT_EQ(batched.batch_size(), expected.size());
            batched.finish_batch(results);
            EXPECT_EQ(batched.batch_size(), 0U);
            ASSERT_EQ(results.size(), expected.size());
            for (std::size_t k = 0; k < results.size(); ++k) {
                ASSERT_EQ(results[k].id, expected[k].id) << "before state " << next;
                ASSERT_EQ(results[k].inserted, expected[k].inserted);
            }
        }
        EXPECT_GT(batched.size(), 100U);
        EXPECT_TRUE(same_states(batched, one_by_one));
    }
}

TEST(StateStore, SharesRecordsBetweenStates) {
    // Four records, each in one of 10 local states: 10^4 states, but only the 40 distinct
    // records (and the header) are stored as segments; a state is the string of its five
    // segments' local numbers, one byte each.
    StateStore store;
    std::vector<Words> records(4);
    for (std::uint32_t combo = 0; combo < 10000; ++combo) {
        std::uint32_t rest = combo;
        for (std::uint32_t r = 0; r < 4; ++r, rest /= 10)
            records[r] = {r, rest % 10, 7};
        store.insert(with_records(records));
    }
    EXPECT_EQ(store.size(), 10000U);
    EXPECT_EQ(store.segment_count(), 1U + 4U * 10U);
    EXPECT_EQ(store.position_entry_count(), 1U + 4U * 10U);
}

TEST(StateStore, ASegmentAtTwoPositionsIsStoredOnceAndNumberedAtEach) {
    StateStore store;
    store.insert(with_records({{1, 2}, {3, 4}}));
    store.insert(with_records({{3, 4}, {1, 2}}));
    EXPECT_EQ(store.size(), 2U);
    EXPECT_EQ(store.segment_count(), 3U);        // the header and the two records
    EXPECT_EQ(store.position_entry_count(), 5U); // the header, and each record at each position
    EXPECT_EQ(load(store, 1), with_records({{3, 4}, {1, 2}}));
}

TEST(StateStore, ManyValuesAtOnePositionStayExact) {
    // Local numbers from 240 (and 4080) on take two (five) bytes in a state's string: states
    // whose strings differ only there, or only in length, must stay apart.
    StateStore store;
    std::vector<Words> states;
    for (std::uint32_t value = 0; value < 20000; ++value)
        states.push_back(with_records({{value}, {value % 3}}));
    for (const Words& state : states)
        EXPECT_TRUE(store.insert(state).inserted);
    for (std::size_t id = 0; id < states.size(); ++id) {
        ASSERT_EQ(load(store, static_cast<StateId>(id)), states[id]);
        ASSERT_FALSE(store.insert(states[id]).inserted);
    }
}

TEST(StateStore, ARecordThatChangesLengthDisturbsNoOtherRecord) {
    StateStore store;
    const Words state = with_records({{1, 2, 3}, {4, 5}, {6, 7, 8, 9}});
    const StateId id = store.insert(state).id;
    StateStore::Tree tree;
    Words loaded;
    store.load(id, loaded, tree);
    const std::size_t segments = store.segment_count();
    const std::size_t entries = store.position_entry_count();
    // The first record grows by two words: everything after it shifts, yet only that record is
    // new, at its position.
    const Words grown = with_records({{1, 2, 3, 0, 0}, {4, 5}, {6, 7, 8, 9}});
    const auto inserted = store.insert(grown, tree);
    EXPECT_TRUE(inserted.inserted);
    EXPECT_EQ(store.segment_count(), segments + 1);
    EXPECT_EQ(store.position_entry_count(), entries + 1);
    EXPECT_EQ(load(store, inserted.id), grown);
    EXPECT_EQ(store.insert(grown).id, inserted.id);
    EXPECT_EQ(store.insert(state, tree).id, id);
}

TEST(StateStore, ATreeReloadedWithASiblingStateHoldsThatStatesWords) {
    // Loading copies only the records that differ from the state loaded before when the cut
    // stays: a sibling with one record changed, then states cut differently, then back.
    StateStore store;
    const Words first = with_records({{1, 2, 3}, {4, 5}, {6, 7, 8, 9}});
    const Words sibling = with_records({{1, 2, 3}, {4, 0}, {6, 7, 8, 1}});
    const Words longer = with_records({{1, 2, 3, 0}, {4, 5}, {6, 7, 8, 9}});
    const Words fewer = with_records({{1, 2, 3}, {4, 5}});
    std::vector<StateId> ids;
    for (const Words& words : {first, sibling, longer, fewer})
        ids.push_back(store.insert(words).id);
    StateStore::Tree tree;
    for (const std::size_t k : std::vector<std::size_t>{0, 1, 0, 2, 1, 3, 0, 3, 2, 2, 1}) {
        store.load(ids[k], tree);
        ASSERT_EQ(Words(tree.words().begin(), tree.words().end()), load(store, ids[k])) << k;
        // A successor near the reloaded tree finds its states: the tree's cut and numbers are
        // those of the state it holds.
        for (std::size_t j = 0; j < ids.size(); ++j)
            ASSERT_EQ(store.insert(load(store, ids[j]), tree).id, ids[j]) << k << " " << j;
    }
}

TEST(StateStore, RecordsStayExactWhenAllHashesCollide) {
    // Model-like states whose records change, grow and shrink (and whose size words are
    // sometimes overwritten), inserted near loaded states into a store where every hash is equal:
    // segments, nodes and records must be told apart by full comparison alone.
    StateStore store(StateStoreOptions{0});
    std::map<Words, StateId> reference;
    std::mt19937_64 random(9);
    const auto record = [&] { return random_words(random, 1 + random() % 4, 3); };
    const Words initial = with_records({record(), record(), record()});
    reference.emplace(initial, store.insert(initial).id);
    StateStore::Tree tree;
    Words current;
    for (StateId next = 0; next < store.size() && next < 300; ++next) {
        store.load(next, current, tree);
        for (int successor = 0; successor < 5; ++successor) {
            Words words = current;
            const auto kind = random() % 4;
            if (kind == 0) {
                words[random() % words.size()] = static_cast<std::uint32_t>(random() % 3);
            } else {
                // Replace one record, maybe by one of another length.
                std::vector<Words> records;
                for (std::size_t at = 4; at < words.size();) {
                    const std::size_t size = words[at];
                    if (size == 0 || at + size > words.size()) break;
                    records.emplace_back(words.begin() + static_cast<long>(at + 1),
                                         words.begin() + static_cast<long>(at + size));
                    at += size;
                }
                if (records.empty()) continue;
                records[random() % records.size()] = record();
                words = with_records(records);
            }
            const auto [it, is_new] =
                reference.emplace(words, static_cast<StateId>(reference.size()));
            const auto result = store.insert(words, tree);
            ASSERT_EQ(result.inserted, is_new);
            ASSERT_EQ(result.id, it->second);
        }
    }
    EXPECT_EQ(store.size(), reference.size());
    for (const auto& [words, id] : reference)
        EXPECT_EQ(load(store, id), words);
}

/// Hash masks that make keys collide: all in one bucket with equal hash bits; few buckets; all
/// in one bucket with distinct hash bits above the id field.
class StateStoreWithCollidingHashes : public testing::TestWithParam<std::uint64_t> {};

TEST_P(StateStoreWithCollidingHashes, StaysExact) {
    StateStore store(StateStoreOptions{GetParam()});
    std::map<Words, StateId> reference;
    std::mt19937_64 random(3);
    for (int i = 0; i < 3000; ++i) {
        const Words words = random_words(random, 1 + random() % 6, 3);
        const auto [it, is_new] = reference.emplace(words, static_cast<StateId>(reference.size()));
        const auto result = store.insert(words);
        ASSERT_EQ(result.inserted, is_new);
        ASSERT_EQ(result.id, it->second);
    }
    EXPECT_EQ(store.size(), reference.size());
    for (const auto& [words, id] : reference)
        EXPECT_EQ(load(store, id), words);
}

INSTANTIATE_TEST_SUITE_P(HashMasks, StateStoreWithCollidingHashes,
                         testing::Values(0ULL, 0xfULL, 0xffff000000000000ULL));

TEST(StateStore, BytesCountsEveryAllocationAndIsSmallPerState) {
    StateStore store;
    const std::size_t empty = store.bytes();
    EXPECT_LT(empty, 1024U);
    // Interleaving-like states: 4 "process" blocks of 6 words, each block one of 12 values, and
    // 2 shared words. Records and the record index dominate once the blocks are all interned.
    std::vector<Words> blocks;
    blocks.reserve(12);
    std::mt19937_64 random(5);
    for (int value = 0; value < 12; ++value)
        blocks.push_back(random_words(random, 6, 50));
    Words state(26);
    for (std::uint32_t combo = 0; combo < 12 * 12 * 12 * 12 * 4; ++combo) {
        std::uint32_t rest = combo;
        for (std::size_t block = 0; block < 4; ++block) {
            const Words& value = blocks[rest % 12];
            rest /= 12;
            std::copy(value.begin(), value.end(), state.begin() + static_cast<long>(6 * block));
        }
        state[24] = rest;
        state[25] = 7;
        store.insert(state);
    }
    EXPECT_EQ(store.size(), 12U * 12U * 12U * 12U * 4U);
    const double per_state = static_cast<double>(store.bytes()) / static_cast<double>(store.size());
    EXPECT_GT(per_state, 8.0); // at least its string, its start and its index slot: all counted
    EXPECT_LT(per_state, 40.0);
}

// Properties, on random vectors over a small alphabet so that duplicates and shared subtrees
// are common.

rc::Gen<Words> small_words() {
    return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, 41), [](std::size_t length) {
        return rc::gen::container<Words>(length, rc::gen::inRange<std::uint32_t>(0, 3));
    });
}

/// A sequence of vectors drawn (with repetition) from a small pool.
rc::Gen<std::vector<Words>> repeating_sequence() {
    return rc::gen::mapcat(rc::gen::nonEmpty(rc::gen::container<std::vector<Words>>(small_words())),
                           [](std::vector<Words> pool) {
                               return rc::gen::container<std::vector<Words>>(
                                   rc::gen::elementOf(std::move(pool)));
                           });
}

RC_GTEST_PROP(StateStoreProperty, LoadInvertsInsert, ()) {
    const auto sequence = *repeating_sequence();
    StateStore store;
    for (const Words& words : sequence) {
        const StateId id = store.insert(words).id;
        RC_ASSERT(load(store, id) == words);
    }
}

RC_GTEST_PROP(StateStoreProperty, InsertIsASetWithDenseIds, ()) {
    const auto sequence = *repeating_sequence();
    const bool colliding = *rc::gen::arbitrary<bool>();
    StateStore store(StateStoreOptions{colliding ? 0 : ~std::uint64_t{0}});
    std::map<Words, StateId> reference;
    std::set<Words> seen;
    for (const Words& words : sequence) {
        const auto [it, is_new] = reference.emplace(words, static_cast<StateId>(reference.size()));
        const auto result = store.insert(words);
        RC_ASSERT(result.inserted == is_new);
        RC_ASSERT(result.id == it->second);
        seen.insert(words);
    }
    RC_ASSERT(store.size() == seen.size());
}

/// One search step: continue from stored state `from` (modulo the store size) and change the
/// words at `edits` (positions modulo the length) to the given values.
struct Step {
    std::size_t from;
    std::vector<std::pair<std::size_t, std::uint32_t>> edits;
};

RC_GTEST_PROP(StateStoreProperty, IncrementalInsertEqualsPlainInsert, ()) {
    const auto initial = *small_words();
    const auto steps = *rc::gen::container<std::vector<Step>>(rc::gen::construct<Step>(
        rc::gen::arbitrary<std::size_t>(),
        rc::gen::container<std::vector<std::pair<std::size_t, std::uint32_t>>>(rc::gen::pair(
            rc::gen::arbitrary<std::size_t>(), rc::gen::inRange<std::uint32_t>(0, 3)))));
    StateStore plain;
    StateStore incremental;
    RC_ASSERT(plain.insert(initial).id == incremental.insert(initial).id);
    StateStore::Tree tree;
    Words words;
    for (const Step& step : steps) {
        incremental.load(static_cast<StateId>(step.from % incremental.size()), words, tree);
        for (const auto& [position, value] : step.edits)
            words[position % words.size()] = value;
        const auto expected = plain.insert(words);
        const auto actual = incremental.insert(words, tree);
        RC_ASSERT(actual.id == expected.id);
        RC_ASSERT(actual.inserted == expected.inserted);
    }
    RC_ASSERT(same_states(incremental, plain));
}

RC_GTEST_PROP(StateStoreProperty, AReusedTreeHoldsTheWordsOfEachStateLoaded, ()) {
    const auto pool = *rc::gen::nonEmpty(rc::gen::container<std::vector<Words>>(small_words()));
    const auto order =
        *rc::gen::container<std::vector<std::size_t>>(rc::gen::arbitrary<std::size_t>());
    StateStore store;
    for (const Words& words : pool)
        store.insert(words);
    StateStore::Tree tree;
    for (const std::size_t k : order) {
        const auto id = static_cast<StateId>(k % store.size());
        store.load(id, tree);
        RC_ASSERT(Words(tree.words().begin(), tree.words().end()) == load(store, id));
    }
}

RC_GTEST_PROP(StateStoreProperty, BatchInsertEqualsInsertingInTurn, ()) {
    const auto initial = *small_words();
    const auto batches = *rc::gen::resize(
        30, rc::gen::container<std::vector<std::pair<std::size_t, std::vector<Words>>>>(
                rc::gen::pair(rc::gen::arbitrary<std::size_t>(),
                              rc::gen::container<std::vector<Words>>(small_words()))));
    StateStore one_by_one;
    StateStore batched(StateStoreOptions{*rc::gen::element<std::uint64_t>(~0ULL, 0ULL)});
    one_by_one.insert(initial);
    batched.insert(initial);
    StateStore::Tree tree;
    Words loaded;
    std::vector<StateStore::Insertion> results;
    for (const auto& [from, batch] : batches) {
        batched.load(static_cast<StateId>(from % batched.size()), loaded, tree);
        batched.insert_batch(spans_of(batch), tree, results);
        RC_ASSERT(results.size() == batch.size());
        for (std::size_t k = 0; k < batch.size(); ++k) {
            const auto expected = one_by_one.insert(batch[k]);
            RC_ASSERT(results[k].id == expected.id);
            RC_ASSERT(results[k].inserted == expected.inserted);
        }
    }
}

} // namespace
} // namespace mpcheck::explorer
