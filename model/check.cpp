#include "model/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace mpcheck::model {

void assertion_failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "mpcheck internal error: %s (%s:%d)\n", what, file, line);
    std::abort();
}

} // namespace mpcheck::model
