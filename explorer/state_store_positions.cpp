#include "explorer/state_store_positions.hpp"

#include "explorer/hash.hpp"
#include "model/check.hpp"

namespace mpcheck::explorer::store_detail {

std::uint64_t PositionTable::hash(std::uint64_t key) const noexcept {
    return mix_pair(static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key)) &
           hash_mask_;
}

std::uint32_t PositionTable::intern(std::uint32_t position, std::uint32_t segment) {
    const std::uint64_t key = (std::uint64_t{position} << 32) | segment;
    const std::uint64_t h = hash(key);
    const auto probe = index_.find(h, [&](std::uint32_t id) { return keys_[id] == key; });
    if (probe.id != IdIndex::kAbsent) [[likely]]
        return probe.id;
    MPCHECK_ASSERT(keys_.size() < 0xffffffff); // entries are 32-bit
    const auto id = static_cast<std::uint32_t>(keys_.size());
    if (by_number_.size() <= position) by_number_.resize(std::size_t{position} + 1);
    std::vector<std::uint32_t>& numbered = by_number_[position];
    keys_.push_back(key);
    locals_.push_back(static_cast<std::uint32_t>(numbered.size()));
    numbered.push_back(id);
    index_.insert(probe.slot, h, id, [this](std::uint32_t stored) { return hash(keys_[stored]); });
    return id;
}

std::uint32_t PositionTable::entry(std::uint32_t position, std::uint32_t local) const {
    MPCHECK_ASSERT(position < by_number_.size() && local < by_number_[position].size());
    return by_number_[position][local];
}

std::size_t PositionTable::bytes() const noexcept {
    std::size_t total = keys_.capacity() * sizeof(std::uint64_t) +
                        locals_.capacity() * sizeof(std::uint32_t) +
                        by_number_.capacity() * sizeof(std::vector<std::uint32_t>);
    for (const std::vector<std::uint32_t>& numbered : by_number_)
        total += numbered.capacity() * sizeof(std::uint32_t);
    return total + index_.bytes();
}

} // namespace mpcheck::explorer::store_detail
