#pragma once

#include "model/program.hpp"

namespace mpcheck::model {

/// Computes Function::live_in for every function: the registers whose value may still be read
/// at each instruction. The model resets every other register to "absent" whenever a step
/// ends, so states that differ only in dead temporaries are one state (a sound reduction: a
/// dead value can never influence what happens next; SPIN's dead-variable elimination).
void compute_liveness(Program& program);

} // namespace mpcheck::model
