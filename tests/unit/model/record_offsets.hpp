#pragma once

// Test helper: every record offset of a model state, which a state's words alone do not show.

#include "model/state.hpp"

#include <cstdint>
#include <vector>

namespace mpcheck::model {

/// The offsets of the state's process, view and object records, in that order.
inline std::vector<std::uint32_t> record_offsets(const State& s) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < s.num_processes(); ++i)
        out.push_back(s.process_offset(i));
    for (std::uint32_t i = 0; i < s.num_views(); ++i)
        out.push_back(s.view_offset(i));
    for (std::uint32_t i = 0; i < s.num_objects(); ++i)
        out.push_back(s.object_offset(i));
    return out;
}

} // namespace mpcheck::model
