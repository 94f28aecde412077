// Lock, RLock, Semaphore, BoundedSemaphore, Condition and Event (spec §6, §7), each hazard as
// its buggy program and a control that must check clean.
#include "tests/support/check.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::BinaryOp;
using model::FunctionBuilder;
using model::Op;
using model::ProgramBuilder;
using model::Reg;
using model::SemKind;
using model::Value;
using model::Wait;
using properties::Verdict;
using testing::check;
using testing::expect_bool;
using testing::first_message;
using testing::violated;
using testing::violates;

using Ids = std::vector<std::string>;

Reg condition(FunctionBuilder& f, Reg dst, Reg lock_or_none) {
    f.op(Op::cond_new, lock_or_none, dst);
    return dst;
}

Reg default_condition(FunctionBuilder& f, Reg dst) {
    const Reg none = f.temp();
    f.none(none);
    return condition(f, dst, none);
}

// ---- Lock / RLock / Semaphore ------------------------------------------------------------

// def child(l): with l: pass
// l = Lock(); p = Process(child, (l,)); p.start(); with l: pass; p.join()
TEST(Lock, MutualExclusionBetweenParentAndChildIsOk) {
    ProgramBuilder b;
    auto child = b.function("child", {"l"});
    child.acquire(child.reg("l"));
    child.release(child.reg("l"));
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg p = main.reg("p");
    main.lock(l);
    main.process(p, "child", {l});
    main.start(p);
    main.acquire(l);
    main.release(l);
    main.join(p);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(Lock, AcquiredTwiceBySameProcessSelfDeadlocks) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg l = main.reg("l");
    main.lock(l);
    main.at(2).acquire(l);
    main.at(3).acquire(l);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"deadlock"});
    EXPECT_EQ(r.violations[0].loc.line, 3u) << first_message(r);
}

TEST(Lock, TimedOrNonBlockingAcquireOfAHeldLockReturnsFalse) {
    for (const Wait wait : {Wait::timeout, Wait::no_block}) {
        ProgramBuilder b;
        auto main = b.module();
        const Reg l = main.reg("l");
        const Reg got = main.reg("got");
        main.lock(l);
        main.acquire(l);
        main.acquire(l, wait, got);
        expect_bool(main, got, false);
        main.release(l);
        const auto r = check(b);
        EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
    }
}

TEST(Lock, ReleaseOfAnUnlockedLockIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg l = main.reg("l");
    main.lock(l);
    main.acquire(l);
    main.release(l);
    main.at(4).release(l);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 4u);
}

// Any process may release a Lock (no owner check, spec §6.2): the parent releases the lock its
// child took, and then acquires it.
TEST(Lock, ReleaseByAnotherProcessIsAllowed) {
    ProgramBuilder b;
    auto child = b.function("child", {"l"});
    child.acquire(child.reg("l"));
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg p = main.reg("p");
    main.lock(l);
    main.process(p, "child", {l});
    main.start(p);
    main.join(p);
    main.release(l);
    main.acquire(l);
    main.release(l);
    const auto r = check(b);
    // The child still ends holding the lock (abandoned), but nothing blocks and nothing raises.
    EXPECT_EQ(violated(r), Ids{"abandoned-lock"});
}

// A child that ends while holding the lock never gives it back (spec §6.3).
TEST(Lock, HolderThatExitsAbandonsTheLockAndTheParentBlocks) {
    ProgramBuilder b;
    auto child = b.function("child", {"l"});
    child.at(2).acquire(child.reg("l"));
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg p = main.reg("p");
    main.lock(l);
    main.process(p, "child", {l});
    main.start(p);
    main.join(p);
    main.at(9).acquire(l);
    const auto r = check(b);
    EXPECT_EQ(violated(r), (Ids{"deadlock", "abandoned-lock"}));
}

TEST(Lock, HolderKilledInsideTheCriticalSectionAbandonsTheLock) {
    ProgramBuilder b;
    auto child = b.function("child", {"l"});
    child.acquire(child.reg("l"));
    child.release(child.reg("l"));
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg p = main.reg("p");
    main.lock(l);
    main.process(p, "child", {l});
    main.start(p);
    main.terminate(p);
    main.join(p);
    main.acquire(l);
    EXPECT_EQ(violated(check(b)), (Ids{"deadlock", "abandoned-lock"}));
}

TEST(RLock, RecursiveAcquireAndReleaseIsOk) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg l = main.reg("l");
    main.lock(l, SemKind::rlock);
    main.acquire(l);
    main.acquire(l);
    main.release(l);
    main.release(l);
    main.acquire(l);
    main.release(l);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(RLock, ReleasedOnceTooOftenIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg l = main.reg("l");
    main.lock(l, SemKind::rlock);
    main.acquire(l);
    main.acquire(l);
    main.release(l);
    main.release(l);
    main.at(6).release(l);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 6u);
}

// Unlike a Lock, an RLock can only be released by its owner.
TEST(RLock, ReleaseByAnotherProcessIsApiMisuse) {
    ProgramBuilder b;
    auto child = b.function("child", {"l"});
    child.at(2).release(child.reg("l"));
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg p = main.reg("p");
    main.lock(l, SemKind::rlock);
    main.acquire(l);
    main.process(p, "child", {l});
    main.start(p);
    main.join(p);
    main.release(l);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 2u);
}

TEST(RLock, HeldByAnotherProcessBlocks) {
    ProgramBuilder b;
    auto child = b.function("child", {"l"});
    child.acquire(child.reg("l"));
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg p = main.reg("p");
    main.lock(l, SemKind::rlock);
    main.acquire(l);
    main.process(p, "child", {l});
    main.start(p);
    main.at(7).join(p);
    EXPECT_EQ(violated(check(b)), Ids{"deadlock"});
}

TEST(Semaphore, ReleaseBeyondTheInitialValueIsAllowed) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg s = main.reg("s");
    main.lock(s, SemKind::semaphore, 2);
    main.release(s); // value 3
    for (int i = 0; i < 3; ++i)
        main.acquire(s);
    const Reg got = main.reg("got");
    main.acquire(s, Wait::no_block, got);
    expect_bool(main, got, false);
    for (int i = 0; i < 3; ++i)
        main.release(s);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(Semaphore, BoundedSemaphoreReleasedTooOftenIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg s = main.reg("s");
    main.lock(s, SemKind::bounded, 2);
    main.acquire(s);
    main.release(s);
    main.at(4).release(s);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 4u);
}

TEST(Semaphore, ZeroInitialValueBlocksUntilReleased) {
    // s = Semaphore(0); child releases it; the parent's acquire waits for that.
    ProgramBuilder b;
    auto child = b.function("child", {"s"});
    child.release(child.reg("s"));
    auto main = b.module();
    const Reg s = main.reg("s");
    const Reg p = main.reg("p");
    main.lock(s, SemKind::semaphore, 0);
    main.process(p, "child", {s});
    main.start(p);
    main.acquire(s);
    main.release(s);
    main.join(p);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// def child(s): s.acquire()        # waits for the parent's go signal, or takes a pool slot
// s = Semaphore(initial); p = Process(child, (s,)); p.start(); s.release(); p.join(); <more>
ProgramBuilder child_takes_a_unit_and_exits(std::int32_t initial) {
    ProgramBuilder b;
    auto child = b.function("child", {"s"});
    child.acquire(child.reg("s"));
    auto main = b.module();
    const Reg s = main.reg("s");
    const Reg p = main.reg("p");
    main.lock(s, SemKind::semaphore, initial);
    main.process(p, "child", {s});
    main.start(p);
    main.release(s);
    main.join(p);
    main.release(s); // the parent is still running when the child has ended
    return b;
}

TEST(Semaphore, SignalConsumedByAChildThatExitsIsNotAbandoned) {
    // Semaphore(0) passes a signal: the child consumed it, nothing is owed back.
    auto b = child_takes_a_unit_and_exits(0);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(Semaphore, PoolSlotKeptByAChildThatExitsIsAbandoned) {
    // Semaphore(1) lends a slot: the child exits without giving it back (spec §6.3).
    auto b = child_takes_a_unit_and_exits(1);
    EXPECT_EQ(violated(check(b)), Ids{"abandoned-lock"});
}

// ---- Condition (spec §7.1, §7.2) -----------------------------------------------------------

// def child(c): with c: c.wait(<wait>)
// c = Condition(); p = Process(child, (c,)); p.start(); with c: c.notify(); p.join()
ProgramBuilder condition_program(Wait child_wait) {
    ProgramBuilder b;
    auto child = b.function("child", {"c"});
    const Reg cc = child.reg("c");
    child.at(2).acquire(cc);
    child.at(3).op(Op::cond_wait, cc, child.reg("woke"), 0, child_wait);
    child.at(4).release(cc);
    auto main = b.module();
    const Reg c = main.reg("c");
    const Reg p = main.reg("p");
    main.at(6);
    default_condition(main, c);
    main.at(7).process(p, "child", {c});
    main.start(p);
    main.at(10).acquire(c);
    main.at(11).op(Op::cond_notify, c, 0, 0, Wait::forever, 1);
    main.at(12).release(c);
    main.at(13).join(p);
    return b;
}

// notify() before the child waits is lost: the child then waits forever.
TEST(Condition, NotifyBeforeWaitIsLostAndTheWaiterBlocksForever) {
    auto b = condition_program(Wait::forever);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"deadlock"});
}

TEST(Condition, WaitWithTimeoutAndNotifyIsOk) {
    auto b = condition_program(Wait::timeout);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// def child(c, ready): with c: ready.release(); c.wait()
// The parent takes `ready` and then the condition's lock, so the child is asleep in wait()
// when the parent [terminates it and] notifies.
ProgramBuilder sleeping_child_program(bool terminate_child) {
    ProgramBuilder b;
    auto child = b.function("child", {"c", "ready"});
    const Reg cc = child.reg("c");
    child.at(2).acquire(cc);
    child.at(3).release(child.reg("ready"));
    child.at(4).op(Op::cond_wait, cc, child.reg("woke"), 0, Wait::forever);
    child.at(5).release(cc);
    auto main = b.module();
    const Reg c = main.reg("c");
    const Reg ready = main.reg("ready");
    const Reg p = main.reg("p");
    main.at(7);
    default_condition(main, c);
    main.lock(ready, SemKind::semaphore, 0);
    main.at(8).process(p, "child", {c, ready});
    main.start(p);
    main.at(9).acquire(ready);
    main.release(ready); // give the unit back: only the signal matters
    main.at(10).acquire(c);
    main.release(c);
    if (terminate_child) {
        main.at(11).terminate(p);
        main.join(p);
    }
    main.at(12).acquire(c);
    main.at(13).op(Op::cond_notify, c, 0, 0, Wait::forever, 1);
    main.at(14).release(c);
    if (!terminate_child) main.at(15).join(p);
    return b;
}

TEST(Condition, NotifyWakesASleepingWaiter) {
    auto b = sleeping_child_program(false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// A waiter killed inside wait() is still counted as sleeping: the next notify() posts for it
// and waits forever for it to wake, holding the lock (spec §7.2, verified e07).
TEST(Condition, WaiterKilledInsideWaitPoisonsTheCondition) {
    auto b = sleeping_child_program(true);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"deadlock"});
    EXPECT_EQ(r.violations[0].loc.line, 13u) << first_message(r);
}

TEST(Condition, WaitWithoutHoldingTheLockIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg c = main.reg("c");
    default_condition(main, c);
    main.at(3).op(Op::cond_wait, c, main.reg("r"), 0, Wait::timeout);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 3u);
}

TEST(Condition, NotifyWithoutHoldingTheLockIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg c = main.reg("c");
    default_condition(main, c);
    main.at(3).op(Op::cond_notify, c, 0, 0, Wait::forever, 0);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
}

// wait() releases every recursion level of the RLock and restores them: after it returns, two
// releases are needed and a third is misuse.
TEST(Condition, WaitRestoresTheRecursionCount) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg c = main.reg("c");
    const Reg woke = main.reg("woke");
    default_condition(main, c);
    main.acquire(c);
    main.acquire(c);
    main.op(Op::cond_wait, c, woke, 0, Wait::no_block);
    expect_bool(main, woke, false);
    main.release(c);
    main.release(c);
    main.at(9).release(c);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 9u);
}

// Condition(Lock()): the user's lock is the condition's lock.
TEST(Condition, OverAUserLockSharesThatLock) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg l = main.reg("l");
    const Reg c = main.reg("c");
    const Reg got = main.reg("got");
    main.lock(l);
    condition(main, c, l);
    main.acquire(c);
    main.acquire(l, Wait::no_block, got);
    expect_bool(main, got, false);
    main.release(l);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// Two waiters, notify_all: both wake, the notifier's handshake completes.
TEST(Condition, NotifyAllWakesEveryWaiter) {
    ProgramBuilder b;
    auto child = b.function("child", {"c", "ready"});
    const Reg cc = child.reg("c");
    child.acquire(cc);
    child.release(child.reg("ready"));
    child.op(Op::cond_wait, cc, child.reg("woke"), 0, Wait::forever);
    child.release(cc);
    auto main = b.module();
    const Reg c = main.reg("c");
    const Reg ready = main.reg("ready");
    const Reg p1 = main.reg("p1");
    const Reg p2 = main.reg("p2");
    default_condition(main, c);
    main.lock(ready, SemKind::semaphore, 0);
    main.process(p1, "child", {c, ready});
    main.process(p2, "child", {c, ready});
    main.start(p1);
    main.start(p2);
    // Both children have released `ready` while holding c; once we hold c they both sleep.
    main.acquire(ready);
    main.acquire(ready);
    main.release(ready); // give the units back: only the signal matters
    main.release(ready);
    main.acquire(c);
    main.op(Op::cond_notify, c, 0, 0, Wait::forever, 0);
    main.release(c);
    main.join(p1);
    main.join(p2);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// ---- Event (spec §7.3) -----------------------------------------------------------------------

// def child(e): e.wait(<wait>)
// e = Event(); p = Process(child, (e,)); p.start(); [terminate] e.set(); p.join()
ProgramBuilder event_program(Wait child_wait, bool terminate_child) {
    ProgramBuilder b;
    auto child = b.function("child", {"e"});
    child.at(2).op(Op::event_wait, child.reg("e"), child.reg("flag"), 0, child_wait);
    auto main = b.module();
    const Reg e = main.reg("e");
    const Reg p = main.reg("p");
    main.at(5).op(Op::event_new, e, e);
    main.at(6).process(p, "child", {e});
    main.start(p);
    if (terminate_child) main.at(8).terminate(p);
    main.at(9).op(Op::event_set, e);
    main.at(10).join(p);
    return b;
}

TEST(Event, SetReleasesTheWaiter) {
    auto b = event_program(Wait::forever, false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(Event, WaitWithTimeoutIsOk) {
    auto b = event_program(Wait::timeout, false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// A process killed inside Event.wait() makes the next set() block forever (verified e07b).
TEST(Event, WaiterKilledInsideWaitMakesSetBlockForever) {
    auto b = event_program(Wait::timeout, true);
    const auto r = check(b);
    ASSERT_FALSE(r.violations.empty());
    EXPECT_TRUE(violates(r, "deadlock")) << first_message(r);
}

TEST(Event, FlagFollowsSetAndClear) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg e = main.reg("e");
    const Reg flag = main.reg("flag");
    main.op(Op::event_new, e, e);
    main.op(Op::event_is_set, e, flag);
    expect_bool(main, flag, false);
    main.op(Op::event_set, e);
    main.op(Op::event_is_set, e, flag);
    expect_bool(main, flag, true);
    main.op(Op::event_wait, e, flag, 0, Wait::forever);
    expect_bool(main, flag, true);
    main.op(Op::event_clear, e);
    main.op(Op::event_wait, e, flag, 0, Wait::no_block);
    expect_bool(main, flag, false);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

} // namespace
} // namespace mpcheck
