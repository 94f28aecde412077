#include "properties/check.hpp"

#include "properties/deadlock.hpp"

namespace mpcheck::properties {

namespace {

// Keeps the first step the model could not represent, so that an inconclusive verdict can say
// which limit stopped it.
class ModelLimitWitness final : public explorer::Observer {
public:
    void on_initial(const model::State& /*state*/, std::span<const model::Fact> facts) override {
        note(facts);
    }
    void on_facts(explorer::StateId /*from*/, const model::Action& /*action*/,
                  explorer::StateId /*to*/, const model::State& /*next*/,
                  std::span<const model::Fact> facts) override {
        note(facts);
    }
    const std::string& reason() const { return reason_; }

private:
    void note(std::span<const model::Fact> facts) {
        for (const model::Fact& f : facts) {
            if (f.kind != model::FactKind::model_limit || !reason_.empty()) continue;
            if (f.loc.line != 0) {
                reason_ = "line ";
                reason_ += std::to_string(f.loc.line);
                reason_ += ": ";
            }
            reason_ += f.what;
        }
    }
    std::string reason_;
};

} // namespace

CheckResult check_model(const model::Model& model, const explorer::Limits& limits,
                        const explorer::ProgressReport& progress) {
    auto props = default_properties(model);
    std::vector<explorer::Observer*> observers;
    for (auto& p : props)
        observers.push_back(p.get());
    ModelLimitWitness limit;
    observers.push_back(&limit);
    explorer::Explorer explorer(model, limits, progress);
    CheckResult result;
    result.completion = explorer.run(observers);
    result.stats = explorer.stats();
    if (result.completion == explorer::Completion::model_limit) result.model_limit = limit.reason();
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
