#pragma once

#include "model/program.hpp"

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace mpcheck::model {

/// The content of a tuple, list or dict built while the program runs: its items as Value bits.
/// Items are themselves canonical (strings and nested sequences are interned by content), so
/// equal contents are equal vectors. A dict's items are key, value, key, value, ... in insertion
/// order, its keys distinct (two dicts equal in Python but built in another order are different
/// contents: they print and pickle differently).
struct SeqContent {
    SeqKind kind = SeqKind::tuple;
    std::vector<std::uint32_t> items;
    bool is_list() const { return kind == SeqKind::list; }
    bool is_tuple() const { return kind == SeqKind::tuple; }
    bool is_dict() const { return kind == SeqKind::dict; }
    /// Number of Python items: a dict's keys, a tuple's or list's items.
    std::size_t length() const { return is_dict() ? items.size() / 2 : items.size(); }
    /// The item at index i in iteration order (a dict's i-th key), i < length().
    std::uint32_t iteration_item(std::size_t i) const {
        return is_dict() ? items[2 * i] : items[i];
    }
    /// A dict's value for its i-th key, i < length().
    std::uint32_t dict_value(std::size_t i) const { return items[2 * i + 1]; }
    friend auto operator<=>(const SeqContent&, const SeqContent&) = default;
};

/// The tuples, lists and dicts a program builds at run time (`q.put((i, name))`), interned by
/// content like the StringTable: the state holds only the id (Value::sequence), equal contents get
/// the same id, so states stay canonical. Values are immutable here: the front end refuses mutation
/// other than a list's append (a rebinding to a new list), so a value is a snapshot of its
/// items. Thread-safe.
class SequenceTable {
public:
    /// At most this many distinct sequences (a program that builds ever new ones is stopped as
    /// a model limit instead of exhausting memory).
    static constexpr std::size_t kMaxSequences = std::size_t{1} << 20;

    /// The id of `content`, or nullopt when the table is full.
    std::optional<std::uint32_t> intern(const SeqContent& content);
    /// The content of sequence `id`.
    const SeqContent& content(std::uint32_t id) const;
    /// Number of distinct sequences so far.
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::map<SeqContent, std::uint32_t> ids_;
    std::deque<SeqContent> contents_; ///< a deque: references stay valid as it grows
};

} // namespace mpcheck::model
