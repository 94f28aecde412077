#include "explorer/explorer.hpp"

#include "model/check.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace mpcheck::explorer {

namespace {

using Clock = std::chrono::steady_clock;

bool has_model_limit(std::span<const model::Fact> facts) {
    return std::any_of(facts.begin(), facts.end(),
                       [](const model::Fact& f) { return f.kind == model::FactKind::model_limit; });
}

// Collects the successors of the state being expanded, then inserts them into the store in
// one batch (the store overlaps their memory waits) and records them in successor order, so
// ids, parents and observer calls are exactly those of inserting one at a time.
class Expansion final : public model::SuccessorSink {
public:
    Expansion(StateStore& store, StateGraph& graph, std::vector<StateId>& parent,
              std::vector<bool>& limited, std::span<Observer* const> observers)
        : store_(store), graph_(graph), parent_(parent), limited_(limited), observers_(observers) {}

    void begin(StateId from) {
        from_ = from;
        words_.clear();
        ends_.clear();
        actions_.clear();
        facts_.clear();
        fact_ends_.clear();
    }
    std::uint64_t count() const { return actions_.size(); }

    void on_successor(const model::Action& action, const model::State& next,
                      std::span<const model::Fact> facts) override {
        const auto w = next.words();
        words_.insert(words_.end(), w.begin(), w.end());
        ends_.push_back(words_.size());
        actions_.push_back(action);
        facts_.insert(facts_.end(), facts.begin(), facts.end());
        fact_ends_.push_back(facts_.size());
    }

    void finish(const StateStore::Tree& near) {
        spans_.clear();
        std::size_t begin = 0;
        for (const std::size_t end : ends_) {
            spans_.emplace_back(words_.data() + begin, end - begin);
            begin = end;
        }
        store_.insert_batch(spans_, near, results_);
        std::size_t fact_begin = 0;
        for (std::size_t i = 0; i < actions_.size(); ++i) {
            const std::span<const model::Fact> facts(facts_.data() + fact_begin,
                                                     fact_ends_[i] - fact_begin);
            fact_begin = fact_ends_[i];
            const auto ins = results_[i];
            if (ins.inserted) {
                parent_.push_back(from_);
                limited_.push_back(has_model_limit(facts));
            }
            graph_.add_edge(ins.id);
            if (!facts.empty()) {
                next_.load(spans_[i]);
                for (Observer* o : observers_)
                    o->on_facts(from_, actions_[i], ins.id, next_, facts);
            }
        }
    }

private:
    StateStore& store_;
    StateGraph& graph_;
    std::vector<StateId>& parent_;
    std::vector<bool>& limited_;
    std::span<Observer* const> observers_;
    StateId from_ = 0;
    std::vector<std::uint32_t> words_;
    std::vector<std::size_t> ends_;
    std::vector<model::Action> actions_;
    std::vector<model::Fact> facts_;
    std::vector<std::size_t> fact_ends_;
    std::vector<std::span<const std::uint32_t>> spans_;
    std::vector<StateStore::Insertion> results_;
    model::State next_;
};

} // namespace

Explorer::Explorer(const model::Model& model, Limits limits, ProgressReport progress)
    : model_(model), limits_(limits), progress_(std::move(progress)) {}

Completion Explorer::run(std::span<Observer* const> observers) {
    const auto start = Clock::now();
    std::vector<model::Fact> facts;
    const model::State initial = model_.initial_state(&facts);
    store_.insert(initial.words());
    parent_.assign(1, kNoState);
    std::vector<bool> limited{has_model_limit(facts)};
    for (Observer* o : observers)
        o->on_initial(initial, facts);

    Expansion expansion(store_, graph_, parent_, limited, observers);
    model::State state;
    std::vector<std::uint32_t> words;
    StateStore::Tree tree;
    Completion how = Completion::finished;
    StateId level_end = 1; // BFS ids are level by level: ids below level_end are at max_depth
    std::uint32_t depth = 0;
    bool truncated_by_model = false;
    double next_report = progress_.interval_seconds;

    for (StateId id = 0; id < store_.size(); ++id) {
        if (id == level_end) {
            ++depth;
            level_end = static_cast<StateId>(store_.size());
        }
        if (limits_.max_states && store_.size() >= *limits_.max_states) {
            how = Completion::state_limit;
            break;
        }
        if ((id & 1023) == 0) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            if (progress_.callback && elapsed >= next_report) {
                next_report = elapsed + progress_.interval_seconds;
                stats_.states = store_.size();
                stats_.seconds = elapsed;
                stats_.store_bytes = store_.bytes();
                progress_.callback(stats_);
            }
            if (limits_.max_seconds && elapsed >= *limits_.max_seconds) {
                how = Completion::time_limit;
                break;
            }
            if (limits_.max_memory_bytes &&
                store_.bytes() + graph_.bytes() + parent_.capacity() * 4 >=
                    *limits_.max_memory_bytes) {
                how = Completion::memory_limit;
                break;
            }
        }
        graph_.begin_expansion(id);
        if (limited[id]) {
            // The model could not represent a step into this state: leave it unexpanded.
            graph_.mark_frontier(id);
            truncated_by_model = true;
            continue;
        }
        store_.load(id, words, tree);
        state.load(words);
        if (model_.is_final(state)) {
            graph_.mark_final(id);
            continue;
        }
        expansion.begin(id);
        model_.successors(state, expansion);
        expansion.finish(tree);
        stats_.transitions += expansion.count();
        if (expansion.count() == 0) {
            for (Observer* o : observers)
                o->on_stuck(id, state);
        }
        stats_.max_depth = depth;
    }
    if (how == Completion::finished && truncated_by_model) how = Completion::model_limit;
    graph_.note_state(static_cast<StateId>(store_.size() - 1));
    stats_.states = store_.size();
    stats_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    stats_.store_bytes = store_.bytes();
    stats_.graph_bytes = graph_.bytes() + parent_.capacity() * sizeof(StateId);
    for (Observer* o : observers)
        o->on_finish(graph_, how);
    return how;
}

void Explorer::load(StateId id, model::State& out) const {
    std::vector<std::uint32_t> words;
    store_.load(id, words);
    out.load(words);
}

std::vector<StateId> Explorer::path_to(StateId id) const {
    std::vector<StateId> path;
    for (StateId s = id; s != kNoState; s = parent_[s])
        path.push_back(s);
    std::reverse(path.begin(), path.end());
    return path;
}

// Finds the action leading from the trace's last state to stored state `to` by replay.
void Explorer::append_step(Trace& trace, StateId to) const {
    const model::State& from = trace.steps.empty() ? trace.initial : trace.steps.back().after;
    model::State target;
    load(to, target);
    model::State next;
    std::vector<model::Fact> facts;
    const std::uint32_t actors = from.num_processes() + from.num_views();
    for (std::uint32_t actor = 0; actor < actors; ++actor) {
        for (std::uint32_t alt = 0; alt < 8; ++alt) {
            const model::Action action{actor, alt};
            if (!model_.apply(from, action, next, facts) || !(next == target)) continue;
            trace.steps.push_back({action, model_.describe(from, action), next, facts});
            return;
        }
    }
    MPCHECK_UNREACHABLE("trace replay diverged: no step of the model reproduces a stored "
                        "successor (the model is not deterministic in its state)");
}

Trace Explorer::trace_to(StateId id) const {
    Trace trace;
    trace.initial = model_.initial_state();
    const auto path = path_to(id);
    for (std::size_t i = 1; i < path.size(); ++i)
        append_step(trace, path[i]);
    return trace;
}

Trace Explorer::trace_through(StateId from, const model::Action& action) const {
    Trace trace = trace_to(from);
    const model::State before = trace.steps.empty() ? trace.initial : trace.steps.back().after;
    model::State next;
    std::vector<model::Fact> facts;
    const bool ok = model_.apply(before, action, next, facts);
    MPCHECK_ASSERT(ok);
    trace.steps.push_back({action, model_.describe(before, action), next, facts});
    return trace;
}

void Explorer::extend_along(Trace& trace, std::span<const StateId> path) const {
    for (const StateId s : path)
        append_step(trace, s);
}

} // namespace mpcheck::explorer
