#pragma once

// Private to StateStore: how a state vector is cut into segments, and the hash-consed table of
// those segments (the leaves of the store's trees). Not part of the explorer's interface.

#include "explorer/state_store_tables.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mpcheck::explorer::store_detail {

/// Words of the first segment (model::State's header; checked in the .cpp).
inline constexpr std::size_t kHeaderSegment = 4;
/// Words of a segment that starts at a word that is not a usable size word.
inline constexpr std::size_t kFallbackSegment = 8;

/// The end of the segment of words (1..65535 of them) that starts at `begin` < words.size().
/// The cut: first the header of kHeaderSegment words (or all words if fewer), then, from each
/// segment's end `at`, a segment of words[at] words when that is between 1 and the words left (a
/// record that starts with its own size, as all of model::State's records do), else of
/// min(kFallbackSegment, words left) words. Any vector is cut somehow; what matters for
/// exactness is only that the cut is a function of the words alone.
inline std::size_t segment_end(std::span<const std::uint32_t> words, std::size_t begin) noexcept {
    const std::size_t left = words.size() - begin;
    if (begin == 0) return std::min(left, kHeaderSegment);
    const std::size_t size = words[begin];
    return begin + (size >= 1 && size <= left ? size : std::min(left, kFallbackSegment));
}

/// Whether the n words at a and b are equal: 128-bit compares where there are 4 words or more
/// (the last group overlapping the one before), else 32-bit ones; no early exit within 16 words
/// (segments are short and usually equal, so the whole segment is compared anyway).
inline bool equal_words(const std::uint32_t* a, const std::uint32_t* b, std::size_t n) noexcept {
#if defined(__SSE2__)
    if (n >= 4) {
        const auto load = [](const std::uint32_t* p) {
            return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        };
        __m128i equal = _mm_set1_epi32(-1);
        std::size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            equal = _mm_and_si128(equal, _mm_cmpeq_epi32(load(a + i), load(b + i)));
            if ((i & 15) == 12 && _mm_movemask_epi8(equal) != 0xffff) return false;
        }
        if (i < n) equal = _mm_and_si128(equal, _mm_cmpeq_epi32(load(a + n - 4), load(b + n - 4)));
        return _mm_movemask_epi8(equal) == 0xffff;
    }
#endif
    std::uint32_t difference = 0;
    for (std::size_t i = 0; i < n; ++i)
        difference |= a[i] ^ b[i];
    return difference == 0;
}

/// Bit mask of the words that differ among the 16 at a and b (bit j: word j).
inline unsigned changed_words16(const std::uint32_t* a, const std::uint32_t* b) noexcept {
#if defined(__SSE2__)
    // Four 4-word compares, their results packed to one byte per word; unaligned loads are how
    // SSE2 reads memory of any alignment.
    const auto equal4 = [a, b](std::size_t at) {
        return _mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + at)),
                               _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + at)));
    };
    const __m128i low = _mm_packs_epi32(equal4(0), equal4(4));
    const __m128i high = _mm_packs_epi32(equal4(8), equal4(12));
    const auto equal = static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(low, high)));
    return ~equal & 0xffffU;
#else
    unsigned changed = 0;
    for (unsigned j = 0; j < 16; ++j)
        changed |= static_cast<unsigned>(a[j] != b[j]) << j;
    return changed;
#endif
}

/// Index of the first word where the n words at a and b differ, or n when they are equal;
/// compared 16 words at a time.
inline std::size_t first_difference(const std::uint32_t* a, const std::uint32_t* b,
                                    std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const unsigned changed = changed_words16(a + i, b + i);
        if (changed != 0) return i + static_cast<std::size_t>(std::countr_zero(changed));
    }
    for (; i < n; ++i) {
        if (a[i] != b[i]) return i;
    }
    return n;
}

/// Exact, hash-consed set of word strings of 1..65535 words with dense 32-bit ids in insertion
/// order. The strings live back to back, each after a word holding its length, in blocks of
/// 2^16 words that never move (a string never straddles two blocks), so an id maps to the
/// string's position through one 32-bit offset. Lookups compare whole strings, never only
/// hashes. Not thread-safe.
class SegmentTable {
public:
    /// An empty table whose hashes are AND-ed with hash_mask (see StateStoreOptions).
    explicit SegmentTable(std::uint64_t hash_mask) : hash_mask_(hash_mask) {}

    /// The table hash of a string.
    std::uint64_t hash(std::span<const std::uint32_t> words) const noexcept;

    /// Id of the string words (hash: its table hash), interned if new.
    std::uint32_t intern(std::span<const std::uint32_t> words, std::uint64_t hash);

    /// The string with this id (id < size()).
    std::span<const std::uint32_t> words(std::uint32_t id) const noexcept {
        const std::uint32_t at = starts_[id];
        const std::uint32_t* const start = &blocks_[at >> kBlockShift][at & kOffsetMask];
        return {start + 1, *start};
    }

    /// Asks the CPU to start fetching the string with this id.
    void prefetch(std::uint32_t id) const noexcept {
        const std::uint32_t at = starts_[id];
        prefetch_address(&blocks_[at >> kBlockShift][at & kOffsetMask]);
    }

    /// Number of strings stored.
    std::size_t size() const noexcept { return starts_.size(); }

    /// Bytes allocated: string blocks, offsets and index.
    std::size_t bytes() const noexcept;

private:
    static constexpr unsigned kBlockShift = 16;
    static constexpr std::size_t kBlockSize = std::size_t{1} << kBlockShift;
    static constexpr std::size_t kOffsetMask = kBlockSize - 1;
    static constexpr std::size_t kFirstCapacity = 256;

    /// Appends a new string; slot is where the index lookup of its hash stopped.
    std::uint32_t add(std::span<const std::uint32_t> words, std::uint64_t hash, std::size_t slot);
    /// Makes room for `count` words (at most kBlockSize) at the end of the last block.
    void reserve_tail(std::size_t count);

    std::uint64_t hash_mask_;
    // Each block is allocated at its final size (the first one grows by doubling until it
    // reaches kBlockSize, so that small stores stay small).
    std::vector<std::vector<std::uint32_t>> blocks_;
    std::size_t used_ = 0;               // words used in the last block
    ChunkedArray<std::uint32_t> starts_; // id -> block << 16 | offset of its length word
    IdIndex index_;
};

} // namespace mpcheck::explorer::store_detail
