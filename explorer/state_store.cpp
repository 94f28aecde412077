#include "explorer/state_store.hpp"

#include "explorer/hash.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace mpcheck::explorer {

using store_detail::IdIndex;

namespace {

void check_length(std::size_t n) {
    MPCHECK_ASSERT(n >= 1 && n <= StateStore::kMaxLength); // a state has 1 to 65535 words
}

} // namespace

StateStore::StateStore(StateStoreOptions options)
    : hash_mask_(options.hash_mask), segments_(options.hash_mask), positions_(options.hash_mask),
      change_cache_(options.hash_mask) {}

// ---- Segments --------------------------------------------------------------------------------

std::uint32_t StateStore::intern_segment(std::span<const std::uint32_t> segment,
                                         std::uint32_t position, std::uint32_t before) {
    const std::size_t guesses = std::size_t{before} * 2; // where before's two guesses are
    if (guesses < successor_.size()) {
        for (std::size_t g = 0; g < 2; ++g) {
            const std::uint32_t guess = successor_[guesses + g];
            if (guess == 0) break;
            const auto words = segments_.words(positions_.segment(guess - 1));
            if (words.size() == segment.size() &&
                store_detail::equal_words(words.data(), segment.data(), segment.size())) {
                return guess - 1;
            }
        }
    }
    const std::uint32_t id = segments_.intern(segment, segments_.hash(segment));
    const std::uint32_t entry = positions_.intern(position, id);
    if (before != kNoState) {
        if (guesses >= successor_.size()) successor_.resize(2 * positions_.size(), 0);
        successor_[guesses + 1] = successor_[guesses]; // the older guess goes
        successor_[guesses] = entry + 1;
    }
    return entry;
}

void StateStore::check_hint([[maybe_unused]] std::span<const std::uint32_t> words,
                            [[maybe_unused]] const Tree& near,
                            [[maybe_unused]] ChangedBlocks hint) {
#if !defined(NDEBUG)
    // A hint that leaves out a changed word would merge distinct states: checked in debug builds
    // (the sanitizer builds run every test with them).
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::size_t block = std::min<std::size_t>(i / kHintBlockWords, 63);
        MPCHECK_ASSERT((hint >> block & 1) != 0 || words[i] == near.words_[i]);
    }
#endif
}

bool StateStore::segment_entries_as_near(std::span<const std::uint32_t> words, const Tree& near,
                                         ChangedBlocks hint, bool& same) {
    // The cut depends only on the length and on the words where segments start: unless one of
    // those changed, words is cut as near's state. The changed words are found 16 at a time:
    // most blocks are unchanged, the others yield a bit mask of their changed words.
    const std::size_t n = words.size();
    const std::uint32_t* const near_ends = near.ends_.data();
    const std::uint32_t* const now = words.data();
    const std::uint32_t* const old = near.words_.data();
    // At most one change per word and one changed segment per segment, plus the end marker:
    // written through pointers, without a capacity check per word.
    const std::size_t m = near.ends_.size();
    if (changes_.size() < n) changes_.resize(n);
    if (changed_.size() < m + 1) changed_.resize(m + 1);
    store_detail::WordChange* const changes_begin = changes_.data();
    store_detail::WordChange* change = changes_begin;
    ChangedSegment* const changed_begin = changed_.data();
    ChangedSegment* changed_end = changed_begin;
    std::size_t segment = 0;
    std::size_t segment_begin = 0;
    // Notes the changed words of the 16 at word i (bit j of `changed`: word i + j); false when one
    // is a size word, so that words is cut differently.
    const auto note = [&](std::size_t i, unsigned changed) {
        for (; changed != 0; changed &= changed - 1) {
            const std::size_t word = i + static_cast<std::size_t>(std::countr_zero(changed));
            if (near_ends[segment] <= word) {
                do {
                    segment_begin = near_ends[segment];
                    ++segment;
                } while (near_ends[segment] <= word);
            }
            if (segment > 0 && word == segment_begin) return false;
            if (changed_end == changed_begin || changed_end[-1].segment != segment) {
                *changed_end++ = {static_cast<std::uint32_t>(segment),
                                  static_cast<std::uint32_t>(change - changes_begin)};
            }
            *change++ = {static_cast<std::uint32_t>(word - segment_begin), now[word]};
        }
        return true;
    };
    // Compares the words [lo, hi) (lo a multiple of 16; hi - lo < 16 only where hi == n).
    const auto compare = [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; i += 16) {
            unsigned changed = 0;
            if (i + 16 <= hi) {
                changed = store_detail::changed_words16(now + i, old + i);
            } else if (n >= 16) {
                // The last 16 words, of which the first ones were compared already.
                changed =
                    store_detail::changed_words16(now + n - 16, old + n - 16) >> (16 - (n - i));
            } else {
                for (std::size_t j = i; j < n; ++j)
                    changed |= static_cast<unsigned>(now[j] != old[j]) << (j - i);
            }
            if (changed != 0 && !note(i, changed)) return false;
        }
        return true;
    };
    if (hint == kAnyBlock) {
        if (!compare(0, n)) return false;
    } else {
        check_hint(words, near, hint);
        for (ChangedBlocks blocks = hint; blocks != 0; blocks &= blocks - 1) {
            const auto block = static_cast<std::size_t>(std::countr_zero(blocks));
            const std::size_t lo = block * kHintBlockWords;
            if (lo >= n) break;
            const std::size_t hi = block == 63 ? n : std::min(n, lo + kHintBlockWords);
            if (!compare(lo, hi)) return false;
        }
    }
    same = changed_end == changed_begin;
    entries_.assign(near.entries_.begin(), near.entries_.end());
    *changed_end = {0, static_cast<std::uint32_t>(change - changes_begin)}; // end marker
    for (const ChangedSegment* c = changed_begin; c != changed_end; ++c) {
        const std::uint32_t k = c->segment;
        const std::span<const store_detail::WordChange> changes(changes_begin + c->first,
                                                                c[1].first - c->first);
        const std::uint32_t before = entries_[k];
        std::uint32_t after = change_cache_.find(before, changes);
        if (after == store_detail::ChangeCache::kMissing) {
            const std::size_t begin = k == 0 ? 0 : near_ends[k - 1];
            after = intern_segment(words.subspan(begin, near_ends[k] - begin), k, before);
            change_cache_.put(before, changes, after, positions_.size());
        }
        entries_[k] = after;
    }
    return true;
}

bool StateStore::segment_entries(std::span<const std::uint32_t> words, const Tree& near,
                                 ChangedBlocks hint) {
    check_length(words.size());
    const std::size_t n = words.size();
    if (near.id_ != kNoState && near.words_.size() == n) {
        bool same = false;
        if (segment_entries_as_near(words, near, hint, same)) return same;
    }
    entries_.clear();
    // Compare segment by segment with near's segment at the same position, if any.
    const std::size_t near_m = near.id_ == kNoState ? 0 : near.ends_.size();
    const std::uint32_t* const near_words = near.words_.data();
    std::size_t near_begin = 0;
    for (std::size_t k = 0, begin = 0; begin < n; ++k) {
        const std::size_t end = store_detail::segment_end(words, begin);
        const std::size_t size = end - begin;
        std::uint32_t before = kNoState;
        if (k < near_m) {
            const std::size_t near_end = near.ends_[k];
            before = near.entries_[k];
            const bool equal =
                near_end - near_begin == size &&
                store_detail::equal_words(words.data() + begin, near_words + near_begin, size);
            near_begin = near_end;
            if (equal) {
                entries_.push_back(before);
                begin = end;
                continue;
            }
        }
        entries_.push_back(
            intern_segment(words.subspan(begin, size), static_cast<std::uint32_t>(k), before));
        begin = end;
    }
    return false; // a state cut differently from near's is not near's
}

// ---- State strings ---------------------------------------------------------------------------

// A state's string holds each segment's local number at its position in a byte-aligned code
// that favours the small numbers: most positions see fewer than 240 distinct segments.
//   0 .. 239         one byte: the number
//   240 .. 4079      two bytes: 240 + (n - 240) / 256, then (n - 240) % 256
//   4080 ..          five bytes: 255, then n in four bytes, low byte first
// Each number has exactly one code, so equal states have equal strings.
namespace {

constexpr std::uint32_t kOneByte = 240;
constexpr std::uint32_t kTwoBytes = kOneByte + 15 * 256;
constexpr std::uint8_t kFiveBytes = 255;

} // namespace

void StateStore::encode_entries() {
    const std::size_t at = batch_bytes_.size();
    batch_bytes_.resize(at + 5 * entries_.size()); // no code is longer than 5 bytes
    std::uint8_t* out = batch_bytes_.data() + at;
    for (const std::uint32_t entry : entries_) {
        const std::uint32_t local = positions_.local(entry);
        if (local < kOneByte) [[likely]] {
            *out++ = static_cast<std::uint8_t>(local);
        } else if (local < kTwoBytes) {
            *out++ = static_cast<std::uint8_t>(kOneByte + ((local - kOneByte) >> 8));
            *out++ = static_cast<std::uint8_t>(local - kOneByte);
        } else {
            *out++ = kFiveBytes;
            for (unsigned shift = 0; shift < 32; shift += 8)
                *out++ = static_cast<std::uint8_t>(local >> shift);
        }
    }
    batch_bytes_.resize(static_cast<std::size_t>(out - batch_bytes_.data()));
}

void StateStore::decode(StateId id, std::vector<std::uint32_t>& entries) const {
    MPCHECK_ASSERT(id < size());
    entries.clear();
    const std::span<const std::uint8_t> bytes = records_.string(id);
    for (std::size_t at = 0; at < bytes.size();) {
        const std::uint8_t first = bytes[at++];
        std::uint32_t local = first;
        if (first == kFiveBytes) {
            local = 0;
            for (unsigned shift = 0; shift < 32; shift += 8)
                local |= std::uint32_t{bytes[at++]} << shift;
        } else if (first >= kOneByte) {
            local = kOneByte + ((std::uint32_t{first} - kOneByte) << 8) + bytes[at++];
        }
        entries.push_back(positions_.entry(static_cast<std::uint32_t>(entries.size()), local));
    }
}

std::uint64_t StateStore::string_hash(std::span<const std::uint8_t> bytes) const noexcept {
    return mix_bytes(bytes) & hash_mask_;
}

StateStore::Insertion StateStore::intern_string(const Job& job) {
    const std::span<const std::uint8_t> bytes(batch_bytes_.data() + job.begin, job.end - job.begin);
    const auto probe =
        index_.find(job.hash, [&](std::uint32_t id) { return records_.equals(id, bytes); });
    if (probe.id != IdIndex::kAbsent) return {probe.id, false};
    const std::uint32_t id = records_.append(bytes);
    index_.insert(probe.slot, job.hash, id,
                  [this](std::uint32_t stored) { return string_hash(records_.string(stored)); });
    return {id, true};
}

// ---- Inserting -------------------------------------------------------------------------------

StateStore::Insertion StateStore::insert(std::span<const std::uint32_t> words) {
    return insert(words, Tree{});
}

StateStore::Insertion StateStore::insert(std::span<const std::uint32_t> words, const Tree& near) {
    const std::span<const std::uint32_t> one[1] = {words};
    insert_batch(one, near, single_);
    return single_[0];
}

void StateStore::insert_batch(std::span<const std::span<const std::uint32_t>> states,
                              const Tree& near, std::vector<Insertion>& results) {
    MPCHECK_ASSERT(batch_.empty()); // not mixed with a pending batch
    for (const std::span<const std::uint32_t> words : states)
        add_to_batch(words, near);
    finish_batch(results);
}

void StateStore::add_to_batch(std::span<const std::uint32_t> words, const Tree& near,
                              ChangedBlocks hint) {
    Job& job = batch_.emplace_back();
    if (segment_entries(words, near, hint)) {
        job.found = near.id_;
        return;
    }
    job.found = kNoState;
    job.begin = static_cast<std::uint32_t>(batch_bytes_.size());
    encode_entries();
    job.end = static_cast<std::uint32_t>(batch_bytes_.size());
    job.hash = string_hash(
        std::span<const std::uint8_t>(batch_bytes_.data() + job.begin, job.end - job.begin));
    index_.prefetch(job.hash);
}

void StateStore::finish_batch(std::vector<Insertion>& results) {
    // Once the store outgrows the CPU caches, each lookup waits for memory three times: for the
    // index slot, for where the candidate's string starts, for the string. add_to_batch has
    // prefetched the slots; here the starts and then the strings of all candidates are
    // prefetched together, then the states are looked up in order, so ids come out exactly as
    // from inserting them one by one.
    const std::size_t count = batch_.size();
    results.resize(count);
    if (count > 1) {
        for (const Job& job : batch_) {
            if (job.found != kNoState) continue;
            index_.prefetch_candidates(job.hash,
                                       [this](std::uint32_t id) { records_.prefetch_start(id); });
        }
        for (const Job& job : batch_) {
            if (job.found != kNoState) continue;
            index_.prefetch_candidates(job.hash,
                                       [this](std::uint32_t id) { records_.prefetch(id); });
        }
    }
    for (std::size_t k = 0; k < count; ++k) {
        const Job& job = batch_[k];
        results[k] = job.found != kNoState ? Insertion{job.found, false} : intern_string(job);
    }
    batch_.clear();
    batch_bytes_.clear();
}

// ---- Loading ---------------------------------------------------------------------------------

void StateStore::assemble(std::span<const std::uint32_t> entries, std::vector<std::uint32_t>& words,
                          std::vector<std::uint32_t>& ends) const {
    for (const std::uint32_t entry : entries)
        segments_.prefetch(positions_.segment(entry)); // the segments wait for memory together
    const std::size_t m = entries.size();
    ends.resize(m);
    std::size_t n = 0;
    for (std::size_t k = 0; k < m; ++k) {
        n += segments_.words(positions_.segment(entries[k])).size();
        ends[k] = static_cast<std::uint32_t>(n);
    }
    words.resize(n);
    std::uint32_t* out = words.data();
    for (const std::uint32_t entry : entries) {
        const auto segment = segments_.words(positions_.segment(entry));
        out = std::copy(segment.begin(), segment.end(), out);
    }
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out) const {
    std::vector<std::uint32_t> entries;
    std::vector<std::uint32_t> ends;
    decode(id, entries);
    assemble(entries, out, ends);
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out, Tree& tree) const {
    load(id, tree);
    out.assign(tree.words_.begin(), tree.words_.end());
}

void StateStore::load(StateId id, Tree& tree) const {
    decode(id, tree.entries_);
    tree.id_ = id;
    assemble(tree.entries_, tree.words_, tree.ends_);
}

std::size_t StateStore::bytes() const noexcept {
    return segments_.bytes() + positions_.bytes() + records_.bytes() + index_.bytes() +
           change_cache_.bytes() + changes_.capacity() * sizeof(store_detail::WordChange) +
           changed_.capacity() * sizeof(ChangedSegment) +
           (successor_.capacity() + entries_.capacity()) * sizeof(std::uint32_t) +
           batch_.capacity() * sizeof(Job) + batch_bytes_.capacity() +
           single_.capacity() * sizeof(Insertion);
}

} // namespace mpcheck::explorer
