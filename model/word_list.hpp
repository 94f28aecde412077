#pragma once

#include "model/state.hpp"

#include <bit>
#include <cstdint>

/// Internal: a list of words at the end of a record (a queue buffer, a pipe's messages), kept
/// with a *canonical* spare capacity that depends only on its length. Most steps then change
/// a list without resizing its record, so similar states keep their words at the same
/// positions, which is what the tree-compressed state store shares; and equal lists are still
/// equal words (unused slots are zero).
namespace mpcheck::model::detail::word_list {

/// Slots reserved for a list of `count` words.
inline std::uint32_t capacity(std::uint32_t count) {
    return count <= 4 ? 4 : std::bit_ceil(count);
}

/// Appends `value` to the list of `count` words that starts at `first` and ends the record at
/// `record` (offsets as in State).
inline void push_back(State& s, std::uint32_t record, std::uint32_t first, std::uint32_t count,
                      std::uint32_t value) {
    const std::uint32_t have = record + s.word(record) - first;
    const std::uint32_t need = capacity(count + 1);
    if (have < need) s.insert_words(record, record + s.word(record), need - have);
    s.set_word(first + count, value);
}

/// Removes element `index` of the list, shifting the later ones down.
inline void erase(State& s, std::uint32_t record, std::uint32_t first, std::uint32_t count,
                  std::uint32_t index) {
    for (std::uint32_t i = index + 1; i < count; ++i)
        s.set_word(first + i - 1, s.word(first + i));
    s.set_word(first + count - 1, 0);
    const std::uint32_t have = record + s.word(record) - first;
    const std::uint32_t need = capacity(count - 1);
    if (have > need) s.erase_words(record, record + s.word(record) - (have - need), have - need);
}

/// Empties the list, back to the capacity of an empty list.
inline void clear(State& s, std::uint32_t record, std::uint32_t first, std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i)
        s.set_word(first + i, 0);
    const std::uint32_t have = record + s.word(record) - first;
    const std::uint32_t need = capacity(0);
    if (have > need) s.erase_words(record, record + s.word(record) - (have - need), have - need);
}

} // namespace mpcheck::model::detail::word_list
