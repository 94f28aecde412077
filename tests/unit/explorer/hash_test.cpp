// The explorer's hash is fixed forever: these values may only change together with a documented
// format change (stored hashes, golden outputs and cross-machine comparisons depend on them).

#include "explorer/hash.hpp"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mpcheck::explorer {
namespace {

/// The words whose little-endian bytes are text (text.size() must be a multiple of 4).
std::vector<std::uint32_t> words_of(std::string_view text) {
    std::vector<std::uint32_t> words;
    for (std::size_t i = 0; i + 4 <= text.size(); i += 4) {
        std::uint32_t word = 0;
        for (std::size_t b = 0; b < 4; ++b) {
            word |= std::uint32_t{static_cast<unsigned char>(text[i + b])} << (8 * b);
        }
        words.push_back(word);
    }
    return words;
}

TEST(Hash, MatchesThePublishedWyhashTestVectors) {
    // wyhash final 4.2 reference vectors whose inputs are whole 32-bit words.
    EXPECT_EQ(hash_words({}, 0), 0x0409638ee2bde459ULL);
    const std::string_view digits =
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
    EXPECT_EQ(hash_words(words_of(digits), 6), 0xc39cab13b115aad3ULL);
}

TEST(Hash, PinnedValuesNeverChange) {
    EXPECT_EQ(hash_pair(0, 0), 0xe6b7875d0487a132ULL);
    EXPECT_EQ(hash_pair(1, 2), 0x2de05edd8408a029ULL);
    EXPECT_EQ(hash_pair(2, 1), 0xb383e4d9de5a8e4bULL);
    EXPECT_EQ(hash_triple(1, 2, 3), 0x72bb673bcedad9e6ULL);
    EXPECT_EQ(hash_words(std::vector<std::uint32_t>{7}), 0xfaf2be979bb9c833ULL);
    EXPECT_EQ(hash_words(std::vector<std::uint32_t>{1, 2, 3, 4, 5}), 0xa136b643dcdb68b5ULL);

    std::vector<std::uint32_t> thirteen; // long enough for the 48-byte loop
    for (std::uint32_t i = 0; i < 13; ++i)
        thirteen.push_back(i * 0x9e3779b9U);
    EXPECT_EQ(hash_words(thirteen), 0xb5971596e939b09dULL);

    std::vector<std::uint32_t> hundred;
    for (std::uint32_t i = 0; i < 100; ++i)
        hundred.push_back(i);
    EXPECT_EQ(hash_words(hundred), 0x952163ccc238dc58ULL);
    EXPECT_EQ(hash_words(hundred, 42), 0x26a70363663100c7ULL);
}

TEST(Hash, TableMixerPinnedValuesNeverChange) {
    EXPECT_EQ(mix_pair(0, 0), 0x1ff5c2923a788d2cULL);
    EXPECT_EQ(mix_pair(1, 2), 0xf12af6491e8c4596ULL);
    EXPECT_EQ(mix_triple(1, 2, 3), 0x4a6f523b6175a731ULL);
    EXPECT_EQ(mix_triple(1, 2, 4), 0xd417068b80d3cf00ULL);
    const std::vector<std::uint8_t> three{1, 2, 3};
    const std::vector<std::uint8_t> twenty(20, 7);
    EXPECT_EQ(mix_bytes({}), 0xe6d24d7e0390ae94ULL);
    EXPECT_EQ(mix_bytes(three), 0xc92bc0b02403a04eULL);
    EXPECT_EQ(mix_bytes(twenty), 0xff3537d60f321169ULL);
}

TEST(Hash, ByteMixerReadsOnlyTheString) {
    // The store hashes strings that lie among others: the bytes after one must not matter.
    std::mt19937_64 random(3);
    std::vector<std::uint8_t> buffer(80);
    for (std::uint8_t& byte : buffer)
        byte = static_cast<std::uint8_t>(random());
    for (std::size_t length = 0; length <= 40; ++length) {
        const std::span<const std::uint8_t> string(buffer.data() + 5, length);
        const std::uint64_t before = mix_bytes(string);
        for (std::size_t i = 5 + length; i < buffer.size(); ++i)
            buffer[i] = static_cast<std::uint8_t>(buffer[i] + 1);
        EXPECT_EQ(mix_bytes(string), before) << length;
    }
}

TEST(Hash, ByteMixerTellsLengthsApart) {
    // Strings that differ only in trailing zero bytes read the same 8-byte lanes.
    std::unordered_set<std::uint64_t> seen;
    for (std::size_t length = 0; length <= 40; ++length)
        EXPECT_TRUE(seen.insert(mix_bytes(std::vector<std::uint8_t>(length, 0))).second) << length;
}

TEST(Hash, PairAndTripleAreHashWordsOfTwoAndThreeWords) {
    std::mt19937_64 random(1);
    for (int i = 0; i < 1000; ++i) {
        const auto a = static_cast<std::uint32_t>(random());
        const auto b = static_cast<std::uint32_t>(random());
        const auto c = static_cast<std::uint32_t>(random());
        const std::uint64_t seed = i % 2 == 0 ? 0 : random();
        EXPECT_EQ(hash_pair(a, b, seed), hash_words(std::array{a, b}, seed));
        EXPECT_EQ(hash_triple(a, b, c, seed), hash_words(std::array{a, b, c}, seed));
    }
}

TEST(Hash, IsUsableAtCompileTime) {
    static_assert(hash_pair(1, 2) == 0x2de05edd8408a029ULL);
}

TEST(Hash, SeedLengthAndOrderAllMatter) {
    const std::vector<std::uint32_t> abc{1, 2, 3};
    EXPECT_NE(hash_words(abc, 0), hash_words(abc, 1));
    EXPECT_NE(hash_words(abc), hash_words(std::vector<std::uint32_t>{1, 2, 3, 0}));
    EXPECT_NE(hash_words(abc), hash_words(std::vector<std::uint32_t>{3, 2, 1}));
    EXPECT_NE(hash_pair(1, 2), hash_pair(2, 1));
    // Vectors of zeros of every length hash differently.
    std::unordered_set<std::uint64_t> seen;
    for (std::size_t n = 0; n < 200; ++n) {
        EXPECT_TRUE(seen.insert(hash_words(std::vector<std::uint32_t>(n, 0))).second) << n;
    }
}

/// Checks that hashing all pairs of small numbers gives distinct values that spread evenly over
/// buckets chosen by the low bits and by the high bits (what the store's index tables use).
template <class Mixer> void expect_small_pairs_spread(Mixer mixer, const char* name) {
    // Node pairs are small ids and small words: exactly the inputs a weak mixer would cluster.
    constexpr std::uint32_t kSide = 256;
    constexpr std::size_t kBuckets = 4096;
    std::unordered_set<std::uint64_t> hashes;
    std::vector<int> low_bits(kBuckets, 0);
    std::vector<int> high_bits(kBuckets, 0);
    for (std::uint32_t a = 0; a < kSide; ++a) {
        for (std::uint32_t b = 0; b < kSide; ++b) {
            const std::uint64_t h = mixer(a, b);
            hashes.insert(h);
            ++low_bits[h % kBuckets];
            ++high_bits[h >> 52];
        }
    }
    EXPECT_EQ(hashes.size(), std::size_t{kSide} * kSide) << name;
    // 65536 keys in 4096 buckets: mean 16; a uniform hash stays well inside [1, 40].
    for (std::size_t i = 0; i < kBuckets; ++i) {
        EXPECT_GE(low_bits[i], 1) << name << " bucket " << i;
        EXPECT_LE(low_bits[i], 40) << name << " bucket " << i;
        EXPECT_GE(high_bits[i], 1) << name << " bucket " << i;
        EXPECT_LE(high_bits[i], 40) << name << " bucket " << i;
    }
}

TEST(Hash, SmallStructuredPairsAreDistinctAndSpreadOverBuckets) {
    expect_small_pairs_spread([](std::uint32_t a, std::uint32_t b) { return hash_pair(a, b); },
                              "hash_pair");
    expect_small_pairs_spread([](std::uint32_t a, std::uint32_t b) { return mix_pair(a, b); },
                              "mix_pair");
    expect_small_pairs_spread([](std::uint32_t a, std::uint32_t b) { return mix_triple(a, b, 52); },
                              "mix_triple");
    expect_small_pairs_spread([](std::uint32_t a, std::uint32_t b) { return mix_triple(a, 7, b); },
                              "mix_triple length");
    // Segments as the store hashes them: short records of small words, salted by position.
    expect_small_pairs_spread(
        [](std::uint32_t a, std::uint32_t b) {
            const std::vector<std::uint32_t> record{5, a, 0, b, 1};
            return mix_words(record, 3);
        },
        "mix_words record");
    expect_small_pairs_spread(
        [](std::uint32_t a, std::uint32_t b) {
            std::vector<std::uint32_t> record(11, 0x70000000);
            record[1] = a;
            record[10] = b; // in the last group, which overlaps the one before
            return mix_words(record, 0);
        },
        "mix_words tail");
    expect_small_pairs_spread(
        [](std::uint32_t a, std::uint32_t b) {
            const std::vector<std::uint32_t> header{a, 0, 1};
            return mix_words(header, b);
        },
        "mix_words salt");
}

TEST(Hash, WordMixerPinnedValuesNeverChange) {
    const std::vector<std::uint32_t> three{1, 2, 3};
    std::vector<std::uint32_t> hundred;
    for (std::uint32_t i = 0; i < 100; ++i)
        hundred.push_back(i);
    EXPECT_EQ(mix_words({}, 0), 0x1ff5c2923a788d2cULL);
    EXPECT_EQ(mix_words(three, 0), 0xbad3fe27a77eb253ULL);
    EXPECT_EQ(mix_words(three, 1), 0x153eb9ee1a64c935ULL);
    EXPECT_EQ(mix_words(hundred, 7), 0xd089e8cae3003e48ULL);
}

TEST(Hash, WordMixerTellsLengthsOrderAndSaltApart) {
    std::unordered_set<std::uint64_t> seen;
    for (std::size_t n = 0; n < 100; ++n)
        EXPECT_TRUE(seen.insert(mix_words(std::vector<std::uint32_t>(n, 0), 0)).second) << n;
    const std::vector<std::uint32_t> ab{1, 2, 3, 4, 5};
    const std::vector<std::uint32_t> ba{2, 1, 3, 4, 5};
    EXPECT_NE(mix_words(ab, 0), mix_words(ba, 0));
    EXPECT_NE(mix_words(ab, 0), mix_words(ab, 1));
}

/// Probability, per output bit, that flipping one input bit flips it (over all input bits).
template <class Hash>
std::array<double, 64> flip_rates(std::size_t word_count, int samples, Hash hash) {
    std::mt19937_64 random(7);
    std::array<std::uint64_t, 64> flips{};
    std::uint64_t trials = 0;
    std::vector<std::uint32_t> words(word_count);
    for (int s = 0; s < samples; ++s) {
        for (auto& word : words)
            word = static_cast<std::uint32_t>(random() % 64); // low entropy
        const std::uint64_t base = hash(words);
        for (std::size_t bit = 0; bit < 32 * word_count; ++bit) {
            words[bit / 32] ^= std::uint32_t{1} << (bit % 32);
            const std::uint64_t changed = hash(words) ^ base;
            words[bit / 32] ^= std::uint32_t{1} << (bit % 32);
            for (std::size_t out = 0; out < 64; ++out)
                flips[out] += (changed >> out) & 1;
            ++trials;
        }
    }
    std::array<double, 64> rates{};
    for (std::size_t out = 0; out < 64; ++out)
        rates[out] = static_cast<double>(flips[out]) / static_cast<double>(trials);
    return rates;
}

TEST(Hash, EveryInputBitAffectsEveryOutputBitAboutHalfTheTime) {
    const auto pair_rates = flip_rates(
        2, 300, [](const std::vector<std::uint32_t>& w) { return hash_pair(w[0], w[1]); });
    const auto long_rates =
        flip_rates(20, 30, [](const std::vector<std::uint32_t>& w) { return hash_words(w); });
    for (std::size_t out = 0; out < 64; ++out) {
        EXPECT_NEAR(pair_rates[out], 0.5, 0.05) << "pair, output bit " << out;
        EXPECT_NEAR(long_rates[out], 0.5, 0.05) << "20 words, output bit " << out;
    }
}

} // namespace
} // namespace mpcheck::explorer
