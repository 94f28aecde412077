#pragma once

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace mpcheck::model {

/// The content of a tuple or list built while the program runs: its items as Value bits.
/// Items are themselves canonical (strings and nested sequences are interned by content), so
/// equal contents are equal vectors.
struct SeqContent {
    bool is_list = false;
    std::vector<std::uint32_t> items;
    friend auto operator<=>(const SeqContent&, const SeqContent&) = default;
};

/// The tuples and lists a program builds at run time (`q.put((i, name))`), interned by content
/// like the StringTable: the state holds only the id (Value::sequence), equal contents get the
/// same id, so states stay canonical. Lists are immutable here: the front end refuses list
/// mutation, so a list value is a snapshot of its items. Thread-safe.
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
