// Depth-first and breadth-first search visit the same states and transitions; only the paths
// they find first (and so the traces) differ.
#include "bench/workers_family.hpp"
#include "explorer/explorer.hpp"
#include "explorer/graph_analysis.hpp"
#include "tests/support/programs.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

namespace mpcheck::explorer {
namespace {

using Words = std::vector<std::uint32_t>;

/// What a search found, by state content (ids differ between orders).
struct Outcome {
    Completion how = Completion::finished;
    std::uint64_t states = 0;
    std::uint64_t transitions = 0;
    std::set<Words> finals;
    std::set<Words> doomed;
    std::set<std::pair<Words, Words>> edges;
};

Words words_of(const Explorer& explorer, StateId id) {
    model::State s;
    explorer.load(id, s);
    return {s.words().begin(), s.words().end()};
}

Outcome explore(const model::Model& model, SearchOrder order, Limits limits = {}) {
    Explorer explorer(model, limits, {}, order);
    Outcome out;
    out.how = explorer.run({});
    out.states = explorer.stats().states;
    out.transitions = explorer.stats().transitions;
    const StateGraph& graph = explorer.graph();
    const std::vector<bool> doomed = doomed_states(graph);
    for (StateId s = 0; s < graph.num_states(); ++s) {
        const Words w = words_of(explorer, s);
        if (graph.is_final(s)) out.finals.insert(w);
        if (doomed[s]) out.doomed.insert(w);
        for (const StateId t : graph.successors(s))
            out.edges.insert({w, words_of(explorer, t)});
    }
    return out;
}

void expect_same(const Outcome& bfs, const Outcome& dfs) {
    EXPECT_EQ(bfs.how, dfs.how);
    EXPECT_EQ(bfs.states, dfs.states);
    EXPECT_EQ(bfs.transitions, dfs.transitions);
    EXPECT_EQ(bfs.finals, dfs.finals);
    EXPECT_EQ(bfs.doomed, dfs.doomed);
    EXPECT_EQ(bfs.edges, dfs.edges);
}

TEST(SearchOrder, DepthFirstFindsTheSameGraphOnTheSeedPrograms) {
    for (const bool join_first : {true, false}) {
        const model::Model m(testing::seed_program(1'000'000, join_first).build(),
                             model::StartMethod::fork);
        const Outcome bfs = explore(m, SearchOrder::breadth_first);
        const Outcome dfs = explore(m, SearchOrder::depth_first);
        expect_same(bfs, dfs);
        EXPECT_EQ(bfs.doomed.empty(), !join_first); // the buggy variant deadlocks
    }
}

TEST(SearchOrder, DepthFirstFindsTheSameGraphOnTheWorkersFamily) {
    const model::Model m(bench::workers_family(1), model::StartMethod::fork);
    expect_same(explore(m, SearchOrder::breadth_first), explore(m, SearchOrder::depth_first));
}

TEST(SearchOrder, DepthFirstTraceOfEveryStateReplaysToIt) {
    const model::Model m(bench::workers_family(1), model::StartMethod::fork);
    Explorer explorer(m, {}, {}, SearchOrder::depth_first);
    ASSERT_EQ(explorer.run({}), Completion::finished);
    for (StateId s = 0; s < explorer.stats().states; ++s) {
        const Trace trace = explorer.trace_to(s);
        const model::State& end = trace.steps.empty() ? trace.initial : trace.steps.back().after;
        model::State stored;
        explorer.load(s, stored);
        ASSERT_TRUE(end == stored) << "state " << s;
    }
}

// main: `c = choice()`, then two acquire/release pairs if c is false, one if it is true, then
// `l.acquire()`. The state after the pairs is reached in three steps after the choice (c true)
// or in five (c false). Breadth-first finds the short path; depth-first takes the first
// alternative (c false) to the bottom before it expands the other.
TEST(SearchOrder, DepthFirstTracesNeedNotBeShortest) {
    model::ProgramBuilder b;
    auto main = b.module();
    const auto l = main.reg("l");
    const auto c = main.reg("c");
    main.at(1).lock(l);
    main.at(2).choose(c);
    const auto to_false = main.jump_if_false(c);
    main.at(3).acquire(l);
    main.at(3).release(l);
    const auto to_end = main.jump();
    main.patch(to_false, main.pc());
    for (int i = 0; i < 2; ++i) {
        main.at(4).acquire(l);
        main.at(4).release(l);
    }
    main.patch(to_end, main.pc());
    main.at(5).acquire(l);
    const model::Model m(b.build(), model::StartMethod::fork);

    std::size_t shortest = 0;
    std::size_t longest = 0;
    for (const SearchOrder order : {SearchOrder::breadth_first, SearchOrder::depth_first}) {
        Explorer explorer(m, {}, {}, order);
        ASSERT_EQ(explorer.run({}), Completion::finished);
        std::size_t most = 0;
        std::size_t least = SIZE_MAX;
        for (StateId s = 0; s < explorer.stats().states; ++s) {
            if (!explorer.graph().is_final(s)) continue;
            most = std::max(most, explorer.trace_to(s).steps.size());
            least = std::min(least, explorer.trace_to(s).steps.size());
        }
        ASSERT_EQ(most, least) << "the program has one final state";
        (order == SearchOrder::breadth_first ? shortest : longest) = most;
    }
    EXPECT_LT(shortest, longest);
}

TEST(SearchOrder, DepthFirstBoundLeavesUnexpandedStatesAsFrontier) {
    // The buggy seed program is a single path; a bound halfway leaves its tail unexplored,
    // and the truncated graph must not claim a deadlock.
    const model::Model m(testing::seed_program(1'000'000, true).build(), model::StartMethod::fork);
    Limits limits;
    limits.max_states = 4;
    Explorer explorer(m, limits, {}, SearchOrder::depth_first);
    EXPECT_EQ(explorer.run({}), Completion::state_limit);
    EXPECT_EQ(first_doomed_state(explorer.graph()), std::nullopt);
    bool any_frontier = false;
    for (StateId s = 0; s < explorer.graph().num_states(); ++s)
        any_frontier = any_frontier || explorer.graph().is_frontier(s);
    EXPECT_TRUE(any_frontier);
}

} // namespace
} // namespace mpcheck::explorer
