#pragma once

#include "api/check.hpp"
#include "explorer/explorer.hpp"

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

/// Per-program figures for experiments over families of programs (`--stats-json`,
/// `--stats-csv`), and the progress line of long searches.
namespace mpcheck::api {

/// The figures of checking one program: one row of the stats table. The field order is the
/// column order of the CSV file and the key order of the JSON objects.
struct ProgramStats {
    std::string file;                  ///< as given on the command line
    std::string verdict;               ///< ok, violation, inconclusive or error
    std::string completion;            ///< how the search ended (see completion_name)
    std::uint64_t states = 0;          ///< distinct states stored
    std::uint64_t transitions = 0;     ///< successor edges generated
    std::uint32_t max_depth = 0;       ///< BFS depth of the deepest state
    double seconds = 0;                ///< exploration time, to the microsecond
    double states_per_second = 0;      ///< states / seconds (0 when seconds is 0), to 0.1
    double bytes_per_state = 0;        ///< visited-state store bytes per state, to 0.01
    std::vector<std::string> violated; ///< violated property ids, in contract order
    int exit_code = 0;                 ///< this program's exit status on its own
    std::string error;                 ///< the input error (verdict "error"), else empty
};

/// The column names, in order: the CSV header and the JSON keys.
const std::vector<std::string_view>& stats_columns();

/// How a search ended, as a word: finished, state-limit, time-limit, memory-limit,
/// model-limit.
std::string_view completion_name(explorer::Completion completion);

/// The figures of `report`; a program that was never explored (input error) has completion
/// "not-started" and zero figures.
ProgramStats program_stats(const Report& report);

/// `field` as one CSV field (RFC 4180): quoted, with quotes doubled, when it contains a comma,
/// a double quote, CR or LF, or begins or ends with a space; otherwise as it is.
std::string csv_field(std::string_view field);
/// The CSV header row, ending in LF.
std::string stats_csv_header();
/// One CSV row ending in LF; the violated ids are joined by ';' in one field.
std::string stats_csv_row(const ProgramStats& stats);
/// One program's figures as a single-line JSON object (keys in column order; violated is an
/// array of ids).
std::string stats_json_object(const ProgramStats& stats);

/// The format of a stats file.
enum class StatsFormat : std::uint8_t { json, csv };

/// Writes a stats file program by program, flushing after each, so that the rows of an
/// interrupted run are kept. JSON: a top-level array with one object per line. CSV: a header
/// row, then one row per program.
class StatsWriter {
public:
    /// Writes to `out`, which must outlive the writer.
    StatsWriter(std::ostream& out, StatsFormat format);
    /// Appends one program's figures.
    void add(const ProgramStats& stats);
    /// Completes the document (closes the JSON array). Returns false if writing failed.
    bool finish();

private:
    std::ostream* out_; // not owned
    StatsFormat format_;
    std::size_t rows_ = 0;
};

/// One line (no newline) for stderr about a search in progress: elapsed seconds, states,
/// states per second, transitions, depth, states queued for expansion, store bytes per state.
std::string progress_line(std::string_view file, const explorer::Stats& stats);
/// The line (no newline) for stderr when a program's check has ended: verdict and figures.
std::string progress_done_line(const ProgramStats& stats);

} // namespace mpcheck::api
