#pragma once

/// Internal-invariant checks. Always on (never compiled away and never turned into
/// undefined behaviour): a broken invariant in a model checker must stop it, not let it
/// print a wrong verdict.
#define MPCHECK_ASSERT(cond)                                                                       \
    do {                                                                                           \
        if (!(cond)) ::mpcheck::model::assertion_failed(#cond, __FILE__, __LINE__);                \
    } while (false)

#define MPCHECK_UNREACHABLE(what) ::mpcheck::model::assertion_failed(what, __FILE__, __LINE__)

namespace mpcheck::model {
/// Prints the failed check with its location and aborts.
[[noreturn]] void assertion_failed(const char* what, const char* file, int line);
} // namespace mpcheck::model
