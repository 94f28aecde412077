// The state store's building blocks: the strings that encode states, the per-position numbering
// of segments and the cache of segment changes.

#include "explorer/hash.hpp"
#include "explorer/state_store_changes.hpp"
#include "explorer/state_store_positions.hpp"
#include "explorer/state_store_records.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace mpcheck::explorer::store_detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes string_of(std::size_t length, std::uint8_t fill) {
    return Bytes(length, fill);
}

TEST(RecordArena, StringsThatFillABlockExactlyAreKeptApartFromTheNextBlock) {
    // 64-byte strings fill the first 2 MiB block exactly; the next string starts the second
    // block. None may overwrite another, and each ends where the next begins.
    RecordArena arena;
    const std::size_t per_block = (std::size_t{2} << 20) / 64;
    std::vector<Bytes> strings;
    for (std::size_t i = 0; i < 2 * per_block + 3; ++i) {
        strings.push_back(string_of(64, static_cast<std::uint8_t>(i % 251)));
        ASSERT_EQ(arena.append(strings.back()), i);
    }
    for (std::size_t i = 0; i < strings.size(); ++i) {
        ASSERT_TRUE(arena.equals(static_cast<std::uint32_t>(i), strings[i])) << i;
        const auto stored = arena.string(static_cast<std::uint32_t>(i));
        ASSERT_EQ(Bytes(stored.begin(), stored.end()), strings[i]);
    }
}

TEST(RecordArena, AStringThatDoesNotFitStartsTheNextBlockAndKeepsItsLength) {
    RecordArena arena;
    std::mt19937 random(7);
    std::vector<Bytes> strings;
    std::size_t total = 0;
    while (total < (std::size_t{5} << 20)) {
        Bytes s(1 + random() % 3000);
        for (auto& byte : s)
            byte = static_cast<std::uint8_t>(random() % 3); // zero bytes too
        total += s.size();
        strings.push_back(s);
        arena.append(s);
    }
    for (std::size_t i = 0; i < strings.size(); ++i) {
        const auto id = static_cast<std::uint32_t>(i);
        ASSERT_TRUE(arena.equals(id, strings[i])) << i;
        // A proper prefix and a one-byte extension are different strings.
        const Bytes shorter(strings[i].begin(), strings[i].end() - 1);
        if (!shorter.empty()) {
            ASSERT_FALSE(arena.equals(id, shorter)) << i;
        }
        Bytes longer = strings[i];
        longer.push_back(0);
        ASSERT_FALSE(arena.equals(id, longer)) << i;
    }
    EXPECT_GE(arena.bytes(), total);
}

/// The entry of (position, segment) in table, added if new: how the store uses a PositionTable,
/// with a caller-chosen hash (AND-ed with mask) and equality on the pair.
std::uint32_t intern(PositionTable& table, std::uint32_t position, std::uint32_t segment,
                     std::uint64_t mask) {
    const auto hash_of = [&table, mask](std::uint32_t entry) {
        return mix_pair(table.position(entry), table.segment(entry)) & mask;
    };
    const std::uint64_t hash = mix_pair(position, segment) & mask;
    const auto probe = table.find(hash, [&](std::uint32_t entry) {
        return table.position(entry) == position && table.segment(entry) == segment;
    });
    if (probe.id != IdIndex::kAbsent) return probe.id;
    return table.add(position, segment, hash, probe.slot, hash_of);
}

TEST(PositionTable, NumbersSegmentsPerPositionInOrderOfFirstOccurrence) {
    PositionTable table;
    const std::uint64_t mask = ~std::uint64_t{0};
    const std::uint32_t a = intern(table, 0, 10, mask);
    const std::uint32_t b = intern(table, 0, 11, mask);
    const std::uint32_t c = intern(table, 1, 10, mask);
    EXPECT_EQ(intern(table, 0, 10, mask), a);
    EXPECT_EQ(table.local(a), 0U);
    EXPECT_EQ(table.local(b), 1U);
    EXPECT_EQ(table.local(c), 0U); // numbered afresh at position 1
    EXPECT_EQ(table.entry(0, 1), b);
    EXPECT_EQ(table.entry(1, 0), c);
    EXPECT_EQ(table.segment(c), 10U);
    EXPECT_EQ(table.position(c), 1U);
    EXPECT_EQ(table.size(), 3U);
}

TEST(PositionTable, StaysExactWhenAllHashesCollide) {
    PositionTable table;
    for (std::uint32_t position = 0; position < 20; ++position) {
        for (std::uint32_t segment = 0; segment < 50; ++segment)
            intern(table, position, segment, 0);
    }
    for (std::uint32_t position = 0; position < 20; ++position) {
        for (std::uint32_t segment = 0; segment < 50; ++segment) {
            const std::uint32_t entry = intern(table, position, segment, 0);
            ASSERT_EQ(table.segment(entry), segment);
            ASSERT_EQ(table.position(entry), position);
            ASSERT_EQ(table.local(entry), segment);
            ASSERT_EQ(table.entry(position, segment), entry);
        }
    }
    EXPECT_EQ(table.size(), 20U * 50U);
}

TEST(ChangeCache, AnswersOnlyForTheWholeKey) {
    for (const std::uint64_t mask : {~std::uint64_t{0}, std::uint64_t{0}}) {
        ChangeCache cache(mask);
        const std::vector<WordChange> changes{{2, 7}, {5, 1}};
        EXPECT_EQ(cache.find(3, changes), ChangeCache::kMissing);
        cache.put(3, changes, 42, 100);
        EXPECT_EQ(cache.find(3, changes), 42U);
        EXPECT_EQ(cache.find(4, changes), ChangeCache::kMissing); // another segment before
        const std::vector<WordChange> other_value{{2, 7}, {5, 2}};
        EXPECT_EQ(cache.find(3, other_value), ChangeCache::kMissing);
        const std::vector<WordChange> other_word{{2, 7}, {6, 1}};
        EXPECT_EQ(cache.find(3, other_word), ChangeCache::kMissing);
        const std::vector<WordChange> fewer{{2, 7}};
        EXPECT_EQ(cache.find(3, fewer), ChangeCache::kMissing);
        const std::vector<WordChange> too_many{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}};
        cache.put(3, too_many, 9, 100);
        EXPECT_EQ(cache.find(3, too_many), ChangeCache::kMissing); // never cached
        const std::vector<WordChange> far{{70000, 1}};
        cache.put(3, far, 10, 100);
        EXPECT_EQ(cache.find(3, far), ChangeCache::kMissing); // offsets beyond 16 bits neither
        const std::vector<WordChange> more{{2, 7}, {5, 1}, {6, 0}};
        EXPECT_EQ(cache.find(3, more), ChangeCache::kMissing); // more changes than cached
    }
}

} // namespace
} // namespace mpcheck::explorer::store_detail
