// Several programs in one run: the combined exit status and the report forms on stdout.
#include "api/batch.hpp"
#include "tests/unit/api/programs.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace mpcheck::api {
namespace {

using testing::check;
using testing::kSeedGetFirst;
using testing::kSeedJoinFirst;

int combined(std::vector<int> statuses) {
    return combined_exit_code(statuses);
}

TEST(CombinedExitCode, InputErrorOutranksViolationOutranksInconclusiveOutranksOk) {
    EXPECT_EQ(combined({0, 0}), 0);
    EXPECT_EQ(combined({0, 3}), 3);
    EXPECT_EQ(combined({3, 1, 0}), 1);
    EXPECT_EQ(combined({1, 3}), 1);
    EXPECT_EQ(combined({1, 2, 3}), 2);
    EXPECT_EQ(combined({2, 0}), 2);
}

TEST(CombinedExitCode, NoStatusesIsOk) {
    EXPECT_EQ(combined({}), 0);
}

using Names = std::vector<std::string>;

TEST(TraceNames, AreTheFileStemsWhenTheyDiffer) {
    EXPECT_EQ(trace_names(Names{"seed.py", "jobs/seed_fixed.py"}), (Names{"seed", "seed_fixed"}));
}

TEST(TraceNames, FilesOfOneNameInDifferentFoldersGetNumberedInCommandLineOrder) {
    // Without the numbers the second file's traces would overwrite the first one's.
    EXPECT_EQ(trace_names(Names{"a/job.py", "b/job.py", "c/job.py", "other.py"}),
              (Names{"job", "job-2", "job-3", "other"}));
}

TEST(TraceNames, ANumberedNameNeverTakesTheNameOfAnotherFile) {
    EXPECT_EQ(trace_names(Names{"a/job.py", "b/job.py", "job-2.py"}),
              (Names{"job", "job-2", "job-2-2"}));
}

std::string write_reports(ReportFormat format, const std::vector<const Report*>& reports) {
    std::ostringstream out;
    ReportWriter writer(out, format, reports.size());
    std::vector<int> statuses;
    for (const Report* r : reports) {
        writer.add(*r, exit_code(*r));
        statuses.push_back(exit_code(*r));
    }
    writer.finish(combined_exit_code(statuses));
    return out.str();
}

TEST(ReportWriter, OneProgramWritesExactlyTheContractReport) {
    const Report buggy = check(kSeedJoinFirst, "seed.py");
    const std::string json = write_reports(ReportFormat::json, {&buggy});
    const std::string text = write_reports(ReportFormat::text, {&buggy});
    EXPECT_EQ(json, to_json(buggy));
    EXPECT_EQ(text, to_text(buggy));
}

TEST(ReportWriter, SeveralProgramsInJsonAreAnArrayOfContractObjectsWithAFileKey) {
    const Report buggy = check(kSeedJoinFirst, "seed.py");
    const Report fixed = check(kSeedGetFirst, "seed_fixed.py");
    const Report missing = check_file("no-such-dir/missing.py", {});
    const auto j = nlohmann::ordered_json::parse(
        write_reports(ReportFormat::json, {&buggy, &fixed, &missing}));
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0].begin().key(), "file");
    EXPECT_EQ(j[0]["file"], "seed.py");
    EXPECT_EQ(j[0]["verdict"], "violation");
    EXPECT_EQ(j[0]["violations"][0]["property"], "deadlock");
    EXPECT_EQ(j[1]["file"], "seed_fixed.py");
    EXPECT_EQ(j[1]["verdict"], "ok");
    EXPECT_EQ(j[2]["file"], "no-such-dir/missing.py");
    EXPECT_EQ(j[2]["verdict"], "error");
    EXPECT_TRUE(j[2].contains("error"));
    // Apart from "file", each element is the contract's object.
    auto element = j[1];
    element.erase("file");
    EXPECT_EQ(element, nlohmann::ordered_json::parse(to_json(fixed)));
}

TEST(ReportWriter, SeveralProgramsInTextAreHeadedByTheirFileAndSummarised) {
    const Report buggy = check(kSeedJoinFirst, "seed.py");
    const Report fixed = check(kSeedGetFirst, "seed_fixed.py");
    const std::string text = write_reports(ReportFormat::text, {&buggy, &fixed});
    const auto first = text.find("==> seed.py <==\n" + to_text(buggy));
    const auto second = text.find("\n==> seed_fixed.py <==\n");
    EXPECT_EQ(first, 0u) << text;
    ASSERT_NE(second, std::string::npos) << text;
    EXPECT_LT(first, second);
    EXPECT_NE(text.find("2 programs: 1 ok, 1 violation, 0 inconclusive, 0 error; exit status 1\n"),
              std::string::npos)
        << text;
}

} // namespace
} // namespace mpcheck::api
