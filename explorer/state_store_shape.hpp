#pragma once

// Private to StateStore: the fixed tree shape of a state vector of a given length.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpcheck::explorer::store_detail {

/// Words in the left part of a range of size >= 2 words: the largest power of two below size.
/// Power-of-two left parts make the subtrees over a vector's prefix independent of its length.
inline std::size_t left_size(std::size_t size) noexcept {
    return std::bit_floor(size - 1);
}

/// The tree of a vector of n >= 2 words, over 2n-1 "slots": slot c < n is word c, slot n+p is
/// inner node p, numbered in preorder (node 0, slot n, is the root: the state record). In
/// preorder a node's number is smaller than its children's, so visiting nodes by increasing
/// number goes top-down and by decreasing number bottom-up, without recursion.
class Shape {
public:
    /// The shape of vectors of `length` >= 2 words.
    explicit Shape(std::size_t length);

    /// Words of the vectors of this shape.
    std::size_t length() const noexcept { return length_; }
    /// Slot of the left child of inner node p.
    std::uint32_t left(std::size_t p) const noexcept { return children_[2 * p]; }
    /// Slot of the right child of inner node p.
    std::uint32_t right(std::size_t p) const noexcept { return children_[2 * p + 1]; }
    /// Slot of the node whose child is slot s (s is not the root slot, length()).
    std::uint32_t parent(std::size_t s) const noexcept { return parent_[s]; }
    /// Height of inner node p: 1 + the larger height of its children, words having height 0.
    /// Nodes of equal height never depend on each other.
    unsigned height(std::size_t p) const noexcept { return heights_[p]; }
    /// Bytes allocated.
    std::size_t bytes() const noexcept {
        return (children_.capacity() + parent_.capacity()) * sizeof(std::uint32_t) +
               heights_.capacity();
    }

private:
    /// Fills the entries of the subtree over [lo, lo+size) rooted at inner node p; returns its
    /// height.
    unsigned build(std::size_t lo, std::size_t size, std::size_t p);

    std::size_t length_;
    std::vector<std::uint32_t> children_; // 2 per inner node
    std::vector<std::uint32_t> parent_;   // per slot
    std::vector<std::uint8_t> heights_;   // per inner node (at most 16 for 65535 words)
};

/// The shapes of the last few lengths used (a model's states usually have one or few lengths).
class ShapeCache {
public:
    /// The shape for `length` >= 2, built on first use; valid until the next call of get().
    const Shape& get(std::size_t length) {
        if (last_ < shapes_.size() && shapes_[last_].length() == length) [[likely]] {
            return shapes_[last_];
        }
        return get_other(length);
    }
    /// The shape for `length` if cached, else null; valid until the next call of get().
    const Shape* find(std::size_t length) const noexcept;
    /// Bytes allocated.
    std::size_t bytes() const noexcept;

private:
    const Shape& get_other(std::size_t length);

    static constexpr std::size_t kMaxShapes = 16; // then the oldest is replaced
    std::vector<Shape> shapes_;
    std::size_t last_ = 0;   // the shape returned last
    std::size_t oldest_ = 0; // next to replace once full
};

} // namespace mpcheck::explorer::store_detail
