#include "explorer/explorer.hpp"

#include "model/check.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace mpcheck::explorer {

namespace {

using Clock = std::chrono::steady_clock;

/// Successors gathered from consecutive breadth-first expansions before the store looks them up
/// together: enough for their memory waits to overlap, few enough to stay in the caches.
constexpr std::size_t kBatchSuccessors = 64;

static_assert(model::State::kChangeBlockWords == kHintBlockWords,
              "the model's changed blocks are the store's hint blocks");

bool has_model_limit(std::span<const model::Fact> facts) {
    return std::any_of(facts.begin(), facts.end(),
                       [](const model::Fact& f) { return f.kind == model::FactKind::model_limit; });
}

// Expands states into the store's pending batch and records them once the batch is stored.
// Each successor is handed to the store as the model produces it (its segments are interned
// then, near the tree of the state it came from, so its words are never copied); the batch may
// hold the successors of many states, whose node and record lookups then wait for memory
// together. flush() stores the batch and writes the graph rows, parents and observer calls of
// its states in expansion order, so ids, parents, graph and observer calls are exactly those of
// inserting the successors one at a time.
class Expansion final : public model::SuccessorSink {
public:
    /// How a state of the batch was handled.
    enum class Kind : std::uint8_t {
        expanded, ///< its successors are in the batch
        final,    ///< the program has finished in it
        limited,  ///< the model could not represent a step into it: left unexpanded
    };

    Expansion(StateStore& store, StateGraph& graph, GrowingArray<StateId>& parent,
              std::vector<bool>& limited, std::span<Observer* const> observers)
        : store_(store), graph_(graph), parent_(parent), limited_(limited), observers_(observers) {}

    /// Adds state `from` (graph row `row`), handled as `kind`; for Kind::expanded, the model's
    /// successors of it follow, near its loaded tree `near` (which must stay as it is until the
    /// next add()).
    void add(StateId from, StateId row, Kind kind, const StateStore::Tree& near) {
        near_ = &near;
        states_.push_back({from, row, kind, static_cast<std::uint32_t>(successors_.size())});
    }
    /// Number of successors of the last added state.
    std::uint64_t count() const { return successors_.size() - states_.back().successors; }
    /// Number of successors in the batch (a bound on the states flush() can add to the store).
    std::size_t pending() const { return successors_.size(); }
    /// Whether flush() would do anything.
    bool empty() const { return states_.empty(); }
    /// Whether a step of a flushed expansion hit a model limit and led to a known state.
    bool truncated() const { return truncated_; }
    /// Where each successor of the last flush went in the store, in successor order.
    std::span<const StateStore::Insertion> results() const { return results_; }

    void on_successor(const model::Action& action, const model::State& next,
                      std::span<const model::Fact> facts) override {
        // next was built from the state loaded from near_, and tells which of its blocks the
        // step wrote: the store compares only those with near_'s words.
        store_.add_to_batch(next.words(), *near_, next.changed_blocks());
        Successor successor{action, false, kNoFacts};
        if (!facts.empty()) {
            // Rare: the observers will need this successor's state and facts.
            successor.model_limit = has_model_limit(facts);
            successor.noted = static_cast<std::uint32_t>(noted_.size());
            const auto w = next.words();
            words_.insert(words_.end(), w.begin(), w.end());
            facts_.insert(facts_.end(), facts.begin(), facts.end());
            noted_.push_back({words_.size(), facts_.size()});
        }
        successors_.push_back(successor);
    }

    /// Stores the batch, then records its states in the order they were added.
    void flush() {
        if (states_.empty()) return;
        store_.finish_batch(results_);
        const std::size_t count = states_.size();
        states_.push_back({0, 0, Kind::expanded, static_cast<std::uint32_t>(successors_.size())});
        for (std::size_t k = 0; k < count; ++k) {
            const Entry& entry = states_[k];
            graph_.begin_expansion(entry.row);
            if (entry.kind == Kind::limited) {
                graph_.mark_frontier(entry.row);
                truncated_ = true;
                continue;
            }
            if (entry.kind == Kind::final) {
                graph_.mark_final(entry.row);
                continue;
            }
            bool source_limited = false;
            for (std::uint32_t i = entry.successors; i < states_[k + 1].successors; ++i) {
                const Successor& successor = successors_[i];
                const auto ins = results_[i];
                if (ins.inserted) {
                    parent_.push_back(entry.from);
                    limited_.push_back(successor.model_limit);
                } else if (successor.model_limit) {
                    // The step the model could not represent led back to a known state (often
                    // the state itself, when the model refused to move): what really follows is
                    // unknown, so the state it was taken from may still finish.
                    source_limited = true;
                }
                graph_.add_edge(ins.id);
                if (successor.noted != kNoFacts) notify(entry.from, successor, ins.id);
            }
            if (source_limited) {
                graph_.mark_frontier(entry.row);
                truncated_ = true;
            }
        }
        states_.clear();
        successors_.clear();
        words_.clear();
        facts_.clear();
        noted_.clear();
    }

private:
    static constexpr std::uint32_t kNoFacts = 0xffffffff;

    struct Entry {
        StateId from;
        StateId row;
        Kind kind;
        std::uint32_t successors; // where its successors start in successors_
    };
    struct Successor {
        model::Action action;
        bool model_limit;
        std::uint32_t noted; // its entry in noted_, or kNoFacts when it revealed no facts
    };
    struct Noted {
        std::size_t words_end; // where its words end in words_
        std::size_t facts_end; // where its facts end in facts_
    };

    void notify(StateId from, const Successor& successor, StateId to) {
        const std::size_t n = successor.noted;
        const std::size_t words_begin = n == 0 ? 0 : noted_[n - 1].words_end;
        const std::size_t facts_begin = n == 0 ? 0 : noted_[n - 1].facts_end;
        next_.load(std::span<const std::uint32_t>(words_).subspan(words_begin, noted_[n].words_end -
                                                                                   words_begin));
        const std::span<const model::Fact> facts(facts_.data() + facts_begin,
                                                 noted_[n].facts_end - facts_begin);
        for (Observer* o : observers_)
            o->on_facts(from, successor.action, to, next_, facts);
    }

    StateStore& store_;
    StateGraph& graph_;
    GrowingArray<StateId>& parent_;
    std::vector<bool>& limited_;
    std::span<Observer* const> observers_;
    const StateStore::Tree* near_ = nullptr;
    bool truncated_ = false;
    std::vector<Entry> states_;
    std::vector<Successor> successors_;
    std::vector<std::uint32_t> words_;
    std::vector<model::Fact> facts_;
    std::vector<Noted> noted_;
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

    /// Whether the next pop() depends on states not stored yet (breadth-first: the next state
    /// starts a level, or the queue of stored states is used up).
    bool at_boundary(std::size_t stored) const { return next_ >= stored || next_ == level_end_; }

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
    parent_.clear();
    parent_.push_back(kNoState);
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
    StateStore::Tree tree;
    Completion how = Completion::finished;
    StateId id = 0;
    std::uint32_t depth = 0;
    std::uint64_t popped = 0; // states taken from the work list so far
    double next_report = progress_.interval_seconds;

    for (;;) {
        // The batch is stored before anything that depends on the store's size or contents: the
        // next breadth-first level or an empty queue, a state bound it might reach, the periodic
        // checks; and every time in depth-first order, whose next state depends on it.
        if (!expansion.empty() &&
            (!in_id_order || work.at_boundary(store_.size()) || (popped & 1023) == 0 ||
             expansion.pending() >= kBatchSuccessors ||
             (limits_.max_states && store_.size() + expansion.pending() >= *limits_.max_states))) {
            expansion.flush();
        }
        if (!work.pop(store_.size(), id, depth)) break;
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
                store_.bytes() + rows.bytes() + parent_.bytes() >= *limits_.max_memory_bytes) {
                how = Completion::memory_limit;
                break;
            }
        }
        const StateId row = in_id_order ? id : static_cast<StateId>(row_state.size());
        if (!in_id_order) row_state.push_back(id);
        if (limited[id]) {
            expansion.add(id, row, Expansion::Kind::limited, tree);
            continue;
        }
        store_.load(id, tree);
        state.load(tree.words());
        if (model_.is_final(state)) {
            expansion.add(id, row, Expansion::Kind::final, tree);
            continue;
        }
        expansion.add(id, row, Expansion::Kind::expanded, tree);
        model_.successors(state, expansion);
        const std::uint64_t count = expansion.count();
        stats_.transitions += count;
        stats_.max_depth = std::max(stats_.max_depth, depth);
        if (!in_id_order || count == 0) {
            expansion.flush();
            work.discovered(expansion.results(), depth);
            if (count == 0) {
                for (Observer* o : observers)
                    o->on_stuck(id, state);
            }
        }
    }
    expansion.flush();
    const bool truncated_by_model = expansion.truncated();
    if (how == Completion::finished && truncated_by_model) how = Completion::model_limit;
    if (!in_id_order) assemble_graph(expansion_rows, row_state);
    graph_.note_state(static_cast<StateId>(store_.size() - 1));
    stats_.states = store_.size();
    stats_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    stats_.store_bytes = store_.bytes();
    stats_.graph_bytes = graph_.bytes() + parent_.bytes();
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
