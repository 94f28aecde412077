#include "traces/render.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace mpcheck::traces {

namespace {

std::string process_of(const explorer::TraceStep& step, const model::Model& model) {
    std::string name = model.process_name(step.after, step.info.proc);
    if (step.info.feeder) name += " (feeder thread)";
    return name;
}

std::string completion_note(explorer::Completion how, const std::string& model_limit) {
    switch (how) {
    case explorer::Completion::finished:
        return "";
    case explorer::Completion::state_limit:
        return " (stopped by --max-states)";
    case explorer::Completion::time_limit:
        return " (stopped by --max-seconds)";
    case explorer::Completion::memory_limit:
        return " (stopped by --max-memory)";
    case explorer::Completion::model_limit:
        return model_limit.empty()
                   ? " (a step exceeds what the model can represent)"
                   : " (a step exceeds what the model can represent: " + model_limit + ")";
    }
    return "";
}

} // namespace

std::string_view verdict_name(properties::Verdict verdict) {
    switch (verdict) {
    case properties::Verdict::ok:
        return "ok";
    case properties::Verdict::violation:
        return "violation";
    case properties::Verdict::inconclusive:
        return "inconclusive";
    }
    return "error";
}

std::string trace_text(const properties::Violation& violation, const model::Model& model) {
    std::ostringstream out;
    const auto& steps = violation.trace.steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto& s = steps[i];
        out << "  " << (i + 1) << ". " << process_of(s, model);
        if (s.info.loc.line != 0) out << " line " << s.info.loc.line;
        out << ": " << s.info.action << "\n";
    }
    return out.str();
}

std::string to_text(const properties::CheckResult& result, const model::Model& model,
                    std::string_view file) {
    std::ostringstream out;
    for (const auto& v : result.violations) {
        out << file << ":" << v.loc.line << ":" << v.loc.column << ": " << v.property << ": "
            << v.message << "\n";
        out << trace_text(v, model);
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", result.stats.seconds);
    out << verdict_name(result.verdict) << ": " << result.violations.size() << " violation(s); "
        << result.stats.states << " states, " << result.stats.transitions << " transitions, depth "
        << result.stats.max_depth << ", " << seconds << " s"
        << completion_note(result.completion, result.model_limit) << "\n";
    return out.str();
}

std::string to_json(const properties::CheckResult& result, const model::Model& model,
                    bool with_seconds) {
    using nlohmann::ordered_json;
    ordered_json report;
    report["verdict"] = verdict_name(result.verdict);
    ordered_json violations = ordered_json::array();
    for (const auto& v : result.violations) {
        ordered_json j;
        j["property"] = v.property;
        j["message"] = v.message;
        j["location"] = {{"line", v.loc.line}, {"column", v.loc.column}};
        ordered_json trace = ordered_json::array();
        for (std::size_t i = 0; i < v.trace.steps.size(); ++i) {
            const auto& s = v.trace.steps[i];
            trace.push_back({{"step", i},
                             {"process", process_of(s, model)},
                             {"action", s.info.action},
                             {"line", s.info.loc.line}});
        }
        j["trace"] = std::move(trace);
        violations.push_back(std::move(j));
    }
    report["violations"] = std::move(violations);
    report["stats"] = {{"states", result.stats.states},
                       {"transitions", result.stats.transitions},
                       {"seconds", with_seconds ? result.stats.seconds : 0.0},
                       {"max_depth", result.stats.max_depth}};
    return report.dump(2) + "\n";
}

} // namespace mpcheck::traces
