#pragma once

#include "api/check.hpp"
#include "tests/support/seed_sources.hpp"

#include <string_view>

/// The seed hazard as Python source, buggy and fixed, for the api tests.
namespace mpcheck::api::testing {

/// The child puts a 1,000,000-character item; the parent joins it before getting the item.
inline constexpr std::string_view kSeedJoinFirst = mpcheck::testing::kJoinBeforeGet;
/// The fix: get the item first, then join.
inline constexpr std::string_view kSeedGetFirst = mpcheck::testing::kGetBeforeJoin;

/// Checks `source` as the program `file` with default options.
inline Report check(std::string_view source, std::string_view file) {
    return check_source(source, file, CheckOptions{});
}

} // namespace mpcheck::api::testing
