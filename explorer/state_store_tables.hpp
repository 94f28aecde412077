#pragma once

// Private building blocks of StateStore: zero-filled arrays that may live on huge pages, an
// append-only chunked array and an open-addressing index of dense 32-bit ids. Not part of the
// explorer's interface.

#include "explorer/page_memory.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace mpcheck::explorer::store_detail {

/// Fixed-size zero-filled array of a trivial type. One of at least kHugePageBytes gets a mapping
/// of its own on which the system may use huge pages: the store's big tables are read at random,
/// and with 4 KiB pages nearly every such read would also miss the address translation caches
/// (one entry then covers 512 times more memory). Fresh mappings are zero already, so nothing is
/// written before first use. Smaller arrays, and every array where that is not available, come
/// from the heap.
template <class T> class PageArray {
    static_assert(std::is_trivially_default_constructible_v<T> &&
                      std::is_trivially_destructible_v<T>,
                  "elements are zero bytes, never constructed or destroyed");

public:
    /// An empty array.
    PageArray() = default;

    /// An array of `size` zero elements.
    explicit PageArray(std::size_t size) : size_(size) {
        const std::size_t bytes = whole_pages(size * sizeof(T));
        if (bytes >= kHugePageBytes) {
            if (void* const address = map_pages(bytes)) {
                // A fresh mapping is suitably aligned storage of zero bytes for trivial Ts.
                mapped_ =
                    std::unique_ptr<T, PageUnmapper>(static_cast<T*>(address), PageUnmapper{bytes});
                data_ = mapped_.get();
                return;
            }
        }
        heap_ = std::make_unique<T[]>(size); // value-initialised: zero
        data_ = heap_.get();
    }

    /// Takes other's elements, leaving it empty.
    PageArray(PageArray&& other) noexcept
        : mapped_(std::move(other.mapped_)), heap_(std::move(other.heap_)),
          data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    /// Frees the elements and takes other's, leaving it empty.
    PageArray& operator=(PageArray&& other) noexcept {
        mapped_ = std::move(other.mapped_);
        heap_ = std::move(other.heap_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        return *this;
    }
    PageArray(const PageArray&) = delete;
    PageArray& operator=(const PageArray&) = delete;
    ~PageArray() = default;

    /// Number of elements.
    std::size_t size() const noexcept { return size_; }
    /// The elements.
    T* data() noexcept { return data_; }
    /// The elements.
    const T* data() const noexcept { return data_; }
    /// Element i (i < size()).
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    /// Element i (i < size()).
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    /// Bytes allocated.
    std::size_t bytes() const noexcept {
        return mapped_ ? mapped_.get_deleter().bytes : size_ * sizeof(T);
    }

private:
    std::unique_ptr<T, PageUnmapper> mapped_;
    std::unique_ptr<T[]> heap_;
    T* data_ = nullptr; // the elements, owned by mapped_ or heap_
    std::size_t size_ = 0;
};

/// Append-only array stored in fixed-size blocks of 2^18 elements (PageArrays, so at least a huge
/// page each for elements of 8 bytes or more) that never move once full, so growing a big array
/// never copies elements and never leaves half of the memory unused (as doubling a vector does).
/// Only the first block grows (by doubling, copying at most 2^18 elements in all), so that small
/// stores stay small. Element access is a shift and a mask.
template <class T> class ChunkedArray {
public:
    /// Number of elements appended so far.
    std::size_t size() const noexcept { return size_; }

    /// Element i (i < size()).
    const T& operator[](std::size_t i) const noexcept {
        return blocks_[i >> kBlockShift][i & kOffsetMask];
    }

    /// Element i (i < size()).
    T& operator[](std::size_t i) noexcept { return blocks_[i >> kBlockShift][i & kOffsetMask]; }

    /// Appends value; allocates a block (or doubles the first one) when the last one is full.
    void push_back(const T& value) {
        const std::size_t offset = size_ & kOffsetMask;
        if (size_ >= kBlockSize) {
            if (offset == 0) blocks_.emplace_back(kBlockSize);
        } else if (blocks_.empty() || size_ == blocks_[0].size()) {
            grow_first_block();
        }
        blocks_[size_ >> kBlockShift][offset] = value;
        ++size_;
    }

    /// Bytes allocated: every block in full plus the block table.
    std::size_t bytes() const noexcept {
        std::size_t total = blocks_.capacity() * sizeof(PageArray<T>);
        for (const PageArray<T>& block : blocks_)
            total += block.bytes();
        return total;
    }

private:
    static constexpr unsigned kBlockShift = 18;
    static constexpr std::size_t kBlockSize = std::size_t{1} << kBlockShift;
    static constexpr std::size_t kOffsetMask = kBlockSize - 1;
    static constexpr std::size_t kFirstCapacity = 256;

    void grow_first_block() {
        if (blocks_.empty()) {
            blocks_.emplace_back(kFirstCapacity);
            return;
        }
        PageArray<T> block(2 * blocks_[0].size());
        std::copy(blocks_[0].data(), blocks_[0].data() + blocks_[0].size(), block.data());
        blocks_[0] = std::move(block);
    }

    // Each block is allocated at its final size (the first one until it reaches kBlockSize).
    std::vector<PageArray<T>> blocks_;
    std::size_t size_ = 0;
};

/// Open-addressing hash set of the dense ids 0..n-1 of keys kept elsewhere (linear probing,
/// power-of-two capacity, at most 3/4 full). A slot holds id+1 in its low log2(capacity) bits
/// (0 = empty) and, in the bits that the id cannot need yet, the matching top bits of the key's
/// hash: a probe only compares full keys (a random memory access) when these extra hash bits
/// agree, and only compares them fully, so equal hashes never merge distinct keys. Growing
/// rehashes from the stored keys, so the old table is freed before the new one is allocated.
class IdIndex {
public:
    /// find()'s id when the key is absent.
    static constexpr std::uint32_t kAbsent = 0xffffffff;

    /// Where find() stopped: the key's id (or kAbsent) and the slot it is in (or would go to).
    struct Probe {
        std::uint32_t id;
        std::size_t slot;
    };

    /// An empty index with 2^log2_capacity slots.
    explicit IdIndex(unsigned log2_capacity = 6) { allocate(log2_capacity); }

    /// Finds the id of the key with this hash for which equal(id) holds.
    template <class Equal> Probe find(std::uint64_t hash, Equal&& equal) const noexcept {
        const std::uint32_t tag = tag_of(hash);
        std::size_t slot = static_cast<std::size_t>(hash) & mask_;
        for (std::uint32_t entry = slots_[slot]; entry != 0; entry = slots_[slot]) {
            if ((entry & ~mask_) == tag) {
                const std::uint32_t id = (entry & mask_) - 1;
                if (equal(id)) return {id, slot};
            }
            slot = (slot + 1) & mask_;
        }
        return {kAbsent, slot};
    }

    /// Adds the key with this hash and id (the number of keys so far) at the slot where find()
    /// stopped, with no change in between; hash_of(id) recomputes a stored key's hash when the
    /// table grows.
    template <class HashOf>
    void insert(std::size_t slot, std::uint64_t hash, std::uint32_t id, HashOf&& hash_of) {
        if (count_ + 1 > max_count_) {
            grow(hash_of); // reinserts every id, the new one included
        } else {
            slots_[slot] = tag_of(hash) | (id + 1);
            ++count_;
        }
    }

    /// Asks the CPU to fetch the slot where a key with this hash starts probing.
    void prefetch(std::uint64_t hash) const noexcept {
        prefetch_address(&slots_[static_cast<std::size_t>(hash) & mask_]);
    }

    /// Calls touch(id) for the first few stored ids whose hash bits match (candidates for
    /// find()), so that the caller can prefetch their keys.
    template <class Touch>
    void prefetch_candidates(std::uint64_t hash, Touch&& touch) const noexcept {
        const std::uint32_t tag = tag_of(hash);
        std::size_t slot = static_cast<std::size_t>(hash) & mask_;
        for (int probes = 0; probes < 4; ++probes, slot = (slot + 1) & mask_) {
            const std::uint32_t entry = slots_[slot];
            if (entry == 0) return;
            if ((entry & ~mask_) == tag) touch((entry & mask_) - 1);
        }
    }

    /// Number of slots.
    std::size_t capacity() const noexcept { return std::size_t{mask_} + 1; }

    /// Bytes allocated (the slot array).
    std::size_t bytes() const noexcept { return slots_.bytes(); }

private:
    std::uint32_t tag_of(std::uint64_t hash) const noexcept {
        // Bits 32.. of the hash (independent of the slot bits 0..k-1), above the id field.
        return static_cast<std::uint32_t>(hash >> 32) & ~mask_;
    }

    void allocate(unsigned log2_capacity) {
        MPCHECK_ASSERT(log2_capacity <= 32); // so at most 3/4 * 2^32 ids per index
        const std::size_t capacity = std::size_t{1} << log2_capacity;
        // Free first: the keys, not the old table, are the source for rehashing.
        slots_ = PageArray<std::uint32_t>();
        slots_ = PageArray<std::uint32_t>(capacity); // zeroed: all slots empty
        mask_ = static_cast<std::uint32_t>(capacity - 1);
        max_count_ = capacity - capacity / 4;
    }

    template <class HashOf> void grow(HashOf&& hash_of) {
        const std::size_t count = count_ + 1;
        allocate(static_cast<unsigned>(std::bit_width(capacity())));
        for (std::size_t i = 0; i < count; ++i) {
            const auto id = static_cast<std::uint32_t>(i);
            const std::uint64_t hash = hash_of(id);
            std::size_t slot = static_cast<std::size_t>(hash) & mask_;
            while (slots_[slot] != 0)
                slot = (slot + 1) & mask_;
            slots_[slot] = tag_of(hash) | (id + 1);
        }
        count_ = count;
    }

    PageArray<std::uint32_t> slots_;
    std::uint32_t mask_ = 0;    // capacity - 1; also the id field of a slot
    std::size_t count_ = 0;     // ids stored
    std::size_t max_count_ = 0; // grow beyond this: 3/4 of the capacity
};

} // namespace mpcheck::explorer::store_detail
