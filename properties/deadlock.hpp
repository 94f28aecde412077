#pragma once

#include "properties/property.hpp"

namespace mpcheck::properties {

/// `deadlock`: some reachable state from which the program can never finish. All-blocked
/// states are seen on the fly; livelocks (a polling loop that can never exit) are found on the
/// state graph: a state is doomed when no final (or frontier) state is reachable from it.
class Deadlock final : public Property {
public:
    explicit Deadlock(const model::Model& model) : model_(model) {}

    std::string_view id() const override { return "deadlock"; }
    void on_stuck(explorer::StateId id, const model::State& state) override;
    void on_finish(const explorer::StateGraph& graph, explorer::Completion how) override;
    std::optional<Violation> violation(const explorer::Explorer& explorer) const override;
    /// Whether a final (or frontier) state is reachable from the initial state; false when
    /// the initial state is doomed, i.e. every interleaving deadlocks. Valid after the search.
    bool can_finish() const { return doomed_ != explorer::StateId{0}; }

private:
    std::string describe(const model::State& state, bool looping) const;

    const model::Model& model_;
    std::optional<explorer::StateId> first_stuck_;
    std::optional<explorer::StateId> doomed_;
};

} // namespace mpcheck::properties
