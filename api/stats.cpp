#include "api/stats.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cmath>

namespace mpcheck::api {

namespace {

// Shortest text that reads back as the same double, as JSON writes it; CSV readers parse it.
std::string number(double value) {
    if (!std::isfinite(value)) return "0";
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return ec == std::errc() ? std::string(buffer.data(), end) : std::string("0");
}

// `value` with `decimals` digits after the point, for the progress lines.
std::string fixed(double value, int decimals) {
    if (!std::isfinite(value)) return "0";
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                         std::chars_format::fixed, decimals);
    return ec == std::errc() ? std::string(buffer.data(), end) : std::string("0");
}

double rounded(double value, double scale) {
    return std::round(value * scale) / scale;
}

std::string joined(const std::vector<std::string>& ids, char separator) {
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out += separator;
        out += id;
    }
    return out;
}

} // namespace

const std::vector<std::string_view>& stats_columns() {
    static const std::vector<std::string_view> kColumns{
        "file",    "verdict",           "completion",      "states",   "transitions", "max_depth",
        "seconds", "states_per_second", "bytes_per_state", "violated", "exit_code",   "error"};
    return kColumns;
}

std::string_view completion_name(explorer::Completion completion) {
    switch (completion) {
    case explorer::Completion::finished:
        return "finished";
    case explorer::Completion::state_limit:
        return "state-limit";
    case explorer::Completion::time_limit:
        return "time-limit";
    case explorer::Completion::memory_limit:
        return "memory-limit";
    case explorer::Completion::model_limit:
        return "model-limit";
    }
    return "unknown";
}

ProgramStats program_stats(const Report& report) {
    ProgramStats stats;
    stats.file = report.file;
    stats.verdict = std::string(verdict(report));
    stats.exit_code = exit_code(report);
    if (report.error) {
        stats.completion = "not-started";
        stats.error = report.error->message;
        return stats;
    }
    const explorer::Stats& s = report.result.stats;
    stats.completion = std::string(completion_name(report.result.completion));
    stats.states = s.states;
    stats.transitions = s.transitions;
    stats.max_depth = s.max_depth;
    // Finer digits than these are timing noise or meaningless in a table.
    stats.seconds = rounded(s.seconds, 1e6);
    stats.states_per_second = rounded(s.states_per_second(), 10);
    stats.bytes_per_state = rounded(s.bytes_per_state(), 100);
    for (const auto& v : report.result.violations) {
        stats.violated.push_back(v.property);
    }
    return stats;
}

std::string csv_field(std::string_view field) {
    const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                              (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!needs_quotes) return std::string(field);
    std::string out = "\"";
    for (const char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string stats_csv_header() {
    std::string out;
    for (const auto column : stats_columns()) {
        if (!out.empty()) out += ',';
        out += column;
    }
    out += '\n';
    return out;
}

std::string stats_csv_row(const ProgramStats& stats) {
    const std::array<std::string, 12> fields{csv_field(stats.file),
                                             csv_field(stats.verdict),
                                             csv_field(stats.completion),
                                             std::to_string(stats.states),
                                             std::to_string(stats.transitions),
                                             std::to_string(stats.max_depth),
                                             number(stats.seconds),
                                             number(stats.states_per_second),
                                             number(stats.bytes_per_state),
                                             csv_field(joined(stats.violated, ';')),
                                             std::to_string(stats.exit_code),
                                             csv_field(stats.error)};
    std::string out;
    for (const auto& field : fields) {
        if (!out.empty()) out += ',';
        out += field;
    }
    out += '\n';
    return out;
}

std::string stats_json_object(const ProgramStats& stats) {
    nlohmann::ordered_json j;
    j["file"] = stats.file;
    j["verdict"] = stats.verdict;
    j["completion"] = stats.completion;
    j["states"] = stats.states;
    j["transitions"] = stats.transitions;
    j["max_depth"] = stats.max_depth;
    j["seconds"] = stats.seconds;
    j["states_per_second"] = stats.states_per_second;
    j["bytes_per_state"] = stats.bytes_per_state;
    j["violated"] = stats.violated;
    j["exit_code"] = stats.exit_code;
    j["error"] = stats.error;
    // Replace invalid UTF-8 (a file name is bytes) instead of throwing.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

StatsWriter::StatsWriter(std::ostream& out, StatsFormat format) : out_(&out), format_(format) {
    if (format_ == StatsFormat::csv) *out_ << stats_csv_header();
    out_->flush();
}

void StatsWriter::add(const ProgramStats& stats) {
    if (format_ == StatsFormat::csv) {
        *out_ << stats_csv_row(stats);
    } else {
        *out_ << (rows_ == 0 ? "[\n" : ",\n") << stats_json_object(stats);
    }
    ++rows_;
    out_->flush();
}

bool StatsWriter::finish() {
    if (format_ == StatsFormat::json) *out_ << (rows_ == 0 ? "[\n]\n" : "\n]\n");
    out_->flush();
    return static_cast<bool>(*out_);
}

std::string progress_line(std::string_view file, const explorer::Stats& stats) {
    std::string line = "mpcheck: ";
    line += file;
    line += ": ";
    line += fixed(stats.seconds, 0);
    line += " s: ";
    line += std::to_string(stats.states);
    line += " states (";
    line += fixed(stats.states_per_second(), 0);
    line += "/s), ";
    line += std::to_string(stats.transitions);
    line += " transitions, depth ";
    line += std::to_string(stats.max_depth);
    line += ", queue ";
    line += std::to_string(stats.queued);
    line += ", ";
    line += fixed(stats.bytes_per_state(), 1);
    line += " bytes/state";
    return line;
}

std::string progress_done_line(const ProgramStats& stats) {
    std::string line = "mpcheck: ";
    line += stats.file;
    line += ": done in ";
    line += fixed(stats.seconds, 2);
    line += " s: ";
    line += stats.verdict;
    line += ", ";
    line += std::to_string(stats.states);
    line += " states (";
    line += fixed(stats.states_per_second, 0);
    line += "/s), ";
    line += std::to_string(stats.transitions);
    line += " transitions, depth ";
    line += std::to_string(stats.max_depth);
    return line;
}

} // namespace mpcheck::api
