#pragma once

#include "frontend/frontend.hpp"

#include <stdexcept>
#include <string>

namespace mpcheck::frontend {

/// Thrown inside the front end and turned into the Diagnostic at its boundary.
struct FrontendError {
    Diagnostic diagnostic;
};

/// Throws "unsupported: <what>" at line:column.
[[noreturn]] inline void unsupported(const std::string& what, std::uint32_t line,
                                     std::uint32_t column) {
    throw FrontendError{Diagnostic{"unsupported: " + what, line, column}};
}
/// Throws "syntax error: <what>" at line:column.
[[noreturn]] inline void syntax_error(const std::string& what, std::uint32_t line,
                                      std::uint32_t column) {
    throw FrontendError{Diagnostic{"syntax error: " + what, line, column}};
}

} // namespace mpcheck::frontend
