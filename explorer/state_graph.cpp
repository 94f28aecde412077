#include "explorer/state_graph.hpp"

namespace mpcheck::explorer {

void StateGraph::reserve(std::size_t states, std::size_t edges) {
    starts_.reserve(states);
    targets_.reserve(edges);
}

void StateGraph::begin_expansion(StateId s) {
    MPCHECK_ASSERT(s == starts_.size()); // CSR rows are appended in id order
    starts_.push_back(targets_.size());
    grow_to(s);
}

void StateGraph::mark_final(StateId s) {
    grow_to(s);
    if (s >= final_.size()) final_.resize(std::size_t{s} + 1, false);
    final_[s] = true;
}

void StateGraph::mark_frontier(StateId s) {
    grow_to(s);
    if (s >= frontier_.size()) frontier_.resize(std::size_t{s} + 1, false);
    frontier_[s] = true;
}

void StateGraph::note_state(StateId s) {
    grow_to(s);
}

std::span<const StateId> StateGraph::successors(StateId s) const {
    if (s >= starts_.size()) return {};
    const std::uint64_t begin = starts_[s];
    const std::size_t next = std::size_t{s} + 1;
    const std::uint64_t end = next < starts_.size() ? starts_[next] : targets_.size();
    return {targets_.data() + begin, static_cast<std::size_t>(end - begin)};
}

bool StateGraph::is_final(StateId s) const {
    return s < final_.size() && final_[s];
}

bool StateGraph::is_frontier(StateId s) const {
    return s >= starts_.size() || (s < frontier_.size() && frontier_[s]);
}

std::size_t StateGraph::bytes() const {
    constexpr std::size_t kBitsPerByte = 8;
    return starts_.bytes() + targets_.bytes() +
           (final_.capacity() + frontier_.capacity()) / kBitsPerByte;
}

void StateGraph::shrink_to_fit() {
    starts_.shrink_to_fit();
    targets_.shrink_to_fit();
    final_.shrink_to_fit();
    frontier_.shrink_to_fit();
}

void StateGraph::grow_to(StateId s) {
    if (s >= num_states_) num_states_ = std::size_t{s} + 1;
}

} // namespace mpcheck::explorer
