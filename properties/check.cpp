#include "properties/check.hpp"

#include "properties/deadlock.hpp"

namespace mpcheck::properties {

CheckResult check_model(const model::Model& model, const explorer::Limits& limits,
                        const explorer::ProgressReport& progress) {
    auto props = default_properties(model);
    std::vector<explorer::Observer*> observers;
    for (auto& p : props)
        observers.push_back(p.get());
    explorer::Explorer explorer(model, limits, progress);
    CheckResult result;
    result.completion = explorer.run(observers);
    result.stats = explorer.stats();
    for (const auto& p : props) {
        if (auto v = p->violation(explorer)) result.violations.push_back(std::move(*v));
        if (const auto* deadlock = dynamic_cast<const Deadlock*>(p.get()))
            result.can_finish = deadlock->can_finish();
    }
    if (!result.violations.empty()) {
        result.verdict = Verdict::violation;
    } else if (result.completion != explorer::Completion::finished) {
        result.verdict = Verdict::inconclusive;
    }
    return result;
}

} // namespace mpcheck::properties
