#include "explorer/hash.hpp"

#include <bit>
#include <cstddef>
#include <cstring>

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
    // Little-endian reads of up to 8 bytes, as values: the same result on every platform.
    const auto read = [p](std::size_t at, std::size_t count) {
        std::uint64_t value = 0;
        if (count == 0) return value; // p may be null then
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&value, p + at, count);
        } else {
            for (std::size_t i = 0; i < count; ++i)
                value |= std::uint64_t{p[at + i]} << (8 * i);
        }
        return value;
    };
    std::uint64_t h = kSecret[2];
    std::size_t at = 0;
    for (; at + 8 <= n; at += 8)
        h = mix(read(at, 8) ^ kSecret[0], h ^ kSecret[1]);
    h = mix(read(at, n - at) ^ kSecret[3], h ^ kSecret[1]);
    return mix(h ^ n, kSecret[0]);
}

} // namespace mpcheck::explorer
