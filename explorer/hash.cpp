#include "explorer/hash.hpp"

#include <bit>
#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mpcheck::explorer {

std::uint64_t hash_words(std::span<const std::uint32_t> words, std::uint64_t seed) noexcept {
    using namespace hash_detail;
    const std::uint32_t* const w = words.data();
    const std::size_t n = words.size();
    const std::uint64_t byte_length = 4 * static_cast<std::uint64_t>(n);
    // wyhash reads 8 little-endian bytes at byte offset 4*i: words i (low half) and i+1 (high).
    const auto read8 = [w](std::size_t i) { return lane(w[i + 1], w[i]); };

    std::uint64_t s = prepare_seed(seed);
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    if (n <= 4) {
        // Up to 16 bytes: wyhash combines 4-byte reads at byte offsets 0, 4*(n/2) and from the end.
        if (n > 0) {
            a = lane(w[0], w[n / 2]);
            b = lane(w[n - 1], w[n - 1 - n / 2]);
        }
    } else {
        std::size_t p = 0;    // next word to consume
        std::size_t left = n; // words not yet consumed
        if (left > 12) {
            // Three independent lanes per 48 bytes, as in wyhash's long-input loop.
            std::uint64_t s1 = s;
            std::uint64_t s2 = s;
            do {
                s = mix(read8(p) ^ kSecret[1], read8(p + 2) ^ s);
                s1 = mix(read8(p + 4) ^ kSecret[2], read8(p + 6) ^ s1);
                s2 = mix(read8(p + 8) ^ kSecret[3], read8(p + 10) ^ s2);
                p += 12;
                left -= 12;
            } while (left > 12);
            s ^= s1 ^ s2;
        }
        while (left > 4) {
            s = mix(read8(p) ^ kSecret[1], read8(p + 2) ^ s);
            p += 4;
            left -= 4;
        }
        // The last 16 bytes, overlapping already consumed ones when fewer remain.
        a = read8(p + left - 4);
        b = read8(p + left - 2);
    }
    return finish(a, b, s, byte_length);
}

std::uint64_t mix_bytes(std::span<const std::uint8_t> bytes) noexcept {
    using namespace hash_detail;
    const std::uint8_t* const p = bytes.data();
    const std::size_t n = bytes.size();
    // Little-endian reads of 8 and 4 bytes, as values: the same result on every platform.
    const auto read = [p](std::size_t at, std::size_t count) {
        std::uint64_t value = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&value, p + at, count);
        } else {
            for (std::size_t i = 0; i < count; ++i)
                value |= std::uint64_t{p[at + i]} << (8 * i);
        }
        return value;
    };
    // As wyhash: the first and the last 8 bytes (overlapping when fewer than 16), 4 bytes for
    // short strings; for long ones, 16-byte steps and then the last 16 bytes (overlapping the
    // last step). Fixed-size reads only, never beyond the string.
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t h = kSecret[2];
    if (n > 16) {
        for (std::size_t at = 0; n - at > 16; at += 16)
            h = mix(read(at, 8) ^ kSecret[0], read(at + 8, 8) ^ h);
        a = read(n - 16, 8);
        b = read(n - 8, 8);
    } else if (n >= 8) {
        a = read(0, 8);
        b = read(n - 8, 8);
    } else if (n >= 4) {
        a = read(0, 4);
        b = read(n - 4, 4);
    } else if (n > 0) {
        a = (std::uint64_t{p[0]} << 16) | (std::uint64_t{p[n / 2]} << 8) | p[n - 1];
    }
    return mix(a ^ kSecret[1] ^ n, b ^ h);
}

std::uint64_t mix_words(std::span<const std::uint32_t> words, std::uint32_t salt) noexcept {
    using namespace hash_detail;
    constexpr std::size_t kKeys = 16;
    alignas(16) static constexpr std::array<std::uint32_t, kKeys> kKey{
        0xd837115f, 0xea8ff5f8, 0x026f4c84, 0x50a74cff, 0x73e1d036, 0x8f8de0e9,
        0x3eb459c8, 0xf11fc8de, 0x0977e471, 0x856980bb, 0x658ef30d, 0x2e7abed5,
        0xab3e1d35, 0x7ad367d4, 0xc3c79558, 0xf99e6ae5};
    const std::uint32_t* const w = words.data();
    const std::size_t n = words.size();
    // The products of (w[i] + key[i]) * (w[i + 1] + key[i + 1]) for i = 0, 2, 4, ... of the
    // groups of four words at `at` (key index `key`), as 64-bit numbers.
#if defined(__SSE2__)
    const auto group = [w](std::size_t at, std::size_t key) {
        const __m128i sums =
            _mm_add_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + at)),
                          _mm_load_si128(reinterpret_cast<const __m128i*>(kKey.data() + key)));
        return _mm_mul_epu32(sums, _mm_srli_epi64(sums, 32));
    };
    __m128i sum = _mm_setzero_si128();
#else
    const auto group = [w](std::size_t at, std::size_t key) {
        const auto term = [&](std::size_t j) {
            return std::uint64_t{static_cast<std::uint32_t>(w[at + j] + kKey[key + j])} *
                   static_cast<std::uint32_t>(w[at + j + 1] + kKey[key + j + 1]);
        };
        return term(0) + term(2);
    };
    std::uint64_t sum = 0;
#endif
    const auto add = [&sum](auto products) {
#if defined(__SSE2__)
        sum = _mm_add_epi64(sum, products);
#else
        sum += products;
#endif
    };
    std::uint64_t tail = 0;
    if (n >= 4) {
        std::size_t at = 0;
        for (; at + 4 <= n; at += 4)
            add(group(at, at % kKeys));
        if (at < n) add(group(n - 4, 12)); // the last four, with a key of their own
    } else {
        for (std::size_t i = 0; i < n; ++i)
            tail = (tail << 32 | tail >> 32) ^ (w[i] + kKey[i]);
    }
#if defined(__SSE2__)
    alignas(16) std::array<std::uint64_t, 2> halves{};
    _mm_store_si128(reinterpret_cast<__m128i*>(halves.data()), sum);
    const std::uint64_t total = halves[0] + halves[1] + tail;
#else
    const std::uint64_t total = sum + tail;
#endif
    return mix(total ^ kSecret[0], kSecret[1] ^ ((std::uint64_t{salt} << 32) | n));
}

} // namespace mpcheck::explorer
