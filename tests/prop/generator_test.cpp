// The generators themselves: valid programs within their bounds, a fixed Python rendering, and
// shrinking that ends in a small counterexample.
#include "frontend/frontend.hpp"
#include "tests/prop/prop_support.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <algorithm>
#include <stdexcept>
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

/// How many enumerators each enum has (the last one's value plus one).
constexpr std::uint8_t kStepKinds = static_cast<std::uint8_t>(StepKind::notify_all) + 1;
constexpr std::uint8_t kPayloads = static_cast<std::uint8_t>(Payload::write_end) + 1;
constexpr std::uint8_t kResourceKinds = static_cast<std::uint8_t>(ResourceKind::condition) + 1;

/// Whether `p` satisfies what normalized() promises.
bool valid(const GenProgram& p) {
    auto resource_step_ok = [&](const GenStep& s) {
        if (s.target >= p.resources.size()) return false;
        const auto group = gen::detail::group_of(p.resources[s.target]);
        const bool carries = gen::detail::carries_payload(s.kind);
        const bool end_to_send = gen::detail::sent_pipe(p.resources, s) < p.resources.size();
        return std::find(group.begin(), group.end(), s.kind) != group.end() &&
               (carries || s.payload == Payload::small) &&
               (s.payload != Payload::write_end || end_to_send);
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
    return p.daemon.size() == p.workers.size() &&
           std::all_of(starts.begin(), starts.end(), [](int n) { return n == 1; });
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

// Regression: the resource kinds were once drawn at the size that bounds the resource count,
// and rapidcheck scales inRange with the size, so every generated resource was a Queue.
TEST(Generators, DrawEveryKindOfResourceStepAndPayload) {
    gen::GenOptions options = prop_options();
    options.send_write_ends = true; // off in the suites (a model limit), but it must work
    const auto draw =
        rc::gen::container<std::vector<GenProgram>>(500, gen::arbitrary_program(options));
    const auto programs = draw(rc::Random(kDefaultSeed), 50).value();
    std::vector<int> resources(kResourceKinds, 0);
    std::vector<int> steps(kStepKinds, 0);
    std::vector<int> payloads(kPayloads, 0);
    int daemons = 0;
    for (const GenProgram& p : programs) {
        for (const auto r : p.resources)
            ++resources[static_cast<std::size_t>(r)];
        auto count = [&](const GenStep& s) {
            ++steps[static_cast<std::size_t>(s.kind)];
            if (gen::detail::carries_payload(s.kind))
                ++payloads[static_cast<std::size_t>(s.payload)];
        };
        for (const auto& w : p.workers)
            std::for_each(w.begin(), w.end(), count);
        std::for_each(p.main.begin(), p.main.end(), count);
        daemons += static_cast<int>(std::count(p.daemon.begin(), p.daemon.end(), true));
    }
    for (std::size_t k = 0; k < resources.size(); ++k)
        EXPECT_GT(resources[k], 0) << "resource kind " << k;
    for (std::size_t k = 0; k < steps.size(); ++k)
        EXPECT_GT(steps[k], 0) << "step kind " << k;
    for (std::size_t k = 0; k < payloads.size(); ++k)
        EXPECT_GT(payloads[k], 0) << "payload " << k;
    EXPECT_GT(daemons, 0);
}

TEST(Generators, NormalizedMakesAnyValueValidAndIsIdempotent) {
    check_property(env_count("MPCHECK_PROP_CASES", 300), [] {
        auto raw_step = rc::gen::apply(
            [](std::uint8_t k, std::uint32_t t, std::uint8_t pay) {
                return GenStep{static_cast<StepKind>(k % kStepKinds), t,
                               static_cast<Payload>(pay % kPayloads)};
            },
            rc::gen::arbitrary<std::uint8_t>(), rc::gen::arbitrary<std::uint32_t>(),
            rc::gen::arbitrary<std::uint8_t>());
        GenProgram raw;
        for (const auto k :
             *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()))
            raw.resources.push_back(static_cast<ResourceKind>(k % kResourceKinds));
        raw.workers = *rc::gen::container<std::vector<std::vector<GenStep>>>(
            rc::gen::resize(5, rc::gen::container<std::vector<GenStep>>(raw_step)));
        raw.main = *rc::gen::container<std::vector<GenStep>>(raw_step);
        raw.daemon = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());
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

TEST(Generators, MainInAFunctionPrintsAMainFunctionAndIsNotBuilt) {
    // The seed hazard's fix with main's body in main(): the front end lowers it; to_model, which
    // builds module-level programs only, refuses it rather than build another program.
    GenProgram p{
        {ResourceKind::queue},
        {{GenStep{StepKind::put, 0, Payload::large}}},
        {GenStep{StepKind::start, 0}, GenStep{StepKind::get, 0}, GenStep{StepKind::join, 0}}};
    p.main_in_function = true;
    const std::string text = gen::to_python(p);
    EXPECT_EQ(text, R"(import multiprocessing as mp


def worker0(q0):
    q0.put('X' * 100000)


def main():
    q0 = mp.Queue()
    p0 = mp.Process(target=worker0, args=(q0,))
    p0.start()
    q0.get()
    p0.join()


if __name__ == '__main__':
    main()
)");
    EXPECT_THROW((void)gen::to_model(p), std::invalid_argument);
    auto lowered = frontend::lower_python(text, "main_in_function.py");
    ASSERT_TRUE(std::holds_alternative<model::Program>(lowered));
    const model::Model m(std::get<model::Program>(std::move(lowered)), model::StartMethod::fork);
    EXPECT_EQ(properties::check_model(m, prop_limits()).verdict, properties::Verdict::ok);
}

// Found by the CPython comparison while the model kept a dropped end open: main() returns, its
// read end dies with it, and the worker's send() raises BrokenPipeError (the worker is passed
// only the write end it uses).
TEST(Generators, AReadEndDroppedWhenMainReturnsBreaksTheWorkersPipe) {
    GenProgram p{{ResourceKind::pipe}, {{GenStep{StepKind::send, 0}}}, {}};
    p.start_method = model::StartMethod::spawn;
    p.main_in_function = true;
    p = gen::normalized(p);
    const std::string text = gen::to_python(p);
    EXPECT_NE(text.find("def worker0(w0):"), std::string::npos) << text;
    auto lowered = frontend::lower_python(text, "dropped_read_end.py");
    ASSERT_TRUE(std::holds_alternative<model::Program>(lowered));
    const model::Model m(std::get<model::Program>(std::move(lowered)), model::StartMethod::fork);
    const auto r = properties::check_model(m, prop_limits());
    EXPECT_EQ(violated_ids(r), std::vector<std::string>{"api-misuse"});
}

TEST(Generators, PrintsEveryKindOfResourceAndStep) {
    using R = ResourceKind;
    using S = StepKind;
    GenProgram p{
        {R::simple_queue, R::lock, R::event, R::pipe, R::joinable_queue, R::bounded_queue,
         R::semaphore, R::queue, R::duplex_pipe, R::rlock, R::condition},
        {{GenStep{S::drain, 0}, GenStep{S::acquire, 1}, GenStep{S::release, 1}, GenStep{S::wait, 2},
          GenStep{S::close_writer, 3}, GenStep{S::recv_all, 3}, GenStep{S::close_reader, 3},
          GenStep{S::get_timeout, 4}, GenStep{S::task_done, 4}, GenStep{S::put, 5, Payload::large},
          GenStep{S::release, 6}, GenStep{S::get_keep, 7}, GenStep{S::cancel_join, 4},
          GenStep{S::acquire, 9}, GenStep{S::acquire, 9}, GenStep{S::release, 9},
          GenStep{S::release, 9}, GenStep{S::cond_wait, 10}},
         {GenStep{S::recv, 3}, GenStep{S::get, 7}, GenStep{S::put, 7, Payload::fills_pipe},
          GenStep{S::send, 3, Payload::overflows_pipe}, GenStep{S::recv_keep, 3},
          GenStep{S::send_back, 8, Payload::write_end}, GenStep{S::recv_back, 8},
          GenStep{S::send, 8}, GenStep{S::recv, 8}, GenStep{S::notify, 10},
          GenStep{S::notify_all, 10}}},
        {GenStep{S::start, 0}, GenStep{S::put, 0, Payload::sentinel}, GenStep{S::set, 2},
         GenStep{S::clear, 2}, GenStep{S::send, 3, Payload::small}, GenStep{S::close_writer, 3},
         GenStep{S::join_queue, 4}, GenStep{S::acquire, 6}, GenStep{S::terminate, 0},
         GenStep{S::join, 0}, GenStep{S::close, 0}, GenStep{S::start, 1}, GenStep{S::kill, 1},
         GenStep{S::join_timeout, 1}, GenStep{S::put, 7, Payload::write_end}},
        model::StartMethod::forkserver,
        {false, true}};
    ASSERT_TRUE(valid(p));
    EXPECT_EQ(gen::to_python(p), R"(import multiprocessing as mp
import queue


def worker0(s0, l1, e2, r3, w3, j4, b5, m6, q7, k9, c10):
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
    got11 = q7.get()
    j4.cancel_join_thread()
    k9.acquire()
    k9.acquire()
    k9.release()
    k9.release()
    with c10:
        c10.wait(timeout=0.1)


def worker1(r3, w3, q7, u8, v8, c10):
    r3.recv()
    q7.get()
    q7.put('X' * 65514)
    w3.send('X' * 65515)
    got4 = r3.recv()
    u8.send(w3)
    v8.recv()
    v8.send(1)
    u8.recv()
    with c10:
        c10.notify()
    with c10:
        c10.notify_all()


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
    u8, v8 = mp.Pipe()
    k9 = mp.RLock()
    c10 = mp.Condition()
    p0 = mp.Process(target=worker0, args=(s0, l1, e2, r3, w3, j4, b5, m6, q7, k9, c10))
    p1 = mp.Process(target=worker1, args=(r3, w3, q7, u8, v8, c10), daemon=True)
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
    q7.put(w3)
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
    // The arguments carry everything the worker uses; the spawn child only adds the step that
    // unpickles them (re-running the main block would start workers without end).
    EXPECT_GT(s.stats.states, f.stats.states);
    EXPECT_LE(s.stats.states, f.stats.states + 4);
}

// A write end sent through a queue prints as Python a developer would write, and the model
// reports the send as a model limit: when the descriptor copies close (the sender's
// resource_sharer, the receiver's garbage collection) is not modelled, so the verdict is
// inconclusive rather than ok or a deadlock.
TEST(Generators, AWriteEndSentThroughAQueueIsAModelLimit) {
    using R = ResourceKind;
    using S = StepKind;
    const std::vector<GenStep> receiver{GenStep{S::close_writer, 1}, GenStep{S::get_keep, 0},
                                        GenStep{S::put, 3}, GenStep{S::wait, 2}};
    const GenStep handed_over[] = {GenStep{S::start, 0}, GenStep{S::put, 0, Payload::write_end},
                                   GenStep{S::get, 3}, GenStep{S::close_writer, 1}};
    GenProgram sent{{R::queue, R::pipe, R::event, R::simple_queue}, {receiver}, {}};
    sent.main.assign(std::begin(handed_over), std::end(handed_over));
    sent.main.insert(sent.main.end(), {GenStep{S::recv_all, 1}, GenStep{S::set, 2}});
    sent = gen::normalized(sent);
    ASSERT_TRUE(valid(sent));
    EXPECT_NE(gen::to_python(sent).find("    got1 = q0.get()\n"), std::string::npos);
    EXPECT_NE(gen::to_python(sent).find("    q0.put(w1)\n"), std::string::npos);
    EXPECT_TRUE(std::holds_alternative<model::Program>(
        frontend::lower_python(gen::to_python(sent), "sent.py")));
    const model::Model m(gen::to_model(sent), model::StartMethod::fork);
    const auto result = properties::check_model(m, prop_limits());
    EXPECT_EQ(result.verdict, properties::Verdict::inconclusive) << gen::to_python(sent);
    EXPECT_EQ(result.completion, explorer::Completion::model_limit);
    EXPECT_NE(result.model_limit.find("a Connection sent through a queue or pipe"),
              std::string::npos)
        << result.model_limit;
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
