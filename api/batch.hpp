#pragma once

#include "api/check.hpp"

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

/// Checking several programs in one run: the combined exit status and the report forms.
namespace mpcheck::api {

/// How severe an exit status is, for combining several: 2 input error > 1 violation >
/// 3 inconclusive > 0 ok. An unknown status ranks with input errors.
int severity(int exit_status);

/// The most severe of `statuses` (0 when empty): a run over several programs exits with it.
int combined_exit_code(std::span<const int> statuses);

/// The names under which write_trace_dir writes the counterexamples of `files` checked in one
/// run: each file's stem, made unique in command-line order by a suffix -2, -3, ... (so that
/// a/job.py and b/job.py give job.<property>.* and job-2.<property>.*).
std::vector<std::string> trace_names(std::span<const std::string> files);

/// The contract's JSON object for `report` with a leading "file" key (as given): one element
/// of the multi-program JSON array.
std::string to_json_with_file(const Report& report, bool with_seconds = true);

/// The report format on stdout.
enum class ReportFormat : std::uint8_t { text, json };

/// Writes the reports of one run program by program, as each finishes. With one program the
/// output is exactly the contract's report. With several: text reports are each headed by
/// `==> FILE <==` and followed by a summary line; JSON is a top-level array of the contract's
/// objects, each with a leading "file" key.
class ReportWriter {
public:
    /// Writes to `out` (which must outlive the writer) the reports of `programs` programs.
    ReportWriter(std::ostream& out, ReportFormat format, std::size_t programs);
    /// Writes one program's report; `exit_status` is its status on its own.
    void add(const Report& report, int exit_status);
    /// Completes the output (closing bracket, or the summary line) for the combined status.
    void finish(int combined_status);

private:
    std::ostream* out_; // not owned
    ReportFormat format_;
    std::size_t programs_;
    std::size_t written_ = 0;
    std::size_t ok_ = 0;
    std::size_t violation_ = 0;
    std::size_t inconclusive_ = 0;
    std::size_t error_ = 0;
};

} // namespace mpcheck::api
