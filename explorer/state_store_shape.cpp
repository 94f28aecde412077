#include "explorer/state_store_shape.hpp"

#include <algorithm>

namespace mpcheck::explorer::store_detail {

Shape::Shape(std::size_t length)
    : length_(length), children_(2 * (length - 1)), parent_(2 * length - 1), heights_(length - 1) {
    build(0, length, 0);
}

unsigned Shape::build(std::size_t lo, std::size_t size, std::size_t p) {
    // The left subtree has half - 1 inner nodes, so the right child's number is p + half.
    const std::size_t half = left_size(size);
    const std::size_t left_slot = half == 1 ? lo : length_ + p + 1;
    const std::size_t right_slot = size - half == 1 ? lo + half : length_ + p + half;
    children_[2 * p] = static_cast<std::uint32_t>(left_slot);
    children_[2 * p + 1] = static_cast<std::uint32_t>(right_slot);
    parent_[left_slot] = static_cast<std::uint32_t>(length_ + p);
    parent_[right_slot] = static_cast<std::uint32_t>(length_ + p);
    const unsigned left_height = half > 1 ? build(lo, half, p + 1) : 0;
    const unsigned right_height = size - half > 1 ? build(lo + half, size - half, p + half) : 0;
    const unsigned height = 1 + std::max(left_height, right_height);
    heights_[p] = static_cast<std::uint8_t>(height);
    return height;
}

const Shape& ShapeCache::get_other(std::size_t length) {
    for (std::size_t i = 0; i < shapes_.size(); ++i) {
        if (shapes_[i].length() == length) {
            last_ = i;
            return shapes_[i];
        }
    }
    if (shapes_.size() < kMaxShapes) {
        shapes_.emplace_back(length);
        last_ = shapes_.size() - 1;
    } else {
        shapes_[oldest_] = Shape(length);
        last_ = oldest_;
        oldest_ = (oldest_ + 1) % kMaxShapes;
    }
    return shapes_[last_];
}

const Shape* ShapeCache::find(std::size_t length) const noexcept {
    if (last_ < shapes_.size() && shapes_[last_].length() == length) return &shapes_[last_];
    for (const Shape& shape : shapes_) {
        if (shape.length() == length) return &shape;
    }
    return nullptr;
}

std::size_t ShapeCache::bytes() const noexcept {
    std::size_t total = shapes_.capacity() * sizeof(Shape);
    for (const Shape& shape : shapes_)
        total += shape.bytes();
    return total;
}

} // namespace mpcheck::explorer::store_detail
