#pragma once

// Private to StateStore: a cache of how segments change. Not part of the explorer's interface.

#include "explorer/hash.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mpcheck::explorer::store_detail {

/// A word of a segment that a step changed: where in the segment, and its new value.
struct WordChange {
    std::uint32_t offset;
    std::uint32_t value;
};

/// What a segment turned into when some of its words changed, remembered per (entry before,
/// changed words with their new values): the same few steps change the same records again and
/// again. The key determines the new segment completely (the old segment's words with those
/// words replaced, at the same position), and a hit compares the whole key, so a hit is exact
/// without looking at the segment. Lossy like a CPU cache (a newer key evicts an older one in its
/// slot), which only costs a lookup by content later. Keys of more than kMaxChanges words, or
/// with a word at offset 65535 or beyond, are not cached. It starts small and is emptied into a
/// bigger table as the segments it may see grow in number, up to a size that stays in the CPU's
/// second-level cache.
class ChangeCache {
public:
    /// Words a cached change may have.
    static constexpr std::size_t kMaxChanges = 4;
    /// find()'s result when the change is not cached.
    static constexpr std::uint32_t kMissing = 0xffffffff;

    /// An empty cache whose slot hashes are AND-ed with hash_mask (see StateStoreOptions).
    explicit ChangeCache(std::uint64_t hash_mask) : hash_mask_(hash_mask) {}

    /// The entry that `before` turns into with these changes, or kMissing.
    std::uint32_t find(std::uint32_t before, std::span<const WordChange> changes) const noexcept {
        if (changes.size() > kMaxChanges || slots_.empty()) return kMissing;
        const Slot& slot = slots_[index(before, changes)];
        if (slot.after == kMissing || slot.before != before) return kMissing;
        std::size_t i = 0;
        for (; i < changes.size(); ++i) {
            if (slot.offsets[i] != changes[i].offset || slot.values[i] != changes[i].value) {
                return kMissing;
            }
        }
        // The slot holds exactly as many changes.
        return i == kMaxChanges || slot.offsets[i] == kNoOffset ? slot.after : kMissing;
    }

    /// Remembers that `before` turns into `after` with these changes; `entries` is the number
    /// of entries there are (which sizes the table).
    void put(std::uint32_t before, std::span<const WordChange> changes, std::uint32_t after,
             std::size_t entries) {
        if (changes.size() > kMaxChanges) return;
        for (const WordChange& change : changes) {
            if (change.offset >= kNoOffset) return; // not representable in a slot
        }
        const std::size_t wanted =
            std::clamp<std::size_t>(std::bit_ceil(4 * entries), kMinSlots, kMaxSlots);
        if (slots_.size() < wanted) slots_.assign(wanted, Slot{}); // forgets: only a cache
        Slot& slot = slots_[index(before, changes)];
        slot.before = before;
        slot.after = after;
        for (std::size_t i = 0; i < kMaxChanges; ++i) {
            const bool used = i < changes.size();
            slot.offsets[i] = used ? static_cast<std::uint16_t>(changes[i].offset) : kNoOffset;
            slot.values[i] = used ? changes[i].value : 0;
        }
    }

    /// Bytes allocated.
    std::size_t bytes() const noexcept { return slots_.capacity() * sizeof(Slot); }

private:
    static constexpr std::size_t kMinSlots = 64;
    static constexpr std::size_t kMaxSlots = std::size_t{1} << 13;

    // A slot's offset that is no change (offsets within a segment are below 65535).
    static constexpr std::uint16_t kNoOffset = 0xffff;

    // 32 bytes: two slots per cache line.
    struct Slot {
        std::uint32_t before = 0;
        std::uint32_t after = kMissing;
        std::array<std::uint16_t, kMaxChanges> offsets{kNoOffset, kNoOffset, kNoOffset, kNoOffset};
        std::array<std::uint32_t, kMaxChanges> values{};
    };
    static_assert(sizeof(Slot) == 32);

    std::size_t index(std::uint32_t before, std::span<const WordChange> changes) const noexcept {
        // NH over the (offset, value) pairs (see mix_words): independent multiplications, then
        // one mix with the entry before and the count.
        constexpr std::uint32_t kOffsetKey = 0x9e3779b9;
        constexpr std::uint32_t kValueKey = 0x7f4a7c15;
        std::uint64_t sum = 0;
        for (const WordChange& change : changes) {
            sum += std::uint64_t{change.offset + kOffsetKey} *
                   static_cast<std::uint32_t>(change.value + kValueKey);
        }
        const std::uint64_t h = mix_pair(before, static_cast<std::uint32_t>(changes.size())) ^ sum;
        return static_cast<std::size_t>(
                   (mix_pair(static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(h)) &
                    hash_mask_) >>
                   32) &
               (slots_.size() - 1);
    }

    std::uint64_t hash_mask_;
    std::vector<Slot> slots_; // a power of two of them, or none yet
};

} // namespace mpcheck::explorer::store_detail
