#pragma once

#include "properties/check.hpp"

#include <string>
#include <string_view>

namespace mpcheck::traces {

/// The contract's verdict word: "ok", "violation", "inconclusive".
std::string_view verdict_name(properties::Verdict verdict);

/// A compiler-style report: `FILE:LINE:COL: <property>: <message>` per violation, each followed
/// by its numbered trace (process, source line, action), then a summary line.
std::string to_text(const properties::CheckResult& result, const model::Model& model,
                    std::string_view file);

/// The JSON report of the command-line contract (keys in contract order). `with_seconds`
/// false writes 0 for stats.seconds so that golden files are reproducible.
std::string to_json(const properties::CheckResult& result, const model::Model& model,
                    bool with_seconds = true);

/// One violation's trace as text (the lines under its diagnostic).
std::string trace_text(const properties::Violation& violation, const model::Model& model);

} // namespace mpcheck::traces
