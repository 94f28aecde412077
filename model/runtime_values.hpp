#pragma once

#include "model/sequences.hpp"
#include "model/strings.hpp"

namespace mpcheck::model {

/// The values a program builds at run time that do not fit in a 32-bit Value: strings and
/// tuples/lists, interned by content. Owned by the Model and shared by its copies; states hold
/// ids into it.
struct RuntimeValues {
    StringTable strings;
    SequenceTable sequences;
};

} // namespace mpcheck::model
