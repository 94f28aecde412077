#pragma once

// The one hash function of the explorer.
//
// It is wyhash, final version 4.2 (Wang Yi, public domain, github.com/wangyi-fudan/wyhash) with
// its default secret, applied to the little-endian byte encoding of a sequence of 32-bit words.
// The words are read as values, never as memory, so the result is the same on every platform,
// compiler and run: it may be stored, printed and compared between machines. Never replace it by
// std::hash (unspecified, and differs between standard libraries). Changing anything here changes
// the pinned values in tests/unit/explorer/hash_test.cpp on purpose.
//
// hash_pair and hash_triple are the same function specialised to 2 and 3 words. mix_pair,
// mix_triple and mix_bytes are the cheaper mixers of the state store's hash tables: wyhash's core
// step alone, one 64x64->128-bit multiplication folded by xor (as abseil hashes integers), which is
// enough to spread table keys over slots and costs a third of the latency of the full function.

#include <array>
#include <cstdint>
#include <span>

namespace mpcheck::explorer {

/// Seed used by the state store and by default everywhere.
inline constexpr std::uint64_t kDefaultHashSeed = 0;

namespace hash_detail {

/// wyhash's default secret (four odd 64-bit constants with pairwise Hamming distance 32).
inline constexpr std::array<std::uint64_t, 4> kSecret{0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL,
                                                      0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL};

/// The full 128-bit product of two 64-bit words.
struct Product {
    std::uint64_t lo;
    std::uint64_t hi;
};

/// a * b as 128 bits (wyhash's "mum").
constexpr Product multiply(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
    __extension__ using Wide = unsigned __int128;
    const Wide product = static_cast<Wide>(a) * b;
    return {static_cast<std::uint64_t>(product), static_cast<std::uint64_t>(product >> 64)};
#else
    // Portable schoolbook product with the same result.
    const std::uint64_t ha = a >> 32, hb = b >> 32, la = a & 0xffffffffULL, lb = b & 0xffffffffULL;
    const std::uint64_t rh = ha * hb, rm0 = ha * lb, rm1 = hb * la, rl = la * lb;
    const std::uint64_t t = rl + (rm0 << 32);
    std::uint64_t carry = t < rl ? 1 : 0;
    const std::uint64_t lo = t + (rm1 << 32);
    carry += lo < t ? 1 : 0;
    return {lo, rh + (rm0 >> 32) + (rm1 >> 32) + carry};
#endif
}

/// The 128-bit product folded by xor of its halves (wyhash's "mix").
constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
    const Product p = multiply(a, b);
    return p.lo ^ p.hi;
}

/// wyhash's per-call seed preparation; folds to a constant for a constant seed.
constexpr std::uint64_t prepare_seed(std::uint64_t seed) noexcept {
    return seed ^ mix(seed ^ kSecret[0], kSecret[1]);
}

/// wyhash's finalisation of the two 64-bit lanes a and b for an input of byte_length bytes.
constexpr std::uint64_t finish(std::uint64_t a, std::uint64_t b, std::uint64_t prepared_seed,
                               std::uint64_t byte_length) noexcept {
    const Product p = multiply(a ^ kSecret[1], b ^ prepared_seed);
    return mix(p.lo ^ kSecret[0] ^ byte_length, p.hi ^ kSecret[1]);
}

/// Joins two words into the 64-bit lane wyhash reads for 4-byte groups (hi << 32 | lo).
constexpr std::uint64_t lane(std::uint32_t hi, std::uint32_t lo) noexcept {
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
}

} // namespace hash_detail

/// wyhash (final 4.2, default secret) of the little-endian bytes of `words`; stable everywhere.
std::uint64_t hash_words(std::span<const std::uint32_t> words,
                         std::uint64_t seed = kDefaultHashSeed) noexcept;

/// Equal to hash_words({a, b}, seed), computed inline.
constexpr std::uint64_t hash_pair(std::uint32_t a, std::uint32_t b,
                                  std::uint64_t seed = kDefaultHashSeed) noexcept {
    using namespace hash_detail;
    return finish(lane(a, b), lane(b, a), prepare_seed(seed), 8);
}

/// Equal to hash_words({a, b, c}, seed), computed inline.
constexpr std::uint64_t hash_triple(std::uint32_t a, std::uint32_t b, std::uint32_t c,
                                    std::uint64_t seed = kDefaultHashSeed) noexcept {
    using namespace hash_detail;
    return finish(lane(a, b), lane(c, b), prepare_seed(seed), 12);
}

/// Table mixer of two words: ((a << 32 | b) ^ secret0) * secret1 as 128 bits, halves xor-ed.
/// Fixed like hash_words, but weaker (one multiplication): for hash tables, not fingerprints.
constexpr std::uint64_t mix_pair(std::uint32_t a, std::uint32_t b) noexcept {
    using namespace hash_detail;
    return mix(lane(a, b) ^ kSecret[0], kSecret[1]);
}

/// Table mixer of three words: as mix_pair(a, b) with c put into the (still odd) multiplier.
constexpr std::uint64_t mix_triple(std::uint32_t a, std::uint32_t b, std::uint32_t c) noexcept {
    using namespace hash_detail;
    return mix(lane(a, b) ^ kSecret[0], kSecret[1] ^ (std::uint64_t{c} << 32));
}

/// Table mixer of a string of words with a salt (the state store's segments, salted with their
/// position). NH, as in UMAC: the sum of the products of word pairs each offset by a fixed key,
/// four words at a time (the last four overlapping the ones before when the length is not a
/// multiple of four), so that the multiplications do not wait for each other as a chained
/// mixer's do; then one mix_pair-like step with the salt and the length. Fixed like the others,
/// and weaker: for hash tables whose lookups compare whole keys, not fingerprints.
std::uint64_t mix_words(std::span<const std::uint32_t> words, std::uint32_t salt) noexcept;

/// Table mixer of a short byte string (the state store's state strings, about 16 bytes): as
/// wyhash, the first and last 8 bytes (read little-endian, overlapping in strings of 8 to 16
/// bytes) in one mix_pair-like step with the length, after one step per 16 bytes before them in
/// longer strings. Fixed like the others, but for hash tables, not fingerprints.
std::uint64_t mix_bytes(std::span<const std::uint8_t> bytes) noexcept;

} // namespace mpcheck::explorer
