#pragma once

// The example programs of examples/python/ as test data: each file states, in its header
// comment, the verdict CPython's behaviour calls for (`# expect: deadlock, abandoned-lock`, or
// `# expect: ok`). The golden and conformance suites both read the catalogue from here.

#include "api/check.hpp"
#include "properties/property.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef MPCHECK_SOURCE_DIR
#error "MPCHECK_SOURCE_DIR must name the repository root"
#endif

namespace mpcheck::testing {

/// The repository root, as configured.
inline std::filesystem::path source_dir() {
    return std::filesystem::path(MPCHECK_SOURCE_DIR);
}

/// The examples' folder, relative to the repository root (the form reports show).
inline constexpr std::string_view kExamplesDir = "examples/python";

/// One example program and what its header says about it.
struct Example {
    std::string stem;                     ///< file name without ".py", e.g. "seed"
    std::string relative;                 ///< "examples/python/seed.py"
    std::string source;                   ///< the program text
    std::optional<std::string> marker;    ///< text after "# expect:", if present
    std::vector<std::string> expected;    ///< property ids of the marker; empty for "ok"
    std::optional<std::string> known_gap; ///< text after "# known-gap:": model disagrees
};

/// `s` without leading and trailing blanks.
inline std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return std::string(s.substr(first, last - first + 1));
}

/// The value of a `# <key>: value` line in the leading comment block.
inline std::optional<std::string> header_field(std::string_view source, std::string_view key) {
    std::istringstream in{std::string(source)};
    std::string line;
    std::string prefix = "# ";
    prefix += key;
    prefix += ":";
    while (std::getline(in, line) && !line.empty() && line[0] == '#') {
        if (line.rfind(prefix, 0) == 0)
            return trimmed(std::string_view(line).substr(prefix.size()));
    }
    return std::nullopt;
}

/// The comma-separated property ids of a marker ("ok" is the empty list).
inline std::vector<std::string> marker_ids(std::string_view marker) {
    std::vector<std::string> ids;
    if (trimmed(marker) == "ok") return ids;
    std::size_t at = 0;
    while (at <= marker.size()) {
        const auto comma = std::min(marker.find(',', at), marker.size());
        ids.push_back(trimmed(marker.substr(at, comma - at)));
        at = comma + 1;
    }
    return ids;
}

/// The whole file (empty if unreadable).
inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Every example, sorted by name.
inline std::vector<Example> load_examples() {
    std::vector<Example> all;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir() / kExamplesDir)) {
        if (entry.path().extension() != ".py") continue;
        Example e;
        e.stem = entry.path().stem().string();
        e.relative = std::string(kExamplesDir) + "/" + entry.path().filename().string();
        e.source = read_text(entry.path());
        e.marker = header_field(e.source, "expect");
        if (e.marker) e.expected = marker_ids(*e.marker);
        e.known_gap = header_field(e.source, "known-gap");
        all.push_back(std::move(e));
    }
    std::sort(all.begin(), all.end(),
              [](const Example& a, const Example& b) { return a.stem < b.stem; });
    return all;
}

/// Checks an example as `mpcheck check` would, naming it by its repository-relative path.
inline api::Report check_example(const Example& e) {
    api::CheckOptions options;
    options.limits.max_seconds = 120; // a guard: every example finishes in well under a second
    return api::check_source(e.source, e.relative, options);
}

/// The property ids a report violates, in contract order.
inline std::vector<std::string> violated(const api::Report& report) {
    std::vector<std::string> ids;
    for (const auto& v : report.result.violations)
        ids.push_back(v.property);
    return ids;
}

/// "deadlock, abandoned-lock" / "ok": a list of ids as a marker writes it.
inline std::string as_marker(const std::vector<std::string>& ids) {
    if (ids.empty()) return "ok";
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out += ", ";
        out += id;
    }
    return out;
}

/// Whether `ids` are known property ids in the contract's order, without repeats.
inline bool in_contract_order(const std::vector<std::string>& ids) {
    const auto& order = properties::property_ids();
    std::ptrdiff_t previous = -1;
    for (const auto& id : ids) {
        const auto it = std::find(order.begin(), order.end(), id);
        if (it == order.end()) return false;
        const auto position = it - order.begin();
        if (position <= previous) return false;
        previous = position;
    }
    return true;
}

/// gtest prints a parameter by its file name (ctest shows it in the test's name) instead of
/// its bytes.
inline void PrintTo(const Example& e, std::ostream* out) {
    *out << std::filesystem::path(e.relative).filename().string();
}

} // namespace mpcheck::testing
