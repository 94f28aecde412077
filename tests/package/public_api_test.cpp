// <mpcheck/mpcheck.hpp>: the verdicts, the violations and their traces, and the options, on
// the seed hazard (join before get) and its fix.
#include "tests/package/programs.hpp"
#include "tests/support/programs.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mpcheck/mpcheck.hpp>
#include <sstream>
#include <string>

namespace mpcheck {
namespace {

using package_tests::kGetBeforeJoin;
using package_tests::kJoinBeforeGet;
using package_tests::kUnsupported;

TEST(PublicApi, JoinBeforeGetIsADeadlockWithItsTrace) {
    const Report report = check_source(kJoinBeforeGet, "seed.py");
    EXPECT_EQ(report.verdict, Verdict::violation);
    const Violation* deadlock = report.find("deadlock");
    ASSERT_NE(deadlock, nullptr) << report.text();
    EXPECT_TRUE(report.violates("deadlock"));
    EXPECT_FALSE(report.free_of("deadlock"));
    EXPECT_EQ(deadlock->loc.line, 10U); // p.join()
    const std::string trace = report.trace_text(*deadlock);
    EXPECT_NE(trace.find("Process-1 line 4: q.put('X' * 1000000)"), std::string::npos) << trace;
    EXPECT_NE(report.text().find("seed.py:10:5: deadlock: "), std::string::npos) << report.text();
    EXPECT_EQ(report.exit_status(), 1);
}

TEST(PublicApi, GetBeforeJoinIsOkAndFreeOfEveryProperty) {
    const Report report = check_source(kGetBeforeJoin, "fixed.py");
    EXPECT_EQ(report.verdict, Verdict::ok) << report.text();
    EXPECT_TRUE(report.violations().empty());
    for (const std::string_view id : property_ids())
        EXPECT_TRUE(report.free_of(id)) << id;
    EXPECT_GT(report.stats().states, 0U);
    EXPECT_EQ(report.exit_status(), 0);
}

TEST(PublicApi, AStateBoundMakesTheFixInconclusiveNotOk) {
    Options options;
    options.limits.max_states = 3;
    const Report report = check_source(kGetBeforeJoin, "fixed.py", options);
    EXPECT_EQ(report.verdict, Verdict::inconclusive) << report.text();
    EXPECT_FALSE(report.free_of("deadlock"));
    EXPECT_EQ(report.exit_status(), 3);
}

TEST(PublicApi, UnsupportedSourceIsAnErrorWithItsLocation) {
    const Report report = check_source(kUnsupported, "bad.py");
    EXPECT_EQ(report.verdict, Verdict::error);
    EXPECT_EQ(report.text().rfind("bad.py:1:", 0), 0U) << report.text();
    EXPECT_NE(report.text().find("unsupported"), std::string::npos) << report.text();
    EXPECT_FALSE(report.free_of("deadlock"));
    EXPECT_EQ(report.exit_status(), 2);
}

TEST(PublicApi, CheckFileReadsTheProgramAndReportsItsPath) {
    const auto path = std::filesystem::temp_directory_path() / "mpcheck_public_api_seed.py";
    std::ofstream(path) << kJoinBeforeGet;
    const Report report = check_file(path);
    std::filesystem::remove(path);
    EXPECT_EQ(report.verdict, Verdict::violation);
    EXPECT_NE(report.text().find(path.string() + ":10:5: deadlock"), std::string::npos)
        << report.text();
}

TEST(PublicApi, AnUnreadableFileIsAnError) {
    const Report report = check_file("no/such/program.py");
    EXPECT_EQ(report.verdict, Verdict::error);
    EXPECT_NE(report.text().find("cannot read no/such/program.py"), std::string::npos);
}

TEST(PublicApi, ABuiltProgramIsCheckedLikeSource) {
    EXPECT_EQ(check_program(testing::seed_program(1'000'000, true).build()).verdict,
              Verdict::violation);
    EXPECT_EQ(check_program(testing::seed_program(1'000'000, false).build()).verdict, Verdict::ok);
}

TEST(PublicApi, CheckModelIsTheLayersOwnCheck) {
    const Model model(testing::seed_program(1'000'000, true).build(), StartMethod::fork);
    const CheckResult result = check_model(model, Limits{});
    ASSERT_EQ(result.violations.size(), 1U);
    EXPECT_EQ(result.violations[0].property, "deadlock");
}

TEST(PublicApi, VerdictsPrintAsTheContractsWords) {
    std::ostringstream out;
    out << Verdict::ok << ' ' << Verdict::violation << ' ' << Verdict::inconclusive << ' '
        << Verdict::error;
    EXPECT_EQ(out.str(), "ok violation inconclusive error");
}

TEST(PublicApi, PropertyIdsAreTheContractsTable) {
    EXPECT_TRUE(is_property_id("deadlock"));
    EXPECT_TRUE(is_property_id("unshared-resource"));
    EXPECT_FALSE(is_property_id("deadlocks"));
    EXPECT_EQ(property_ids().size(), 9U);
}

} // namespace
} // namespace mpcheck
