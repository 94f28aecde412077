#include "model/state.hpp"

#include "model/check.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace mpcheck::model {

namespace {
// Header words: the record count of each group, and one reserved word.
constexpr std::uint32_t kNumObjects = 0;
constexpr std::uint32_t kNumProcesses = 1;
constexpr std::uint32_t kNumViews = 2;
// View record fields shared with view_layout.hpp.
constexpr std::uint32_t kViewProc = 1;
constexpr std::uint32_t kViewObj = 2;
} // namespace

State State::empty() {
    State s;
    s.words_.assign(kHeaderWords, 0);
    return s;
}

void State::load(std::span<const std::uint32_t> words) {
    words_.assign(words.begin(), words.end());
    moved();
    reindex();
}

void State::copy_from(const State& original) {
    *this = original;
    changed_blocks_ = 0;
}

void State::revert_writes(const State& original) {
    if (layout_version_ != original.layout_version_) {
        *this = original;
    } else {
        // Same layout: the offsets still hold, and only the words of the blocks written can
        // differ (a step writes a few words, so copying those blocks beats copying the state).
        const auto size = static_cast<std::uint32_t>(words_.size());
        const std::uint32_t* from = original.words_.data();
        std::uint32_t* to = words_.data();
        for (std::uint64_t blocks = changed_blocks_; blocks != 0; blocks &= blocks - 1) {
            const auto block = static_cast<std::uint32_t>(std::countr_zero(blocks));
            const std::uint32_t begin = block * kChangeBlockWords;
            if (block < 63 && begin + kChangeBlockWords <= size) {
                std::memcpy(to + begin, from + begin, kChangeBlockWords * sizeof(std::uint32_t));
            } else if (begin < size) {
                std::copy(from + begin, from + size, to + begin); // the state's last words
            }
        }
    }
    changed_blocks_ = 0;
}

void State::reindex() {
    MPCHECK_ASSERT(words_.size() >= kHeaderWords);
    obj_.resize(words_[kNumObjects]);
    proc_.resize(words_[kNumProcesses]);
    view_.resize(words_[kNumViews]);
    std::uint32_t at = kHeaderWords;
    for (auto* group : {&proc_, &view_, &obj_}) {
        for (auto& offset : *group) {
            offset = at;
            MPCHECK_ASSERT(words_[at] > 0);
            at += words_[at];
        }
    }
    MPCHECK_ASSERT(at == words_.size());
}

void State::shift_offsets_after(std::uint32_t offset, std::int64_t delta) {
    // Each group's offsets increase: a group that ends at or before `offset` has none to shift.
    for (auto* group : {&obj_, &proc_, &view_}) {
        if (group->empty() || group->back() <= offset) continue;
        for (auto& o : *group) {
            if (o > offset) o = static_cast<std::uint32_t>(o + delta);
        }
    }
}

std::uint32_t State::add_object(ObjKind kind, std::uint32_t size) {
    moved();
    const auto at = static_cast<std::uint32_t>(words_.size());
    words_.insert(words_.end(), size, 0);
    words_[at] = size;
    words_[at + 1] = static_cast<std::uint32_t>(kind);
    obj_.push_back(at);
    words_[kNumObjects] += 1;
    return static_cast<std::uint32_t>(obj_.size() - 1);
}

std::uint32_t State::add_process(std::uint32_t size) {
    moved();
    const std::uint32_t at = !view_.empty()  ? view_[0]
                             : !obj_.empty() ? obj_[0]
                                             : static_cast<std::uint32_t>(words_.size());
    words_.insert(words_.begin() + at, size, 0);
    shift_offsets_after(at - 1, size);
    words_[at] = size;
    proc_.push_back(at);
    words_[kNumProcesses] += 1;
    return static_cast<std::uint32_t>(proc_.size() - 1);
}

std::uint32_t State::find_view(std::uint32_t proc, std::uint32_t obj) const {
    for (std::uint32_t i = 0; i < view_.size(); ++i) {
        const std::uint32_t o = view_[i];
        if (words_[o + kViewProc] == proc && words_[o + kViewObj] == obj) return i;
    }
    return kNone;
}

std::uint32_t State::add_view(std::uint32_t proc, std::uint32_t obj, std::uint32_t size) {
    moved();
    std::uint32_t index = 0;
    while (index < view_.size()) {
        const std::uint32_t o = view_[index];
        const std::uint32_t p = words_[o + kViewProc];
        if (p > proc || (p == proc && words_[o + kViewObj] > obj)) break;
        ++index;
    }
    const std::uint32_t at = index < view_.size() ? view_[index]
                             : !obj_.empty()      ? obj_[0]
                                                  : static_cast<std::uint32_t>(words_.size());
    words_.insert(words_.begin() + at, size, 0);
    shift_offsets_after(at - 1, size);
    words_[at] = size;
    words_[at + kViewProc] = proc;
    words_[at + kViewObj] = obj;
    view_.insert(view_.begin() + index, at);
    words_[kNumViews] += 1;
    return index;
}

void State::remove_view(std::uint32_t index) {
    moved();
    const std::uint32_t at = view_[index];
    const std::uint32_t size = words_[at];
    words_.erase(words_.begin() + at, words_.begin() + at + size);
    view_.erase(view_.begin() + index);
    shift_offsets_after(at, -static_cast<std::int64_t>(size));
    words_[kNumViews] -= 1;
}

void State::insert_words(std::uint32_t record_offset, std::uint32_t offset, std::uint32_t n) {
    if (n == 0) return;
    moved();
    MPCHECK_ASSERT(offset > record_offset && offset <= record_offset + words_[record_offset]);
    words_.insert(words_.begin() + offset, n, 0);
    words_[record_offset] += n;
    shift_offsets_after(record_offset, n);
}

void State::erase_words(std::uint32_t record_offset, std::uint32_t offset, std::uint32_t n) {
    if (n == 0) return;
    moved();
    MPCHECK_ASSERT(offset > record_offset && offset + n <= record_offset + words_[record_offset]);
    words_.erase(words_.begin() + offset, words_.begin() + offset + n);
    words_[record_offset] -= n;
    shift_offsets_after(record_offset, -static_cast<std::int64_t>(n));
}

} // namespace mpcheck::model
