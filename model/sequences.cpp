#include "model/sequences.hpp"

#include "model/check.hpp"

namespace mpcheck::model {

std::optional<std::uint32_t> SequenceTable::intern(const SeqContent& content) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = ids_.find(content); it != ids_.end()) return it->second;
    if (contents_.size() >= kMaxSequences) return std::nullopt;
    const auto id = static_cast<std::uint32_t>(contents_.size());
    contents_.push_back(content);
    ids_.emplace(content, id);
    return id;
}

const SeqContent& SequenceTable::content(std::uint32_t id) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    MPCHECK_ASSERT(id < contents_.size());
    return contents_[id];
}

std::size_t SequenceTable::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return contents_.size();
}

} // namespace mpcheck::model
