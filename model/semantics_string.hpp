#pragma once

#include "model/exec.hpp"

/// Internal: strings built at run time (f-strings, str(), int(), +, *, split, ...), held in the
/// Model's StringTable by content.
namespace mpcheck::model::detail {

/// How a string or sequence operation ended.
enum class ValueOutcome : std::uint8_t {
    not_handled, ///< the operands are not of this kind: the caller applies its own rule
    done,        ///< dst holds the result
    raised,      ///< a Python exception was raised (already unwound)
};

/// Raises `type` in x; the outcome that says so.
inline ValueOutcome raise(Exec& x, ExcType type) {
    x.raise(type);
    return ValueOutcome::raised;
}

/// Executes one of the string operations (str_const .. process_name).
ValueOutcome exec_string_op(Exec& x, const Instr& in);
/// `binary` when an operand is a str or bytes: +, *, % and the orderings.
ValueOutcome string_binary(Exec& x, const Instr& in);
/// Python's order of two str (or two bytes) values: <0, 0, >0; nullopt for one too long to
/// compare here (a model limit).
std::optional<int> compare_text(const Exec& x, Value a, Value b);
/// seq_get (dst = a[b]) when a is a str or bytes: one character, or one byte as an int.
ValueOutcome string_item(Exec& x, const Instr& in);
/// Reports a model limit for an operation the model cannot carry out and sets dst to None.
void value_limit(Exec& x, Reg dst, const char* what);

} // namespace mpcheck::model::detail
