#include "api/check.hpp"

#include "frontend/frontend.hpp"
#include "traces/render.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <variant>

namespace mpcheck::api {

Report check_source(std::string_view source, std::string_view file, const CheckOptions& options) {
    Report report;
    report.file = std::string(file);
    auto lowered = frontend::lower_python(source, file);
    if (auto* d = std::get_if<frontend::Diagnostic>(&lowered)) {
        report.error = InputError{d->message, d->line, d->column};
        return report;
    }
    report.model = std::make_unique<model::Model>(std::get<model::Program>(std::move(lowered)),
                                                  options.start_method);
    report.result = properties::check_model(*report.model, options.limits, options.progress);
    return report;
}

Report check_file(const std::filesystem::path& path, const CheckOptions& options) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec; // a directory opens like an empty file: refuse it as unreadable
    if (!in || std::filesystem::is_directory(path, ec)) {
        Report report;
        report.file = path.string();
        report.error = InputError{"cannot read " + path.string(), 0, 0};
        return report;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return check_source(text.str(), path.string(), options);
}

int exit_code(const Report& report) {
    if (report.error) return 2;
    switch (report.result.verdict) {
    case properties::Verdict::ok:
        return 0;
    case properties::Verdict::violation:
        return 1;
    case properties::Verdict::inconclusive:
        return 3;
    }
    return 2;
}

std::string_view verdict(const Report& report) {
    return report.error ? "error" : traces::verdict_name(report.result.verdict);
}

std::string to_text(const Report& report) {
    if (report.error) {
        std::ostringstream out;
        out << report.file << ":" << report.error->line << ":" << report.error->column << ": "
            << report.error->message << "\n";
        return out.str();
    }
    return traces::to_text(report.result, *report.model, report.file);
}

std::string to_json(const Report& report, bool with_seconds) {
    if (!report.error) return traces::to_json(report.result, *report.model, with_seconds);
    nlohmann::ordered_json j;
    j["verdict"] = "error";
    j["violations"] = nlohmann::ordered_json::array();
    j["stats"] = {{"states", 0}, {"transitions", 0}, {"seconds", 0.0}, {"max_depth", 0}};
    j["error"] = {{"message", report.error->message},
                  {"line", report.error->line},
                  {"column", report.error->column}};
    return j.dump(2) + "\n";
}

bool write_trace_dir(const Report& report, const std::filesystem::path& dir, std::string& error,
                     std::string_view name) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        error = "cannot create " + dir.string() + ": " + ec.message();
        return false;
    }
    if (report.error || !report.model) return true;
    const std::string stem =
        name.empty() ? std::filesystem::path(report.file).stem().string() : std::string(name);
    for (const auto& v : report.result.violations) {
        properties::CheckResult one = report.result;
        one.violations = {v};
        const std::filesystem::path base = dir / (stem + "." + v.property);
        std::ofstream txt(base.string() + ".txt");
        txt << traces::to_text(one, *report.model, report.file);
        std::ofstream json(base.string() + ".json");
        json << traces::to_json(one, *report.model, false);
        if (!txt || !json) {
            error = "cannot write " + base.string() + ".{txt,json}";
            return false;
        }
    }
    return true;
}

} // namespace mpcheck::api
