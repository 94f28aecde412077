// The search and the properties as a whole: exact counts, determinism, shortest traces that
// replay in the model, and honest bounds.
#include "bench/workers_family.hpp"
#include "tests/support/check.hpp"
#include "tests/support/programs.hpp"
#include "traces/render.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::ProgramBuilder;
using properties::Verdict;

ProgramBuilder seed(bool join_first) {
    return testing::seed_program(1'000'000, join_first);
}

TEST(ExactCounts, SeedProgramsHaveFixedStateSpaces) {
    // A count that changes without a change of semantics is a bug. (The large item's header
    // and payload are two write(2)s, two steps of the feeder, since 2026-11-26.)
    auto buggy = seed(true);
    auto fixed = seed(false);
    const auto rb = testing::check(buggy);
    const auto rf = testing::check(fixed);
    EXPECT_EQ(rb.stats.states, 8u);
    EXPECT_EQ(rb.stats.transitions, 7u);
    EXPECT_EQ(rf.stats.states, 87u);
    EXPECT_EQ(rf.stats.transitions, 97u);
}

TEST(ExactCounts, WorkersFamily) {
    const model::Model m1(bench::workers_family(1), model::StartMethod::fork);
    const model::Model m2(bench::workers_family(2), model::StartMethod::fork);
    const auto r1 = properties::check_model(m1, {});
    const auto r2 = properties::check_model(m2, {});
    EXPECT_EQ(r1.verdict, Verdict::ok);
    EXPECT_EQ(r2.verdict, Verdict::ok);
    EXPECT_EQ(r1.stats.states, 123u);
    EXPECT_EQ(r2.stats.states, 14555u);
    EXPECT_EQ(r2.stats.transitions, 48180u);
}

TEST(Determinism, TwoRunsGiveByteIdenticalReports) {
    auto b = seed(true);
    const model::Model m(b.build(), model::StartMethod::fork);
    const auto r1 = properties::check_model(m, {});
    const auto r2 = properties::check_model(m, {});
    EXPECT_EQ(traces::to_json(r1, m, false), traces::to_json(r2, m, false));
    EXPECT_EQ(traces::to_text(r1, m, "seed.py").substr(0, 200),
              traces::to_text(r2, m, "seed.py").substr(0, 200));
}

TEST(Traces, CounterexampleReplaysStepByStepFromTheInitialState) {
    auto b = seed(true);
    const model::Model m(b.build(), model::StartMethod::fork);
    const auto r = properties::check_model(m, {});
    ASSERT_EQ(r.violations.size(), 1u);
    const auto& trace = r.violations[0].trace;
    model::State s = m.initial_state();
    std::vector<model::Fact> facts;
    for (const auto& step : trace.steps) {
        model::State next;
        ASSERT_TRUE(m.apply(s, step.action, next, facts)) << step.info.action;
        EXPECT_EQ(next, step.after);
        s = next;
    }
    // It ends in a state where nothing can move and the program has not finished.
    struct Count : model::SuccessorSink {
        int n = 0;
        void on_successor(const model::Action&, const model::State&,
                          std::span<const model::Fact>) override {
            ++n;
        }
    } count;
    m.successors(s, count);
    EXPECT_EQ(count.n, 0);
    EXPECT_FALSE(m.is_final(s));
}

TEST(Traces, JsonFollowsTheContract) {
    auto b = seed(true);
    const model::Model m(b.build(), model::StartMethod::fork);
    const auto json = traces::to_json(properties::check_model(m, {}), m, false);
    EXPECT_NE(json.find("\"verdict\": \"violation\""), std::string::npos);
    EXPECT_NE(json.find("\"property\": \"deadlock\""), std::string::npos);
    EXPECT_NE(json.find("\"location\": {\n        \"line\": 8"), std::string::npos) << json;
    EXPECT_NE(json.find("\"process\": \"Process-1 (feeder thread)\""), std::string::npos);
    EXPECT_NE(json.find("\"max_depth\": 7"), std::string::npos);
}

TEST(Bounds, TimeLimitGivesInconclusive) {
    const model::Model m(bench::workers_family(4), model::StartMethod::fork);
    explorer::Limits limits;
    limits.max_seconds = 0.2;
    const auto r = properties::check_model(m, limits);
    EXPECT_EQ(r.verdict, Verdict::inconclusive);
    EXPECT_EQ(r.completion, explorer::Completion::time_limit);
    EXPECT_TRUE(r.violations.empty());
}

TEST(Bounds, MemoryLimitGivesInconclusive) {
    const model::Model m(bench::workers_family(3), model::StartMethod::fork);
    explorer::Limits limits;
    limits.max_memory_bytes = 1 << 20;
    const auto r = properties::check_model(m, limits);
    EXPECT_EQ(r.verdict, Verdict::inconclusive);
    EXPECT_EQ(r.completion, explorer::Completion::memory_limit);
}

TEST(Bounds, TruncatedSearchNeverInventsADeadlock) {
    // Frontier states count as able to finish.
    const model::Model m(bench::workers_family(3), model::StartMethod::fork);
    explorer::Limits limits;
    limits.max_states = 5000;
    const auto r = properties::check_model(m, limits);
    EXPECT_EQ(r.verdict, Verdict::inconclusive);
}

// for i in range(n): p = Process(target=child); p.start(); JOIN   -- with JOIN p.join() or not.
ProgramBuilder process_per_task(int n, bool join) {
    ProgramBuilder b;
    b.function("child", {});
    auto main = b.module();
    const auto p = main.reg("p");
    for (int i = 0; i < n; ++i) {
        main.process(p, "child", {});
        main.start(p);
        if (join) main.join(p);
    }
    return b;
}

TEST(Bounds, ProcessesThatComeAndGoReuseTheirSlots) {
    // 40 processes over the program's life, never more than two alive at once.
    auto b = process_per_task(40, true);
    const auto r = testing::check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << testing::first_message(r);
}

// def child(n): if n > 0: p = Process(target=child, args=(n - 1,)); p.start(); p.join()
// child(depth) run by MainProcess: a chain of `depth` nested processes, all alive at the end.
ProgramBuilder process_chain(int depth) {
    ProgramBuilder b;
    auto c = b.function("child", {"n"});
    const auto n = c.reg("n");
    const auto zero = c.reg("zero");
    const auto one = c.reg("one");
    const auto more = c.reg("more");
    const auto m = c.reg("m");
    const auto p = c.reg("p");
    c.integer(zero, 0);
    c.integer(one, 1);
    c.binary(more, n, model::BinaryOp::gt, zero);
    const auto done = c.jump_if_false(more);
    c.binary(m, n, model::BinaryOp::sub, one);
    c.process(p, "child", {m});
    c.start(p);
    c.join(p);
    c.patch(done, c.pc());
    auto main = b.module();
    const auto d = main.reg("d");
    main.integer(d, depth);
    main.call(main.reg("r"), "child", {d});
    return b;
}

TEST(Bounds, AStepBeyondTheModelIsInconclusiveNotADeadlock) {
    // CPython runs these to the end; the model holds 32 processes alive at once and 256 over a
    // program's life, so the 33rd start() and the 257th Process() are steps it cannot
    // represent. That must not read as "loops forever", nor as ok.
    auto chain = process_chain(32);
    auto sequence = process_per_task(260, true);
    const std::pair<ProgramBuilder*, const char*> cases[] = {
        {&chain, "more than 32 processes alive at once"},
        {&sequence, "more than 256 processes over the program's life"}};
    for (const auto& [b, reason] : cases) {
        const auto r = testing::check(*b);
        EXPECT_EQ(r.verdict, Verdict::inconclusive) << testing::first_message(r);
        EXPECT_EQ(r.completion, explorer::Completion::model_limit);
        EXPECT_NE(r.model_limit.find(reason), std::string::npos) << r.model_limit;
    }
}

TEST(Bounds, ThirtyTwoProcessesAliveAtOnceAreModelled) {
    auto chain = process_chain(31);
    EXPECT_EQ(testing::check(chain).verdict, Verdict::ok);
}

} // namespace
} // namespace mpcheck
