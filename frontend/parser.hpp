#pragma once

#include "frontend/ast.hpp"

#include <string_view>

namespace mpcheck::frontend {

/// Parses the supported subset of Python 3; throws FrontendError (syntax error / unsupported).
Module parse(std::string_view source);

} // namespace mpcheck::frontend
