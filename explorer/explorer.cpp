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
        source_limited_ = false;
        words_.clear();
        ends_.clear();
        actions_.clear();
        facts_.clear();
        fact_ends_.clear();
    }
    std::uint64_t count() const { return actions_.size(); }
    /// Whether a step of the last expansion hit a model limit and led to a known state.
    bool source_limited() const { return source_limited_; }
    /// Where each successor of the last expansion went in the store, in successor order.
    std::span<const StateStore::Insertion> results() const { return results_; }

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
            const bool model_limit = has_model_limit(facts);
            if (ins.inserted) {
                parent_.push_back(from_);
                limited_.push_back(model_limit);
            } else if (model_limit) {
                // The step the model could not represent led back to a known state (often the
                // state itself, when the model refused to move): what really follows is
                // unknown, so the state it was taken from may still finish.
                source_limited_ = true;
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
    bool source_limited_ = false;
    std::vector<std::uint32_t> words_;
    std::vector<std::size_t> ends_;
    std::vector<model::Action> actions_;
    std::vector<model::Fact> facts_;
    std::vector<std::size_t> fact_ends_;
    std::vector<std::span<const std::uint32_t>> spans_;
    std::vector<StateStore::Insertion> results_;
    model::State next_;
};

// The states waiting to be expanded. Breadth-first needs no list of its own: the store hands out
// ids in discovery order, so the queue is the id range [next, size) and depths go level by level.
// Depth-first keeps a stack, pushed in reverse successor order so that the first successor is
// expanded first.
class WorkList {
public:
    explicit WorkList(SearchOrder order) : order_(order) {
        if (order_ == SearchOrder::depth_first) stack_.push_back({0, 0});
    }

    /// The next state to expand and its depth; false when none is left.
    bool pop(std::size_t stored, StateId& id, std::uint32_t& depth) {
        if (order_ == SearchOrder::breadth_first) {
            if (next_ >= stored) return false;
            if (next_ == level_end_) {
                ++level_;
                level_end_ = static_cast<StateId>(stored);
            }
            id = next_++;
            depth = level_;
            return true;
        }
        if (stack_.empty()) return false;
        id = stack_.back().id;
        depth = stack_.back().depth;
        stack_.pop_back();
        return true;
    }

    /// Takes note of what expanding a state at `depth` inserted into the store.
    void discovered(std::span<const StateStore::Insertion> results, std::uint32_t depth) {
        if (order_ == SearchOrder::breadth_first) return;
        for (auto it = results.rbegin(); it != results.rend(); ++it) {
            if (it->inserted) stack_.push_back({it->id, depth + 1});
        }
    }

private:
    struct Entry {
        StateId id;
        std::uint32_t depth;
    };
    SearchOrder order_;
    StateId next_ = 0;
    StateId level_end_ = 1; // ids below level_end_ are at depth level_
    std::uint32_t level_ = 0;
    std::vector<Entry> stack_;
};

} // namespace

Explorer::Explorer(const model::Model& model, Limits limits, ProgressReport progress,
                   SearchOrder order)
    : model_(model), limits_(limits), progress_(std::move(progress)), order_(order) {}

Completion Explorer::run(std::span<Observer* const> observers) {
    const auto start = Clock::now();
    std::vector<model::Fact> facts;
    const model::State initial = model_.initial_state(&facts);
    store_.insert(initial.words());
    parent_.assign(1, kNoState);
    std::vector<bool> limited{has_model_limit(facts)};
    for (Observer* o : observers)
        o->on_initial(initial, facts);

    // The graph's successor lists must be appended in id order. Breadth-first expands in id
    // order and writes the graph directly; depth-first writes rows in expansion order, with the
    // state of each row, and reorders them at the end.
    const bool in_id_order = order_ == SearchOrder::breadth_first;
    StateGraph expansion_rows;
    std::vector<StateId> row_state;
    StateGraph& rows = in_id_order ? graph_ : expansion_rows;

    Expansion expansion(store_, rows, parent_, limited, observers);
    WorkList work(order_);
    model::State state;
    std::vector<std::uint32_t> words;
    StateStore::Tree tree;
    Completion how = Completion::finished;
    StateId id = 0;
    std::uint32_t depth = 0;
    std::uint64_t popped = 0; // states taken from the work list so far
    bool truncated_by_model = false;
    double next_report = progress_.interval_seconds;

    while (work.pop(store_.size(), id, depth)) {
        if (limits_.max_states && store_.size() >= *limits_.max_states) {
            how = Completion::state_limit;
            break;
        }
        const std::uint64_t popped_before = popped++;
        if ((popped_before & 1023) == 0) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            if (progress_.callback && elapsed >= next_report) {
                next_report = elapsed + progress_.interval_seconds;
                stats_.states = store_.size();
                stats_.queued = store_.size() - popped_before;
                stats_.seconds = elapsed;
                stats_.store_bytes = store_.bytes();
                progress_.callback(stats_);
            }
            if (limits_.max_seconds && elapsed >= *limits_.max_seconds) {
                how = Completion::time_limit;
                break;
            }
            if (limits_.max_memory_bytes &&
                store_.bytes() + rows.bytes() + parent_.capacity() * 4 >=
                    *limits_.max_memory_bytes) {
                how = Completion::memory_limit;
                break;
            }
        }
        const StateId row = in_id_order ? id : static_cast<StateId>(row_state.size());
        if (!in_id_order) row_state.push_back(id);
        rows.begin_expansion(row);
        if (limited[id]) {
            // The model could not represent a step into this state: leave it unexpanded.
            rows.mark_frontier(row);
            truncated_by_model = true;
            continue;
        }
        store_.load(id, words, tree);
        state.load(words);
        if (model_.is_final(state)) {
            rows.mark_final(row);
            continue;
        }
        expansion.begin(id);
        model_.successors(state, expansion);
        expansion.finish(tree);
        if (expansion.source_limited()) {
            rows.mark_frontier(row);
            truncated_by_model = true;
        }
        work.discovered(expansion.results(), depth);
        stats_.transitions += expansion.count();
        if (expansion.count() == 0) {
            for (Observer* o : observers)
                o->on_stuck(id, state);
        }
        stats_.max_depth = std::max(stats_.max_depth, depth);
    }
    if (how == Completion::finished && truncated_by_model) how = Completion::model_limit;
    if (!in_id_order) assemble_graph(expansion_rows, row_state);
    graph_.note_state(static_cast<StateId>(store_.size() - 1));
    stats_.states = store_.size();
    stats_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    stats_.store_bytes = store_.bytes();
    stats_.graph_bytes = graph_.bytes() + parent_.capacity() * sizeof(StateId);
    for (Observer* o : observers)
        o->on_finish(graph_, how);
    return how;
}

// Copies rows recorded in expansion order into graph_ in id order; states never expanded (left
// on the stack by a bound) become frontier states, as unexpanded ids are in breadth-first order.
void Explorer::assemble_graph(const StateGraph& rows, std::span<const StateId> row_state) {
    std::vector<StateId> row_of(store_.size(), kNoState);
    for (std::size_t r = 0; r < row_state.size(); ++r)
        row_of[row_state[r]] = static_cast<StateId>(r);
    graph_.reserve(store_.size(), rows.num_edges());
    for (StateId s = 0; s < row_of.size(); ++s) {
        graph_.begin_expansion(s);
        const StateId r = row_of[s];
        if (r == kNoState) {
            graph_.mark_frontier(s);
            continue;
        }
        for (const StateId to : rows.successors(r))
            graph_.add_edge(to);
        if (rows.is_final(r)) graph_.mark_final(s);
        if (rows.is_frontier(r)) graph_.mark_frontier(s);
    }
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
