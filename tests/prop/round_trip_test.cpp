// Property 4: a generated program printed as Python and read back by the front end behaves
// exactly like the same program built with ProgramBuilder: same state space, verdict, violated
// ids, messages, report locations and counterexample steps (text, process, location).
#include "frontend/frontend.hpp"
#include "tests/prop/prop_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {
namespace {

TEST(FrontEndRoundTripProperty, PrintedProgramBehavesLikeTheBuiltOne) {
    BoundTally bounds;
    check_property(env_count("MPCHECK_PROP_CASES", 300), [&bounds] {
        const auto program = *gen::arbitrary_program(prop_options());
        auto lowered = frontend::lower_python(gen::to_python(program), "generated.py");
        if (const auto* d = std::get_if<frontend::Diagnostic>(&lowered)) {
            std::string why = "the front end refuses the printed program at line ";
            why += std::to_string(d->line);
            why += ": ";
            why += d->message;
            RC_FAIL(why);
        }
        const model::Model built(gen::to_model(program), model::StartMethod::fork);
        const model::Model parsed(std::get<model::Program>(std::move(lowered)),
                                  model::StartMethod::fork);
        const auto b = properties::check_model(built, prop_limits());
        RC_PRE(bounds.admit(b));
        const auto p = properties::check_model(parsed, prop_limits());
        RC_ASSERT(p.completion == b.completion);
        RC_ASSERT(p.stats.states == b.stats.states);
        RC_ASSERT(p.stats.transitions == b.stats.transitions);
        RC_ASSERT(p.verdict == b.verdict);
        RC_ASSERT(violated_ids(p) == violated_ids(b));
        for (std::size_t i = 0; i < b.violations.size(); ++i) {
            const auto& bv = b.violations[i];
            const auto& pv = p.violations[i];
            RC_LOG() << bv.property << ": " << bv.message << "\n";
            RC_ASSERT(pv.message == bv.message);
            RC_ASSERT(pv.loc.line == bv.loc.line);
            RC_ASSERT(pv.loc.column == bv.loc.column);
            RC_ASSERT(pv.trace.steps.size() == bv.trace.steps.size());
            for (std::size_t k = 0; k < bv.trace.steps.size(); ++k) {
                const model::StepInfo& bs = bv.trace.steps[k].info;
                const model::StepInfo& ps = pv.trace.steps[k].info;
                RC_ASSERT(ps.action == bs.action);
                RC_ASSERT(ps.proc == bs.proc);
                RC_ASSERT(ps.loc.line == bs.loc.line);
                RC_ASSERT(ps.loc.column == bs.loc.column);
            }
        }
    });
    bounds.expect_rare();
}

} // namespace
} // namespace mpcheck::prop
