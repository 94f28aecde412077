#pragma once

#include "explorer/state_graph.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mpcheck::explorer {

// Whole-graph analyses behind the `deadlock` property. A state is *doomed* when
// no goal state (final, or frontier: cut off by a search bound, so it may still
// finish) is reachable from it: the program can never finish from there. All-
// blocked states are doomed trivially; livelocks (a polling loop that never
// exits) need these analyses.

/// Doomed flag per state, indexed by StateId (size num_states()); linear time.
[[nodiscard]] std::vector<bool> doomed_states(const StateGraph& graph);

namespace detail {
// The two ways doomed_states() decides, exposed so that tests can check each on its own.

/// Sweeps the states in decreasing id order, marking a state able to finish when one of its
/// successors is, until a sweep marks nothing; nullopt when a sweep that marked something
/// ends with more than `edge_budget` edges read in all (a graph whose ways to a goal keep
/// climbing down the ids needs a sweep per step).
[[nodiscard]] std::optional<std::vector<bool>> doomed_states_by_sweeps(const StateGraph& graph,
                                                                       std::uint64_t edge_budget);
/// One breadth-first search from all goals over the reversed edges (Boost.Graph).
[[nodiscard]] std::vector<bool> doomed_states_by_reverse_search(const StateGraph& graph);
} // namespace detail

/// The smallest doomed id (ids are BFS order, so its trace is shortest), if any.
[[nodiscard]] std::optional<StateId> first_doomed_state(const StateGraph& graph);

/// The smallest id flagged in a result of doomed_states(), if any.
[[nodiscard]] std::optional<StateId> first_doomed_state(const std::vector<bool>& doomed);

/// Why a doomed state never finishes, as a lasso: a stem into a bottom strongly connected
/// component (one with no edge leaving it) and a loop inside it that the program repeats forever.
struct NonProgressCycle {
    /// From the doomed state up to, but excluding, `entry`; empty if the doomed state is `entry`.
    std::vector<StateId> stem;
    /// The first state of the bottom component that the stem reaches.
    StateId entry = 0;
    /// A shortest loop from `entry`: each state steps to the next and the last back to `entry`.
    /// Empty when the component is `entry` alone with no successors (stuck, not looping).
    std::vector<StateId> cycle;
    /// Every state of the bottom component, ascending: the states the program is trapped in.
    std::vector<StateId> component;

    /// Whether the trap is a state with no successors rather than a loop.
    [[nodiscard]] bool stuck() const { return cycle.empty(); }
};

/// The lasso from `doomed` into the bottom component nearest to it (fewest steps,
/// then smallest BFS position), or nullopt if a goal is reachable from `doomed`.
/// `doomed` must be below graph.num_states().
[[nodiscard]] std::optional<NonProgressCycle> find_non_progress_cycle(const StateGraph& graph,
                                                                      StateId doomed);

/// Text shown for a state in a debug dump.
using StateLabeler = std::function<std::string(StateId)>;

/// Writes the graph in Graphviz DOT: final states double-bordered, frontier states dashed,
/// doomed states red. Labels default to the state id.
void write_dot(const StateGraph& graph, std::ostream& out, const StateLabeler& label = {});

} // namespace mpcheck::explorer
