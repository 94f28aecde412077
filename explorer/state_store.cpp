#include "explorer/state_store.hpp"

#include "explorer/hash.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace mpcheck::explorer {

using store_detail::IdIndex;

namespace {

void check_length(std::size_t n) {
    MPCHECK_ASSERT(n >= 1 && n <= StateStore::kMaxLength); // a state has 1 to 65535 words
}

// Copies n words from `from` to `to` (not overlapping) inline: segments are a few dozen words, for
// which a library call costs more than the copy. Four words at a time, the last four overlapping
// the ones before.
void copy_short(const std::uint32_t* from, std::size_t n, std::uint32_t* to) noexcept {
    constexpr std::size_t kGroup = 4;
    if (n < kGroup) {
        for (std::size_t i = 0; i < n; ++i)
            to[i] = from[i];
        return;
    }
    for (std::size_t i = 0; i + kGroup <= n; i += kGroup)
        std::memcpy(to + i, from + i, kGroup * sizeof(std::uint32_t));
    std::memcpy(to + n - kGroup, from + n - kGroup, kGroup * sizeof(std::uint32_t));
}

} // namespace

StateStore::StateStore(StateStoreOptions options)
    : hash_mask_(options.hash_mask), segments_(options.hash_mask),
      change_cache_(options.hash_mask) {}

// ---- Segments --------------------------------------------------------------------------------

std::uint64_t StateStore::entry_hash(std::span<const std::uint32_t> segment,
                                     std::uint32_t position) const noexcept {
    return mix_words(segment, position) & hash_mask_;
}

std::uint32_t StateStore::intern_segment(std::span<const std::uint32_t> segment,
                                         std::uint32_t position) {
    const std::uint64_t hash = entry_hash(segment, position);
    const auto probe = positions_.find(hash, [&](std::uint32_t entry) {
        const auto stored = segments_.words(positions_.segment(entry));
        return positions_.position(entry) == position && stored.size() == segment.size() &&
               store_detail::equal_words(stored.data(), segment.data(), segment.size());
    });
    if (probe.id != IdIndex::kAbsent) [[likely]]
        return probe.id;
    // A new (position, segment) pair: its segment may be stored already (at another position).
    const std::uint32_t id = segments_.intern(segment, segments_.hash(segment));
    return positions_.add(position, id, hash, probe.slot, [this](std::uint32_t entry) {
        return entry_hash(segments_.words(positions_.segment(entry)), positions_.position(entry));
    });
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

bool StateStore::segment_locals_as_near(std::span<const std::uint32_t> words, const Tree& near,
                                        ChangedBlocks hint, bool& same) {
    // The cut depends only on the length and on the words where segments start: unless one of
    // those changed, words is cut as near's state. The changed words are found 16 at a time
    // (most blocks are unchanged, the others yield a bit mask of their changed words), and
    // near's segment_of_ tells each one's segment, or that it is a size word.
    const std::size_t n = words.size();
    const std::uint32_t* const now = words.data();
    const std::uint32_t* const old = near.words_.data();
    const std::uint16_t* const segment_of = near.segment_of_.data();
    // At most one change per word and one changed segment per segment, plus the end marker:
    // written through pointers, without a capacity check per word.
    if (changes_.size() < n) changes_.resize(n);
    if (changed_.size() < near.ends_.size() + 1) changed_.resize(near.ends_.size() + 1);
    store_detail::WordChange* const changes_begin = changes_.data();
    store_detail::WordChange* change = changes_begin;
    ChangedSegment* const changed_begin = changed_.data();
    ChangedSegment* changed_end = changed_begin;
    std::uint32_t last = Tree::kSizeWord; // the segment noted last (none yet)
    std::uint32_t last_begin = 0;         // where it begins
    // No hint is the hint of every block (block 63 stands for every word from 1008 on).
    if (hint != kAnyBlock) check_hint(words, near, hint);
    for (ChangedBlocks blocks = hint; blocks != 0; blocks &= blocks - 1) {
        const auto block = static_cast<std::size_t>(std::countr_zero(blocks));
        std::size_t i = block * kHintBlockWords;
        if (i >= n) break;
        const std::size_t end = block == 63 ? n : std::min(n, i + kHintBlockWords);
        for (; i < end; i += 16) {
            // Bit j: word i + j changed. A last group of fewer than 16 words is compared as the
            // last 16 words (n >= 16) of which the first ones were compared already.
            unsigned changed = 0;
            if (i + 16 <= n) [[likely]] {
                changed = store_detail::changed_words16(now + i, old + i);
            } else if (n >= 16) {
                changed =
                    store_detail::changed_words16(now + n - 16, old + n - 16) >> (16 - (n - i));
            } else {
                for (std::size_t j = i; j < n; ++j)
                    changed |= static_cast<unsigned>(now[j] != old[j]) << (j - i);
            }
            for (; changed != 0; changed &= changed - 1) {
                const std::size_t word = i + static_cast<std::size_t>(std::countr_zero(changed));
                const std::uint32_t segment = segment_of[word];
                if (segment == Tree::kSizeWord) return false; // the cut changes
                if (segment != last) {
                    last = segment;
                    last_begin = static_cast<std::uint32_t>(near.begin_of(segment));
                    *changed_end++ = {segment, static_cast<std::uint32_t>(change - changes_begin)};
                }
                *change++ = {static_cast<std::uint32_t>(word - last_begin), now[word]};
            }
        }
    }
    same = changed_end == changed_begin;
    if (same) return true;
    locals_.assign(near.locals_.begin(), near.locals_.end());
    *changed_end = {0, static_cast<std::uint32_t>(change - changes_begin)}; // end marker
    for (const ChangedSegment* c = changed_begin; c != changed_end; ++c) {
        const std::uint32_t k = c->segment;
        const std::span<const store_detail::WordChange> changes(changes_begin + c->first,
                                                                c[1].first - c->first);
        const std::uint32_t before = near.entries_[k];
        std::uint32_t after = change_cache_.find(before, changes);
        if (after == store_detail::ChangeCache::kMissing) {
            const std::size_t begin = near.begin_of(k);
            after = intern_segment(words.subspan(begin, near.ends_[k] - begin), k);
            change_cache_.put(before, changes, after, positions_.size());
        }
        locals_[k] = positions_.local(after);
    }
    return true;
}

bool StateStore::segment_locals(std::span<const std::uint32_t> words, const Tree& near,
                                ChangedBlocks hint) {
    check_length(words.size());
    const std::size_t n = words.size();
    if (near.id_ != kNoState && near.words_.size() == n) {
        bool same = false;
        if (segment_locals_as_near(words, near, hint, same)) return same;
    }
    locals_.clear();
    const std::size_t near_m = near.id_ == kNoState ? 0 : near.ends_.size();
    const std::uint32_t* const near_words = near.words_.data();
    // The segments that lie before the first word that differs from near's, cut as near's,
    // are near's: usually most of them, as records are ordered from the least to the most
    // often resized.
    const std::size_t first = near_m == 0
                                  ? 0
                                  : store_detail::first_difference(words.data(), near_words,
                                                                   std::min(n, near.words_.size()));
    std::size_t k = 0;
    std::size_t begin = 0;
    for (; k < near_m && near.ends_[k] <= first; ++k) {
        const std::size_t end = store_detail::segment_end(words, begin);
        if (end != near.ends_[k]) break;
        locals_.push_back(near.locals_[k]);
        begin = end;
    }
    // Then segment by segment with near's segment at the same position, if any.
    std::size_t near_begin = begin;
    for (; begin < n; ++k) {
        const std::size_t end = store_detail::segment_end(words, begin);
        const std::size_t size = end - begin;
        if (k < near_m) {
            const std::size_t near_end = near.ends_[k];
            const bool equal =
                near_end - near_begin == size &&
                store_detail::equal_words(words.data() + begin, near_words + near_begin, size);
            near_begin = near_end;
            if (equal) {
                locals_.push_back(near.locals_[k]);
                begin = end;
                continue;
            }
        }
        locals_.push_back(positions_.local(
            intern_segment(words.subspan(begin, size), static_cast<std::uint32_t>(k))));
        begin = end;
    }
    return false; // a state cut differently from near's is not near's
}

// ---- State strings (their code: state_store_codes.cpp) ---------------------------------

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
    if (segment_locals(words, near, hint)) {
        job.found = near.id_;
        return;
    }
    job.found = kNoState;
    job.begin = static_cast<std::uint32_t>(batch_used_);
    encode_locals();
    job.end = static_cast<std::uint32_t>(batch_used_);
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
    batch_used_ = 0;
}

// ---- Loading ---------------------------------------------------------------------------------

void StateStore::look_up(std::span<const std::uint32_t> locals, std::vector<std::uint32_t>& entries,
                         std::vector<std::uint32_t>& segments) const {
    const std::size_t m = locals.size();
    entries.resize(m);
    segments.resize(m);
    for (std::size_t k = 0; k < m; ++k) {
        const std::uint32_t entry = positions_.entry(static_cast<std::uint32_t>(k), locals[k]);
        entries[k] = entry;
        segments[k] = positions_.segment(entry);
    }
}

void StateStore::assemble(std::span<const std::uint32_t> segments,
                          std::vector<std::uint32_t>& words,
                          std::vector<std::uint32_t>& ends) const {
    for (const std::uint32_t segment : segments)
        segments_.prefetch(segment); // the segments wait for memory together
    const std::size_t m = segments.size();
    ends.resize(m);
    std::size_t n = 0;
    for (std::size_t k = 0; k < m; ++k) {
        n += segments_.words(segments[k]).size();
        ends[k] = static_cast<std::uint32_t>(n);
    }
    words.resize(n);
    std::uint32_t* const out = words.data();
    for (std::size_t k = 0, at = 0; k < m; at = ends[k++]) {
        const auto segment = segments_.words(segments[k]);
        copy_short(segment.data(), segment.size(), out + at);
    }
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out) const {
    std::vector<std::uint32_t> locals;
    std::vector<std::uint32_t> entries;
    std::vector<std::uint32_t> segments;
    std::vector<std::uint32_t> ends;
    decode(id, locals);
    look_up(locals, entries, segments);
    assemble(segments, out, ends);
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out, Tree& tree) const {
    load(id, tree);
    out.assign(tree.words_.begin(), tree.words_.end());
}

void StateStore::load(StateId id, Tree& tree) const {
    decode(id, tree.loading_);
    tree.id_ = id;
    if (!patch(tree)) {
        look_up(tree.loading_, tree.entries_, tree.segments_);
        assemble(tree.segments_, tree.words_, tree.ends_);
        mark_segments(tree);
    }
    std::swap(tree.locals_, tree.loading_);
}

bool StateStore::patch(Tree& tree) const {
    // Consecutive states to expand are often siblings that share most segments: when every
    // segment that differs from the tree's (has another local number) has the same length, only
    // those are looked up and copied, and the cut (ends_, segment_of_) stays.
    const std::vector<std::uint32_t>& fresh = tree.loading_;
    const std::vector<std::uint32_t>& old = tree.locals_;
    const std::size_t m = fresh.size();
    if (old.size() != m || tree.words_.empty()) return false;
    const auto entry_at = [&](std::size_t k) {
        return positions_.entry(static_cast<std::uint32_t>(k), fresh[k]);
    };
    const auto words_of = [this](std::uint32_t entry) {
        return segments_.words(positions_.segment(entry));
    };
    for (std::size_t k = 0; k < m; ++k) {
        if (fresh[k] != old[k] && words_of(entry_at(k)).size() != tree.ends_[k] - tree.begin_of(k))
            return false;
    }
    for (std::size_t k = 0; k < m; ++k) {
        if (fresh[k] == old[k]) continue;
        tree.entries_[k] = entry_at(k);
        const auto segment = words_of(tree.entries_[k]);
        copy_short(segment.data(), segment.size(), tree.words_.data() + tree.begin_of(k));
    }
    return true;
}

void StateStore::mark_segments(Tree& tree) {
    // Each word's segment, or kSizeWord for the size word that starts each segment after the
    // header (a change there changes the cut). Filled eight at a time, segment after segment,
    // each group overwriting what the one before wrote beyond its segment's end.
    constexpr std::size_t kGroup = 8;
    tree.segment_of_.resize(tree.words_.size() + kGroup);
    std::uint16_t* const segment_of = tree.segment_of_.data();
    for (std::size_t k = 0, at = 0; k < tree.ends_.size(); at = tree.ends_[k++]) {
        std::array<std::uint16_t, kGroup> group;
        group.fill(static_cast<std::uint16_t>(k));
        for (std::size_t i = at; i < tree.ends_[k]; i += kGroup)
            std::memcpy(segment_of + i, group.data(), sizeof group);
        if (k > 0) segment_of[at] = Tree::kSizeWord;
    }
}

std::size_t StateStore::bytes() const noexcept {
    return segments_.bytes() + positions_.bytes() + records_.bytes() + index_.bytes() +
           change_cache_.bytes() + changes_.capacity() * sizeof(store_detail::WordChange) +
           changed_.capacity() * sizeof(ChangedSegment) +
           locals_.capacity() * sizeof(std::uint32_t) + batch_.capacity() * sizeof(Job) +
           batch_bytes_.capacity() + narrow_.capacity() + single_.capacity() * sizeof(Insertion);
}

} // namespace mpcheck::explorer
