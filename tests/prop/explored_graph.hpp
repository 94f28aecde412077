#pragma once

// The explorer's answer in the same terms as the reference enumerator's: sets of states by
// content, so that the two can be compared whatever ids the search assigned.

#include "explorer/explorer.hpp"
#include "explorer/graph_analysis.hpp"
#include "tests/prop/reference_enumerator.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace mpcheck::prop {

/// What one exhaustive search found.
struct ExploredGraph {
    explorer::Completion how = explorer::Completion::finished;
    std::uint64_t transitions = 0;
    std::set<Words> states;
    std::set<std::pair<Words, Words>> edges;
    std::map<Words, std::uint64_t> successor_counts; ///< non-final states only
    std::set<Words> finals;
    std::set<Words> stuck; ///< as reported through Observer::on_stuck
    bool doomed = false;
    std::set<model::FactKind> facts; ///< every kind reported through the observer
};

/// Collects the facts and stuck states the explorer reports to its observers.
class FactRecorder final : public explorer::Observer {
public:
    explicit FactRecorder(ExploredGraph& out) : out_(out) {}
    void on_initial(const model::State& /*state*/, std::span<const model::Fact> facts) override {
        for (const auto& f : facts)
            out_.facts.insert(f.kind);
    }
    void on_facts(explorer::StateId /*from*/, const model::Action& /*action*/,
                  explorer::StateId /*to*/, const model::State& /*next*/,
                  std::span<const model::Fact> facts) override {
        for (const auto& f : facts)
            out_.facts.insert(f.kind);
    }
    void on_stuck(explorer::StateId /*id*/, const model::State& state) override {
        out_.stuck.insert({state.words().begin(), state.words().end()});
    }

private:
    ExploredGraph& out_;
};

/// Explores `model` exhaustively in `order` and describes the graph by state content.
inline ExploredGraph explore_graph(const model::Model& model, explorer::SearchOrder order,
                                   const explorer::Limits& limits) {
    ExploredGraph out;
    FactRecorder recorder(out);
    explorer::Observer* observers[] = {&recorder};
    explorer::Explorer explorer(model, limits, {}, order);
    out.how = explorer.run(observers);
    out.transitions = explorer.stats().transitions;
    const explorer::StateGraph& graph = explorer.graph();
    std::vector<Words> words(graph.num_states());
    for (explorer::StateId s = 0; s < graph.num_states(); ++s) {
        model::State state;
        explorer.load(s, state);
        words[s].assign(state.words().begin(), state.words().end());
        out.states.insert(words[s]);
    }
    for (explorer::StateId s = 0; s < graph.num_states(); ++s) {
        if (graph.is_final(s)) {
            out.finals.insert(words[s]);
            continue;
        }
        out.successor_counts[words[s]] = graph.successors(s).size();
        for (const explorer::StateId t : graph.successors(s))
            out.edges.insert({words[s], words[t]});
    }
    out.doomed = explorer::first_doomed_state(graph).has_value();
    return out;
}

} // namespace mpcheck::prop
