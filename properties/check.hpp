#pragma once

#include "explorer/explorer.hpp"
#include "properties/property.hpp"

#include <vector>

namespace mpcheck::properties {

/// The verdict of checking every property on a model.
enum class Verdict : std::uint8_t { ok, violation, inconclusive };

/// Result of one check: verdict, violations in contract order, search figures.
struct CheckResult {
    Verdict verdict = Verdict::ok;
    explorer::Completion completion = explorer::Completion::finished;
    std::vector<Violation> violations;
    explorer::Stats stats;
    /// Whether some interleaving finishes: a final state is reachable from the initial state.
    /// False means every interleaving deadlocks. A search cut short by a bound counts its
    /// frontier as able to finish, so only a finished search can make this false.
    bool can_finish = true;
    /// When the model could not represent a step (Completion::model_limit): the first such
    /// step's reason and line, e.g. "line 12: more than 32 processes alive at once".
    std::string model_limit;
};

/// Explores `model` within `limits` and evaluates every property of the contract.
/// A bound that stops the search makes the verdict inconclusive unless a violation was found.
CheckResult check_model(const model::Model& model, const explorer::Limits& limits,
                        const explorer::ProgressReport& progress = {});

} // namespace mpcheck::properties
