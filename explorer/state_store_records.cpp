#include "explorer/state_store_records.hpp"

#include "model/check.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace mpcheck::explorer::store_detail {

void RecordArena::reserve(std::size_t count) {
    if (blocks_.empty()) {
        blocks_.emplace_back(std::max<std::size_t>(kFirstCapacity, std::bit_ceil(count)));
        used_.push_back(0);
        return;
    }
    const std::size_t used = used_.back();
    PageArray<std::uint8_t>& last = blocks_.back();
    if (used + count <= last.size()) return;
    if (blocks_.size() == 1 && last.size() < kBlockBytes) {
        // The first block grows by doubling (to at most a full block): small stores stay small.
        PageArray<std::uint8_t> grown(std::min<std::size_t>(
            kBlockBytes, std::max(2 * last.size(), std::bit_ceil(used + count))));
        std::copy(last.data(), last.data() + used, grown.data());
        last = std::move(grown);
        if (used + count <= last.size()) return;
    }
    blocks_.emplace_back(kBlockBytes); // the rest of the last block stays unused
    used_.push_back(0);
}

std::uint32_t RecordArena::append(std::span<const std::uint8_t> bytes) {
    MPCHECK_ASSERT(!bytes.empty() && bytes.size() <= kMaxBytes);
    MPCHECK_ASSERT(starts_.size() < 0xffffffff); // ids are 32-bit
    reserve(bytes.size());
    const std::size_t block = blocks_.size() - 1;
    const std::uint64_t start = (std::uint64_t{block} << kBlockShift) + used_[block];
    const auto id = static_cast<std::uint32_t>(starts_.size());
    if ((id & ((1U << kGroupShift) - 1)) == 0) group_starts_.push_back(start);
    // A group spans at most 1024 strings and block ends: far less than 4 GiB.
    starts_.push_back(static_cast<std::uint32_t>(start - group_starts_.back()));
    std::memcpy(blocks_[block].data() + used_[block], bytes.data(), bytes.size());
    used_[block] += static_cast<std::uint32_t>(bytes.size());
    return id;
}

std::size_t RecordArena::bytes() const noexcept {
    std::size_t total = blocks_.capacity() * sizeof(PageArray<std::uint8_t>) +
                        used_.capacity() * sizeof(std::uint32_t) +
                        group_starts_.capacity() * sizeof(std::uint64_t) + starts_.bytes();
    for (const PageArray<std::uint8_t>& block : blocks_)
        total += block.bytes();
    return total;
}

} // namespace mpcheck::explorer::store_detail
