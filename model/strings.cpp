#include "model/strings.hpp"

#include "model/check.hpp"

namespace mpcheck::model {

namespace {

// Runs whose expansion is at most this long are kept as literal text, so that neighbouring
// literals merge ("item-" + "7" is one run "item-7").
constexpr std::uint64_t kSmallRun = 256;

std::uint64_t code_points(std::string_view s) {
    std::uint64_t n = 0;
    for (const char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

// The shortest p such that s is (s[0:p]) repeated, by the prefix function (KMP).
std::size_t primitive_period(std::string_view s) {
    const std::size_t n = s.size();
    if (n < 2) return n;
    std::vector<std::size_t> pi(n, 0);
    for (std::size_t i = 1; i < n; ++i) {
        std::size_t k = pi[i - 1];
        while (k > 0 && s[i] != s[k])
            k = pi[k - 1];
        if (s[i] == s[k]) ++k;
        pi[i] = k;
    }
    const std::size_t p = n - pi[n - 1];
    return n % p == 0 ? p : n;
}

} // namespace

StrContent StrContent::of(std::string_view text, bool is_bytes) {
    StrContent c;
    c.is_bytes = is_bytes;
    if (!text.empty()) c.runs.push_back(StrRun{std::string(text), 1});
    return c;
}

std::uint64_t StrContent::length() const {
    std::uint64_t n = 0;
    for (const StrRun& r : runs)
        n += (is_bytes ? r.unit.size() : code_points(r.unit)) * r.count;
    return n;
}

std::uint64_t StrContent::byte_size() const {
    std::uint64_t n = 0;
    for (const StrRun& r : runs)
        n += r.unit.size() * r.count;
    return n;
}

std::optional<std::string> StrContent::flat(std::uint64_t limit) const {
    if (byte_size() > limit) return std::nullopt;
    std::string out;
    for (const StrRun& r : runs) {
        for (std::uint64_t i = 0; i < r.count; ++i)
            out += r.unit;
    }
    return out;
}

StrContent normalize(StrContent c) {
    if (const auto text = c.flat()) return StrContent::of(*text, c.is_bytes);
    std::vector<StrRun> out;
    for (StrRun& r : c.runs) {
        if (r.unit.empty() || r.count == 0) continue;
        const std::size_t p = primitive_period(r.unit);
        if (p < r.unit.size()) {
            r.count *= r.unit.size() / p;
            r.unit.resize(p);
        }
        if (r.unit.size() * r.count <= kSmallRun && r.count > 1) {
            std::string text;
            for (std::uint64_t i = 0; i < r.count; ++i)
                text += r.unit;
            r = StrRun{std::move(text), 1};
        }
        if (!out.empty() && out.back().unit == r.unit) {
            out.back().count += r.count;
        } else if (!out.empty() && out.back().count == 1 && r.count == 1) {
            out.back().unit += r.unit;
        } else {
            out.push_back(std::move(r));
        }
    }
    c.runs = std::move(out);
    return c;
}

StrContent concat(const StrContent& a, const StrContent& b) {
    MPCHECK_ASSERT(a.is_bytes == b.is_bytes);
    StrContent c = a;
    c.runs.insert(c.runs.end(), b.runs.begin(), b.runs.end());
    return normalize(std::move(c));
}

StrContent repeat(const StrContent& a, std::int64_t n) {
    StrContent c;
    c.is_bytes = a.is_bytes;
    if (n <= 0 || a.runs.empty()) return c;
    const auto times = static_cast<std::uint64_t>(n);
    if (a.runs.size() == 1) {
        c.runs.push_back(StrRun{a.runs[0].unit, a.runs[0].count * times});
    } else if (const auto text = a.flat(std::uint64_t{1} << 16)) {
        c.runs.push_back(StrRun{*text, times});
    } else {
        for (std::uint64_t i = 0; i < times; ++i)
            c.runs.insert(c.runs.end(), a.runs.begin(), a.runs.end());
    }
    return normalize(std::move(c));
}

namespace {

// A polynomial hash of the characters, mod 2**64; runs hash in O(log count) by a geometric
// sum, so 'X' * 1000000 costs no more than 'X'. Only a bucket key: equality is confirmed.
constexpr std::uint64_t kBase = 1099511628211u;

std::uint64_t power(std::uint64_t b, std::uint64_t e) {
    std::uint64_t r = 1;
    for (; e != 0; e >>= 1, b *= b) {
        if ((e & 1) != 0) r *= b;
    }
    return r;
}

// (1 + x + ... + x**(k-1), x**k), by doubling.
std::pair<std::uint64_t, std::uint64_t> geometric(std::uint64_t x, std::uint64_t k) {
    std::uint64_t sum = 0, pow = 1;             // the result so far: k' terms
    std::uint64_t block_sum = 1, block_pow = x; // a block of 2**i terms
    for (; k != 0; k >>= 1) {
        if ((k & 1) != 0) {
            sum += pow * block_sum;
            pow *= block_pow;
        }
        block_sum += block_pow * block_sum;
        block_pow *= block_pow;
    }
    return {sum, pow};
}

// Reads a content as consecutive chunks of bytes.
class Cursor {
public:
    explicit Cursor(const StrContent& c) : runs_(c.runs) { skip_empty(); }
    std::string_view chunk() const {
        return r_ < runs_.size() ? std::string_view(runs_[r_].unit).substr(off_)
                                 : std::string_view();
    }
    void advance(std::size_t n) {
        off_ += n;
        if (off_ == runs_[r_].unit.size()) {
            off_ = 0;
            if (++rep_ == runs_[r_].count) {
                rep_ = 0;
                ++r_;
            }
            skip_empty();
        }
    }

private:
    void skip_empty() {
        while (r_ < runs_.size() && (runs_[r_].unit.empty() || runs_[r_].count == 0))
            ++r_;
    }
    const std::vector<StrRun>& runs_;
    std::size_t r_ = 0;
    std::uint64_t rep_ = 0;
    std::size_t off_ = 0;
};

} // namespace

bool same_text(const StrContent& a, const StrContent& b) {
    if (a.is_bytes != b.is_bytes || a.byte_size() != b.byte_size()) return false;
    if (a.runs == b.runs) return true;
    Cursor x(a), y(b);
    for (;;) {
        const std::string_view p = x.chunk(), q = y.chunk();
        if (p.empty() || q.empty()) return p.empty() && q.empty();
        const std::size_t n = std::min(p.size(), q.size());
        if (p.substr(0, n) != q.substr(0, n)) return false;
        x.advance(n);
        y.advance(n);
    }
}

StringTable::Key StringTable::key_of(const StrContent& c) {
    Key k;
    k.is_bytes = c.is_bytes;
    for (const StrRun& r : c.runs) {
        std::uint64_t unit = 0;
        for (const char ch : r.unit)
            unit = unit * kBase + static_cast<unsigned char>(ch);
        const auto [sum, pow] = geometric(power(kBase, r.unit.size()), r.count);
        k.hash = k.hash * pow + unit * sum;
        k.bytes += r.unit.size() * r.count;
    }
    return k;
}

std::optional<BlobId> StringTable::intern(const StrContent& content) {
    const Key key = key_of(content);
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<BlobId>& bucket = ids_[key];
    for (const BlobId id : bucket) {
        if (same_text(contents_[id - kBase], content)) return id;
    }
    if (contents_.size() >= kMaxStrings) return std::nullopt;
    const BlobId id = kBase + static_cast<BlobId>(contents_.size());
    contents_.push_back(content);
    bucket.push_back(id);
    return id;
}

const StrContent& StringTable::content(BlobId id) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    MPCHECK_ASSERT(is_runtime(id) && id - kBase < contents_.size());
    return contents_[id - kBase];
}

std::size_t StringTable::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return contents_.size();
}

} // namespace mpcheck::model
