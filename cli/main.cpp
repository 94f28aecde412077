// mpcheck: the command line (contract: cli-contract.md). A thin adapter: argv -> CheckOptions
// -> api::check_file for each FILE -> reports on stdout, figures in stats files -> exit
// status. No verdict logic and no report format lives here.
#include "api/batch.hpp"
#include "api/check.hpp"
#include "api/stats.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kInputError = 2;
constexpr std::uint64_t kBytesPerMebibyte = std::uint64_t{1024} * 1024;
constexpr std::size_t kHelpWidth = 88;
constexpr std::uint64_t kMaxMemoryMebibytes = std::uint64_t{1} << 40; // no overflow in bytes

const std::map<std::string, mpcheck::model::StartMethod> kMethods{
    {"fork", mpcheck::model::StartMethod::fork},
    {"spawn", mpcheck::model::StartMethod::spawn},
    {"forkserver", mpcheck::model::StartMethod::forkserver}};

/// What `mpcheck check` was asked to do.
struct CheckCommand {
    std::vector<std::string> files;
    std::string format = "text";
    std::string method = "fork";
    std::optional<std::uint64_t> max_states;
    std::optional<double> max_seconds;
    std::optional<std::uint64_t> max_memory_mib;
    std::string trace_dir;
    std::string stats_json;
    std::string stats_csv;
    bool progress = false;
    bool quiet = false;
};

/// A stats file, opened before any check so that an unwritable path fails at once.
struct StatsFile {
    std::string path;
    std::ofstream file;
    std::optional<mpcheck::api::StatsWriter> writer;
};

std::string exit_status_help() {
    return "Exit status (with several FILEs: the most severe, in the order 2 > 1 > 3 > 0):\n"
           "  0  every exploration finished and no property is violated\n"
           "  1  a property is violated (a counterexample exists)\n"
           "  2  input error: unreadable file, Python syntax error, unsupported construct,\n"
           "     bad option, unwritable --trace-dir or stats file\n"
           "  3  inconclusive: a bound stopped a search before it finished, and nothing was\n"
           "     violated so far\n";
}

// The column list wrapped to the help's width, so that it always matches the stats files.
std::string stats_columns_help() {
    std::string text = "  ";
    std::size_t line_length = 2;
    const auto& columns = mpcheck::api::stats_columns();
    for (std::size_t i = 0; i < columns.size(); ++i) {
        std::string item(columns[i]);
        item += i + 1 < columns.size() ? "," : "";
        if (line_length + item.size() + 1 > kHelpWidth) {
            text += "\n  ";
            line_length = 2;
        } else if (i > 0) {
            text += " ";
            ++line_length;
        }
        text += item;
        line_length += item.size();
    }
    return text + "\n";
}

/// The default memory bound: half the physical memory (at least 256 MiB).
std::uint64_t default_memory_mib() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    constexpr std::uint64_t kFloor = 256;
    if (pages <= 0 || page_size <= 0) return 4096;
    const std::uint64_t half = static_cast<std::uint64_t>(pages) *
                               static_cast<std::uint64_t>(page_size) / 2 / kBytesPerMebibyte;
    return std::max(half, kFloor);
}

std::string check_help() {
    std::string text =
        "Bounds (--max-states, --max-seconds, --max-memory) apply to each FILE's search; a\n"
        "search they stop is inconclusive unless a violation was already found.\n"
        "\n"
        "Several FILEs are checked one after another, each on its own with the same options;\n"
        "a FILE that cannot be read gets verdict error and the others are still checked.\n"
        "Reports appear on stdout as each check finishes:\n"
        "  text  one FILE: its report. Several: each report under a '==> FILE <==' line,\n"
        "        then a summary line (programs per verdict, exit status).\n"
        "  json  one FILE: the contract's single JSON object. Several: a JSON array of those\n"
        "        objects in command-line order, each with a leading \"file\" key.\n"
        "\n"
        "Stats files (--stats-json, --stats-csv) hold one record per FILE, in command-line\n"
        "order, written as each check finishes. Columns (CSV) and keys (JSON):\n";
    text += stats_columns_help();
    text += "  completion: finished, state-limit, time-limit, memory-limit, model-limit, or\n"
            "  not-started (input error). seconds: exploration time. bytes_per_state: bytes of\n"
            "  the visited-state store per state. violated: property ids (';'-separated in CSV).\n"
            "  JSON: an array with one object per line. CSV: a header row, RFC 4180 quoting.\n"
            "  FILE '-' is stdout; it needs --quiet (stdout otherwise carries the reports) and\n"
            "  only one of the two may use it.\n"
            "\n"
            "--progress lines: elapsed seconds, states stored (states/s), transitions,\n"
            "search depth, states queued for expansion, store bytes per state.\n"
            "\n";
    text += exit_status_help();
    return text;
}

void add_check_options(CLI::App& check, CheckCommand& c) {
    check.add_option("FILE", c.files, "the Python programs to check (one or more)")
        ->type_name("FILE.py")
        ->required();
    check.add_option("--format", c.format, "report format on stdout")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    check.add_option("--start-method", c.method, "start method when the script sets none")
        ->type_name("METHOD")
        ->check(CLI::IsMember({"fork", "spawn", "forkserver"}))
        ->capture_default_str();
    check.add_option("--max-states", c.max_states, "stop a search after N distinct states")
        ->type_name("N")
        ->check(CLI::PositiveNumber)
        ->default_str("unlimited");
    check.add_option("--max-seconds", c.max_seconds, "stop a search after S seconds")
        ->type_name("S")
        ->check(CLI::PositiveNumber)
        ->default_str("unlimited");
    check
        .add_option("--max-memory", c.max_memory_mib,
                    "stop a search when its states and graph take N MiB")
        ->type_name("N")
        ->check(CLI::Range(std::uint64_t{1}, kMaxMemoryMebibytes).description("POSITIVE"))
        ->default_str("half the physical memory (" + std::to_string(default_memory_mib()) +
                      " MiB here)");
    check
        .add_option("--trace-dir", c.trace_dir,
                    "write each counterexample as DIR/<script>.<property>.txt, .json (FILEs of "
                    "one name: <script>-2, -3, ... in command-line order)")
        ->type_name("DIR")
        ->default_str("none");
    check.add_option("--stats-json", c.stats_json, "write per-program figures as JSON to FILE")
        ->type_name("FILE")
        ->default_str("none");
    check.add_option("--stats-csv", c.stats_csv, "write per-program figures as CSV to FILE")
        ->type_name("FILE")
        ->default_str("none");
    check.add_flag("--progress", c.progress,
                   "report a search's progress on stderr every 5 s, and each FILE's end");
    check.add_flag("--quiet", c.quiet, "print no reports on stdout (everything else unchanged)");
    check.footer(check_help());
}

// Refuses '-' where it would mix figures into the reports, and two documents in one file.
bool outputs_are_distinct(const CheckCommand& c, std::string& error) {
    const bool json_out = c.stats_json == "-";
    const bool csv_out = c.stats_csv == "-";
    if (!c.stats_json.empty() && c.stats_json == c.stats_csv) {
        error = "--stats-json and --stats-csv cannot both write to " +
                (json_out ? std::string("stdout ('-')") : c.stats_json);
        return false;
    }
    if ((json_out || csv_out) && !c.quiet) {
        error = std::string(json_out ? "--stats-json" : "--stats-csv") +
                " -: stdout carries the reports; add --quiet or name a file";
        return false;
    }
    return true;
}

bool open_stats(const std::string& path, mpcheck::api::StatsFormat format,
                std::vector<std::unique_ptr<StatsFile>>& files, std::string& error) {
    if (path.empty()) return true;
    auto stats = std::make_unique<StatsFile>();
    stats->path = path;
    if (path == "-") {
        stats->writer.emplace(std::cout, format);
    } else {
        stats->file.open(path, std::ios::binary | std::ios::trunc);
        if (!stats->file) {
            error = "cannot write " + path;
            return false;
        }
        stats->writer.emplace(stats->file, format);
    }
    files.push_back(std::move(stats));
    return true;
}

mpcheck::api::CheckOptions check_options(const CheckCommand& c, const std::string& current) {
    mpcheck::api::CheckOptions options;
    options.start_method = kMethods.at(c.method);
    options.limits.max_states = c.max_states;
    options.limits.max_seconds = c.max_seconds;
    // Always bounded: a program with an infinite state space ends inconclusive, never by
    // exhausting the machine's memory.
    options.limits.max_memory_bytes =
        c.max_memory_mib.value_or(default_memory_mib()) * kBytesPerMebibyte;
    if (c.progress) {
        // `current` names the FILE being checked; it outlives every search.
        options.progress.callback = [&current](const mpcheck::explorer::Stats& s) {
            std::cerr << mpcheck::api::progress_line(current, s) << '\n';
        };
    }
    return options;
}

int run_check(const CheckCommand& c) {
    std::string error;
    std::vector<std::unique_ptr<StatsFile>> stats_files;
    if (!outputs_are_distinct(c, error) ||
        !open_stats(c.stats_json, mpcheck::api::StatsFormat::json, stats_files, error) ||
        !open_stats(c.stats_csv, mpcheck::api::StatsFormat::csv, stats_files, error)) {
        std::cerr << "mpcheck: " << error << "\n";
        return kInputError;
    }
    std::ostream no_reports(nullptr); // no buffer: what is written is dropped (--quiet)
    mpcheck::api::ReportWriter reports(c.quiet ? static_cast<std::ostream&>(no_reports) : std::cout,
                                       c.format == "json" ? mpcheck::api::ReportFormat::json
                                                          : mpcheck::api::ReportFormat::text,
                                       c.files.size());
    std::string current;
    const mpcheck::api::CheckOptions options = check_options(c, current);
    std::vector<int> statuses;
    const std::vector<std::string> trace_names = mpcheck::api::trace_names(c.files);
    for (std::size_t i = 0; i < c.files.size(); ++i) {
        const std::string& file = c.files[i];
        current = file;
        const mpcheck::api::Report report = mpcheck::api::check_file(file, options);
        int status = mpcheck::api::exit_code(report);
        if (!c.trace_dir.empty() &&
            !mpcheck::api::write_trace_dir(report, c.trace_dir, error, trace_names[i])) {
            std::cerr << "mpcheck: " << error << "\n";
            status = kInputError;
        }
        reports.add(report, status);
        auto figures = mpcheck::api::program_stats(report);
        figures.exit_code = status;
        for (auto& stats : stats_files) {
            stats->writer->add(figures);
        }
        if (c.progress) {
            std::cerr << mpcheck::api::progress_done_line(figures) << '\n';
        }
        statuses.push_back(status);
    }
    const int combined = mpcheck::api::combined_exit_code(statuses);
    reports.finish(combined);
    int result = combined;
    for (auto& stats : stats_files) {
        if (!stats->writer->finish()) {
            std::cerr << "mpcheck: cannot write " << stats->path << "\n";
            result = kInputError;
        }
    }
    return result;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"mpcheck: a model checker for Python multiprocessing programs.\n"
                 "Explores every interleaving of the program's processes, queue feeder threads,\n"
                 "pipes and locks, and reports each violated property with its shortest trace."};
    app.name("mpcheck");
    app.require_subcommand(1);
    CLI::App* check =
        app.add_subcommand("check", "check one or more Python multiprocessing programs");
    CheckCommand command;
    add_check_options(*check, command);
    app.footer("Usage: mpcheck check FILE.py [FILE.py...] [options]\n\n" + exit_status_help());
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int status = app.exit(e);
        return status == 0 ? 0 : kInputError; // --help is not an error; bad options are
    }
    return run_check(command);
}
