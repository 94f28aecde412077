// Per-program figures (--stats-json, --stats-csv): what each record says about a check, and
// that both files read back with ordinary JSON and CSV readers.
#include "api/stats.hpp"
#include "tests/unit/api/programs.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace mpcheck::api {
namespace {

using testing::check;
using testing::kSeedGetFirst;
using testing::kSeedJoinFirst;

/// One RFC 4180 record (without its line end) split into fields: enough to read back rows.
std::vector<std::string> parse_csv_record(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

TEST(ProgramStats, ViolationRecordsThePropertyTheFiguresAndStatusOne) {
    const Report buggy = check(kSeedJoinFirst, "seed.py");
    const ProgramStats s = program_stats(buggy);
    EXPECT_EQ(s.file, "seed.py");
    EXPECT_EQ(s.verdict, "violation");
    EXPECT_EQ(s.completion, "finished");
    EXPECT_EQ(s.violated, std::vector<std::string>{"deadlock"});
    EXPECT_EQ(s.exit_code, 1);
    EXPECT_EQ(s.states, buggy.result.stats.states);
    EXPECT_EQ(s.transitions, buggy.result.stats.transitions);
    EXPECT_EQ(s.max_depth, buggy.result.stats.max_depth);
    EXPECT_GT(s.states, 0u);
    EXPECT_GT(s.bytes_per_state, 0.0);
    EXPECT_TRUE(s.error.empty());
}

TEST(ProgramStats, FixedProgramIsOkWithNoViolatedIds) {
    const ProgramStats s = program_stats(check(kSeedGetFirst, "seed_fixed.py"));
    EXPECT_EQ(s.verdict, "ok");
    EXPECT_EQ(s.completion, "finished");
    EXPECT_TRUE(s.violated.empty());
    EXPECT_EQ(s.exit_code, 0);
}

TEST(ProgramStats, StateBoundGivesInconclusiveWithStateLimitCompletion) {
    CheckOptions options;
    options.limits.max_states = 3;
    const ProgramStats s = program_stats(check_source(kSeedGetFirst, "seed_fixed.py", options));
    EXPECT_EQ(s.verdict, "inconclusive");
    EXPECT_EQ(s.completion, "state-limit");
    EXPECT_EQ(s.exit_code, 3);
    EXPECT_LE(s.states, 3u);
}

TEST(ProgramStats, UnreadableFileIsAnErrorThatWasNeverExplored) {
    const ProgramStats s = program_stats(check_file("no-such-dir/missing.py", {}));
    EXPECT_EQ(s.verdict, "error");
    EXPECT_EQ(s.completion, "not-started");
    EXPECT_EQ(s.exit_code, 2);
    EXPECT_EQ(s.states, 0u);
    EXPECT_NE(s.error.find("missing.py"), std::string::npos) << s.error;
}

TEST(ProgramStats, DirectoryIsUnreadableNotAnEmptyProgram) {
    const ProgramStats s = program_stats(check_file(std::filesystem::temp_directory_path(), {}));
    EXPECT_EQ(s.verdict, "error");
    EXPECT_EQ(s.exit_code, 2);
}

TEST(CsvField, PlainTextIsLeftAsItIs) {
    EXPECT_EQ(csv_field("seed.py"), "seed.py");
}

TEST(CsvField, CommasQuotesAndLineBreaksAreQuotedWithQuotesDoubled) {
    EXPECT_EQ(csv_field("a,b.py"), "\"a,b.py\"");
    EXPECT_EQ(csv_field("say \"hi\".py"), "\"say \"\"hi\"\".py\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field(" padded"), "\" padded\"");
}

TEST(StatsCsv, HeaderThenOneRowPerProgramThatReadsBackFieldByField) {
    ProgramStats odd = program_stats(check(kSeedJoinFirst, "odd, \"name\".py"));
    odd.violated = {"deadlock", "lost-data"};
    const ProgramStats ok = program_stats(check(kSeedGetFirst, "fixed.py"));
    std::ostringstream out;
    StatsWriter writer(out, StatsFormat::csv);
    writer.add(odd);
    writer.add(ok);
    ASSERT_TRUE(writer.finish());

    const auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 3u) << out.str();
    const auto header = parse_csv_record(lines[0]);
    ASSERT_EQ(header.size(), stats_columns().size());
    for (std::size_t i = 0; i < header.size(); ++i)
        EXPECT_EQ(header[i], stats_columns()[i]);
    const auto first = parse_csv_record(lines[1]);
    ASSERT_EQ(first.size(), header.size()) << lines[1];
    EXPECT_EQ(first[0], "odd, \"name\".py");
    EXPECT_EQ(first[1], "violation");
    EXPECT_EQ(first[3], std::to_string(odd.states));
    EXPECT_EQ(first[9], "deadlock;lost-data");
    EXPECT_EQ(first[10], "1");
    const auto second = parse_csv_record(lines[2]);
    EXPECT_EQ(second[1], "ok");
    EXPECT_EQ(second[9], "");
    EXPECT_EQ(second[10], "0");
    EXPECT_DOUBLE_EQ(std::stod(second[6]), ok.seconds);
}

TEST(StatsJson, AnArrayWithOneObjectPerLineKeyedByColumn) {
    const ProgramStats buggy = program_stats(check(kSeedJoinFirst, "seed.py"));
    const ProgramStats missing = program_stats(check_file("no-such-dir/missing.py", {}));
    std::ostringstream out;
    StatsWriter writer(out, StatsFormat::json);
    writer.add(buggy);
    writer.add(missing);
    ASSERT_TRUE(writer.finish());

    EXPECT_EQ(lines_of(out.str()).size(), 4u) << out.str(); // [, two objects, ]
    const auto j = nlohmann::ordered_json::parse(out.str());
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u);
    std::vector<std::string> keys;
    for (const auto& [key, value] : j[0].items())
        keys.push_back(key);
    EXPECT_EQ(keys, std::vector<std::string>(stats_columns().begin(), stats_columns().end()));
    EXPECT_EQ(j[0]["verdict"], "violation");
    EXPECT_EQ(j[0]["violated"], nlohmann::json::array({"deadlock"}));
    EXPECT_EQ(j[0]["states"], buggy.states);
    EXPECT_EQ(j[0]["exit_code"], 1);
    EXPECT_EQ(j[1]["verdict"], "error");
    EXPECT_EQ(j[1]["exit_code"], 2);
    EXPECT_EQ(j[1]["error"], missing.error);
}

TEST(StatsJson, NoProgramsIsAnEmptyArray) {
    std::ostringstream out;
    StatsWriter writer(out, StatsFormat::json);
    ASSERT_TRUE(writer.finish());
    EXPECT_TRUE(nlohmann::json::parse(out.str()).empty());
}

TEST(ProgressLine, NamesTheFileAndEveryFigure) {
    explorer::Stats s;
    s.states = 123456;
    s.transitions = 234567;
    s.max_depth = 17;
    s.queued = 4321;
    s.seconds = 10;
    s.store_bytes = 1234560;
    const std::string line = progress_line("big.py", s);
    EXPECT_EQ(line, "mpcheck: big.py: 10 s: 123456 states (12346/s), 234567 transitions, "
                    "depth 17, queue 4321, 10.0 bytes/state");
}

TEST(ProgressLine, DoneLineGivesTheVerdictAndFigures) {
    ProgramStats s;
    s.file = "big.py";
    s.verdict = "inconclusive";
    s.seconds = 20.0224;
    s.states = 1159082;
    s.states_per_second = 57889.5;
    s.transitions = 3987034;
    s.max_depth = 37;
    EXPECT_EQ(progress_done_line(s), "mpcheck: big.py: done in 20.02 s: inconclusive, 1159082 "
                                     "states (57890/s), 3987034 transitions, depth 37");
}

} // namespace
} // namespace mpcheck::api
