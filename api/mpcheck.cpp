// The public façade of <mpcheck/mpcheck.hpp>: thin conversions over api/check.hpp, so that
// the command line and embedding users share one implementation of every verdict.
#include "mpcheck/mpcheck.hpp"

#include <algorithm>
#include <memory>
#include <ostream>
#include <utility>

namespace mpcheck {
namespace {

Verdict verdict_of(const api::Report& details) {
    if (details.error) return Verdict::error;
    switch (details.result.verdict) {
    case properties::Verdict::ok:
        return Verdict::ok;
    case properties::Verdict::violation:
        return Verdict::violation;
    case properties::Verdict::inconclusive:
        return Verdict::inconclusive;
    }
    return Verdict::error;
}

Report make_report(api::Report details) {
    Report report;
    report.verdict = verdict_of(details);
    report.details = std::move(details);
    return report;
}

} // namespace

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
    case Verdict::ok:
        return "ok";
    case Verdict::violation:
        return "violation";
    case Verdict::inconclusive:
        return "inconclusive";
    case Verdict::error:
        return "error";
    }
    return "error";
}

std::ostream& operator<<(std::ostream& out, Verdict verdict) {
    return out << to_string(verdict);
}

const std::vector<std::string_view>& property_ids() {
    return properties::property_ids();
}

bool is_property_id(std::string_view id) {
    const auto& ids = properties::property_ids();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

const Violation* Report::find(std::string_view property) const {
    for (const Violation& v : violations())
        if (v.property == property) return &v;
    return nullptr;
}

bool Report::free_of(std::string_view property) const {
    // Only an exhaustive search proves absence: a bound (or a rejected input) leaves states
    // unexplored, and one of them might violate `property`.
    return !details.error && details.model &&
           details.result.completion == explorer::Completion::finished && !violates(property);
}

std::string Report::text() const {
    return api::to_text(details);
}

std::string Report::trace_text(const Violation& violation) const {
    return details.model ? traces::trace_text(violation, *details.model) : std::string();
}

std::string Report::json() const {
    return api::to_json(details);
}

Report check_source(std::string_view source, std::string_view name, const Options& options) {
    return make_report(api::check_source(source, name, options));
}

Report check_file(const std::filesystem::path& path, const Options& options) {
    return make_report(api::check_file(path, options));
}

Report check_program(Program program, std::string_view name, const Options& options) {
    api::Report details;
    details.file = std::string(name);
    details.model = std::make_unique<Model>(std::move(program), options.start_method);
    details.result = properties::check_model(*details.model, options.limits, options.progress);
    return make_report(std::move(details));
}

} // namespace mpcheck
