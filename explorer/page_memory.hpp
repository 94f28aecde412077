#pragma once

// Memory straight from the system's page allocator: mappings that may use huge pages and that
// can grow in place, and a prefetch hint. Used by the state store's tables and by the arrays of
// the explorer that grow with every state.

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

// Memory that the address sanitizer does not see allocated would hide overflows from it.
#if defined(__SANITIZE_ADDRESS__)
#define MPCHECK_MAPPED_PAGES 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MPCHECK_MAPPED_PAGES 0
#endif
#endif
#if !defined(MPCHECK_MAPPED_PAGES) && defined(__linux__) && defined(MADV_HUGEPAGE)
#define MPCHECK_MAPPED_PAGES 1
#endif

namespace mpcheck::explorer {

/// Asks the CPU to start fetching the cache line at address (a hint; no effect on results).
inline void prefetch_address(const void* address) noexcept {
#if defined(__GNUC__)
    __builtin_prefetch(address);
#else
    static_cast<void>(address);
#endif
}

/// `bytes` rounded up to whole 4 KiB pages (the length of a mapping that holds them).
constexpr std::size_t whole_pages(std::size_t bytes) noexcept {
    return (bytes + 4095) & ~std::size_t{4095};
}

/// Size and alignment of a huge page (x86-64 and most 64-bit ARM systems).
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

/// Returns to the system the memory of a PageArray mapped by map_pages.
struct PageUnmapper {
    std::size_t bytes = 0; ///< length of the mapping

    /// Unmaps the mapping at address.
    void operator()(void* address) const noexcept {
#if MPCHECK_MAPPED_PAGES
        munmap(address, bytes);
#else
        static_cast<void>(address);
#endif
    }
};

/// A zero-filled mapping of `bytes` (a multiple of the 4 KiB page) aligned to kHugePageBytes, for
/// which huge pages are requested; null where the system offers none.
inline void* map_pages(std::size_t bytes) noexcept {
#if MPCHECK_MAPPED_PAGES
    // Map one huge page more than needed, then unmap the unaligned head and the tail.
    const std::size_t span = bytes + kHugePageBytes;
    void* const raw =
        mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    // The address arithmetic of aligning a mapping: integer and pointer are the same address.
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
    if (aligned > start) munmap(raw, aligned - start);
    const std::uintptr_t tail = start + span - (aligned + bytes);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
    void* const address = reinterpret_cast<void*>(aligned);
    // A hint: where the system declines, the mapping simply keeps small pages.
    madvise(address, bytes, MADV_HUGEPAGE);
    return address;
#else
    static_cast<void>(bytes);
    return nullptr;
#endif
}

/// Resizes a mapping of `bytes` made by map_pages to `new_bytes` (both multiples of the 4 KiB
/// page), moving it where it cannot grow in place: the system moves the page table entries, not
/// the data, so nothing is copied and no page is touched. Returns the new address (the old one
/// is then invalid), or null where that is not possible (the old mapping is unchanged).
inline void* remap_pages(void* address, std::size_t bytes, std::size_t new_bytes) noexcept {
#if MPCHECK_MAPPED_PAGES && defined(MREMAP_MAYMOVE)
    void* const moved = mremap(address, bytes, new_bytes, MREMAP_MAYMOVE);
    if (moved == MAP_FAILED) return nullptr;
    if (new_bytes > bytes) madvise(moved, new_bytes, MADV_HUGEPAGE);
    return moved;
#else
    static_cast<void>(address);
    static_cast<void>(bytes);
    static_cast<void>(new_bytes);
    return nullptr;
#endif
}

} // namespace mpcheck::explorer
