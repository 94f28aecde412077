#pragma once

#include "model/program.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace mpcheck::frontend {

/// Why a program could not be lowered: "unsupported: <what>" or "syntax error: ...".
struct Diagnostic {
    std::string message;
    std::uint32_t line = 0, column = 0;
};

/// Parses and lowers a program; on failure returns the first diagnostic (never throws).
std::variant<model::Program, Diagnostic> lower_python(std::string_view source,
                                                      std::string_view filename);

} // namespace mpcheck::frontend
