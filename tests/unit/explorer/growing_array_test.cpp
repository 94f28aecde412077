#include "explorer/growing_array.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace mpcheck::explorer {
namespace {

// Enough elements to leave the heap, get a mapping and grow it by remapping several times.
constexpr std::size_t kManyWords = 5 * kHugePageBytes / sizeof(std::uint32_t);

std::uint32_t value_at(std::size_t i) {
    return static_cast<std::uint32_t>(i * 2654435761U);
}

void fill(GrowingArray<std::uint32_t>& array, std::size_t count) {
    for (std::size_t i = array.size(); i < count; ++i)
        array.push_back(value_at(i));
}

bool holds_values(const GrowingArray<std::uint32_t>& array) {
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (array[i] != value_at(i)) return false;
    }
    return true;
}

TEST(GrowingArray, StartsEmptyWithoutMemory) {
    const GrowingArray<std::uint64_t> array;
    EXPECT_TRUE(array.empty());
    EXPECT_EQ(array.size(), 0U);
    EXPECT_EQ(array.bytes(), 0U);
}

TEST(GrowingArray, KeepsEveryElementWhileGrowingPastTheHeapAndRemapping) {
    GrowingArray<std::uint32_t> array;
    fill(array, 10);
    EXPECT_TRUE(holds_values(array));
    fill(array, kManyWords);
    ASSERT_EQ(array.size(), kManyWords);
    EXPECT_TRUE(holds_values(array));
    array[7] = 7;
    EXPECT_EQ(array[7], 7U);
}

TEST(GrowingArray, CountsTheMemoryItHoldsNotWhatItReserved) {
    GrowingArray<std::uint32_t> array;
    fill(array, kManyWords);
    const std::size_t written = kManyWords * sizeof(std::uint32_t);
    EXPECT_GE(array.bytes(), written);
    // Within a huge page of what was written (the heap's doubling, where mappings are not
    // available, reserves at most twice as much).
    EXPECT_LE(array.bytes(), 2 * written);
}

TEST(GrowingArray, ShrinkToFitKeepsTheElements) {
    GrowingArray<std::uint32_t> array;
    array.reserve(2 * kManyWords);
    fill(array, kManyWords + 3);
    array.shrink_to_fit();
    EXPECT_EQ(array.size(), kManyWords + 3);
    EXPECT_TRUE(holds_values(array));
    fill(array, kManyWords + 100);
    EXPECT_TRUE(holds_values(array));
}

TEST(GrowingArray, ClearKeepsNothingAndShrinkGivesTheMemoryBack) {
    GrowingArray<std::uint32_t> array;
    fill(array, kManyWords);
    array.clear();
    EXPECT_TRUE(array.empty());
    array.shrink_to_fit();
    EXPECT_EQ(array.bytes(), 0U);
    fill(array, 3);
    EXPECT_TRUE(holds_values(array));
}

TEST(GrowingArray, MovingTakesTheElements) {
    GrowingArray<std::uint32_t> array;
    fill(array, kManyWords);
    GrowingArray<std::uint32_t> moved(std::move(array));
    EXPECT_EQ(moved.size(), kManyWords);
    EXPECT_TRUE(holds_values(moved));
    GrowingArray<std::uint32_t> small;
    fill(small, 5);
    small = std::move(moved);
    EXPECT_EQ(small.size(), kManyWords);
    EXPECT_TRUE(holds_values(small));
}

} // namespace
} // namespace mpcheck::explorer
