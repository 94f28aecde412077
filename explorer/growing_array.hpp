#pragma once

// An append-only array for the explorer's per-state and per-edge records (the state graph's
// successor lists, the parent links), which grow with every state to hundreds of megabytes.

#include "explorer/page_memory.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

namespace mpcheck::explorer {

/// Contiguous array of a trivially copyable type that only grows at the end (or is cleared).
///
/// Why not std::vector: a vector that doubles copies every element into fresh memory each time,
/// so the system zeroes and the program writes about twice the final size, and the copy stalls
/// the search (a few percent of a large run). Once this array reaches kHugePageBytes it lives in
/// a mapping of its own that grows by remapping (remap_pages): no element is ever copied again,
/// and pages that are reserved but not yet written cost no memory. Smaller arrays, and every
/// array where mappings are not available, live on the heap and grow by doubling.
template <class T> class GrowingArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "elements are moved as bytes and never destroyed");

public:
    GrowingArray() = default;
    GrowingArray(GrowingArray&& other) noexcept { swap(other); }
    GrowingArray& operator=(GrowingArray&& other) noexcept {
        GrowingArray(std::move(other)).swap(*this);
        return *this;
    }
    GrowingArray(const GrowingArray&) = delete;
    GrowingArray& operator=(const GrowingArray&) = delete;
    ~GrowingArray() = default;

    /// Number of elements.
    std::size_t size() const noexcept { return size_; }
    /// Whether there are none.
    bool empty() const noexcept { return size_ == 0; }
    /// The elements.
    const T* data() const noexcept { return data_; }
    /// Element i (i < size()).
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    /// Element i (i < size()).
    T& operator[](std::size_t i) noexcept { return data_[i]; }

    /// Appends value.
    void push_back(const T& value) {
        if (size_ == capacity_) [[unlikely]]
            grow(size_ + 1);
        data_[size_++] = value;
    }

    /// Makes room for at least `count` elements without changing the size.
    void reserve(std::size_t count) {
        if (count > capacity_) grow(count);
    }

    /// Removes every element (keeping the memory).
    void clear() noexcept { size_ = 0; }

    /// Gives back the memory beyond the elements (all of it for an empty array).
    void shrink_to_fit() {
        if (size_ == capacity_) return;
        if (size_ == 0) {
            GrowingArray().swap(*this);
            return;
        }
        if (mapped_) {
            const std::size_t bytes = whole_pages(size_ * sizeof(T));
            if (bytes >= mapped_.get_deleter().bytes) return;
            if (void* const moved =
                    remap_pages(mapped_.get(), mapped_.get_deleter().bytes, bytes)) {
                adopt_mapping(moved, bytes);
                return;
            }
        }
        move_to_heap(size_);
    }

    /// Bytes of memory the elements hold: the heap capacity, or the mapped pages up to the last
    /// written one (rounded up to a huge page); reserved pages never written are not memory.
    std::size_t bytes() const noexcept {
        if (!mapped_) return capacity_ * sizeof(T);
        const std::size_t written = size_ * sizeof(T);
        return std::min(mapped_.get_deleter().bytes,
                        (written + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes);
    }

private:
    static constexpr std::size_t kFirstCapacity = 64;

    void grow(std::size_t at_least) {
        const std::size_t capacity = std::max({at_least, 2 * capacity_, kFirstCapacity});
        const std::size_t bytes = whole_pages(capacity * sizeof(T));
        if (bytes >= kHugePageBytes) {
            if (mapped_) {
                if (void* const moved =
                        remap_pages(mapped_.get(), mapped_.get_deleter().bytes, bytes)) {
                    adopt_mapping(moved, bytes);
                    return;
                }
            } else if (void* const fresh = map_pages(bytes)) {
                if (size_ > 0) std::memcpy(fresh, data_, size_ * sizeof(T)); // once, < 2 MiB
                heap_.reset();
                adopt_mapping(fresh, bytes);
                return;
            }
        }
        move_to_heap(capacity);
    }

    // Makes the mapping of `bytes` at address the elements' memory: a fresh one (mapped_ is
    // empty) or mapped_'s resized by remap_pages (whose old address is then gone).
    void adopt_mapping(void* address, std::size_t bytes) noexcept {
        static_cast<void>(mapped_.release());
        mapped_ = std::unique_ptr<T, PageUnmapper>(static_cast<T*>(address), PageUnmapper{bytes});
        data_ = mapped_.get();
        capacity_ = bytes / sizeof(T);
    }

    // Moves the elements to a heap block of `capacity` elements.
    void move_to_heap(std::size_t capacity) {
        auto block = std::make_unique_for_overwrite<T[]>(capacity);
        if (size_ > 0) std::memcpy(block.get(), data_, size_ * sizeof(T));
        mapped_.reset();
        heap_ = std::move(block);
        data_ = heap_.get();
        capacity_ = capacity;
    }

    void swap(GrowingArray& other) noexcept {
        std::swap(heap_, other.heap_);
        std::swap(mapped_, other.mapped_);
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
    }

    std::unique_ptr<T[]> heap_;               // the elements while small
    std::unique_ptr<T, PageUnmapper> mapped_; // or their mapping
    T* data_ = nullptr;                       // heap_'s or mapped_'s
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

} // namespace mpcheck::explorer
