// <mpcheck/gtest.hpp>: each assertion passes on the right verdict, and a failure names the
// subject and prints the counterexample trace.
#include "tests/package/programs.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <mpcheck/gtest.hpp>

namespace {

using mpcheck::package_tests::kGetBeforeJoin;
using mpcheck::package_tests::kJoinBeforeGet;
using mpcheck::package_tests::kUnsupported;

// A bound too small to finish: nothing may be claimed absent.
mpcheck::Report bounded(const char* source) {
    mpcheck::Options options;
    options.limits.max_states = 3;
    return mpcheck::check_source(source, "bounded.py", options);
}

TEST(GTestAssertions, PassOnTheMatchingVerdict) {
    EXPECT_MPCHECK_VIOLATES(kJoinBeforeGet, "deadlock");
    EXPECT_MPCHECK_FREE_OF(kGetBeforeJoin, "deadlock");
    EXPECT_MPCHECK_OK(kGetBeforeJoin);
    ASSERT_MPCHECK_OK(mpcheck::check_source(kGetBeforeJoin, "fixed.py"));
    ASSERT_MPCHECK_VIOLATES(mpcheck::check_source(kJoinBeforeGet, "seed.py"), "deadlock");
    ASSERT_MPCHECK_FREE_OF(mpcheck::check_source(kJoinBeforeGet, "seed.py"), "lost-data");
}

TEST(GTestAssertions, FreeOfPrintsTheCounterexampleTrace) {
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_FREE_OF(kJoinBeforeGet, "deadlock"),
                            "Process-1 line 4: q.put('X' * 1000000)");
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_FREE_OF(kJoinBeforeGet, "deadlock"),
                            "kJoinBeforeGet: expected no deadlock in any interleaving, but the "
                            "verdict is violation");
}

TEST(GTestAssertions, OkFailsOnAViolationWithItsDiagnostic) {
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_OK(kJoinBeforeGet), "<string>:10:5: deadlock: ");
    EXPECT_FATAL_FAILURE(ASSERT_MPCHECK_OK(kJoinBeforeGet), "but the verdict is violation");
}

TEST(GTestAssertions, ViolatesFailsWhenTheProgramIsFixed) {
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_VIOLATES(kGetBeforeJoin, "deadlock"),
                            "expected a violation of deadlock, but the verdict is ok");
    EXPECT_FATAL_FAILURE(ASSERT_MPCHECK_VIOLATES(kGetBeforeJoin, "deadlock"),
                         "expected a violation of deadlock");
}

TEST(GTestAssertions, FreeOfFailsWhenTheSearchWasCutShort) {
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_FREE_OF(bounded(kGetBeforeJoin), "deadlock"),
                            "but the verdict is inconclusive");
    EXPECT_FATAL_FAILURE(ASSERT_MPCHECK_FREE_OF(bounded(kGetBeforeJoin), "deadlock"),
                         "(stopped by --max-states)");
}

TEST(GTestAssertions, RejectedInputFailsEveryAssertion) {
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_FREE_OF(kUnsupported, "deadlock"),
                            "but the verdict is error");
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_OK(kUnsupported), "unsupported");
}

TEST(GTestAssertions, AnUnknownPropertyIdFailsInsteadOfPassing) {
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_FREE_OF(kGetBeforeJoin, "deadlocks"),
                            "\"deadlocks\" is not an mpcheck property id");
    EXPECT_NONFATAL_FAILURE(EXPECT_MPCHECK_VIOLATES(kJoinBeforeGet, "dead-lock"),
                            "the ids are: deadlock, ");
}

} // namespace
