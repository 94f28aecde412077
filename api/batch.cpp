#include "api/batch.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace mpcheck::api {

int severity(int exit_status) {
    // A definite finding outranks "could not tell"; a program that was not checked at all
    // (or a bad option) makes the whole run unreliable, so it outranks everything.
    switch (exit_status) {
    case 0:
        return 0;
    case 3:
        return 1;
    case 1:
        return 2;
    default:
        return 3;
    }
}

int combined_exit_code(std::span<const int> statuses) {
    int worst = 0;
    for (const int status : statuses) {
        if (severity(status) > severity(worst)) worst = status;
    }
    return worst;
}

std::vector<std::string> trace_names(std::span<const std::string> files) {
    std::vector<std::string> names;
    std::set<std::string> used;
    for (const std::string& file : files) {
        const std::string stem = std::filesystem::path(file).stem().string();
        std::string name = stem;
        for (int k = 2; used.contains(name); ++k)
            name = stem + "-" + std::to_string(k);
        used.insert(name);
        names.push_back(std::move(name));
    }
    return names;
}

std::string to_json_with_file(const Report& report, bool with_seconds) {
    const auto contract = nlohmann::ordered_json::parse(to_json(report, with_seconds));
    nlohmann::ordered_json j;
    j["file"] = report.file;
    for (const auto& [key, value] : contract.items()) {
        j[key] = value;
    }
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

ReportWriter::ReportWriter(std::ostream& out, ReportFormat format, std::size_t programs)
    : out_(&out), format_(format), programs_(programs) {}

void ReportWriter::add(const Report& report, int exit_status) {
    switch (exit_status) {
    case 0:
        ++ok_;
        break;
    case 1:
        ++violation_;
        break;
    case 3:
        ++inconclusive_;
        break;
    default:
        ++error_;
        break;
    }
    if (programs_ == 1) {
        *out_ << (format_ == ReportFormat::json ? to_json(report) : to_text(report));
    } else if (format_ == ReportFormat::json) {
        *out_ << (written_ == 0 ? "[\n" : ",\n") << to_json_with_file(report);
    } else {
        *out_ << (written_ == 0 ? "" : "\n") << "==> " << report.file << " <==\n"
              << to_text(report);
    }
    ++written_;
    out_->flush();
}

void ReportWriter::finish(int combined_status) {
    if (programs_ != 1) {
        if (format_ == ReportFormat::json) {
            *out_ << (written_ == 0 ? "[\n]\n" : "\n]\n");
        } else {
            *out_ << "\n"
                  << written_ << " programs: " << ok_ << " ok, " << violation_ << " violation, "
                  << inconclusive_ << " inconclusive, " << error_ << " error; exit status "
                  << combined_status << "\n";
        }
    }
    out_->flush();
}

} // namespace mpcheck::api
