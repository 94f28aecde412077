#include "explorer/state_store.hpp"

#include "explorer/hash.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
                    last_begin = segment == 0 ? 0 : near.ends_[segment - 1];
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
            const std::size_t begin = k == 0 ? 0 : near.ends_[k - 1];
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

std::uint64_t StateStore::narrow_locals(std::uint8_t* bytes) const noexcept {
    // Eight locals at a time: packed to bytes (saturating) and stored, and compared with the
    // largest one-byte and two-byte numbers (their sign bits too: numbers of 2^31 and more
    // compare as negative). The last eight overlap the ones before when the count is not a
    // multiple of eight.
#if defined(__SSE2__)
    const std::size_t m = locals_.size();
    const std::uint32_t* const locals = locals_.data();
    const __m128i one_byte = _mm_set1_epi32(static_cast<int>(kOneByte - 1));
    const __m128i two_bytes = _mm_set1_epi32(static_cast<int>(kTwoBytes - 1));
    const __m128i zero = _mm_setzero_si128();
    __m128i too_wide = zero;
    std::uint64_t wide = 0;
    const auto narrow8 = [&](std::size_t k) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(locals + k));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(locals + k + 4));
        const __m128i sign = _mm_or_si128(_mm_srai_epi32(a, 31), _mm_srai_epi32(b, 31));
        too_wide = _mm_or_si128(too_wide, _mm_or_si128(sign, _mm_cmpgt_epi32(a, two_bytes)));
        too_wide = _mm_or_si128(too_wide, _mm_cmpgt_epi32(b, two_bytes));
        const __m128i over = _mm_packs_epi32(_mm_or_si128(_mm_cmpgt_epi32(a, one_byte), sign),
                                             _mm_cmpgt_epi32(b, one_byte));
        wide |= std::uint64_t{static_cast<std::uint32_t>(
                    _mm_movemask_epi8(_mm_packs_epi16(over, zero)))}
                << k;
        _mm_storel_epi64(reinterpret_cast<__m128i*>(bytes + k),
                         _mm_packus_epi16(_mm_packs_epi32(a, b), zero));
    };
    std::size_t k = 0;
    for (; k + 8 <= m; k += 8)
        narrow8(k);
    if (k < m) narrow8(m - 8);
    return _mm_movemask_epi8(too_wide) == 0 ? wide : kTooWide;
#else
    static_cast<void>(bytes);
    return kTooWide;
#endif
}

void StateStore::encode_locals() {
    const std::size_t at = batch_used_;
    const std::size_t m = locals_.size();
    // No code is longer than 5 bytes; 16 bytes more for the 16-byte copies below. The buffer
    // only grows (it never shrinks or zero-fills per state).
    const std::size_t most = at + 5 * m + 16;
    if (batch_bytes_.size() < most) batch_bytes_.resize(std::max(most, 2 * batch_bytes_.size()));
    std::uint8_t* out = batch_bytes_.data() + at;
    // Usually all numbers are below 240 but for a few (a position that has seen hundreds of
    // segments): the string is then the numbers as bytes with a two-byte code put in for each
    // of those few, copied 16 bytes at a time (no branch per number, whose outcome would vary
    // from state to state).
    if (m >= 8 && m <= 64) {
        if (narrow_.size() < m + 16) narrow_.resize(m + 16);
        const std::uint8_t* const narrow = narrow_.data();
        std::uint64_t wide = narrow_locals(narrow_.data());
        if (wide != kTooWide) {
            const auto copy = [&out](const std::uint8_t* from, std::size_t count) {
                for (std::size_t i = 0; i < count; i += 16)
                    std::memcpy(out + i, from + i, 16);
                out += count;
            };
            std::size_t from = 0;
            for (; wide != 0; wide &= wide - 1) {
                const auto k = static_cast<std::size_t>(std::countr_zero(wide));
                copy(narrow + from, k - from);
                const std::uint32_t excess = locals_[k] - kOneByte;
                out[0] = static_cast<std::uint8_t>(kOneByte + (excess >> 8));
                out[1] = static_cast<std::uint8_t>(excess);
                out += 2;
                from = k + 1;
            }
            copy(narrow + from, m - from);
            batch_used_ = static_cast<std::size_t>(out - batch_bytes_.data());
            return;
        }
    }
    for (const std::uint32_t local : locals_) {
        if (local < kOneByte) {
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
    batch_used_ = static_cast<std::size_t>(out - batch_bytes_.data());
}

void StateStore::decode(StateId id, std::vector<std::uint32_t>& locals) const {
    MPCHECK_ASSERT(id < size());
    const std::span<const std::uint8_t> bytes = records_.string(id);
    // At most one segment per byte: sized once, trimmed at the end.
    locals.resize(bytes.size());
    std::size_t count = 0;
    for (std::size_t at = 0; at < bytes.size(); ++count) {
        const std::uint8_t first = bytes[at];
        std::uint32_t local = first;
        if (first == kFiveBytes) [[unlikely]] {
            local = 0;
            for (unsigned shift = 0; shift < 32; shift += 8)
                local |= std::uint32_t{bytes[at + 1 + shift / 8]} << shift;
            at += 5;
        } else {
            // As in encode_locals: one or two bytes without a branch (reading the second byte
            // as the first again when there is none).
            const bool wide = first >= kOneByte;
            const std::uint8_t second = bytes[at + static_cast<std::size_t>(wide)];
            local = wide ? kOneByte + ((std::uint32_t{first} - kOneByte) << 8) + second : first;
            at += 1 + static_cast<std::size_t>(wide);
        }
        locals[count] = local;
    }
    locals.resize(count);
}

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
    const auto segment_at = [&](std::size_t k) {
        return positions_.segment(positions_.entry(static_cast<std::uint32_t>(k), fresh[k]));
    };
    for (std::size_t k = 0; k < m; ++k) {
        if (fresh[k] == old[k]) continue;
        const std::size_t begin = k == 0 ? 0 : tree.ends_[k - 1];
        if (segments_.words(segment_at(k)).size() != tree.ends_[k] - begin) return false;
    }
    for (std::size_t k = 0; k < m; ++k) {
        if (fresh[k] == old[k]) continue;
        const std::uint32_t entry = positions_.entry(static_cast<std::uint32_t>(k), fresh[k]);
        tree.entries_[k] = entry;
        tree.segments_[k] = positions_.segment(entry);
        const auto segment = segments_.words(tree.segments_[k]);
        const std::size_t begin = k == 0 ? 0 : tree.ends_[k - 1];
        copy_short(segment.data(), segment.size(), tree.words_.data() + begin);
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
