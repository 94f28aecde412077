#pragma once

#include "explorer/explorer.hpp"
#include "model/fact.hpp"
#include "model/ids.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::properties {

/// A violated property with its shortest counterexample.
struct Violation {
    std::string property; ///< contract id, e.g. "deadlock"
    std::string message;  ///< one line, naming the resource and the process
    model::SourceLoc loc; ///< where it is reported
    explorer::Trace trace;
};

/// A property of the contract, watching the search through the explorer's Observer seam.
class Property : public explorer::Observer {
public:
    /// The contract id ("deadlock", "lost-data", ...).
    virtual std::string_view id() const = 0;
    /// The violation with the shortest trace found, if any (valid after the search).
    virtual std::optional<Violation> violation(const explorer::Explorer& explorer) const = 0;
};

/// Every property of the contract, in the contract's table order.
std::vector<std::unique_ptr<Property>> default_properties(const model::Model& model);

/// The contract's property ids, in table order.
const std::vector<std::string_view>& property_ids();

/// The model fact kind a property id reports; nullopt for "deadlock" (a property of the state
/// graph, not of one step) and for unknown ids.
std::optional<model::FactKind> fact_kind_of(std::string_view id);

} // namespace mpcheck::properties
