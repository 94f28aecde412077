#include "explorer/state_graph.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mpcheck::explorer {
namespace {

std::vector<StateId> successors_of(const StateGraph& graph, StateId s) {
    const auto successors = graph.successors(s);
    return {successors.begin(), successors.end()};
}

TEST(StateGraph, StartsEmpty) {
    const StateGraph graph;
    EXPECT_EQ(graph.num_states(), 0U);
    EXPECT_EQ(graph.expanded_count(), 0U);
    EXPECT_EQ(graph.num_edges(), 0U);
    EXPECT_TRUE(graph.successors(0).empty());
}

TEST(StateGraph, RecordsSuccessorsPerExpandedStateInOrder) {
    StateGraph graph;
    graph.begin_expansion(0);
    graph.add_edge(1);
    graph.add_edge(2);
    graph.begin_expansion(1);
    graph.begin_expansion(2);
    graph.add_edge(0);

    EXPECT_EQ(successors_of(graph, 0), (std::vector<StateId>{1, 2}));
    EXPECT_TRUE(graph.successors(1).empty());
    EXPECT_EQ(successors_of(graph, 2), (std::vector<StateId>{0}));
    EXPECT_EQ(graph.num_edges(), 3U);
    EXPECT_EQ(graph.expanded_count(), 3U);
}

TEST(StateGraph, KeepsDuplicateEdges) {
    StateGraph graph;
    graph.begin_expansion(0);
    graph.add_edge(1);
    graph.add_edge(1);
    EXPECT_EQ(successors_of(graph, 0), (std::vector<StateId>{1, 1}));
}

TEST(StateGraph, CountsEveryStateMentioned) {
    StateGraph graph;
    graph.begin_expansion(0);
    graph.add_edge(7);
    EXPECT_EQ(graph.num_states(), 8U);
    graph.mark_final(9);
    EXPECT_EQ(graph.num_states(), 10U);
    graph.note_state(11);
    EXPECT_EQ(graph.num_states(), 12U);
}

TEST(StateGraph, UnexpandedStatesAreFrontier) {
    StateGraph graph;
    graph.begin_expansion(0);
    graph.add_edge(1);
    EXPECT_FALSE(graph.is_frontier(0));
    EXPECT_TRUE(graph.is_frontier(1));
    EXPECT_TRUE(graph.is_goal(1));
    EXPECT_TRUE(graph.successors(1).empty());
}

TEST(StateGraph, ExpandedStateCanBeMarkedFrontierAndKeepsItsEdges) {
    StateGraph graph;
    graph.begin_expansion(0);
    graph.add_edge(0);
    graph.mark_frontier(0);
    EXPECT_TRUE(graph.is_frontier(0));
    EXPECT_EQ(successors_of(graph, 0), (std::vector<StateId>{0}));
}

TEST(StateGraph, FinalStatesAreGoals) {
    StateGraph graph;
    graph.begin_expansion(0);
    graph.add_edge(1);
    graph.begin_expansion(1);
    graph.mark_final(1);
    EXPECT_TRUE(graph.is_final(1));
    EXPECT_FALSE(graph.is_final(0));
    EXPECT_FALSE(graph.is_final(1000)); // past every mark: not final
    EXPECT_TRUE(graph.is_goal(1));
    EXPECT_FALSE(graph.is_goal(0));
}

// Misuse is a bug in the search, so it stops the checker instead of corrupting the graph.
TEST(StateGraphDeathTest, ExpansionOutOfOrderAborts) {
    StateGraph graph;
    EXPECT_DEATH(graph.begin_expansion(1), "internal error");
    graph.begin_expansion(0);
    EXPECT_DEATH(graph.begin_expansion(0), "internal error");
    EXPECT_DEATH(graph.begin_expansion(2), "internal error");
}

TEST(StateGraphDeathTest, EdgeBeforeAnyExpansionAborts) {
    StateGraph graph;
    EXPECT_DEATH(graph.add_edge(0), "internal error");
}

TEST(StateGraph, CostsFourBytesPerEdgeAndAboutEightPerState) {
    constexpr StateId kStates = 10'000;
    constexpr StateId kOutDegree = 5;
    StateGraph graph;
    graph.reserve(kStates, std::size_t{kStates} * kOutDegree);
    for (StateId s = 0; s < kStates; ++s) {
        graph.begin_expansion(s);
        for (StateId k = 1; k <= kOutDegree; ++k) {
            graph.add_edge((s + k) % kStates);
        }
    }
    graph.mark_final(kStates - 1);
    graph.shrink_to_fit();

    const std::size_t payload = std::size_t{4} * kStates * kOutDegree;
    EXPECT_GE(graph.bytes(), payload);
    EXPECT_LE(graph.bytes(), payload + std::size_t{9} * kStates);
}

} // namespace
} // namespace mpcheck::explorer
