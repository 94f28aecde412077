// The generators themselves: valid programs within their bounds, a fixed Python rendering, and
// shrinking that ends in a small counterexample.
#include "frontend/frontend.hpp"
#include "tests/prop/prop_support.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <algorithm>
#include <string>
#include <variant>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {
namespace {

using gen::GenProgram;
using gen::GenStep;
using gen::Payload;
using gen::ResourceKind;
using gen::StepKind;

/// Whether `p` satisfies what normalized() promises.
bool valid(const GenProgram& p) {
    auto resource_step_ok = [&](const GenStep& s) {
        if (s.target >= p.resources.size()) return false;
        const auto group = gen::detail::group_of(p.resources[s.target]);
        const bool carries = s.kind == StepKind::put || s.kind == StepKind::send;
        return std::find(group.begin(), group.end(), s.kind) != group.end() &&
               (carries || s.payload == Payload::small);
    };
    for (const auto& w : p.workers) {
        if (!std::all_of(w.begin(), w.end(), resource_step_ok)) return false;
    }
    std::vector<int> starts(p.workers.size(), 0);
    for (const GenStep& s : p.main) {
        if (!gen::detail::is_process_step(s.kind)) {
            if (!resource_step_ok(s)) return false;
            continue;
        }
        if (s.target >= p.workers.size()) return false;
        if (s.kind == StepKind::start) ++starts[s.target];
        if (s.kind != StepKind::start && starts[s.target] == 0) return false;
    }
    return std::all_of(starts.begin(), starts.end(), [](int n) { return n == 1; });
}

TEST(Generators, ProgramsAreValidAndWithinTheirBounds) {
    check_property(env_count("MPCHECK_PROP_CASES", 300), [] {
        const gen::GenOptions options = tiny_options();
        const auto p = *gen::arbitrary_program(options);
        RC_ASSERT(valid(p));
        RC_ASSERT(gen::normalized(p) == p);
        RC_ASSERT(!p.resources.empty());
        RC_ASSERT(p.resources.size() <= options.max_resources);
        RC_ASSERT(p.workers.size() <= options.max_workers);
        for (const auto& w : p.workers)
            RC_ASSERT(w.size() <= options.max_worker_steps);
        RC_ASSERT(p.main.size() <= options.max_main_steps + p.workers.size());
    });
}

TEST(Generators, NormalizedMakesAnyValueValidAndIsIdempotent) {
    check_property(env_count("MPCHECK_PROP_CASES", 300), [] {
        auto raw_step = rc::gen::apply(
            [](std::uint8_t k, std::uint32_t t, std::uint8_t pay) {
                return GenStep{static_cast<StepKind>(k % 22), t, static_cast<Payload>(pay % 5)};
            },
            rc::gen::arbitrary<std::uint8_t>(), rc::gen::arbitrary<std::uint32_t>(),
            rc::gen::arbitrary<std::uint8_t>());
        GenProgram raw;
        for (const auto k :
             *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()))
            raw.resources.push_back(static_cast<ResourceKind>(k % 8));
        raw.workers = *rc::gen::container<std::vector<std::vector<GenStep>>>(
            rc::gen::resize(5, rc::gen::container<std::vector<GenStep>>(raw_step)));
        raw.main = *rc::gen::container<std::vector<GenStep>>(raw_step);
        const GenProgram once = gen::normalized(raw);
        RC_ASSERT(valid(once));
        RC_ASSERT(gen::normalized(once) == once);
    });
}

TEST(Generators, PrintsTheSeedHazardAsPython) {
    // A worker puts a large item; main joins it before getting: the seed deadlock.
    const GenProgram p{
        {ResourceKind::queue},
        {{GenStep{StepKind::put, 0, Payload::large}}},
        {GenStep{StepKind::start, 0}, GenStep{StepKind::join, 0}, GenStep{StepKind::get, 0}}};
    EXPECT_EQ(gen::to_python(p), R"(import multiprocessing as mp


def worker0(q0):
    q0.put('X' * 100000)


if __name__ == '__main__':
    q0 = mp.Queue()
    p0 = mp.Process(target=worker0, args=(q0,))
    p0.start()
    p0.join()
    q0.get()
)");
    const model::Model m(gen::to_model(p), model::StartMethod::fork);
    const auto r = properties::check_model(m, prop_limits());
    EXPECT_EQ(violated_ids(r), std::vector<std::string>{"deadlock"});
    EXPECT_EQ(r.violations[0].loc, (model::SourceLoc{12, 5})); // p0.join()
}

TEST(Generators, PrintsEveryKindOfResourceAndStep) {
    using R = ResourceKind;
    using S = StepKind;
    GenProgram p{
        {R::simple_queue, R::lock, R::event, R::pipe, R::joinable_queue, R::bounded_queue,
         R::semaphore, R::queue},
        {{GenStep{S::drain, 0}, GenStep{S::acquire, 1}, GenStep{S::release, 1}, GenStep{S::wait, 2},
          GenStep{S::close_writer, 3}, GenStep{S::recv_all, 3}, GenStep{S::close_reader, 3},
          GenStep{S::get_timeout, 4}, GenStep{S::task_done, 4}, GenStep{S::put, 5, Payload::large},
          GenStep{S::release, 6}},
         {GenStep{S::recv, 3}, GenStep{S::get, 7}, GenStep{S::put, 7, Payload::fills_pipe},
          GenStep{S::send, 3, Payload::overflows_pipe}}},
        {GenStep{S::start, 0}, GenStep{S::put, 0, Payload::sentinel}, GenStep{S::set, 2},
         GenStep{S::clear, 2}, GenStep{S::send, 3, Payload::small}, GenStep{S::close_writer, 3},
         GenStep{S::join_queue, 4}, GenStep{S::acquire, 6}, GenStep{S::terminate, 0},
         GenStep{S::join, 0}, GenStep{S::close, 0}, GenStep{S::start, 1}, GenStep{S::kill, 1},
         GenStep{S::join_timeout, 1}},
        model::StartMethod::forkserver};
    ASSERT_TRUE(valid(p));
    EXPECT_EQ(gen::to_python(p), R"(import multiprocessing as mp
import queue


def worker0(s0, l1, e2, r3, w3, j4, b5, m6, q7):
    while s0.get() is not None:
        pass
    l1.acquire()
    l1.release()
    e2.wait()
    w3.close()
    try:
        while True:
            r3.recv()
    except EOFError:
        pass
    r3.close()
    try:
        j4.get(timeout=0.1)
    except queue.Empty:
        pass
    j4.task_done()
    b5.put('X' * 100000)
    m6.release()


def worker1(s0, l1, e2, r3, w3, j4, b5, m6, q7):
    r3.recv()
    q7.get()
    q7.put('X' * 65514)
    w3.send('X' * 65515)


if __name__ == '__main__':
    mp.set_start_method('forkserver')
    s0 = mp.SimpleQueue()
    l1 = mp.Lock()
    e2 = mp.Event()
    r3, w3 = mp.Pipe(duplex=False)
    j4 = mp.JoinableQueue()
    b5 = mp.Queue(1)
    m6 = mp.Semaphore(0)
    q7 = mp.Queue()
    p0 = mp.Process(target=worker0, args=(s0, l1, e2, r3, w3, j4, b5, m6, q7))
    p1 = mp.Process(target=worker1, args=(s0, l1, e2, r3, w3, j4, b5, m6, q7))
    p0.start()
    s0.put(None)
    e2.set()
    e2.clear()
    w3.send(1)
    w3.close()
    j4.join()
    m6.acquire()
    p0.terminate()
    p0.join()
    s0.close()
    p1.start()
    p1.kill()
    p1.join(timeout=0.1)
)");
    // The front end reads it back (the round-trip property compares the behaviour).
    EXPECT_TRUE(std::holds_alternative<model::Program>(
        frontend::lower_python(gen::to_python(p), "every_kind.py")));
}

// Regression, found by the round-trip property: to_model once left out the main guard, so every
// spawn child re-ran the main block and started workers of its own without end (the search hit
// its state bound where fork takes a dozen states).
TEST(Generators, SpawnChildrenDoNotRunTheMainBlock) {
    GenProgram p{{ResourceKind::queue},
                 {{GenStep{StepKind::put, 0}}},
                 {GenStep{StepKind::start, 0}, GenStep{StepKind::get, 0}}};
    const model::Model forked(gen::to_model(p), model::StartMethod::fork);
    p.start_method = model::StartMethod::spawn;
    const model::Model spawned(gen::to_model(p), model::StartMethod::fork);
    const auto f = properties::check_model(forked, prop_limits());
    const auto s = properties::check_model(spawned, prop_limits());
    EXPECT_EQ(s.completion, explorer::Completion::finished);
    EXPECT_EQ(s.verdict, properties::Verdict::ok);
    EXPECT_EQ(s.stats.states, f.stats.states); // the arguments carry everything the worker uses
}

TEST(Generators, AFailingPropertyShrinksToASmallProgram) {
    // "No generated program can deadlock" is false; rapidcheck must shrink the first deadlocking
    // program it finds to one resource and at most two steps besides the starts (a blocking get,
    // or a worker's blocking get that main waits for).
    GenProgram smallest;
    const auto property = [&smallest] {
        const auto program = *gen::arbitrary_program(prop_options());
        const model::Model m(gen::to_model(program), model::StartMethod::fork);
        const bool deadlocks = violates(properties::check_model(m, prop_limits()), "deadlock");
        if (deadlocks) smallest = program; // the last failing value tried is the shrunk one
        RC_ASSERT(!deadlocks);
    };
    rc::detail::TestParams params;
    params.seed = kDefaultSeed;
    rc::detail::TestListenerAdapter quiet;
    const auto result =
        rc::detail::checkProperty(rc::detail::toProperty(property), {}, params, quiet, {});
    ASSERT_TRUE(result.is<rc::detail::FailureResult>());
    std::size_t steps = 0;
    for (const auto& w : smallest.workers)
        steps += w.size();
    for (const GenStep& s : smallest.main)
        steps += s.kind == StepKind::start ? 0 : 1;
    EXPECT_EQ(smallest.resources.size(), 1u) << gen::to_python(smallest);
    EXPECT_LE(smallest.workers.size(), 1u) << gen::to_python(smallest);
    EXPECT_LE(steps, 2u) << gen::to_python(smallest);
}

} // namespace
} // namespace mpcheck::prop
