#pragma once

// An independent oracle for the explorer on tiny programs: plain recursive enumeration of
// every interleaving, to a depth bound, with no visited set. It shares nothing with the
// explorer but the model's step function (Model::initial_state, successors, is_final); the
// sets it fills below only collect results and never prune the enumeration. Its cost is the
// number of interleavings, so it is meant for programs of a few steps (see tiny_options()).

#include "model/fact.hpp"
#include "model/model.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace mpcheck::prop {

/// A state's canonical words.
using Words = std::vector<std::uint32_t>;

/// Bounds of one enumeration; exceeding either makes the result incomplete.
struct ReferenceBounds {
    std::uint32_t max_depth = 200;    ///< steps along one path
    std::uint64_t max_nodes = 20'000; ///< path prefixes visited in all
};

/// Everything the enumeration saw.
struct ReferenceResult {
    bool complete = true;    ///< false: a bound or a model limit cut the enumeration
    std::uint64_t nodes = 0; ///< path prefixes visited (the size of the interleaving tree)
    std::set<Words> states;
    std::set<std::pair<Words, Words>> edges;
    std::map<Words, std::uint64_t> successor_counts; ///< per state, duplicates included
    std::set<Words> finals;
    std::set<Words> stuck; ///< not final, no step enabled
    bool doomed = false;   ///< some reachable state cannot reach a final state
    /// For each fact kind revealed: the fewest steps of a path whose last step reveals it (0:
    /// the initial state's local prefix).
    std::map<model::FactKind, std::uint32_t> fact_depth;
    std::optional<std::uint32_t> stuck_depth; ///< the fewest steps to a stuck state
};

/// Enumerates every interleaving of `model` from its initial state.
ReferenceResult enumerate_interleavings(const model::Model& model, ReferenceBounds bounds = {});

/// Whether some interleaving from `state` reaches a final state; nullopt if the bounds cut
/// the enumeration before one was found.
std::optional<bool> can_finish_from(const model::Model& model, const model::State& state,
                                    ReferenceBounds bounds = {});

} // namespace mpcheck::prop
