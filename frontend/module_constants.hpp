#pragma once

// Module-level int constants (`N_WORKERS = 4`) that the front end may use where a value must
// be known when lowering, such as the bound of a comprehension's range().

#include "frontend/ast.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace mpcheck::frontend {

/// Names bound to an int constant, with their values.
using Constants = std::map<std::string, std::int64_t>;

/// The value of an int expression of literals, `+ - *` and names in `constants`, if it is one.
std::optional<std::int64_t> fold_int(const Expr& e, const Constants& constants);

/// The module's constants: a name bound by a top-level `NAME = <int expression>` among the
/// module's leading statements (imports, definitions and such constants: nothing before it can
/// run code that might read it first), and bound nowhere else in the module: not rebound, not
/// a parameter, loop or comprehension variable, `as` name or definition anywhere. Reading such
/// a name anywhere gives that value, in the main process and in every child, whatever the
/// start method (a spawn child re-runs the same statement).
Constants module_constants(const Module& module);

} // namespace mpcheck::frontend
