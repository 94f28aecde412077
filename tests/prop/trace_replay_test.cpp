// Property 2: every reported counterexample replays step by step in the model from the initial
// state, each step enabled, and ends in a state that violates the reported property; the
// breadth-first counterexamples are shortest (checked against the reference enumerator).
#include "tests/prop/prop_support.hpp"
#include "tests/prop/reference_enumerator.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {
namespace {

using explorer::SearchOrder;

bool same_facts(std::span<const model::Fact> a, std::span<const model::Fact> b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].proc != b[i].proc || a[i].obj != b[i].obj ||
            !(a[i].loc == b[i].loc))
            return false;
    }
    return true;
}

/// Collects the enabled steps of one state.
class Enabled final : public model::SuccessorSink {
public:
    struct Step {
        model::Action action;
        model::State next;
        std::vector<model::Fact> facts;
    };
    std::vector<Step> steps;
    void on_successor(const model::Action& action, const model::State& next,
                      std::span<const model::Fact> facts) override {
        steps.push_back({action, next, {facts.begin(), facts.end()}});
    }
};

/// The outcome of replaying a trace: where it ended and what its last step revealed.
struct Replayed {
    std::string error; ///< empty when every step replayed
    model::State end;
    std::vector<model::Fact> last_facts;
    bool revisits_end = false; ///< the end state also occurs earlier (a loop closes)
};

Replayed replay(const model::Model& m, const explorer::Trace& trace) {
    Replayed out;
    std::vector<model::Fact> facts;
    model::State state = m.initial_state(&facts);
    if (!(state == trace.initial)) {
        out.error = "the trace does not start in the initial state";
        return out;
    }
    std::vector<model::State> visited{state};
    for (std::size_t i = 0; i < trace.steps.size(); ++i) {
        const auto& step = trace.steps[i];
        Enabled enabled;
        m.successors(state, enabled);
        const Enabled::Step* taken = nullptr;
        for (const auto& e : enabled.steps) {
            if (e.action == step.action) taken = &e;
        }
        const char* wrong = taken == nullptr                        ? " is not enabled"
                            : !(taken->next == step.after)          ? " leads elsewhere"
                            : !same_facts(taken->facts, step.facts) ? " reveals other facts"
                                                                    : nullptr;
        if (wrong != nullptr) {
            out.error = "step ";
            out.error += std::to_string(i + 1);
            out.error += wrong;
            return out;
        }
        state = taken->next;
        facts = taken->facts;
        visited.push_back(state);
    }
    out.end = state;
    out.last_facts = facts;
    for (std::size_t i = 0; i + 1 < visited.size(); ++i)
        out.revisits_end = out.revisits_end || visited[i] == state;
    return out;
}

bool has_kind(std::span<const model::Fact> facts, model::FactKind kind) {
    for (const auto& f : facts) {
        if (f.kind == kind) return true;
    }
    return false;
}

bool stuck(const model::Model& m, const model::State& state) {
    Enabled enabled;
    m.successors(state, enabled);
    return !m.is_final(state) && enabled.steps.empty();
}

TEST(CounterexampleProperty, EveryTraceReplaysAndEndsInAViolation) {
    BoundTally bounds;
    check_property(env_count("MPCHECK_PROP_CASES", 300), [&bounds] {
        const auto program = *gen::arbitrary_program(prop_options());
        const model::Model m(gen::to_model(program), model::StartMethod::fork);
        for (const SearchOrder order : {SearchOrder::breadth_first, SearchOrder::depth_first}) {
            const auto result = check_in_order(m, order);
            if (order == SearchOrder::breadth_first) RC_PRE(bounds.admit(result));
            for (const auto& v : result.violations) {
                RC_LOG() << v.property << ": " << v.message << "\n";
                const Replayed r = replay(m, v.trace);
                RC_ASSERT(r.error == "");
                if (const auto kind = fact_kind_of(v.property)) {
                    RC_ASSERT(has_kind(r.last_facts, *kind));
                } else {
                    RC_ASSERT(v.property == "deadlock");
                    RC_ASSERT(!m.is_final(r.end));
                    RC_ASSERT(stuck(m, r.end) || r.revisits_end);
                }
            }
        }
    });
    bounds.expect_rare();
}

TEST(CounterexampleProperty, BreadthFirstTracesAreShortest) {
    check_property(env_count("MPCHECK_PROP_CASES", 300), [] {
        const auto program = *gen::arbitrary_program(tiny_options());
        const model::Model m(gen::to_model(program), model::StartMethod::fork);
        const ReferenceResult reference = enumerate_interleavings(m);
        RC_PRE(reference.complete);
        const auto bfs = properties::check_model(m, prop_limits());
        const auto dfs = check_in_order(m, SearchOrder::depth_first);
        RC_ASSERT(bfs.completion == explorer::Completion::finished);
        RC_ASSERT(violated_ids(dfs) == violated_ids(bfs));
        for (std::size_t i = 0; i < bfs.violations.size(); ++i) {
            const auto& v = bfs.violations[i];
            const std::size_t length = v.trace.steps.size();
            RC_LOG() << v.property << ": " << length << " steps\n";
            if (const auto kind = fact_kind_of(v.property)) {
                RC_ASSERT(reference.fact_depth.count(*kind) == 1u);
                RC_ASSERT(length == reference.fact_depth.at(*kind));
                RC_ASSERT(length <= dfs.violations[i].trace.steps.size());
                continue;
            }
            // deadlock: the trace ends in a state from which no interleaving finishes; when some
            // state is stuck, the trace is a shortest path to one. (Without a stuck state it is
            // a path into a loop and once around it, which has no shortest form to compare.)
            const Replayed r = replay(m, v.trace);
            RC_ASSERT(can_finish_from(m, r.end) == std::optional<bool>(false));
            if (reference.stuck_depth) {
                RC_ASSERT(length == *reference.stuck_depth);
                RC_ASSERT(length <= dfs.violations[i].trace.steps.size());
            }
        }
    });
}

} // namespace
} // namespace mpcheck::prop
