#include "explorer/state_store_segments.hpp"

#include "explorer/hash.hpp"
#include "model/check.hpp"
#include "model/state.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>

namespace mpcheck::explorer::store_detail {

static_assert(kHeaderSegment == model::State::kHeaderWords,
              "the first segment is the model state's header");

std::uint64_t SegmentTable::hash(std::span<const std::uint32_t> words) const noexcept {
    return hash_words(words) & hash_mask_;
}

std::uint32_t SegmentTable::intern(std::span<const std::uint32_t> words, std::uint64_t hash) {
    const auto probe = index_.find(hash, [&](std::uint32_t id) {
        const auto stored = this->words(id);
        return stored.size() == words.size() &&
               equal_words(words.data(), stored.data(), words.size());
    });
    if (probe.id != IdIndex::kAbsent) [[likely]]
        return probe.id;
    return add(words, hash, probe.slot);
}

void SegmentTable::reserve_tail(std::size_t count) {
    if (blocks_.empty()) {
        blocks_.emplace_back(std::max(kFirstCapacity, std::bit_ceil(count)));
        return;
    }
    std::vector<std::uint32_t>& last = blocks_.back();
    if (used_ + count <= last.size()) return;
    if (blocks_.size() == 1 && last.size() < kBlockSize) {
        // The first block grows by doubling (to at most kBlockSize): small tables stay small.
        std::vector<std::uint32_t> block(
            std::min(kBlockSize, std::max(2 * last.size(), std::bit_ceil(used_ + count))));
        std::copy(last.begin(), last.begin() + static_cast<std::ptrdiff_t>(used_), block.begin());
        last = std::move(block);
        if (used_ + count <= last.size()) return;
    }
    // Offsets are 32-bit: block numbers must fit in the bits above the offset.
    MPCHECK_ASSERT(blocks_.size() < (std::size_t{1} << (32 - kBlockShift)));
    blocks_.emplace_back(kBlockSize); // the rest of the last block stays unused
    used_ = 0;
}

std::uint32_t SegmentTable::add(std::span<const std::uint32_t> words, std::uint64_t hash,
                                std::size_t slot) {
    MPCHECK_ASSERT(!words.empty() && words.size() < kBlockSize); // fits a block with its length
    MPCHECK_ASSERT(starts_.size() < 0xffffffff);                 // ids are 32-bit
    reserve_tail(words.size() + 1);
    const auto id = static_cast<std::uint32_t>(starts_.size());
    const std::size_t block = blocks_.size() - 1;
    std::uint32_t* const out = blocks_[block].data() + used_;
    out[0] = static_cast<std::uint32_t>(words.size());
    std::copy(words.begin(), words.end(), out + 1);
    starts_.push_back(static_cast<std::uint32_t>((block << kBlockShift) | used_));
    used_ += words.size() + 1;
    index_.insert(slot, hash, id,
                  [this](std::uint32_t stored) { return this->hash(this->words(stored)); });
    return id;
}

std::size_t SegmentTable::bytes() const noexcept {
    std::size_t total = blocks_.capacity() * sizeof(std::vector<std::uint32_t>);
    for (const std::vector<std::uint32_t>& block : blocks_)
        total += block.capacity() * sizeof(std::uint32_t);
    return total + starts_.bytes() + index_.bytes();
}

} // namespace mpcheck::explorer::store_detail
