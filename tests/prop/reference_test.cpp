// Property 3: on tiny programs the explorer (in both orders) and an independent plain
// enumeration of every interleaving find the same states, steps, final and stuck states,
// deadlock and facts, and the check reports exactly the property ids those imply.
#include "tests/prop/explored_graph.hpp"
#include "tests/prop/prop_support.hpp"
#include "tests/prop/reference_enumerator.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {
namespace {

using explorer::SearchOrder;

/// The property ids a reference result implies (the contract's table, as a set).
std::set<std::string> implied_ids(const ReferenceResult& reference) {
    std::set<std::string> ids;
    if (reference.doomed) ids.insert("deadlock");
    for (const auto& id : properties::property_ids()) {
        const auto kind = fact_kind_of(id);
        if (kind && reference.fact_depth.count(*kind) != 0) ids.emplace(id);
    }
    return ids;
}

TEST(ReferenceProperty, ExplorerAgreesWithPlainEnumerationOnTinyPrograms) {
    check_property(env_count("MPCHECK_PROP_CASES", 300), [] {
        const auto program = *gen::arbitrary_program(tiny_options());
        const model::Model m(gen::to_model(program), model::StartMethod::fork);
        const ReferenceResult reference = enumerate_interleavings(m);
        RC_PRE(reference.complete);
        std::set<model::FactKind> reference_facts;
        for (const auto& [kind, depth] : reference.fact_depth)
            reference_facts.insert(kind);
        for (const SearchOrder order : {SearchOrder::breadth_first, SearchOrder::depth_first}) {
            const ExploredGraph g = explore_graph(m, order, prop_limits());
            RC_ASSERT(g.how == explorer::Completion::finished);
            RC_ASSERT(g.states.size() == reference.states.size());
            RC_ASSERT(g.states == reference.states);
            RC_ASSERT(g.edges == reference.edges);
            RC_ASSERT(g.successor_counts == reference.successor_counts);
            RC_ASSERT(g.finals == reference.finals);
            RC_ASSERT(g.stuck == reference.stuck);
            RC_ASSERT(g.doomed == reference.doomed);
            RC_ASSERT(g.facts == reference_facts);
        }
        const auto result = properties::check_model(m, prop_limits());
        const auto ids = violated_ids(result);
        RC_ASSERT(std::set<std::string>(ids.begin(), ids.end()) == implied_ids(reference));
        RC_TAG(reference.doomed ? "deadlock" : "no deadlock");
    });
}

} // namespace
} // namespace mpcheck::prop
