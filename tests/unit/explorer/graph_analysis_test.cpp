#include "explorer/graph_analysis.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace mpcheck::explorer {
namespace {

using Ids = std::vector<StateId>;

/// Expands states 0 .. successors.size() - 1 in order; any other state mentioned stays frontier.
StateGraph build(const std::vector<Ids>& successors, const Ids& finals = {}) {
    StateGraph graph;
    for (StateId s = 0; s < successors.size(); ++s) {
        graph.begin_expansion(s);
        for (const StateId t : successors[s]) {
            graph.add_edge(t);
        }
    }
    for (const StateId f : finals) {
        graph.mark_final(f);
    }
    return graph;
}

Ids doomed_ids(const StateGraph& graph) {
    const std::vector<bool> doomed = doomed_states(graph);
    EXPECT_EQ(doomed.size(), graph.num_states());
    Ids ids;
    for (StateId s = 0; s < doomed.size(); ++s) {
        if (doomed[s]) ids.push_back(s);
    }
    return ids;
}

// --- Which states are doomed -------------------------------------------------------------

TEST(DoomedStates, EmptyGraphHasNone) {
    EXPECT_TRUE(doomed_states(StateGraph{}).empty());
    EXPECT_EQ(first_doomed_state(StateGraph{}), std::nullopt);
}

TEST(DoomedStates, ChainToFinalStateHasNone) {
    const StateGraph graph = build({{1}, {2}, {}}, {2});
    EXPECT_EQ(doomed_ids(graph), Ids{});
}

TEST(DoomedStates, CycleWithoutExitIsDoomed) {
    // 0 may go to the final state 3 or into the loop 1 <-> 2, which it never leaves.
    const StateGraph graph = build({{1, 3}, {2}, {1}, {}}, {3});
    EXPECT_EQ(doomed_ids(graph), (Ids{1, 2}));
}

TEST(DoomedStates, CycleWithExitIsNotDoomed) {
    // The loop 1 <-> 2 can always be left for the final state 3: it may spin, but can finish.
    const StateGraph graph = build({{1}, {2}, {1, 3}, {}}, {3});
    EXPECT_EQ(doomed_ids(graph), Ids{});
}

TEST(DoomedStates, SelfLoopPollingStateIsDoomed) {
    // State 1 polls a flag nobody will ever set: its only step leads back to itself.
    const StateGraph graph = build({{1, 2}, {1}, {}}, {2});
    EXPECT_EQ(doomed_ids(graph), Ids{1});
}

TEST(DoomedStates, StuckStateAndEverythingForcedIntoItAreDoomed) {
    const StateGraph graph = build({{1}, {}});
    EXPECT_EQ(doomed_ids(graph), (Ids{0, 1}));
}

TEST(DoomedStates, UnexpandedFrontierStatesCountAsGoals) {
    // The search stopped before expanding state 2, so from 1 the program may still finish.
    const StateGraph graph = build({{1}, {1, 2}});
    EXPECT_TRUE(graph.is_frontier(2));
    EXPECT_EQ(doomed_ids(graph), Ids{});
}

TEST(DoomedStates, StatesMarkedFrontierCountAsGoals) {
    StateGraph graph = build({{0}});
    EXPECT_EQ(doomed_ids(graph), Ids{0});
    graph.mark_frontier(0);
    EXPECT_EQ(doomed_ids(graph), Ids{});
}

TEST(DoomedStates, FinalStateWithSuccessorsIsNotDoomed) {
    const StateGraph graph = build({{0}}, {0});
    EXPECT_EQ(doomed_ids(graph), Ids{});
}

TEST(FirstDoomedState, IsTheSmallestDoomedId) {
    // Doomed: 2 (self-loop), 4 and 5 (a loop); 1 can reach the final state 3.
    const StateGraph graph = build({{1, 2}, {3, 4}, {2}, {}, {5}, {4}}, {3});
    EXPECT_EQ(doomed_ids(graph), (Ids{2, 4, 5}));
    EXPECT_EQ(first_doomed_state(graph), StateId{2});
    EXPECT_EQ(first_doomed_state(doomed_states(graph)), StateId{2});
}

TEST(FirstDoomedState, IsNoneWhenEveryStateCanFinish) {
    EXPECT_EQ(first_doomed_state(build({{1}, {0, 2}, {}}, {2})), std::nullopt);
}

// --- Explaining a doomed state ------------------------------------------------------------

TEST(NonProgressCycle, IsNoneForAStateThatCanFinish) {
    const StateGraph graph = build({{1}, {2}, {1, 3}, {}}, {3});
    EXPECT_EQ(find_non_progress_cycle(graph, 0), std::nullopt);
    EXPECT_EQ(find_non_progress_cycle(graph, 3), std::nullopt);
}

TEST(NonProgressCycleDeathTest, UnknownStateAborts) {
    const StateGraph graph = build({{0}});
    EXPECT_DEATH(static_cast<void>(find_non_progress_cycle(graph, 1)), "internal error");
}

TEST(NonProgressCycle, SelfLoopIsItsOwnCycle) {
    const StateGraph graph = build({{1, 2}, {1}, {}}, {2});
    const auto lasso = find_non_progress_cycle(graph, 1);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->stem, Ids{});
    EXPECT_EQ(lasso->entry, 1U);
    EXPECT_EQ(lasso->cycle, Ids{1});
    EXPECT_EQ(lasso->component, Ids{1});
    EXPECT_FALSE(lasso->stuck());
}

TEST(NonProgressCycle, LeadsFromTheDoomedStateIntoTheLoop) {
    const StateGraph graph = build({{1}, {2}, {3}, {2}});
    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->stem, (Ids{0, 1}));
    EXPECT_EQ(lasso->entry, 2U);
    EXPECT_EQ(lasso->cycle, (Ids{2, 3}));
    EXPECT_EQ(lasso->component, (Ids{2, 3}));
}

TEST(NonProgressCycle, LoopThatCanBeLeftIsOnlyTheStem) {
    // 0 spins on itself but may move on to 1, which spins forever: 1 is the trap.
    const StateGraph graph = build({{0, 1}, {1}});
    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->stem, Ids{0});
    EXPECT_EQ(lasso->cycle, Ids{1});
}

TEST(NonProgressCycle, PicksTheNearestTrap) {
    // From 0, the loop at 4 is one step away; the one at 3 is three steps away.
    const StateGraph graph = build({{1, 4}, {2}, {3}, {3}, {4}});
    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->stem, Ids{0});
    EXPECT_EQ(lasso->cycle, Ids{4});
}

TEST(NonProgressCycle, CycleIsTheShortestLoopThroughTheEntry) {
    // Both 0 -> 1 -> 2 -> 3 -> 0 and 0 -> 4 -> 0 loop through 0.
    const StateGraph graph = build({{1, 4}, {2}, {3}, {0}, {0}});
    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->cycle, (Ids{0, 4}));
    EXPECT_EQ(lasso->component, (Ids{0, 1, 2, 3, 4}));
}

TEST(NonProgressCycle, StuckStateHasNoCycle) {
    const StateGraph graph = build({{1}, {}});
    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_TRUE(lasso->stuck());
    EXPECT_EQ(lasso->stem, Ids{0});
    EXPECT_EQ(lasso->entry, 1U);
    EXPECT_EQ(lasso->component, Ids{1});
}

// --- Agreement with a naive reference on random graphs ------------------------------------

/// States reachable from `from` (itself included), by a plain depth-first search.
std::vector<bool> reachable_from(const StateGraph& graph, StateId from) {
    std::vector<bool> seen(graph.num_states());
    Ids stack{from};
    seen[from] = true;
    while (!stack.empty()) {
        const StateId s = stack.back();
        stack.pop_back();
        for (const StateId t : graph.successors(s)) {
            if (!seen[t]) {
                seen[t] = true;
                stack.push_back(t);
            }
        }
    }
    return seen;
}

/// Reference: a state is doomed iff no goal is reachable from it.
std::vector<bool> naive_doomed(const StateGraph& graph) {
    std::vector<bool> doomed(graph.num_states());
    for (StateId s = 0; s < graph.num_states(); ++s) {
        const std::vector<bool> reach = reachable_from(graph, s);
        bool finishes = false;
        for (StateId t = 0; t < graph.num_states(); ++t) {
            finishes |= reach[t] && graph.is_goal(t);
        }
        doomed[s] = !finishes;
    }
    return doomed;
}

/// Fewest steps from `from` to each state (SIZE_MAX when unreachable).
std::vector<std::size_t> distances_from(const StateGraph& graph, StateId from) {
    std::vector<std::size_t> distance(graph.num_states(), SIZE_MAX);
    Ids queue{from};
    distance[from] = 0;
    for (std::size_t next = 0; next < queue.size(); ++next) {
        for (const StateId t : graph.successors(queue[next])) {
            if (distance[t] != SIZE_MAX) continue;
            distance[t] = distance[queue[next]] + 1;
            queue.push_back(t);
        }
    }
    return distance;
}

bool has_edge(const StateGraph& graph, StateId from, StateId to) {
    const auto successors = graph.successors(from);
    return std::find(successors.begin(), successors.end(), to) != successors.end();
}

/// Random graph of up to `max_states` states: a few final, stuck, unexpanded or marked frontier.
StateGraph random_graph(std::mt19937& rng, unsigned max_states) {
    const auto pick = [&rng](unsigned low, unsigned high) {
        return std::uniform_int_distribution<unsigned>(low, high)(rng);
    };
    const unsigned states = pick(1, max_states);
    const unsigned expanded = pick(1, 4) == 1 ? pick(1, states) : states;
    StateGraph graph;
    graph.note_state(states - 1);
    for (StateId s = 0; s < expanded; ++s) {
        graph.begin_expansion(s);
        const unsigned degree = pick(1, 10) == 1 ? 0 : pick(1, 3);
        for (unsigned k = 0; k < degree; ++k) {
            graph.add_edge(pick(0, states - 1));
        }
        if (pick(1, 15) == 1) graph.mark_final(s);
        if (pick(1, 30) == 1) graph.mark_frontier(s);
    }
    return graph;
}

/// Checks a lasso against its definition, naively.
void expect_valid_lasso(const StateGraph& graph, StateId doomed, const NonProgressCycle& lasso) {
    // The stem is a path from `doomed` to the entry, and as short as any.
    Ids path = lasso.stem;
    path.push_back(lasso.entry);
    EXPECT_EQ(path.front(), doomed);
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        EXPECT_TRUE(has_edge(graph, path[i], path[i + 1]));
    }

    // The component holds the entry, is strongly connected, and has no way out.
    const auto& component = lasso.component;
    ASSERT_TRUE(std::is_sorted(component.begin(), component.end()));
    EXPECT_TRUE(std::binary_search(component.begin(), component.end(), lasso.entry));
    for (const StateId u : component) {
        const std::vector<bool> reach = reachable_from(graph, u);
        for (const StateId v : component) {
            EXPECT_TRUE(reach[v]);
        }
        for (const StateId t : graph.successors(u)) {
            EXPECT_TRUE(std::binary_search(component.begin(), component.end(), t));
        }
    }

    // No trap (a state whose whole reach can come back to it) is nearer than the entry.
    const std::vector<std::size_t> distance = distances_from(graph, doomed);
    EXPECT_EQ(distance[lasso.entry], lasso.stem.size());
    for (StateId v = 0; v < graph.num_states(); ++v) {
        if (distance[v] >= lasso.stem.size()) continue;
        const std::vector<bool> reach = reachable_from(graph, v);
        bool trapped = true;
        for (StateId w = 0; w < graph.num_states(); ++w) {
            trapped &= !reach[w] || reachable_from(graph, w)[v];
        }
        EXPECT_FALSE(trapped) << "state " << v << " is a nearer trap";
    }

    // The cycle is a loop from the entry, and the shortest one.
    if (lasso.stuck()) {
        EXPECT_EQ(component, Ids{lasso.entry});
        EXPECT_TRUE(graph.successors(lasso.entry).empty());
        return;
    }
    EXPECT_EQ(lasso.cycle.front(), lasso.entry);
    for (std::size_t i = 0; i < lasso.cycle.size(); ++i) {
        EXPECT_TRUE(has_edge(graph, lasso.cycle[i], lasso.cycle[(i + 1) % lasso.cycle.size()]));
    }
    const std::vector<std::size_t> from_entry = distances_from(graph, lasso.entry);
    for (const StateId u : component) {
        if (has_edge(graph, u, lasso.entry)) {
            EXPECT_GE(from_entry[u] + 1, lasso.cycle.size()) << "a shorter loop ends at " << u;
        }
    }
}

TEST(GraphAnalysisReference, SmallRandomGraphsAgreeWithNaiveSearch) {
    for (unsigned seed = 1; seed <= 300; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937 rng(seed);
        const StateGraph graph = random_graph(rng, 40);
        const std::vector<bool> expected = naive_doomed(graph);
        ASSERT_EQ(doomed_states(graph), expected);

        const auto first = std::find(expected.begin(), expected.end(), true);
        EXPECT_EQ(first_doomed_state(graph),
                  first == expected.end()
                      ? std::nullopt
                      : std::optional<StateId>(static_cast<StateId>(first - expected.begin())));

        for (StateId s = 0; s < graph.num_states(); ++s) {
            SCOPED_TRACE("state " + std::to_string(s));
            const auto lasso = find_non_progress_cycle(graph, s);
            ASSERT_EQ(lasso.has_value(), expected[s]);
            if (lasso) expect_valid_lasso(graph, s, *lasso);
        }
    }
}

TEST(GraphAnalysisReference, SweepsAndReverseSearchEachAgreeWithNaiveSearch) {
    for (unsigned seed = 1; seed <= 300; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937 rng(seed);
        const StateGraph graph = random_graph(rng, 60);
        const std::vector<bool> expected = naive_doomed(graph);
        EXPECT_EQ(detail::doomed_states_by_sweeps(graph, UINT64_MAX), expected);
        EXPECT_EQ(detail::doomed_states_by_reverse_search(graph), expected);
    }
}

/// n states, each stepping to the one below it; state 0 is final. Every state can finish, but
/// only by climbing down the ids, so each sweep in decreasing id order settles one more state.
StateGraph chain_down_to_final(StateId n) {
    StateGraph graph;
    graph.reserve(n, n);
    for (StateId s = 0; s < n; ++s) {
        graph.begin_expansion(s);
        if (s > 0) graph.add_edge(s - 1);
    }
    graph.mark_final(0);
    return graph;
}

TEST(GraphAnalysisSweeps, GiveUpWhenTheWayToAGoalClimbsDownTheIds) {
    const StateGraph graph = chain_down_to_final(100);
    EXPECT_EQ(detail::doomed_states_by_sweeps(graph, 4 * graph.num_edges()), std::nullopt);
    EXPECT_EQ(detail::doomed_states_by_sweeps(graph, UINT64_MAX), std::vector<bool>(100, false));
    EXPECT_EQ(doomed_ids(graph), Ids{}); // the reverse search decides instead
}

TEST(GraphAnalysisSweeps, SettleInOneSweepWhenIdsGrowTowardsTheGoal) {
    // 0 -> 1 -> 2 -> 3 (final), and 4 loops on itself. The first sweep reads four edges and
    // marks 2, 1 and 0; the second reads only 4's loop and marks nothing, so it is done.
    const StateGraph graph = build({{1}, {2}, {3}, {}, {4}}, {3});
    EXPECT_EQ(detail::doomed_states_by_sweeps(graph, 4),
              (std::vector<bool>{false, false, false, false, true}));
    EXPECT_EQ(detail::doomed_states_by_sweeps(graph, 3), std::nullopt);
}

TEST(GraphAnalysisReference, LargerRandomGraphsAgreeWithNaiveSearch) {
    for (unsigned seed = 1; seed <= 10; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937 rng(seed);
        const StateGraph graph = random_graph(rng, 400);
        ASSERT_EQ(doomed_states(graph), naive_doomed(graph));
    }
}

// --- Scale: deep graphs must not exhaust the call stack -----------------------------------

// Far deeper than any recursive search could go: a recursive DFS needs tens of bytes of
// call stack per level, and default stacks are 8 MiB. Unoptimised builds use a smaller
// (still overflowing) depth, where the full one would take about a minute.
#ifdef NDEBUG
constexpr StateId kLongChain = 5'000'000;
#else
constexpr StateId kLongChain = 1'000'000;
#endif

/// 0 -> 1 -> ... -> kLongChain - 1.
StateGraph long_chain() {
    StateGraph graph;
    graph.reserve(kLongChain, kLongChain);
    for (StateId s = 0; s < kLongChain; ++s) {
        graph.begin_expansion(s);
        if (s + 1 < kLongChain) graph.add_edge(s + 1);
    }
    return graph;
}

TEST(GraphAnalysisScale, LongChainToFinalStateHasNothingDoomed) {
    StateGraph graph = long_chain();
    graph.mark_final(kLongChain - 1);
    EXPECT_EQ(first_doomed_state(graph), std::nullopt);
}

TEST(GraphAnalysisScale, LongChainDownToFinalStateHasNothingDoomed) {
    EXPECT_EQ(first_doomed_state(chain_down_to_final(kLongChain)), std::nullopt);
}

TEST(GraphAnalysisScale, LongChainIntoPollingLoopIsDoomedAndExplained) {
    StateGraph graph = long_chain();
    graph.add_edge(kLongChain - 1); // the last state polls forever
    EXPECT_EQ(first_doomed_state(graph), StateId{0});

    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->stem.size(), kLongChain - 1);
    EXPECT_EQ(lasso->cycle, Ids{kLongChain - 1});
}

TEST(GraphAnalysisScale, LongLoopIsOneComponent) {
    StateGraph graph = long_chain();
    graph.add_edge(0); // close the ring
    const auto lasso = find_non_progress_cycle(graph, 0);
    ASSERT_TRUE(lasso.has_value());
    EXPECT_EQ(lasso->stem, Ids{});
    EXPECT_EQ(lasso->cycle.size(), kLongChain);
    EXPECT_EQ(lasso->component.size(), kLongChain);
}

// --- Debug dump ---------------------------------------------------------------------------

TEST(WriteDot, DrawsStatesEdgesAndLivenessMarks) {
    // 0 -> 1 (final), 0 -> 2 (polls forever), 0 -> 3 (never expanded).
    StateGraph graph = build({{1, 2, 3}, {}, {2}}, {1});
    std::ostringstream out;
    write_dot(graph, out, [](StateId s) {
        if (s == 0) return std::string("say \"hi\"\nnow");
        std::string label = "s";
        label += std::to_string(s);
        return label;
    });
    const std::string dot = out.str();

    EXPECT_EQ(dot.rfind("digraph", 0), 0U) << dot;
    EXPECT_NE(dot.find("0->1"), std::string::npos) << dot;
    EXPECT_NE(dot.find("2->2"), std::string::npos) << dot;
    EXPECT_NE(dot.find(R"(label="say \"hi\"\nnow")"), std::string::npos) << dot;
    EXPECT_NE(dot.find(R"(1[label="s1", peripheries=2])"), std::string::npos) << dot;
    EXPECT_NE(dot.find(R"(2[label="s2", color=red])"), std::string::npos) << dot;
    EXPECT_NE(dot.find(R"(3[label="s3", style=dashed])"), std::string::npos) << dot;
}

TEST(WriteDot, LabelsDefaultToStateIds) {
    std::ostringstream out;
    write_dot(build({{1}}), out);
    EXPECT_NE(out.str().find(R"(1[label="1", style=dashed])"), std::string::npos) << out.str();
}

} // namespace
} // namespace mpcheck::explorer
