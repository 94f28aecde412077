#pragma once

#include "frontend/ast.hpp"
#include "model/program.hpp"

#include <string_view>

namespace mpcheck::frontend {

/// Lowers a parsed module into the model IR; throws FrontendError for unsupported constructs.
model::Program lower(const Module& module, std::string_view source);

} // namespace mpcheck::frontend
