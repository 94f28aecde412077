#include "explorer/graph_analysis.hpp"

#include "model/check.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/two_bit_color_map.hpp>
#include <boost/iterator/counting_iterator.hpp>
#include <boost/iterator/filter_iterator.hpp>
#include <boost/pending/queue.hpp>
#include <boost/property_map/property_map.hpp>
#include <boost/range/iterator_range.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <utility>

// Boost.Graph is used only in this file, so the rest of the checker stays Boost-free.
//
// Graph type: boost::compressed_sparse_row_graph<directedS> with 32-bit vertices (our
// StateIds, unchanged) and 32-bit edge offsets, or 64-bit ones past 2^32 edges. Why:
//  - memory: two flat arrays, 4 bytes per edge plus 4 (or 8) per vertex, and no per-vertex
//    heap block; adjacency_list<vecS, vecS> would allocate one vector per vertex (a 24-byte
//    header plus a heap block each), listS/setS far more;
//  - building: the constructors read our edges through a multi-pass iterator (EdgeCursor
//    below) straight out of the StateGraph, in one or two linear passes, with no
//    intermediate edge list;
//  - the analyses run once, after the search, on a graph that no longer changes, which is
//    what CSR is for; and vertex_index is the identity, so every property map is a plain
//    vector indexed by StateId.
//
// doomed_states: first sweeps over our own successor lists (below), which read the edges in
// order and need no reversed copy of them (O(edges) per sweep, 4 bytes per state). When the
// sweeps do not settle within a few readings of the edges, one multi-source
// breadth_first_search from all goals over the *reversed* edges; what it does not reach is
// doomed. O(states + edges) time; about 4 bytes per edge and 8 per state on top of the
// StateGraph; queue-based, so depth costs no call stack.
//
// find_non_progress_cycle: boost::strong_components (Tarjan) on the part of the graph
// reachable from the doomed state. Boost's depth_first_search is iterative unless
// BOOST_RECURSIVE_DFS is defined (we never do): its stack is a std::vector on the heap, so
// a 10-million-state chain cannot overflow the call stack. The price is heap memory: a
// 32-byte frame per DFS level (64 with 64-bit offsets), and about 100 bytes per reached
// state in all at the peak (measured on a 5-million-state chain).

namespace mpcheck::explorer {
namespace {

/// A CSR over StateIds; EdgeIndex is 32-bit when the edge count allows (see csr_fits_32_bits).
template <class EdgeIndex>
using CsrOf =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                       boost::no_property, StateId, EdgeIndex>;

/// Whether 32-bit edge offsets suffice: half the row-start array and half the DFS stack frame.
bool csr_fits_32_bits(std::uint64_t edges) {
    return edges <= std::numeric_limits<std::uint32_t>::max();
}

/// Marks "no such state" in local-index tables; hence ids stay below this value.
constexpr StateId kNone = std::numeric_limits<StateId>::max();

/// num_states() as a CSR vertex count. State ids stay below kNone (the store never hands it
/// out), so the count fits and kNone can mark "no state" in local tables.
StateId vertex_count(const StateGraph& graph) {
    MPCHECK_ASSERT(graph.num_states() <= kNone);
    return static_cast<StateId>(graph.num_states());
}

/// Which edges of a StateGraph an EdgeCursor walks, and how it names them.
struct EdgeView {
    const StateGraph* graph = nullptr;
    std::size_t rows = 0;                            // row r lists the successors of state_of(r)
    const std::vector<StateId>* row_state = nullptr; // state_of(r); null: state r itself
    const std::vector<StateId>* vertex_of = nullptr; // CSR vertex of a target; null: identity
    bool reversed = false;                           // yield (target, row) instead of (row, target)
};

/// Multi-pass forward iterator over an EdgeView's edges as (source, target) vertex pairs,
/// grouped by row in ascending order: what the CSR constructors consume.
class EdgeCursor {
public:
    // The standard iterator protocol fixes these names.
    using iterator_category = std::forward_iterator_tag; // NOLINT(readability-identifier-naming)
    using value_type = std::pair<StateId, StateId>;      // NOLINT(readability-identifier-naming)
    using difference_type = std::ptrdiff_t;              // NOLINT(readability-identifier-naming)
    using pointer = const value_type*;                   // NOLINT(readability-identifier-naming)
    using reference = const value_type&;                 // NOLINT(readability-identifier-naming)

    EdgeCursor() = default;
    EdgeCursor(const EdgeView& view, std::size_t row) : view_(&view), row_(row) {
        load_row();
        settle();
    }

    reference operator*() const { return current_; }
    pointer operator->() const { return &current_; }
    EdgeCursor& operator++() {
        ++index_;
        settle();
        return *this;
    }
    EdgeCursor operator++(int) {
        EdgeCursor old = *this;
        ++*this;
        return old;
    }
    friend bool operator==(const EdgeCursor& a, const EdgeCursor& b) {
        return a.row_ == b.row_ && a.index_ == b.index_;
    }

private:
    void load_row() {
        index_ = 0;
        successors_ = {};
        if (row_ >= view_->rows) return;
        const auto row = static_cast<StateId>(row_);
        successors_ = view_->graph->successors(view_->row_state ? (*view_->row_state)[row] : row);
    }

    // Skips rows without successors, then caches the pair the cursor now points at.
    void settle() {
        while (index_ == successors_.size() && row_ < view_->rows) {
            ++row_;
            load_row();
        }
        if (index_ == successors_.size()) return; // the end
        const StateId state = successors_[index_];
        const StateId target = view_->vertex_of ? (*view_->vertex_of)[state] : state;
        const auto row = static_cast<StateId>(row_);
        current_ = view_->reversed ? value_type{target, row} : value_type{row, target};
    }

    const EdgeView* view_ = nullptr;
    std::size_t row_ = 0;
    std::span<const StateId> successors_;
    std::size_t index_ = 0;
    value_type current_{};
};

/// The whole graph as a CSR, optionally with every edge reversed.
template <class EdgeIndex> CsrOf<EdgeIndex> whole_graph(const StateGraph& graph, bool reversed) {
    using Csr = CsrOf<EdgeIndex>;
    const StateId n = vertex_count(graph);
    const EdgeView view{.graph = &graph, .rows = graph.expanded_count(), .reversed = reversed};
    const EdgeCursor begin(view, 0);
    const EdgeCursor end(view, view.rows);
    if (reversed) return Csr(boost::edges_are_unsorted_multi_pass, begin, end, n);
    const auto edge_count = static_cast<typename Csr::edges_size_type>(graph.num_edges());
    return Csr(boost::edges_are_sorted, begin, end, n, edge_count);
}

/// Where a forward search from one state went: the states in BFS order, and how it got there.
struct ForwardSearch {
    std::vector<StateId> order;    // local index -> state; order[0] is the start
    std::vector<StateId> local_of; // state -> local index, kNone if not reached
    std::vector<StateId> parent;   // local index -> local index of its BFS parent
    std::uint64_t edges = 0;       // edges leaving the reached states
    bool reached_goal = false;
};

/// BFS over the StateGraph itself from `start`; stops early at the first goal state.
ForwardSearch search_forward(const StateGraph& graph, StateId start) {
    ForwardSearch search;
    search.local_of.assign(graph.num_states(), kNone);
    search.order.push_back(start);
    search.parent.push_back(0);
    search.local_of[start] = 0;
    for (std::size_t next = 0; next < search.order.size(); ++next) {
        const StateId state = search.order[next];
        if (graph.is_goal(state)) {
            search.reached_goal = true;
            return search;
        }
        const auto successors = graph.successors(state);
        search.edges += successors.size();
        for (const StateId target : successors) {
            if (search.local_of[target] != kNone) continue;
            search.local_of[target] = static_cast<StateId>(search.order.size());
            search.order.push_back(target);
            search.parent.push_back(static_cast<StateId>(next));
        }
    }
    return search;
}

/// Shortest loop through `entry` in `graph` (local ids), as a list starting at `entry`;
/// empty if there is none. Reuses `parent` (one slot per vertex) as scratch.
template <class Graph>
std::vector<StateId> shortest_loop_through(const Graph& graph, StateId entry,
                                           std::vector<StateId>& parent) {
    std::fill(parent.begin(), parent.end(), kNone);
    std::vector<StateId> queue{entry};
    parent[entry] = entry;
    for (std::size_t next = 0; next < queue.size(); ++next) {
        const StateId u = queue[next];
        for (const auto edge : boost::make_iterator_range(out_edges(u, graph))) {
            const StateId v = target(edge, graph);
            if (v == entry) { // closes the loop: entry -> ... -> u -> entry
                std::vector<StateId> loop;
                for (StateId w = u; w != entry; w = parent[w]) {
                    loop.push_back(w);
                }
                loop.push_back(entry);
                std::reverse(loop.begin(), loop.end());
                return loop;
            }
            if (parent[v] != kNone) continue;
            parent[v] = u;
            queue.push_back(v);
        }
    }
    return {};
}

/// DOT-quoted string: quotes, backslashes and line breaks escaped.
std::string dot_quoted(const std::string& text) {
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') quoted += '\\';
        if (c == '\n') {
            quoted += "\\n";
            continue;
        }
        quoted += c;
    }
    return quoted + '"';
}

/// write_graphviz vertex writer: label plus the marks that matter for liveness.
class DotVertexWriter {
public:
    DotVertexWriter(const StateGraph& graph, const std::vector<bool>& doomed,
                    const StateLabeler& label)
        : graph_(&graph), doomed_(&doomed), label_(&label) {}

    void operator()(std::ostream& out, StateId state) const {
        out << "[label=" << dot_quoted(*label_ ? (*label_)(state) : std::to_string(state));
        if (graph_->is_final(state)) out << ", peripheries=2";
        if (graph_->is_frontier(state)) out << ", style=dashed";
        if ((*doomed_)[state]) out << ", color=red";
        out << ']';
    }

private:
    const StateGraph* graph_;
    const std::vector<bool>* doomed_;
    const StateLabeler* label_;
};

/// doomed_states() with a given CSR edge-offset width.
template <class EdgeIndex> std::vector<bool> doomed_states_with(const StateGraph& graph) {
    const StateId n = vertex_count(graph);
    const CsrOf<EdgeIndex> reversed = whole_graph<EdgeIndex>(graph, true);

    // One BFS from all goals at once; the goals are enumerated lazily, not stored.
    const auto is_goal = [&graph](StateId s) { return graph.is_goal(s); };
    const auto goals_begin = boost::make_filter_iterator(
        is_goal, boost::counting_iterator<StateId>(0), boost::counting_iterator<StateId>(n));
    const auto goals_end = boost::make_filter_iterator(
        is_goal, boost::counting_iterator<StateId>(n), boost::counting_iterator<StateId>(n));
    boost::two_bit_color_map<> color(n); // 2 bits per state
    boost::queue<StateId> queue;
    boost::breadth_first_search(reversed, goals_begin, goals_end, queue,
                                boost::default_bfs_visitor(), color);

    std::vector<bool> doomed(n);
    for (StateId s = 0; s < n; ++s) {
        doomed[s] = get(color, s) == boost::two_bit_white;
    }
    return doomed;
}

/// The local id nearest to local 0 that lies in a bottom component: one with no edge to
/// another component, so that once there the program stays.
template <class Graph>
StateId nearest_bottom_vertex(const Graph& graph, const std::vector<StateId>& component,
                              StateId component_count) {
    std::vector<bool> bottom(component_count, true);
    for (const auto edge : boost::make_iterator_range(edges(graph))) {
        const StateId from = component[source(edge, graph)];
        if (from != component[target(edge, graph)]) bottom[from] = false;
    }
    // Local ids are BFS order from local 0, so the first bottom vertex is the nearest.
    StateId entry = 0;
    while (!bottom[component[entry]]) {
        ++entry;
    }
    return entry;
}

/// The lasso for a forward search that found no goal, with a given CSR edge-offset width.
template <class EdgeIndex>
NonProgressCycle trap_of(const StateGraph& graph, ForwardSearch& search) {
    // Everything reachable from a doomed state is doomed, so the reached states form a
    // closed sub-graph; it is rebuilt over local ids (BFS order) and split into strongly
    // connected components.
    const auto local_count = static_cast<StateId>(search.order.size());
    const EdgeView view{.graph = &graph,
                        .rows = local_count,
                        .row_state = &search.order,
                        .vertex_of = &search.local_of};
    using Csr = CsrOf<EdgeIndex>;
    const Csr reached(boost::edges_are_sorted, EdgeCursor(view, 0), EdgeCursor(view, view.rows),
                      local_count, static_cast<typename Csr::edges_size_type>(search.edges));
    search.local_of = {}; // no longer needed; free it before Tarjan's tables

    std::vector<StateId> component(local_count);
    StateId component_count = 0;
    {
        // Explicit 4-byte root and time maps and a 2-bit color map keep Tarjan's tables small.
        std::vector<StateId> root(local_count);
        std::vector<StateId> discover_time(local_count);
        const auto index = get(boost::vertex_index, reached);
        component_count = boost::strong_components(
            reached, boost::make_iterator_property_map(component.begin(), index),
            boost::root_map(boost::make_iterator_property_map(root.begin(), index))
                .discover_time_map(boost::make_iterator_property_map(discover_time.begin(), index))
                .color_map(boost::two_bit_color_map<>(local_count)));
    }
    const StateId entry = nearest_bottom_vertex(reached, component, component_count);

    NonProgressCycle result;
    result.entry = search.order[entry];
    for (StateId v = entry; v != 0;) {
        v = search.parent[v];
        result.stem.push_back(search.order[v]);
    }
    std::reverse(result.stem.begin(), result.stem.end());
    for (StateId v = 0; v < local_count; ++v) {
        if (component[v] == component[entry]) result.component.push_back(search.order[v]);
    }
    std::sort(result.component.begin(), result.component.end());
    for (const StateId v : shortest_loop_through(reached, entry, search.parent)) {
        result.cycle.push_back(search.order[v]);
    }
    return result;
}

} // namespace

std::vector<bool> doomed_states(const StateGraph& graph) {
    // Breadth-first ids mostly grow along the way to a final state, so a few sweeps in
    // decreasing id order settle every state (the N = 3 benchmark: four sweeps, 2.5 readings
    // of the edges, each sweep only over the states still open), read in order, against the
    // reversed search's two scattered passes to build its CSR. A graph whose ways to a goal
    // climb down the ids needs a sweep per step: the budget hands it to the reversed search.
    constexpr std::uint64_t kSweepReadings = 4;
    if (auto doomed = detail::doomed_states_by_sweeps(graph, kSweepReadings * graph.num_edges()))
        return std::move(*doomed);
    return detail::doomed_states_by_reverse_search(graph);
}

namespace detail {

std::optional<std::vector<bool>> doomed_states_by_sweeps(const StateGraph& graph,
                                                         std::uint64_t edge_budget) {
    const StateId n = vertex_count(graph);
    std::vector<bool> finishes(n); // a goal is reachable
    std::vector<StateId> open;     // expanded states not known to finish, in decreasing id order
    for (StateId s = n; s-- > 0;) {
        finishes[s] = graph.is_goal(s);
        if (!finishes[s]) open.push_back(s);
    }
    std::uint64_t read = 0;
    for (bool marked = true; marked && !open.empty();) {
        marked = false;
        std::size_t kept = 0;
        for (const StateId s : open) {
            const auto successors = graph.successors(s);
            read += successors.size();
            if (std::any_of(successors.begin(), successors.end(),
                            [&finishes](StateId t) { return finishes[t]; })) {
                finishes[s] = true;
                marked = true;
            } else {
                open[kept++] = s;
            }
        }
        open.resize(kept);
        if (read > edge_budget && marked) return std::nullopt;
    }
    finishes.flip();
    return finishes;
}

std::vector<bool> doomed_states_by_reverse_search(const StateGraph& graph) {
    if (csr_fits_32_bits(graph.num_edges())) return doomed_states_with<std::uint32_t>(graph);
    return doomed_states_with<std::uint64_t>(graph);
}

} // namespace detail

std::optional<StateId> first_doomed_state(const StateGraph& graph) {
    return first_doomed_state(doomed_states(graph));
}

std::optional<StateId> first_doomed_state(const std::vector<bool>& doomed) {
    const auto it = std::find(doomed.begin(), doomed.end(), true);
    if (it == doomed.end()) return std::nullopt;
    return static_cast<StateId>(it - doomed.begin());
}

std::optional<NonProgressCycle> find_non_progress_cycle(const StateGraph& graph, StateId doomed) {
    MPCHECK_ASSERT(doomed < vertex_count(graph));
    ForwardSearch search = search_forward(graph, doomed);
    if (search.reached_goal) return std::nullopt;
    if (csr_fits_32_bits(search.edges)) return trap_of<std::uint32_t>(graph, search);
    return trap_of<std::uint64_t>(graph, search);
}

void write_dot(const StateGraph& graph, std::ostream& out, const StateLabeler& label) {
    const std::vector<bool> doomed = doomed_states(graph);
    const auto forward = whole_graph<std::uint64_t>(graph, false); // debug aid: one instantiation
    boost::write_graphviz(out, forward, DotVertexWriter(graph, doomed, label));
}

} // namespace mpcheck::explorer
