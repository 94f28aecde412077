#pragma once

#include "model/ids.hpp"

#include <cstdint>

namespace mpcheck::model {

/// What a step revealed about the program, for the properties to judge. The model never
/// decides verdicts; it reports facts (GenMC-style events) and the properties map them to
/// the contract's ids.
enum class FactKind : std::uint8_t {
    assertion_failed,   ///< an `assert` failed (AssertionError raised)
    uncaught_exception, ///< a process ended with an exception it did not catch
    api_misuse,         ///< an operation that raises in CPython because it is misused
    abandoned_lock,     ///< a process ended holding a lock/semaphore unit (obj)
    broken_queue,       ///< a killed process left a partial message or misaligned stream
    lost_data,          ///< items buffered by a process were discarded at its end
    unshared_resource,  ///< a child used a different copy of a resource, or a missing name
    duplicated_output,  ///< buffered file data was written by more than one process
    model_limit,        ///< the model cannot represent what happens next (search incomplete)
};

/// One fact: who, which object, where in the source, and a short detail text.
struct Fact {
    FactKind kind = FactKind::model_limit;
    std::uint32_t proc = 0;          ///< process the fact is about
    std::uint32_t obj = 0xffffffffu; ///< object index, if any
    SourceLoc loc;                   ///< source location it is reported at
    const char* what = "";           ///< static detail text, e.g. "put() on a closed queue"
    std::uint32_t detail = 0;        ///< kind-specific: items lost; api_misuse: the ExcType raised
};

} // namespace mpcheck::model
