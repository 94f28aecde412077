#pragma once

#include "explorer/explorer.hpp"
#include "model/model.hpp"
#include "properties/check.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

/// The composition root: Python source in, verdict and counterexamples out. The command
/// line is a thin adapter over these functions, so contract behaviour (exit codes, JSON,
/// --trace-dir) is implemented and tested once, here.
namespace mpcheck::api {

/// Options of `mpcheck check`, one field per command-line option.
struct CheckOptions {
    model::StartMethod start_method = model::StartMethod::fork; ///< unless the script sets one
    explorer::Limits limits;                                    ///< --max-states/--max-seconds
    explorer::ProgressReport progress;                          ///< for long runs
};

/// A problem with the input: unreadable file, syntax error, unsupported construct.
struct InputError {
    std::string message;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

/// The outcome of checking one program.
struct Report {
    std::string file;                    ///< as given (used in diagnostics)
    std::optional<InputError> error;     ///< set: verdict "error", exit status 2
    std::unique_ptr<model::Model> model; ///< the lowered model (absent on error)
    properties::CheckResult result;
};

Report check_source(std::string_view source, std::string_view file, const CheckOptions& options);
Report check_file(const std::filesystem::path& path, const CheckOptions& options);

/// The contract's exit status: 0 ok, 1 violation, 2 input error, 3 inconclusive.
int exit_code(const Report& report);
/// The contract's verdict word.
std::string_view verdict(const Report& report);

/// Compiler-style text report (FILE:LINE:COL: property: message, numbered traces, summary).
std::string to_text(const Report& report);
/// The contract's JSON object. `with_seconds` false writes 0 seconds (reproducible goldens).
std::string to_json(const Report& report, bool with_seconds = true);
/// Writes every counterexample as <name>.<property>.txt and .json into `dir` (created); `name`
/// defaults to the stem of the report's file. Returns false with `error` set when the
/// directory cannot be written.
bool write_trace_dir(const Report& report, const std::filesystem::path& dir, std::string& error,
                     std::string_view name = {});

} // namespace mpcheck::api
