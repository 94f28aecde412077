#include "explorer/state_store_positions.hpp"

#include "model/check.hpp"

namespace mpcheck::explorer::store_detail {

std::uint32_t PositionTable::append(std::uint32_t position, std::uint32_t segment) {
    MPCHECK_ASSERT(keys_.size() < 0xffffffff); // entries are 32-bit
    const auto entry = static_cast<std::uint32_t>(keys_.size());
    if (by_number_.size() <= position) by_number_.resize(std::size_t{position} + 1);
    std::vector<std::uint32_t>& numbered = by_number_[position];
    keys_.push_back((std::uint64_t{position} << 32) | segment);
    locals_.push_back(static_cast<std::uint32_t>(numbered.size()));
    numbered.push_back(entry);
    return entry;
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
