#pragma once

#include "model/model.hpp"
#include "model/program_builder.hpp"
#include "properties/check.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace mpcheck::testing {

/// Checks a built program exhaustively (no bounds) under `method`.
inline properties::CheckResult check(model::ProgramBuilder& builder,
                                     model::StartMethod method = model::StartMethod::fork,
                                     explorer::Limits limits = {}) {
    const model::Model m(builder.build(), method);
    return properties::check_model(m, limits);
}

/// The property ids violated, in contract order.
inline std::vector<std::string> violated(const properties::CheckResult& r) {
    std::vector<std::string> ids;
    for (const auto& v : r.violations)
        ids.push_back(v.property);
    return ids;
}

/// The first violation's message, or "" (for failure output).
inline std::string first_message(const properties::CheckResult& r) {
    return r.violations.empty() ? std::string() : r.violations[0].message;
}

/// Emits `assert <r> == <expected>`.
inline void expect_bool(model::FunctionBuilder& f, model::Reg r, bool expected) {
    const model::Reg want = f.temp();
    const model::Reg same = f.temp();
    f.constant(want, model::Value::boolean(expected));
    f.binary(same, r, model::BinaryOp::eq, want);
    f.assert_true(same);
}

inline bool violates(const properties::CheckResult& r, const std::string& id) {
    const auto ids = violated(r);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

} // namespace mpcheck::testing
