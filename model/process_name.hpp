#pragma once

#include "model/program.hpp"
#include "model/state.hpp"
#include "model/strings.hpp"

#include <cstdint>
#include <string>

namespace mpcheck::model {

/// CPython's name of process `proc` (process.py BaseProcess.__init__): the name= it was given,
/// else "MainProcess" or "Process-N:M..." from the creation numbers of it and its ancestors.
std::string process_name(const Program& program, const StringTable& strings, const State& state,
                         std::uint32_t proc);

} // namespace mpcheck::model
