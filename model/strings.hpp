#pragma once

#include "model/ids.hpp"

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::model {

/// One run of a string: `unit` repeated `count` times (so 'X' * 1000000 is one small run).
struct StrRun {
    std::string unit;
    std::uint64_t count = 1;
    friend auto operator<=>(const StrRun&, const StrRun&) = default;
};

/// The content of a str or bytes value built while the program runs, in a run-length form
/// (see normalize()). str content is UTF-8. Equal contents may be cut into runs differently:
/// compare them with same_text().
struct StrContent {
    bool is_bytes = false;
    std::vector<StrRun> runs;
    friend auto operator<=>(const StrContent&, const StrContent&) = default;

    /// A str (or bytes) holding exactly `text`.
    static StrContent of(std::string_view text, bool is_bytes = false);
    /// len(): characters of a str (code points), bytes of a bytes.
    std::uint64_t length() const;
    /// Encoded size: UTF-8 bytes of a str, bytes of a bytes.
    std::uint64_t byte_size() const;
    /// The whole content when it is at most `limit` bytes long.
    std::optional<std::string> flat(std::uint64_t limit = kFlatLimit) const;

    /// Contents up to this many bytes are kept as one literal run; longer ones as runs.
    static constexpr std::uint64_t kFlatLimit = 4096;
};

/// Compacts `c`: short contents become one literal run; long runs are reduced to their
/// primitive unit ('XX' * 5 becomes 'X' * 10) and neighbouring runs of one unit merged.
StrContent normalize(StrContent c);
/// a + b (both str or both bytes).
StrContent concat(const StrContent& a, const StrContent& b);
/// a * n (n <= 0 gives the empty string).
StrContent repeat(const StrContent& a, std::int64_t n);

/// Whether two contents are the same characters, however their runs are cut.
bool same_text(const StrContent& a, const StrContent& b);

/// The strings a program builds at run time, interned by content: the state holds only the id
/// (Value::str / Value::bytes), and equal contents always get the same id (found by a hash of
/// the characters, confirmed by comparing them), so comparing ids compares contents and states
/// stay canonical. Ids start at kBase, above every Program blob. Thread-safe: several search
/// threads may intern at once.
class StringTable {
public:
    /// The first runtime id; ids below it index Program::blobs.
    static constexpr BlobId kBase = BlobId{1} << 27;
    /// At most this many distinct runtime strings (a program that builds ever new strings is
    /// stopped as a model limit instead of exhausting memory).
    static constexpr std::size_t kMaxStrings = std::size_t{1} << 20;

    /// Whether `id` names a runtime string (as opposed to a Program blob).
    static bool is_runtime(BlobId id) { return id >= kBase; }
    /// The id of `content`, or nullopt when the table is full.
    std::optional<BlobId> intern(const StrContent& content);
    /// The content of runtime string `id`.
    const StrContent& content(BlobId id) const;
    /// Number of distinct runtime strings so far.
    std::size_t size() const;

private:
    /// Contents with equal characters have equal keys (the hash is of the characters).
    struct Key {
        bool is_bytes = false;
        std::uint64_t bytes = 0;
        std::uint64_t hash = 0;
        friend auto operator<=>(const Key&, const Key&) = default;
    };
    static Key key_of(const StrContent& c);

    mutable std::mutex mutex_;
    std::map<Key, std::vector<BlobId>> ids_;
    std::deque<StrContent> contents_; ///< a deque: references stay valid as it grows
};

} // namespace mpcheck::model
