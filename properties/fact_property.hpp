#pragma once

#include "model/fact.hpp"
#include "properties/property.hpp"

namespace mpcheck::properties {

/// A property violated by a step that reveals a fact of one kind (all ids but deadlock).
/// Breadth-first search reports steps in order of their source state's depth, so the first
/// step seen with the fact has the shortest trace.
class FactProperty final : public Property {
public:
    FactProperty(const model::Model& model, std::string_view id, model::FactKind kind);

    std::string_view id() const override { return id_; }
    void on_initial(const model::State& state, std::span<const model::Fact> facts) override;
    void on_facts(explorer::StateId from, const model::Action& action, explorer::StateId to,
                  const model::State& next, std::span<const model::Fact> facts) override;
    std::optional<Violation> violation(const explorer::Explorer& explorer) const override;

private:
    struct Found {
        bool initial = false;
        explorer::StateId from = 0;
        model::Action action;
        model::Fact fact;
        model::State state; ///< the state the fact was revealed in, for names
    };

    std::string message(const Found& found) const;

    const model::Model& model_;
    std::string_view id_;
    model::FactKind kind_;
    std::optional<Found> found_;
};

} // namespace mpcheck::properties
