#pragma once

#include "model/exec.hpp"

/// Internal: strings built at run time (f-strings, str(), int(), +, *, split, ...), held in the
/// Model's StringTable by content.
namespace mpcheck::model::detail {

/// How a string operation ended.
enum class StrOutcome : std::uint8_t {
    not_string, ///< the operands are no strings: the caller applies its own rule
    done,       ///< dst holds the result
    raised,     ///< a Python exception was raised (already unwound)
};

/// Executes one of the string operations (str_const .. process_name).
StrOutcome exec_string_op(Exec& x, const Instr& in);
/// `binary` when an operand is a str or bytes: +, *, % and the orderings.
StrOutcome string_binary(Exec& x, const Instr& in);

} // namespace mpcheck::model::detail
