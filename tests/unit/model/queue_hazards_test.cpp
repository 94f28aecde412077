// Queue hazards of the semantics spec (§4), each as its buggy and its fixed program.
#include "tests/support/check.hpp"
#include "tests/support/programs.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::ProgramBuilder;
using model::Wait;
using properties::Verdict;
using testing::check;
using testing::seed_program;
using testing::violated;

TEST(SeedDeadlock, JoinBeforeGetOfALargeItemDeadlocks) {
    auto b = seed_program(1'000'000, true);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::violation);
    EXPECT_EQ(violated(r), std::vector<std::string>{"deadlock"});
    EXPECT_EQ(r.violations[0].loc.line, 8u) << r.violations[0].message;
}

TEST(SeedDeadlock, GetBeforeJoinIsOk) {
    auto b = seed_program(1'000'000, false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << (r.violations.empty() ? "" : r.violations[0].message);
}

TEST(SeedDeadlock, SmallItemThatFitsThePipeIsOk) {
    auto b = seed_program(1000, true);
    EXPECT_EQ(check(b).verdict, Verdict::ok);
}

TEST(SeedDeadlock, ThresholdFollowsTheMeasuredPipeCapacity) {
    // Measured on CPython 3.11 (spec §4.6): n = 65514 (wire 65536 bytes) completes,
    // n = 65515 (wire 65537 bytes) hangs.
    auto fits = seed_program(65514, true);
    auto hangs = seed_program(65515, true);
    EXPECT_EQ(check(fits).verdict, Verdict::ok);
    EXPECT_EQ(violated(check(hangs)), std::vector<std::string>{"deadlock"});
}

// def worker(q): for _ in range(k): q.put('x' * 1482)   (1500 pickled bytes each)
// parent: p.start(); p.join()
ProgramBuilder many_items(std::int32_t k) {
    ProgramBuilder b;
    auto w = b.function("worker", {"q"});
    const auto i = w.reg("i");
    const auto one = w.reg("one");
    const auto limit = w.reg("limit");
    const auto more = w.reg("more");
    w.integer(i, 0);
    w.integer(one, 1);
    w.integer(limit, k);
    const auto loop = w.pc();
    w.binary(more, i, model::BinaryOp::lt, limit);
    const auto exit = w.jump_if_false(more);
    const auto item = w.reg("item");
    w.sized_str(item, 1482, "'x' * 1482");
    w.put(w.reg("q"), item);
    w.binary(i, i, model::BinaryOp::add, one);
    w.jump(loop);
    w.patch(exit, w.pc());
    auto main = b.module();
    const auto q = main.reg("q");
    const auto p = main.reg("p");
    main.queue(q);
    main.process(p, "worker", {q});
    main.start(p);
    main.join(p);
    return b;
}

TEST(PipePageRule, CapacityIsPageGranularNotSixtyFourKilobytes) {
    // Each 1504-byte write takes half a page: two fit per page, 16 pages hold 32 messages,
    // and the 33rd blocks the feeder, so the child cannot exit and join() hangs. A flat
    // 65536-byte rule would let 43 through. Measured on CPython 3.11: 32 complete, 33 hang.
    auto fits = many_items(32);
    auto hangs = many_items(33);
    EXPECT_EQ(check(fits).verdict, Verdict::ok);
    EXPECT_EQ(violated(check(hangs)), std::vector<std::string>{"deadlock"});
}

// Sentinel-terminated workers: each worker loops get() until None; the parent sends
// `sentinels` Nones for two workers and joins both.
ProgramBuilder sentinel_workers(int sentinels) {
    ProgramBuilder b;
    auto w = b.function("worker", {"tasks"});
    const auto t = w.reg("t");
    const auto is_none = w.reg("is_none");
    const auto none = w.reg("none");
    w.none(none);
    const auto loop = w.at(3).pc();
    w.get(t, w.reg("tasks"));
    w.binary(is_none, t, model::BinaryOp::is, none);
    const auto done = w.jump_if_true(is_none);
    w.jump(loop);
    w.patch(done, w.pc());
    auto main = b.module();
    const auto q = main.reg("tasks");
    main.at(10).queue(q);
    const auto p1 = main.reg("p1");
    const auto p2 = main.reg("p2");
    main.at(11).process(p1, "worker", {q});
    main.at(12).process(p2, "worker", {q});
    main.at(13).start(p1);
    main.start(p2);
    const auto job = main.reg("job");
    main.at(14).integer(job, 1);
    main.put(q, job);
    const auto sentinel = main.reg("sentinel");
    main.none(sentinel);
    for (int i = 0; i < sentinels; ++i)
        main.at(15).put(q, sentinel);
    main.at(16).join(p1);
    main.at(17).join(p2);
    return b;
}

TEST(SentinelWorkers, OneSentinelTooFewDeadlocks) {
    auto b = sentinel_workers(1);
    EXPECT_EQ(violated(check(b)), std::vector<std::string>{"deadlock"});
}

TEST(SentinelWorkers, OneSentinelPerWorkerIsOk) {
    auto b = sentinel_workers(2);
    EXPECT_EQ(check(b).verdict, Verdict::ok);
}

// A polling loop: while q.empty(): pass -- on a queue nobody ever fills. No state is
// all-blocked (empty() always answers), yet the program can never finish.
ProgramBuilder polling(bool producer) {
    ProgramBuilder b;
    auto prod = b.function("producer", {"q"});
    const auto one = prod.reg("one");
    prod.integer(one, 1);
    prod.put(prod.reg("q"), one);
    auto main = b.module();
    const auto q = main.reg("q");
    main.at(5).queue(q);
    if (producer) {
        const auto p = main.reg("p");
        main.process(p, "producer", {q});
        main.start(p);
    }
    const auto empty = main.reg("empty");
    const auto loop = main.at(8).pc();
    main.op(model::Op::queue_empty, q, empty);
    main.jump_if_true(empty, loop);
    main.at(9).get(main.reg("x"), q);
    return b;
}

TEST(Livelock, PollingLoopThatCanNeverFinishIsADeadlock) {
    auto b = polling(false);
    const auto r = check(b);
    EXPECT_EQ(violated(r), std::vector<std::string>{"deadlock"});
    const std::string& message = r.violations[0].message;
    EXPECT_NE(message.find("loops forever"), std::string::npos) << message;
    // MainProcess is never blocked: the message says where it goes round.
    EXPECT_NE(message.find("MainProcess keeps looping through"), std::string::npos) << message;
    EXPECT_NE(message.find("at line 8"), std::string::npos) << message;
    EXPECT_EQ(message.find("blocked"), std::string::npos) << message;
}

TEST(Livelock, PollingLoopWithAProducerIsOk) {
    auto b = polling(true);
    EXPECT_EQ(check(b).verdict, Verdict::ok);
}

TEST(Bounds, StateLimitGivesInconclusiveNeverOk) {
    auto b = seed_program(1000, false);
    explorer::Limits limits;
    limits.max_states = 3;
    const auto r = check(b, model::StartMethod::fork, limits);
    EXPECT_EQ(r.verdict, Verdict::inconclusive);
    EXPECT_EQ(r.completion, explorer::Completion::state_limit);
}

TEST(CancelJoinThread, ExitWithBufferedItemsLosesData) {
    ProgramBuilder b;
    auto child = b.function("child", {"q"});
    child.at(2).op(model::Op::queue_cancel_join_thread, child.reg("q"));
    const auto one = child.reg("one");
    child.integer(one, 1);
    child.at(3).put(child.reg("q"), one);
    auto main = b.module();
    const auto q = main.reg("q");
    const auto p = main.reg("p");
    main.queue(q);
    main.process(p, "child", {q});
    main.start(p);
    main.join(p);
    EXPECT_TRUE(testing::violates(check(b), "lost-data"));
}

} // namespace
} // namespace mpcheck
