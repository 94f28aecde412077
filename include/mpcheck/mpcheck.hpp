#pragma once

// The public entry point of the installed package: check Python source or a model built in
// C++, and inspect the verdict, the violations and their counterexample traces. The layers'
// own types are re-exported here under `mpcheck::` rather than wrapped, so that code written
// against one layer (model::ProgramBuilder, properties::check_model) keeps working unchanged.

#include "api/check.hpp"
#include "explorer/explorer.hpp"
#include "model/model.hpp"
#include "model/program_builder.hpp"
#include "properties/check.hpp"
#include "properties/property.hpp"
#include "traces/render.hpp"

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck {

// ---- building and checking models in C++ (the layers' types, re-exported) ----

/// Builds a program of the model's IR directly from C++ (see README "Using the C++ API").
using model::ProgramBuilder;
/// Builds one function's code inside a ProgramBuilder.
using model::FunctionBuilder;
/// A built program (the front end lowers Python into the same IR).
using model::Program;
/// The transition system of a program under a start method.
using model::Model;
/// fork, spawn or forkserver: the default when the program does not set one.
using model::StartMethod;
/// Search bounds: max_states, max_seconds, max_memory_bytes.
using explorer::Limits;
/// Figures of one search: states, transitions, depth, seconds.
using explorer::Stats;
/// How a search ended: finished, or which bound stopped it.
using explorer::Completion;
/// A violated property: id, message, source location and shortest counterexample.
using properties::Violation;
/// The result of checking a model: verdict, violations, completion and figures.
using properties::CheckResult;
/// Explores a model within limits and evaluates every property of the contract.
using properties::check_model;

/// Options of a check: start method, search limits and progress callback (as on the CLI).
/// A type of its own rather than an alias, so that an unqualified `check_source(..., options)`
/// picks this façade and is not made ambiguous by api::check_source found through ADL.
struct Options : api::CheckOptions {};

/// The outcome of a check in the contract's words; `error` means the input was rejected.
enum class Verdict : std::uint8_t { ok, violation, inconclusive, error };

/// "ok", "violation", "inconclusive" or "error".
std::string_view to_string(Verdict verdict);
/// Writes the verdict's word (so that test frameworks print it readably).
std::ostream& operator<<(std::ostream& out, Verdict verdict);

/// The contract's property ids ("deadlock", "abandoned-lock", ...), in table order.
const std::vector<std::string_view>& property_ids();
/// Whether `id` is one of the contract's property ids.
bool is_property_id(std::string_view id);

/// A checked program: its verdict and everything needed to explain it.
struct Report {
    Verdict verdict = Verdict::ok; ///< ok / violation / inconclusive / error
    api::Report details;           ///< file name, input error, lowered model, raw result

    /// The violations found, in contract order (empty unless the verdict is violation).
    const std::vector<Violation>& violations() const { return details.result.violations; }
    /// The violation of `property` ("deadlock", ...), or null when it was not found.
    const Violation* find(std::string_view property) const;
    /// Whether a counterexample for `property` was found.
    bool violates(std::string_view property) const { return find(property) != nullptr; }
    /// Whether the search covered every state and found no violation of `property`.
    bool free_of(std::string_view property) const;
    /// The search figures (zero when the input was rejected).
    const Stats& stats() const { return details.result.stats; }
    /// Compiler-style text: `FILE:LINE:COL: property: message`, numbered traces, summary line.
    std::string text() const;
    /// One violation's counterexample as numbered lines (process, source line, action).
    std::string trace_text(const Violation& violation) const;
    /// The command-line contract's JSON report.
    std::string json() const;
    /// The command-line contract's exit status: 0 ok, 1 violation, 2 error, 3 inconclusive.
    int exit_status() const { return api::exit_code(details); }
};

/// Checks Python source; `name` is the file name used in diagnostics and traces.
Report check_source(std::string_view source, std::string_view name = "<string>",
                    const Options& options = {});
/// Reads and checks a Python file; an unreadable file gives the verdict error.
Report check_file(const std::filesystem::path& path, const Options& options = {});
/// Checks a program built with ProgramBuilder under `options.start_method`; `name` appears in
/// diagnostics as the file name.
Report check_program(Program program, std::string_view name = "<program>",
                     const Options& options = {});

} // namespace mpcheck
