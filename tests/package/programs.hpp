#pragma once

#include "tests/support/seed_sources.hpp"

// Python sources for the public API tests: the seed pair and an unsupported program.

namespace mpcheck::package_tests {

using mpcheck::testing::kGetBeforeJoin;
using mpcheck::testing::kJoinBeforeGet;

/// Outside the supported subset (sockets): rejected with a diagnostic.
inline constexpr const char* kUnsupported = R"(import socket
)";

} // namespace mpcheck::package_tests
