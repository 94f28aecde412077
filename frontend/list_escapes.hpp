#pragma once

// Which list variables `append()` may grow. The front end keeps a list's length in the program
// text (its items live in hidden variables), so `procs.append(p)` makes the name stand for a
// longer list from that statement on. That is CPython's behaviour only while no other name can
// reach the same list object: after `alias = procs`, `f(procs)` or `[procs]`, CPython's append
// is seen through the other name too, and the copy the front end made would not be. This
// analysis finds, per scope, the names whose list may be seen otherwise; their appends are
// refused. It is syntactic and order-blind: a use that could share the list anywhere in the
// scope disqualifies the name, even after its last append.

#include "frontend/ast.hpp"

#include <map>
#include <set>
#include <string>

namespace mpcheck::frontend {

/// The first use of a name that could let another name see its list, and what that use is.
struct ListEscape {
    Pos pos;
    std::string how; ///< e.g. "assigned to another name", "passed to f()"
};

/// Names of a scope whose list must not be grown by append(), each with its first escaping
/// use. `body` is the scope's code (def and class bodies inside it are other scopes and are not
/// read), `params` its parameters (the caller's lists), `user_methods` every method name a class
/// of the module defines (so `obj.put(x)` on a user object is not taken for a queue's put, which
/// sends a copy).
std::map<std::string, ListEscape> list_escapes(const Body& body,
                                               const std::vector<std::string>& params,
                                               const std::set<std::string>& user_methods);

/// Every name a function or method of the module mentions, with where it first does: a list of
/// the module that a function can read must not change length (functions are lowered once,
/// with one length for it).
std::map<std::string, Pos> names_in_functions(const Module& module);

/// Every method name the module's classes define.
std::set<std::string> user_method_names(const Module& module);

} // namespace mpcheck::frontend
