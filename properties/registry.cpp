#include "properties/deadlock.hpp"
#include "properties/fact_property.hpp"
#include "properties/property.hpp"

#include <optional>
#include <utility>

namespace mpcheck::properties {

using model::FactKind;

const std::vector<std::string_view>& property_ids() {
    static const std::vector<std::string_view> ids{
        "deadlock",          "abandoned-lock",    "broken-queue", "lost-data",         "api-misuse",
        "unshared-resource", "duplicated-output", "assertion",    "uncaught-exception"};
    return ids;
}

namespace {
// Every property but deadlock is a fact reported by some step of the model.
constexpr std::pair<std::string_view, FactKind> kByFact[] = {
    {"abandoned-lock", FactKind::abandoned_lock},
    {"broken-queue", FactKind::broken_queue},
    {"lost-data", FactKind::lost_data},
    {"api-misuse", FactKind::api_misuse},
    {"unshared-resource", FactKind::unshared_resource},
    {"duplicated-output", FactKind::duplicated_output},
    {"assertion", FactKind::assertion_failed},
    {"uncaught-exception", FactKind::uncaught_exception},
};
} // namespace

std::optional<FactKind> fact_kind_of(std::string_view id) {
    for (const auto& [name, kind] : kByFact) {
        if (name == id) return kind;
    }
    return std::nullopt;
}

std::vector<std::unique_ptr<Property>> default_properties(const model::Model& model) {
    std::vector<std::unique_ptr<Property>> all;
    all.push_back(std::make_unique<Deadlock>(model));
    for (const auto& [id, kind] : kByFact) {
        all.push_back(std::make_unique<FactProperty>(model, id, kind));
    }
    return all;
}

} // namespace mpcheck::properties
