#pragma once

// Private to StateStore: the numbering of the segments that occur at each position of the stored
// vectors. Not part of the explorer's interface.

#include "explorer/state_store_tables.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpcheck::explorer::store_detail {

/// Exact map from (position, segment id) to an entry with a dense per-position number, the
/// "local" number 0, 1, 2, ... in the order the segment first occurred at that position.
///
/// Why per position: a state is stored as the local numbers of its segments, and few distinct
/// segments occur at any one position (a process record at position 6 takes hundreds of values,
/// the header a dozen), so local numbers are small and encode in one or two bytes where global
/// segment ids would need two or three. Entries are dense too (0, 1, ... over all positions), so
/// the store can keep per-entry data in plain arrays. Not thread-safe.
class PositionTable {
public:
    /// An empty table whose hashes are AND-ed with hash_mask (see StateStoreOptions).
    explicit PositionTable(std::uint64_t hash_mask) : hash_mask_(hash_mask) {}

    /// Entry of segment at position, added (with the next local number there) if new.
    std::uint32_t intern(std::uint32_t position, std::uint32_t segment);

    /// Segment id of an entry.
    std::uint32_t segment(std::uint32_t entry) const noexcept {
        return static_cast<std::uint32_t>(keys_[entry]);
    }
    /// Local number of an entry at its position.
    std::uint32_t local(std::uint32_t entry) const noexcept { return locals_[entry]; }

    /// The entry with this local number at position; both must exist (asserted).
    std::uint32_t entry(std::uint32_t position, std::uint32_t local) const;

    /// Number of entries over all positions.
    std::size_t size() const noexcept { return keys_.size(); }

    /// Bytes allocated.
    std::size_t bytes() const noexcept;

private:
    std::uint64_t hash(std::uint64_t key) const noexcept;

    std::uint64_t hash_mask_;
    std::vector<std::uint64_t> keys_;                   // entry -> position << 32 | segment
    std::vector<std::uint32_t> locals_;                 // entry -> local number
    std::vector<std::vector<std::uint32_t>> by_number_; // position -> local number -> entry
    IdIndex index_;
};

} // namespace mpcheck::explorer::store_detail
