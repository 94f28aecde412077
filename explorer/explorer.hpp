#pragma once

#include "explorer/growing_array.hpp"
#include "explorer/state_graph.hpp"
#include "explorer/state_store.hpp"
#include "model/model.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace mpcheck::explorer {

/// Search bounds; each maps 1:1 to a CLI option (--max-states, --max-seconds, --max-memory).
struct Limits {
    std::optional<std::uint64_t> max_states;
    std::optional<double> max_seconds;
    std::optional<std::uint64_t> max_memory_bytes;
};

struct Stats;
/// Called about every `ProgressReport::interval_seconds` during a long search.
struct ProgressReport {
    std::function<void(const Stats&)> callback;
    double interval_seconds = 5.0;
};

/// The order in which the search expands states. Both visit the same states and transitions;
/// they differ in which path to a state is found first, hence in the traces.
enum class SearchOrder : std::uint8_t {
    breadth_first, ///< level by level: the first path to each state is a shortest one (default)
    depth_first,   ///< newest state first: traces need not be shortest (cross-checks the search)
};

/// How a search ended. Anything but `finished` means parts of the state space were not
/// explored, so "no violation found" is inconclusive, never ok.
enum class Completion : std::uint8_t {
    finished,
    state_limit,
    time_limit,
    memory_limit,
    model_limit
};

/// Figures of one search.
struct Stats {
    std::uint64_t states = 0;      ///< distinct states stored
    std::uint64_t transitions = 0; ///< successor edges generated (duplicates included)
    std::uint32_t max_depth = 0;   ///< length of the longest discovery path to an expanded state
    double seconds = 0;
    std::uint64_t store_bytes = 0; ///< bytes of the visited-state store
    std::uint64_t graph_bytes = 0; ///< bytes of the state graph and parent links
    std::uint64_t queued = 0;      ///< stored states not yet expanded (in progress reports)
    double states_per_second() const { return seconds > 0 ? double(states) / seconds : 0; }
    double bytes_per_state() const { return states > 0 ? double(store_bytes) / double(states) : 0; }
};

/// The explorer's only seam: it knows no property ids (stateright / LTSmin style). Properties
/// watch the search through these callbacks and query the graph at the end.
class Observer {
public:
    virtual ~Observer() = default;
    /// The initial state and the facts its local prefix revealed.
    virtual void on_initial(const model::State& /*state*/, std::span<const model::Fact> /*facts*/) {
    }
    /// A step from `from` to `to` (which may be an old state) that revealed facts. Steps that
    /// reveal nothing are not reported (they are the vast majority; this keeps the hot loop lean).
    virtual void on_facts(StateId /*from*/, const model::Action& /*action*/, StateId /*to*/,
                          const model::State& /*next*/, std::span<const model::Fact> /*facts*/) {}
    /// A non-final state in which no actor can move.
    virtual void on_stuck(StateId /*id*/, const model::State& /*state*/) {}
    /// The search ended; the whole graph is available.
    virtual void on_finish(const StateGraph& /*graph*/, Completion /*how*/) {}
};

/// One step of a counterexample, replayed in the model.
struct TraceStep {
    model::Action action;
    model::StepInfo info;
    model::State after;
    std::vector<model::Fact> facts;
};

/// A path from the initial state, rebuilt by replaying actions (never stored per state).
struct Trace {
    model::State initial;
    std::vector<TraceStep> steps;
};

/// Exhaustive search with an exact visited set. Breadth-first by default, so the first time a
/// state is reached is along a shortest path and parent links give shortest counterexamples.
class Explorer {
public:
    Explorer(const model::Model& model, Limits limits, ProgressReport progress = {},
             SearchOrder order = SearchOrder::breadth_first);

    /// Explores every reachable state (or until a bound), notifying the observers.
    Completion run(std::span<Observer* const> observers);
    /// The path along which `id` was discovered (a shortest one in breadth-first order);
    /// replays it and checks that each step reproduces the stored state (an internal error
    /// otherwise).
    Trace trace_to(StateId id) const;
    /// The path to `from` followed by the step `action`.
    Trace trace_through(StateId from, const model::Action& action) const;
    /// Extends `trace` along the state ids `path` (each a successor of the previous one).
    void extend_along(Trace& trace, std::span<const StateId> path) const;
    void load(StateId id, model::State& out) const;

    const Stats& stats() const { return stats_; }
    const StateGraph& graph() const { return graph_; }
    const model::Model& model() const { return model_; }

private:
    std::vector<StateId> path_to(StateId id) const;
    void assemble_graph(const StateGraph& rows, std::span<const StateId> row_state);
    void append_step(Trace& trace, StateId to) const;

    const model::Model& model_;
    Limits limits_;
    ProgressReport progress_;
    SearchOrder order_;
    StateStore store_;
    StateGraph graph_;
    GrowingArray<StateId> parent_;
    Stats stats_;
};

} // namespace mpcheck::explorer
