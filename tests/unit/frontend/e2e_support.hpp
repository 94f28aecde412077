#pragma once

// Shared by the front-end end-to-end tests: lower a Python program and check it.

#include "frontend/frontend.hpp"
#include "model/model.hpp"
#include "properties/check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace mpcheck::frontend::testing {

/// Lowers and checks `src`; a program the front end refuses fails the test.
inline properties::CheckResult check(std::string_view src,
                                     model::StartMethod method = model::StartMethod::fork) {
    auto r = lower_python(src, "t.py");
    if (const auto* d = std::get_if<Diagnostic>(&r)) {
        ADD_FAILURE() << d->message << " at " << d->line << ":" << d->column;
        return {};
    }
    const model::Model m(std::get<model::Program>(std::move(r)), method);
    explorer::Limits limits;
    limits.max_seconds = 60;
    return properties::check_model(m, limits);
}

/// Whether the result reports property `id`.
inline bool has(const properties::CheckResult& r, std::string_view id) {
    return std::any_of(r.violations.begin(), r.violations.end(),
                       [&](const auto& v) { return v.property == id; });
}

/// `text` with every `key` replaced by `value` (append-based: GCC 12 warns spuriously on
/// std::string::replace with a literal).
inline std::string substitute(std::string_view text, std::string_view key, std::string_view value) {
    std::string out;
    for (;;) {
        const auto at = text.find(key);
        if (at == std::string_view::npos) break;
        out.append(text.substr(0, at));
        out.append(value);
        text.remove_prefix(at + key.size());
    }
    out.append(text);
    return out;
}

/// Whether the result is a violation whose first message names the Python exception `type`
/// (e.g. "IndexError": an uncaught exception or an api-misuse that raises it).
inline bool raises(const properties::CheckResult& r, std::string_view type) {
    return r.verdict == properties::Verdict::violation && !r.violations.empty() &&
           r.violations[0].message.find(type) != std::string::npos;
}

/// `program` ends with `assert CHECK` after assertions that all hold in CPython 3.11: with
/// `holds` as CHECK it is ok, with `fails` the assertion property is violated.
inline void expect_agrees_with_cpython(std::string_view program, std::string_view holds,
                                       std::string_view fails) {
    EXPECT_EQ(check(substitute(program, "CHECK", holds)).verdict, properties::Verdict::ok) << holds;
    const auto r = check(substitute(program, "CHECK", fails));
    EXPECT_EQ(r.verdict, properties::Verdict::violation) << fails;
    EXPECT_TRUE(has(r, "assertion")) << fails;
}

/// The diagnostic for a program the front end refuses ("<lowered>" if it was accepted).
inline Diagnostic diagnose(std::string_view src) {
    auto r = lower_python(src, "t.py");
    if (const auto* d = std::get_if<Diagnostic>(&r)) return *d;
    return Diagnostic{"<lowered>", 0, 0};
}

} // namespace mpcheck::frontend::testing
