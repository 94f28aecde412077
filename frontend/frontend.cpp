#include "frontend/frontend.hpp"

#include "frontend/error.hpp"
#include "frontend/lower.hpp"
#include "frontend/parser.hpp"

#include <exception>

namespace mpcheck::frontend {

std::variant<model::Program, Diagnostic> lower_python(std::string_view source,
                                                      std::string_view filename) {
    (void)filename; // reserved for diagnostics that name other files
    try {
        const Module module = parse(source);
        return lower(module, source);
    } catch (const FrontendError& e) {
        return e.diagnostic;
    } catch (const std::exception& e) {
        return Diagnostic{std::string("unsupported: ") + e.what(), 1, 1};
    }
}

} // namespace mpcheck::frontend
