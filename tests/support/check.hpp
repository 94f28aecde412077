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

inline bool violates(const properties::CheckResult& r, const std::string& id) {
    const auto ids = violated(r);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

} // namespace mpcheck::testing
