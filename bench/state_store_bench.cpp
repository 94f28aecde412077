// Benchmarks of the explorer's StateStore on synthetic interleaving-like state families laid out
// as the model lays out its states: a 4-word header, then P "process" records that start with
// their size word, each record one of V local states. A step of process p advances its record
// (changing 1 to 3 of its words, and with resizing=1 also its length, which shifts every record
// after it) and records p in the header. Every benchmark reports bytes per stored state (all
// memory the store allocated / states).
//
//   BM_ExploreBfs/P/V/batched/resizing  breadth-first search of the whole family, as the
//                              explorer does it: load each state with its tree, insert its P
//                              successors one by one (batched=0) or with insert_batch
//                              (batched=1); most successors are already stored.
//                              time_per_insert includes the loads.
//   BM_InsertIncremental/V     insert(words, near) of a stored successor of a loaded state
//   BM_InsertFresh/N           plain insert(words) of new states, N of them
//   BM_InsertDuplicate/N       plain insert(words) of stored states, in a store of N
//   BM_Load/N, BM_LoadTree/N   loads of random stored states, in a store of N

#include "explorer/state_store.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace {

using mpcheck::explorer::StateId;
using mpcheck::explorer::StateStore;
using Words = std::vector<std::uint32_t>;

/// The synthetic family: P processes with V local states each.
struct Family {
    static constexpr std::size_t kHeader = 4;
    static constexpr std::size_t kRecord = 6;
    std::size_t processes;
    std::uint32_t values;
    bool resizing;

    Family(std::size_t p, std::uint32_t v, bool resize = false)
        : processes(p), values(v), resizing(resize) {}

    /// Appends process p's record in local state v: its size, a program counter and a few
    /// local variables (and, when resizing, v % 3 more words, as a growing buffer would).
    void append_record(Words& words, std::size_t p, std::uint32_t v) const {
        const std::size_t size = kRecord + (resizing ? v % 3 : 0);
        words.push_back(static_cast<std::uint32_t>(size));
        words.push_back(v);     // program counter: changes on every step
        words.push_back(v / 2); // changes every second step
        words.push_back(v % 3); // changes on most steps
        words.push_back(static_cast<std::uint32_t>(p));
        words.push_back(v / 7);
        words.resize(words.size() + size - kRecord, v);
    }

    /// The state with these local states, in which process `last` took the last step.
    void write(std::span<const std::uint32_t> locals, std::uint32_t last, Words& words) const {
        words.assign({last, static_cast<std::uint32_t>(processes), 0, 0});
        for (std::size_t p = 0; p < processes; ++p)
            append_record(words, p, locals[p]);
    }

    Words initial() const {
        Words words;
        write(std::vector<std::uint32_t>(processes, 0), 0, words);
        return words;
    }

    /// Writes to `to` the successor of `from` in which process p takes a step.
    void step(std::span<const std::uint32_t> from, std::size_t p, Words& to) const {
        std::vector<std::uint32_t>& locals = scratch_;
        locals.resize(processes);
        for (std::size_t q = 0, at = kHeader; q < processes; ++q, at += from[at])
            locals[q] = from[at + 1];
        locals[p] = (locals[p] + 1) % values;
        write(locals, static_cast<std::uint32_t>(p), to);
    }

private:
    mutable std::vector<std::uint32_t> scratch_;
};

void report_memory(benchmark::State& state, const StateStore& store) {
    const auto states = static_cast<double>(store.size());
    state.counters["states"] = states;
    state.counters["bytes_per_state"] = static_cast<double>(store.bytes()) / states;
    state.counters["segments"] = static_cast<double>(store.segment_count());
}

/// Breadth-first search of the whole family; returns the number of inserts.
std::size_t explore(const Family& family, bool batched, StateStore& store) {
    StateStore::Tree tree;
    Words current;
    std::vector<Words> successors(family.processes);
    std::vector<std::span<const std::uint32_t>> spans(family.processes);
    std::vector<StateStore::Insertion> results;
    store.insert(family.initial());
    std::size_t inserts = 1;
    for (StateId next = 0; next < store.size(); ++next) {
        store.load(next, current, tree);
        for (std::size_t p = 0; p < family.processes; ++p) {
            family.step(current, p, successors[p]);
            spans[p] = successors[p];
            if (!batched) benchmark::DoNotOptimize(store.insert(spans[p], tree));
        }
        if (batched) store.insert_batch(spans, tree, results);
        inserts += family.processes;
    }
    return inserts;
}

void BM_ExploreBfs(benchmark::State& state) {
    const Family family{static_cast<std::size_t>(state.range(0)),
                        static_cast<std::uint32_t>(state.range(1)), state.range(3) != 0};
    const bool batched = state.range(2) != 0;
    std::size_t inserts = 0;
    std::size_t states = 0;
    StateStore last;
    for (auto _ : state) {
        StateStore store;
        inserts += explore(family, batched, store);
        states += store.size();
        last = std::move(store);
    }
    report_memory(state, last);
    // Seconds per insert (printed with an SI prefix, e.g. "120n") and states stored per second.
    state.counters["time_per_insert"] = benchmark::Counter(
        static_cast<double>(inserts), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["states_per_s"] =
        benchmark::Counter(static_cast<double>(states), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExploreBfs)
    ->ArgNames({"P", "V", "batched", "resizing"})
    ->Args({8, 4, 0, 0})
    ->Args({8, 4, 1, 0})
    ->Args({8, 5, 0, 0})
    ->Args({8, 5, 1, 0})
    ->Args({8, 5, 1, 1})
    ->Unit(benchmark::kMillisecond);

void BM_InsertIncremental(benchmark::State& state) {
    // The store holds the whole family, so every successor is already stored (the common case).
    // Each iteration writes one successor of a loaded state and inserts it near that state.
    const Family family{8, static_cast<std::uint32_t>(state.range(0))};
    StateStore store;
    explore(family, true, store);
    std::mt19937_64 random(2);
    std::vector<StateStore::Tree> trees(256);
    Words words;
    for (auto& tree : trees)
        store.load(static_cast<StateId>(random() % store.size()), words, tree);
    Words successor;
    std::size_t t = 0;
    std::size_t p = 0;
    for (auto _ : state) {
        family.step(trees[t].words(), p, successor);
        benchmark::DoNotOptimize(store.insert(successor, trees[t]));
        if (++p == family.processes) {
            p = 0;
            t = (t + 1) % trees.size();
        }
    }
    report_memory(state, store);
}
BENCHMARK(BM_InsertIncremental)->ArgNames({"V"})->Arg(4)->Arg(5);

/// Mixed-radix counter over the processes' local states, changing few records per increment.
struct Odometer {
    const Family& family;
    std::vector<std::uint32_t> digits;
    Words words;

    explicit Odometer(const Family& f) : family(f), digits(f.processes, 0), words(f.initial()) {}

    void advance() {
        for (std::size_t p = 0; p < family.processes; ++p) {
            digits[p] = (digits[p] + 1) % family.values;
            if (digits[p] != 0) break;
        }
        family.write(digits, 0, words);
    }
};

const Family kWide{8, 20}; // 8 processes with 20 local states each: 2.56e10 states

/// A store holding the first `count` states of the odometer order over kWide.
StateStore filled_store(std::size_t count) {
    StateStore store;
    Odometer odometer(kWide);
    for (std::size_t i = 0; i < count; ++i) {
        store.insert(odometer.words);
        odometer.advance();
    }
    return store;
}

void BM_InsertFresh(benchmark::State& state) {
    StateStore store;
    Odometer odometer(kWide);
    for (auto _ : state) {
        benchmark::DoNotOptimize(store.insert(odometer.words));
        odometer.advance();
    }
    report_memory(state, store);
}
BENCHMARK(BM_InsertFresh)->Arg(1 << 20)->Iterations(1 << 20);
BENCHMARK(BM_InsertFresh)->Arg(1 << 23)->Iterations(1 << 23);

void BM_InsertDuplicate(benchmark::State& state) {
    const auto count = static_cast<std::size_t>(state.range(0));
    StateStore store = filled_store(count);
    std::mt19937_64 random(1);
    std::vector<Words> pool(1024); // stored states in random order
    for (auto& words : pool)
        store.load(static_cast<StateId>(random() % count), words);
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(store.insert(pool[i]));
        i = (i + 1) % pool.size();
    }
    report_memory(state, store);
}
BENCHMARK(BM_InsertDuplicate)->Arg(1 << 20);

void BM_Load(benchmark::State& state) {
    const auto count = static_cast<std::size_t>(state.range(0));
    const StateStore store = filled_store(count);
    std::mt19937_64 random(3);
    Words out;
    for (auto _ : state) {
        store.load(static_cast<StateId>(random() % count), out);
        benchmark::DoNotOptimize(out.data());
    }
    report_memory(state, store);
}
BENCHMARK(BM_Load)->Arg(1 << 20);

void BM_LoadTree(benchmark::State& state) {
    const auto count = static_cast<std::size_t>(state.range(0));
    const StateStore store = filled_store(count);
    std::mt19937_64 random(3);
    Words out;
    StateStore::Tree tree;
    for (auto _ : state) {
        store.load(static_cast<StateId>(random() % count), out, tree);
        benchmark::DoNotOptimize(out.data());
    }
    report_memory(state, store);
}
BENCHMARK(BM_LoadTree)->Arg(1 << 20);

} // namespace
