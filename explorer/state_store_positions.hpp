#pragma once

// Private to StateStore: the numbering of the segments that occur at each position of the stored
// vectors. Not part of the explorer's interface.

#include "explorer/state_store_tables.hpp"
#include "model/check.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpcheck::explorer::store_detail {

/// Exact map from (position, segment) to an entry with a dense per-position number, the "local"
/// number 0, 1, 2, ... in the order the segment first occurred at that position.
///
/// Why per position: a state is stored as the local numbers of its segments, and few distinct
/// segments occur at any one position (a process record at position 6 takes hundreds of values,
/// the header a dozen), so local numbers are small and encode in one or two bytes where global
/// segment ids would need two or three. Entries are dense too (0, 1, ... over all positions), so
/// the store can keep per-entry data in plain arrays.
///
/// The caller hashes and compares the keys: the store finds an entry from a segment's *words*
/// and position in one probe (hashing the words, comparing them with the entry's segment), without
/// first looking the words up among the segments. Not thread-safe.
class PositionTable {
public:
    /// Where find() stopped: the entry (or IdIndex::kAbsent) and the slot for add().
    using Probe = IdIndex::Probe;

    /// The entry whose key has this hash and for which equal(entry) holds.
    template <class Equal> Probe find(std::uint64_t hash, Equal&& equal) const noexcept {
        return index_.find(hash, equal);
    }

    /// Adds the entry of segment at position (with the next local number there) whose key has
    /// this hash, at the slot where find() stopped with no change in between; hash_of(entry)
    /// recomputes an entry's hash when the index grows. Returns the new entry.
    template <class HashOf>
    std::uint32_t add(std::uint32_t position, std::uint32_t segment, std::uint64_t hash,
                      std::size_t slot, HashOf&& hash_of) {
        const std::uint32_t entry = append(position, segment);
        index_.insert(slot, hash, entry, hash_of);
        return entry;
    }

    /// Position of an entry.
    std::uint32_t position(std::uint32_t entry) const noexcept {
        return static_cast<std::uint32_t>(keys_[entry] >> 32);
    }
    /// Segment id of an entry.
    std::uint32_t segment(std::uint32_t entry) const noexcept {
        return static_cast<std::uint32_t>(keys_[entry]);
    }
    /// Local number of an entry at its position.
    std::uint32_t local(std::uint32_t entry) const noexcept { return locals_[entry]; }

    /// The entry with this local number at position; both must exist (asserted).
    std::uint32_t entry(std::uint32_t position, std::uint32_t local) const {
        MPCHECK_ASSERT(position < by_number_.size() && local < by_number_[position].size());
        return by_number_[position][local];
    }

    /// Number of entries over all positions.
    std::size_t size() const noexcept { return keys_.size(); }

    /// Bytes allocated.
    std::size_t bytes() const noexcept;

private:
    /// Numbers a new (position, segment) pair; returns its entry.
    std::uint32_t append(std::uint32_t position, std::uint32_t segment);

    std::vector<std::uint64_t> keys_;                   // entry -> position << 32 | segment
    std::vector<std::uint32_t> locals_;                 // entry -> local number
    std::vector<std::vector<std::uint32_t>> by_number_; // position -> local number -> entry
    IdIndex index_;
};

} // namespace mpcheck::explorer::store_detail
