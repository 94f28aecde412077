// CheckResult::can_finish on example programs: false exactly when no interleaving finishes,
// which is what lets the conformance suite demand a hang from CPython.
#include "tests/golden/example_catalog.hpp"

#include <gtest/gtest.h>

namespace mpcheck::testing {
namespace {

api::Report check_named(std::string_view stem, const api::CheckOptions& options = {}) {
    const std::string relative = std::string(kExamplesDir) + "/" + std::string(stem) + ".py";
    return api::check_source(read_text(source_dir() / relative), relative, options);
}

bool deadlocks(const api::Report& report) {
    const auto ids = violated(report);
    return std::find(ids.begin(), ids.end(), "deadlock") != ids.end();
}

TEST(CanFinish, IsFalseWhenEveryInterleavingDeadlocks) {
    for (const char* stem : {"seed", "pipe_eof", "polling_loop"}) {
        const api::Report r = check_named(stem);
        EXPECT_TRUE(deadlocks(r)) << stem;
        EXPECT_FALSE(r.result.can_finish) << stem;
    }
}

TEST(CanFinish, IsTrueWhenOnlySomeInterleavingsDeadlock) {
    const api::Report r = check_named("lock_order");
    EXPECT_TRUE(deadlocks(r));
    EXPECT_TRUE(r.result.can_finish);
}

TEST(CanFinish, IsTrueWithoutDeadlock) {
    const api::Report r = check_named("seed_fixed");
    EXPECT_EQ(r.result.verdict, properties::Verdict::ok);
    EXPECT_TRUE(r.result.can_finish);
}

TEST(CanFinish, IsTrueWhenABoundStopsTheSearchFirst) {
    api::CheckOptions options;
    options.limits.max_states = 3; // seed's deadlock lies 6 steps deep
    const api::Report r = check_named("seed", options);
    EXPECT_NE(r.result.completion, explorer::Completion::finished);
    EXPECT_TRUE(r.result.can_finish);
}

} // namespace
} // namespace mpcheck::testing
