#include "properties/trace_location.hpp"

#include <ranges>

namespace mpcheck::properties {

model::SourceLoc last_line_of(const explorer::Trace& trace, std::uint32_t proc) {
    for (const explorer::TraceStep& step : std::views::reverse(trace.steps)) {
        if (step.info.proc == proc && !step.info.feeder && step.info.loc.line != 0)
            return step.info.loc;
    }
    return {};
}

} // namespace mpcheck::properties
