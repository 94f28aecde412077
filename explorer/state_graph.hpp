#pragma once

#include "explorer/growing_array.hpp"
#include "model/check.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mpcheck::explorer {

/// Dense id of an explored state: 0 is the initial state, then BFS discovery order.
using StateId = std::uint32_t;

/// The explored state graph, filled during the breadth-first search.
///
/// States are expanded in increasing id order, so the successor lists are kept
/// CSR-style: one flat array of targets (4 bytes per edge) and the start of
/// each expanded state's run in it (8 bytes per expanded state). Final and
/// explicitly-marked frontier states cost one bit each. States that were
/// discovered but never expanded (id >= expanded_count()) are the frontier
/// the search left behind when a bound stopped it.
class StateGraph {
public:
    /// Pre-allocates room for `states` expanded states and `edges` successor edges.
    void reserve(std::size_t states, std::size_t edges);

    /// Starts the successor list of `s`; ids are expanded in order, so s == expanded_count().
    void begin_expansion(StateId s);
    /// Appends a successor of the state being expanded; duplicates are kept.
    void add_edge(StateId to);
    /// Records that the program has finished in `s`.
    void mark_final(StateId s);
    /// Records that `s` was left (partly) unexpanded by a search bound, so it may still finish.
    void mark_frontier(StateId s);
    /// Records that `s` exists even though no edge or mark mentions it yet.
    void note_state(StateId s);

    /// Number of states known: one past the largest id seen.
    [[nodiscard]] std::size_t num_states() const { return num_states_; }
    /// Number of states whose successor lists were recorded (ids 0 .. expanded_count() - 1).
    [[nodiscard]] std::size_t expanded_count() const { return starts_.size(); }
    /// Number of successor edges recorded, duplicates included.
    [[nodiscard]] std::size_t num_edges() const { return targets_.size(); }
    /// Successors of `s` in insertion order; empty for states not expanded.
    [[nodiscard]] std::span<const StateId> successors(StateId s) const;
    /// Whether the program has finished in `s`.
    [[nodiscard]] bool is_final(StateId s) const;
    /// Whether `s` was never expanded, or was marked as cut off by a search bound.
    [[nodiscard]] bool is_frontier(StateId s) const;
    /// Whether `s` counts as able to finish by itself: final or frontier.
    [[nodiscard]] bool is_goal(StateId s) const { return is_final(s) || is_frontier(s); }

    /// Heap bytes held by the graph (allocated capacity, not just the used part).
    [[nodiscard]] std::size_t bytes() const;
    /// Returns unused capacity to the allocator, e.g. once the search is over.
    void shrink_to_fit();

private:
    void grow_to(StateId s);

    GrowingArray<std::uint64_t> starts_; // starts_[s]: index of s's first successor in targets_
    GrowingArray<StateId> targets_;
    std::vector<bool> final_;    // sized lazily: ids past the end are not final
    std::vector<bool> frontier_; // explicit marks only; unexpanded ids are frontier anyway
    std::size_t num_states_ = 0;
};

// Inline: called once per transition in the search's hot loop.
inline void StateGraph::add_edge(StateId to) {
    MPCHECK_ASSERT(!starts_.empty()); // an edge needs a state being expanded
    targets_.push_back(to);
    if (to >= num_states_) num_states_ = std::size_t{to} + 1;
}

} // namespace mpcheck::explorer
