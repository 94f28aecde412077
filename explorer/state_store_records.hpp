#pragma once

// Private to StateStore: the byte strings that encode the stored states, with dense ids. Not part
// of the explorer's interface.

#include "explorer/state_store_tables.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace mpcheck::explorer::store_detail {

/// Append-only list of non-empty byte strings with dense ids 0, 1, ...
///
/// The strings lie back to back in blocks of 2 MiB that never move (the first one grows by
/// doubling, so that small stores stay small); a string that does not fit in the rest of a
/// block starts the next one. No length is stored: a string ends where the next one starts, or
/// where its block's strings end. Where a string starts costs 4 bytes: its distance from the
/// start of its group of 1024 strings, whose 8-byte start is kept once per group. So a string of
/// n bytes costs n + 4 bytes plus the rare rest of a block. Not thread-safe.
class RecordArena {
public:
    /// Appends bytes (1 to kMaxBytes of them) and returns its id (the number of strings before
    /// it).
    std::uint32_t append(std::span<const std::uint8_t> bytes);

    /// String id.
    std::span<const std::uint8_t> string(std::uint32_t id) const noexcept {
        const std::uint64_t start = start_of(id);
        const std::size_t block = static_cast<std::size_t>(start >> kBlockShift);
        const std::uint64_t block_end = (std::uint64_t{block} << kBlockShift) + used_[block];
        const std::uint64_t next = id + 1 < starts_.size() ? start_of(id + 1) : block_end;
        const std::uint64_t end = std::min(next, block_end);
        return {blocks_[block].data() + (start & kOffsetMask),
                static_cast<std::size_t>(end - start)};
    }

    /// Whether string id is bytes.
    bool equals(std::uint32_t id, std::span<const std::uint8_t> bytes) const noexcept {
        const std::span<const std::uint8_t> stored = string(id);
        return stored.size() == bytes.size() &&
               std::memcmp(stored.data(), bytes.data(), bytes.size()) == 0;
    }

    /// Asks the CPU to start fetching where string id starts.
    void prefetch_start(std::uint32_t id) const noexcept { prefetch_address(&starts_[id]); }
    /// Asks the CPU to start fetching string id (its start should be cached: prefetch_start).
    void prefetch(std::uint32_t id) const noexcept {
        const std::uint64_t start = start_of(id);
        prefetch_address(blocks_[start >> kBlockShift].data() + (start & kOffsetMask));
    }

    /// Number of strings.
    std::size_t size() const noexcept { return starts_.size(); }

    /// Bytes allocated: blocks, starts and group starts.
    std::size_t bytes() const noexcept;

    /// Longest string.
    static constexpr std::size_t kMaxBytes = std::size_t{1} << 20;

private:
    static constexpr unsigned kBlockShift = 21;
    static constexpr std::uint64_t kBlockBytes = std::uint64_t{1} << kBlockShift;
    static constexpr std::uint64_t kOffsetMask = kBlockBytes - 1;
    static constexpr unsigned kGroupShift = 10;
    static constexpr std::size_t kFirstCapacity = 4096;

    /// Position of string id: block << kBlockShift | offset in the block.
    std::uint64_t start_of(std::uint32_t id) const noexcept {
        return group_starts_[id >> kGroupShift] + starts_[id];
    }
    /// Makes room for count bytes at the end of the last block, starting a new one if needed.
    void reserve(std::size_t count);

    std::vector<PageArray<std::uint8_t>> blocks_;
    std::vector<std::uint32_t> used_;         // block -> bytes its strings take
    ChunkedArray<std::uint32_t> starts_;      // id -> its position - its group's start
    std::vector<std::uint64_t> group_starts_; // group -> position of its first string
};

} // namespace mpcheck::explorer::store_detail
