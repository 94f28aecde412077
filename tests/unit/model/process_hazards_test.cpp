// Process, lock-order and start-method hazards of the semantics spec (§1, §6, §9), each as its
// buggy and its fixed program.
#include "tests/support/check.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::Op;
using model::ProgramBuilder;
using model::StartMethod;
using properties::Verdict;
using testing::check;
using testing::violated;
using testing::violates;

// def worker(a, b): with a: with b: pass      -- and the parent takes b then a (or a then b).
ProgramBuilder lock_order(bool inverted) {
    ProgramBuilder b;
    auto w = b.function("worker", {"a", "b"});
    w.at(2).acquire(w.reg("a"));
    w.at(3).acquire(w.reg("b"));
    w.at(4).release(w.reg("b"));
    w.release(w.reg("a"));
    auto m = b.module();
    const auto la = m.reg("a");
    const auto lb = m.reg("b");
    const auto p = m.reg("p");
    m.at(7).lock(la);
    m.lock(lb);
    m.at(8).process(p, "worker", {la, lb});
    m.at(9).start(p);
    const auto first = inverted ? lb : la;
    const auto second = inverted ? la : lb;
    m.at(10).acquire(first);
    m.at(11).acquire(second);
    m.at(12).release(second);
    m.release(first);
    m.at(13).join(p);
    return b;
}

TEST(LockOrder, InversionDeadlocks) {
    auto b = lock_order(true);
    const auto r = check(b);
    EXPECT_EQ(violated(r), std::vector<std::string>{"deadlock"});
}

TEST(LockOrder, SameOrderIsOk) {
    auto b = lock_order(false);
    EXPECT_EQ(check(b).verdict, Verdict::ok);
}

// def holder(lock): lock.acquire(); lock.release()
// The parent terminates it (buggy: the child may be inside its critical section) or joins it.
ProgramBuilder terminate_holder(bool terminate) {
    ProgramBuilder b;
    auto h = b.function("holder", {"lock"});
    h.at(2).acquire(h.reg("lock"));
    h.at(3).release(h.reg("lock"));
    auto m = b.module();
    const auto lock = m.reg("lock");
    const auto p = m.reg("p");
    m.at(6).lock(lock);
    m.at(7).process(p, "holder", {lock});
    m.at(8).start(p);
    if (terminate) m.at(9).terminate(p);
    m.at(10).join(p);
    m.at(11).acquire(lock, model::Wait::timeout);
    return b;
}

TEST(Terminate, WhileHoldingALockAbandonsIt) {
    auto b = terminate_holder(true);
    const auto r = check(b);
    EXPECT_TRUE(violates(r, "abandoned-lock"));
    EXPECT_FALSE(violates(r, "deadlock")); // the parent's acquire has a timeout
}

TEST(Terminate, JoiningInsteadIsOk) {
    auto b = terminate_holder(false);
    EXPECT_EQ(check(b).verdict, Verdict::ok);
}

ProgramBuilder start_twice(bool twice) {
    ProgramBuilder b;
    b.function("child", {});
    auto m = b.module();
    const auto p = m.reg("p");
    m.at(3).process(p, "child", {});
    m.at(4).start(p);
    if (twice) m.at(5).start(p);
    m.at(6).join(p);
    return b;
}

TEST(ApiMisuse, StartingAProcessTwice) {
    auto bad = start_twice(true);
    auto good = start_twice(false);
    const auto r = check(bad);
    EXPECT_EQ(violated(r), std::vector<std::string>{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 5u);
    EXPECT_EQ(check(good).verdict, Verdict::ok);
}

TEST(ApiMisuse, JoiningAProcessNeverStarted) {
    ProgramBuilder b;
    b.function("child", {});
    auto m = b.module();
    const auto p = m.reg("p");
    m.at(3).process(p, "child", {});
    m.at(4).join(p);
    EXPECT_EQ(violated(check(b)), std::vector<std::string>{"api-misuse"});
}

TEST(ApiMisuse, PutOnAClosedQueue) {
    ProgramBuilder b;
    auto m = b.module();
    const auto q = m.reg("q");
    const auto one = m.reg("one");
    m.queue(q);
    m.integer(one, 1);
    m.at(3).op(Op::queue_close, q);
    m.at(4).put(q, one);
    const auto r = check(b);
    EXPECT_TRUE(violates(r, "api-misuse"));
    EXPECT_EQ(r.violations[0].loc.line, 4u);
}

TEST(ApiMisuse, PuttingALockOnAQueueIsDroppedByTheFeeder) {
    // CPython: put() returns, the feeder fails to pickle the Lock and drops it (spec §8), so
    // a later get() waits forever.
    ProgramBuilder b;
    auto m = b.module();
    const auto q = m.reg("q");
    const auto lock = m.reg("lock");
    m.queue(q);
    m.lock(lock);
    m.at(3).put(q, lock);
    m.at(4).get(m.reg("x"), q);
    const auto r = check(b);
    EXPECT_EQ(violated(r), (std::vector<std::string>{"deadlock", "api-misuse"}));
}

// def worker(q, lock): q.put(lock); q.put(1)   -- the parent gets one item, then joins.
// Buggy: the Lock comes first. queues.py _feed ends the feeder thread on a pickling error once
// util.is_exiting() (the child returned before its feeder reached the Lock), so the 1 behind
// it is never sent and the parent's get() waits forever (CPython 3.11: hangs in some runs).
// Fixed: only the int is put.
ProgramBuilder lock_before_result(bool with_lock) {
    ProgramBuilder b;
    auto w = b.function("worker", {"q", "lock"});
    const auto one = w.reg("one");
    if (with_lock) w.at(2).put(w.reg("q"), w.reg("lock"));
    w.integer(one, 1);
    w.at(3).put(w.reg("q"), one);
    auto m = b.module();
    const auto q = m.reg("q");
    const auto lock = m.reg("lock");
    const auto p = m.reg("p");
    m.at(6).queue(q);
    m.lock(lock);
    m.at(7).process(p, "worker", {q, lock});
    m.at(8).start(p);
    m.at(9).get(m.reg("x"), q);
    m.at(10).join(p);
    return b;
}

TEST(ApiMisuse, FeederPicklingErrorWhileExitingLosesTheItemsBehindIt) {
    auto b = lock_before_result(true);
    EXPECT_EQ(violated(check(b)),
              (std::vector<std::string>{"deadlock", "lost-data", "api-misuse"}));
}

TEST(ApiMisuse, OnlyPicklableItemsReachTheParent) {
    auto b = lock_before_result(false);
    EXPECT_EQ(check(b).verdict, Verdict::ok);
}

// Module-level lock used by a child: shared under fork, a fresh copy under spawn (spec §9).
ProgramBuilder global_lock_program() {
    ProgramBuilder b;
    auto w = b.function("worker", {});
    const auto l = w.reg("l");
    w.at(4).load_global(l, "lock");
    w.at(5).acquire(l);
    w.release(l);
    auto m = b.module();
    const auto lock = m.reg("lock");
    m.at(1).lock(lock);
    m.store_global("lock", lock);
    const auto is_main = m.reg("is_main");
    m.emit({.op = Op::name_is_main, .dst = is_main});
    const auto skip = m.jump_if_false(is_main);
    const auto p = m.reg("p");
    m.at(8).process(p, "worker", {});
    m.at(9).start(p);
    m.at(10).join(p);
    m.patch(skip, m.pc());
    return b;
}

TEST(StartMethods, ModuleLevelLockIsSharedUnderFork) {
    auto b = global_lock_program();
    EXPECT_EQ(check(b, StartMethod::fork).verdict, Verdict::ok);
}

TEST(StartMethods, ModuleLevelNameDefinedUnderTheGuardIsMissingUnderSpawn) {
    // The child re-runs the module as __mp_main__: `lock` is re-created at module level, so
    // here the child finds it, but a name bound only under the guard does not exist.
    ProgramBuilder b;
    auto w = b.function("worker", {});
    w.at(4).load_global(w.reg("q"), "q");
    auto m = b.module();
    const auto is_main = m.reg("is_main");
    m.emit({.op = Op::name_is_main, .dst = is_main});
    const auto skip = m.jump_if_false(is_main);
    const auto q = m.reg("q");
    m.at(7).queue(q);
    m.store_global("q", q);
    const auto p = m.reg("p");
    m.at(8).process(p, "worker", {});
    m.at(9).start(p);
    m.at(10).join(p);
    m.patch(skip, m.pc());
    EXPECT_EQ(violated(check(b, StartMethod::spawn)),
              std::vector<std::string>{"unshared-resource"});
    ProgramBuilder fork_copy = b;
    EXPECT_EQ(check(fork_copy, StartMethod::fork).verdict, Verdict::ok);
}

TEST(ExitSequence, DaemonChildIsTerminatedAtTheParentsExit) {
    // A daemonic child blocked forever does not hang the program: the parent's exit
    // terminates it (spec §1.7). A non-daemonic one would be joined: deadlock.
    for (const bool daemon : {true, false}) {
        ProgramBuilder b;
        auto c = b.function("child", {"q"});
        c.at(2).acquire(c.reg("q")); // a Semaphore(0) nobody releases: blocks holding nothing
        auto m = b.module();
        const auto q = m.reg("q");
        const auto p = m.reg("p");
        m.lock(q, model::SemKind::semaphore, 0);
        if (daemon) {
            m.at(5).daemon_process(p, "child", {q});
        } else {
            m.at(5).process(p, "child", {q});
        }
        m.at(6).start(p);
        const auto r = check(b);
        if (daemon) {
            EXPECT_EQ(r.verdict, Verdict::ok);
        } else {
            EXPECT_EQ(violated(r), std::vector<std::string>{"deadlock"});
        }
    }
}

TEST(Exceptions, UncaughtExceptionInAChildIsReported) {
    ProgramBuilder b;
    auto c = b.function("child", {});
    c.at(2).raise(model::ExcType::value_error);
    auto m = b.module();
    const auto p = m.reg("p");
    m.process(p, "child", {});
    m.start(p);
    m.join(p);
    const auto r = check(b);
    EXPECT_EQ(violated(r), std::vector<std::string>{"uncaught-exception"});
    EXPECT_NE(r.violations[0].message.find("ValueError"), std::string::npos);
}

TEST(Exceptions, AFailingAssertIsReported) {
    ProgramBuilder b;
    auto m = b.module();
    const auto f = m.reg("f");
    m.constant(f, model::Value::boolean(false));
    m.at(2).assert_true(f);
    EXPECT_EQ(violated(check(b)), std::vector<std::string>{"assertion"});
}

} // namespace
} // namespace mpcheck

namespace mpcheck {
namespace {

// lock = Lock() at module level; def worker(): with lock: ...   (spec §9, verified e10):
// under spawn the child re-imports the module and gets its own lock.
TEST(StartMethods, ModuleLevelLockIsADifferentLockUnderSpawn) {
    auto b = global_lock_program();
    const auto r = check(b, StartMethod::spawn);
    EXPECT_EQ(violated(r), std::vector<std::string>{"unshared-resource"});
    EXPECT_EQ(r.violations[0].loc.line, 5u);
}

TEST(StartMethods, LockPassedInArgsIsSharedUnderSpawn) {
    ProgramBuilder b;
    auto w = b.function("worker", {"l"});
    w.at(5).acquire(w.reg("l"));
    w.release(w.reg("l"));
    auto m = b.module();
    const auto is_main = m.reg("is_main");
    m.emit({.op = Op::name_is_main, .dst = is_main});
    const auto skip = m.jump_if_false(is_main);
    const auto lock = m.reg("lock");
    const auto p = m.reg("p");
    m.at(7).lock(lock);
    m.at(8).process(p, "worker", {lock});
    m.at(9).start(p);
    m.at(10).join(p);
    m.patch(skip, m.pc());
    EXPECT_EQ(check(b, StartMethod::spawn).verdict, Verdict::ok);
}

} // namespace
} // namespace mpcheck
