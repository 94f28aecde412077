#pragma once

#include "explorer/explorer.hpp"
#include "model/ids.hpp"

#include <cstdint>

namespace mpcheck::properties {

/// The source location of the last step in `trace` that process `proc` itself (not one of its
/// feeder threads) took at a line of the program; line 0 when it took none. A violation that
/// arises while a process ends (at exit it runs no line of the program any more) is reported
/// there: the line the process last executed.
model::SourceLoc last_line_of(const explorer::Trace& trace, std::uint32_t proc);

} // namespace mpcheck::properties
