// JoinableQueue (spec §5.2): task_done()/join() go through the queue's own Condition, so the
// Condition's hazards are the queue's: a process killed inside task_done() abandons the lock
// that every later put(), task_done() and join() needs, and a joiner killed while asleep makes
// the task_done() that empties the queue wait for it forever.
#include "tests/support/check.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::Op;
using model::ProgramBuilder;
using model::QueueKind;
using properties::Verdict;
using testing::check;
using testing::first_message;
using testing::violated;
using testing::violates;

// def worker(q):
//     q.get()
//     if done_tasks: q.task_done()
// q = JoinableQueue(); p = Process(target=worker, args=(q,)); p.start()
// q.put(1); q.join(); p.join()
ProgramBuilder consumer_then_join(bool done_tasks) {
    ProgramBuilder b;
    auto w = b.function("worker", {"q"});
    const auto q_in_worker = w.reg("q");
    w.get(w.reg("item"), q_in_worker);
    if (done_tasks) w.op(Op::queue_task_done, q_in_worker);
    auto main = b.module();
    const auto q = main.reg("q");
    const auto p = main.reg("p");
    const auto item = main.reg("item");
    main.queue(q, QueueKind::joinable);
    main.process(p, "worker", {q});
    main.start(p);
    main.integer(item, 1);
    main.put(q, item);
    main.op(Op::queue_join, q);
    main.join(p);
    return b;
}

TEST(JoinableQueue, JoinReturnsOnceEveryItemIsDone) {
    auto b = consumer_then_join(true);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(JoinableQueue, JoinWithoutTaskDoneHangs) {
    auto b = consumer_then_join(false);
    EXPECT_EQ(violated(check(b)), std::vector<std::string>{"deadlock"});
}

TEST(JoinableQueue, TaskDoneTooOftenIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const auto q = main.reg("q");
    main.queue(q, QueueKind::joinable);
    main.op(Op::queue_task_done, q);
    const auto r = check(b);
    EXPECT_TRUE(violates(r, "api-misuse")) << first_message(r);
    EXPECT_NE(first_message(r).find("task_done() called too many times"), std::string::npos);
}

// def worker(q):
//     while True: q.get(); q.task_done()
// parent: start; put(1); terminate (or: put(None) as a stop signal and join); then put(2)
ProgramBuilder killed_consumer(bool terminate) {
    ProgramBuilder b;
    auto w = b.function("worker", {"q"});
    const auto qw = w.reg("q");
    const auto item = w.reg("item");
    const auto loop = w.pc();
    w.get(item, qw);
    w.op(Op::queue_task_done, qw);
    const auto none = w.temp();
    const auto stop = w.temp();
    w.none(none);
    w.binary(stop, item, model::BinaryOp::is, none);
    w.jump_if_false(stop, loop);
    auto main = b.module();
    const auto q = main.reg("q");
    const auto p = main.reg("p");
    const auto x = main.reg("x");
    main.queue(q, QueueKind::joinable);
    main.process(p, "worker", {q});
    main.start(p);
    main.integer(x, 1);
    main.put(q, x);
    if (terminate) {
        main.terminate(p);
        main.join(p);
    } else {
        main.none(x);
        main.put(q, x);
        main.join(p);
    }
    main.integer(x, 2);
    main.put(q, x); // needs the queue's Condition lock
    return b;
}

TEST(JoinableQueue, ConsumerKilledInsideTaskDoneAbandonsTheQueueLock) {
    // The child may be killed while it holds the Condition's lock inside task_done(): the
    // parent's next put() then waits for that lock forever.
    auto b = killed_consumer(true);
    const auto r = check(b);
    EXPECT_TRUE(violates(r, "abandoned-lock")) << first_message(r);
    EXPECT_TRUE(violates(r, "deadlock")) << first_message(r);
}

TEST(JoinableQueue, ConsumerStoppedBySentinelLeavesTheQueueUsable) {
    auto b = killed_consumer(false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// def joiner(q): q.join()
// parent: q.put(1); j = Process(target=joiner); j.start(); [j.terminate()]
//         q.get(); q.task_done(); j.join()
ProgramBuilder killed_joiner(bool terminate) {
    ProgramBuilder b;
    auto w = b.function("joiner", {"q"});
    w.op(Op::queue_join, w.reg("q"));
    auto main = b.module();
    const auto q = main.reg("q");
    const auto j = main.reg("j");
    const auto x = main.reg("x");
    main.queue(q, QueueKind::joinable);
    main.integer(x, 1);
    main.put(q, x);
    main.process(j, "joiner", {q});
    main.start(j);
    if (terminate) main.terminate(j);
    main.get(x, q);
    main.op(Op::queue_task_done, q);
    main.join(j);
    return b;
}

TEST(JoinableQueue, JoinerKilledWhileWaitingPoisonsTaskDone) {
    // Killed asleep in join()'s Condition.wait(): the task_done() that empties the queue posts
    // the dead sleeper's semaphore and then waits for its handshake forever (spec §7.2).
    auto b = killed_joiner(true);
    const auto r = check(b);
    EXPECT_TRUE(violates(r, "deadlock")) << first_message(r);
}

TEST(JoinableQueue, LiveJoinerIsWokenByTheLastTaskDone) {
    auto b = killed_joiner(false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

} // namespace
} // namespace mpcheck
