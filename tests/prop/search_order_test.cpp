// Property 1: the verdict, the violated property ids and the size of the explored graph do not
// depend on the search order.
#include "tests/prop/prop_support.hpp"

#include <gtest/gtest.h>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {
namespace {

using explorer::SearchOrder;

TEST(SearchOrderProperty, VerdictAndViolatedIdsDoNotDependOnTheOrder) {
    BoundTally bounds;
    check_property(env_count("MPCHECK_PROP_CASES", 300), [&bounds] {
        const auto program = *gen::arbitrary_program(prop_options());
        const model::Model m(gen::to_model(program), model::StartMethod::fork);
        const auto production = properties::check_model(m, prop_limits());
        RC_PRE(bounds.admit(production));
        const auto bfs = check_in_order(m, SearchOrder::breadth_first);
        const auto dfs = check_in_order(m, SearchOrder::depth_first);
        // The breadth-first run of the test's own check is the production check.
        RC_ASSERT(bfs.verdict == production.verdict);
        RC_ASSERT(violated_ids(bfs) == violated_ids(production));
        RC_ASSERT(bfs.stats.states == production.stats.states);

        RC_ASSERT(dfs.completion == bfs.completion);
        RC_ASSERT(dfs.verdict == bfs.verdict);
        RC_ASSERT(violated_ids(dfs) == violated_ids(bfs));
        RC_ASSERT(dfs.stats.states == bfs.stats.states);
        RC_ASSERT(dfs.stats.transitions == bfs.stats.transitions);
        RC_TAG(bfs.verdict == properties::Verdict::ok ? "ok" : "violation");
    });
    bounds.expect_rare();
}

} // namespace
} // namespace mpcheck::prop
