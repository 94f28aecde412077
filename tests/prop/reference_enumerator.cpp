#include "tests/prop/reference_enumerator.hpp"

#include <algorithm>
#include <span>

namespace mpcheck::prop {
namespace {

struct Successor {
    model::State next;
    std::vector<model::Fact> facts;
};

/// Keeps the successors of one state (the enumeration recurses into each afterwards).
class Collect final : public model::SuccessorSink {
public:
    std::vector<Successor> successors;
    void on_successor(const model::Action& /*action*/, const model::State& next,
                      std::span<const model::Fact> facts) override {
        successors.push_back({next, {facts.begin(), facts.end()}});
    }
};

Words words_of(const model::State& state) {
    return {state.words().begin(), state.words().end()};
}

bool has_model_limit(std::span<const model::Fact> facts) {
    return std::any_of(facts.begin(), facts.end(),
                       [](const model::Fact& f) { return f.kind == model::FactKind::model_limit; });
}

class Enumerator {
public:
    Enumerator(const model::Model& model, ReferenceBounds bounds, ReferenceResult& result)
        : model_(model), bounds_(bounds), result_(result) {}

    void note_facts(std::span<const model::Fact> facts, std::uint32_t depth) {
        for (const model::Fact& f : facts) {
            const auto [it, fresh] = result_.fact_depth.emplace(f.kind, depth);
            if (!fresh) it->second = std::min(it->second, depth);
        }
        if (has_model_limit(facts)) result_.complete = false;
    }

    // Whether a final state is reachable from `state`. A path cut by a bound counts as able to
    // finish (the result is then incomplete and not compared), as the explorer treats its
    // frontier.
    bool visit(const model::State& state, std::uint32_t depth) {
        if (++result_.nodes > bounds_.max_nodes) {
            result_.complete = false;
            return true;
        }
        const Words words = words_of(state);
        // The result sets are filled the first time a state is reached; later visits of the same
        // state (by other interleavings) would add nothing to them, but are still enumerated.
        const bool first_visit = result_.states.insert(words).second;
        if (model_.is_final(state)) {
            result_.finals.insert(words);
            return true;
        }
        if (depth >= bounds_.max_depth) {
            result_.complete = false;
            return true;
        }
        Collect collect;
        model_.successors(state, collect);
        if (first_visit) result_.successor_counts[words] = collect.successors.size();
        if (collect.successors.empty()) {
            result_.stuck.insert(words);
            result_.stuck_depth = std::min(result_.stuck_depth.value_or(depth), depth);
            result_.doomed = true;
            return false;
        }
        bool can_finish = false;
        for (const Successor& s : collect.successors) {
            if (first_visit) result_.edges.insert({words, words_of(s.next)});
            note_facts(s.facts, depth + 1);
            if (has_model_limit(s.facts)) {
                can_finish = true; // the model cannot go on: unknown, like a frontier state
                continue;
            }
            can_finish = visit(s.next, depth + 1) || can_finish;
        }
        if (!can_finish) result_.doomed = true;
        return can_finish;
    }

private:
    const model::Model& model_;
    ReferenceBounds bounds_;
    ReferenceResult& result_;
};

// Depth-first search for one final state, stopping at the first; nullopt when cut.
std::optional<bool> finishes(const model::Model& model, const model::State& state,
                             std::uint32_t depth, const ReferenceBounds& bounds,
                             std::uint64_t& nodes) {
    if (++nodes > bounds.max_nodes || depth >= bounds.max_depth) return std::nullopt;
    if (model.is_final(state)) return true;
    Collect collect;
    model.successors(state, collect);
    bool cut = false;
    for (const Successor& s : collect.successors) {
        if (has_model_limit(s.facts)) {
            cut = true;
            continue;
        }
        const auto r = finishes(model, s.next, depth + 1, bounds, nodes);
        if (r == true) return true;
        cut = cut || !r;
    }
    if (cut) return std::nullopt;
    return false;
}

} // namespace

ReferenceResult enumerate_interleavings(const model::Model& model, ReferenceBounds bounds) {
    ReferenceResult result;
    std::vector<model::Fact> facts;
    const model::State initial = model.initial_state(&facts);
    Enumerator enumerator(model, bounds, result);
    enumerator.note_facts(facts, 0);
    if (has_model_limit(facts)) return result;
    enumerator.visit(initial, 0);
    return result;
}

std::optional<bool> can_finish_from(const model::Model& model, const model::State& state,
                                    ReferenceBounds bounds) {
    std::uint64_t nodes = 0;
    return finishes(model, state, 0, bounds, nodes);
}

} // namespace mpcheck::prop
