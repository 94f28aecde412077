// multiprocessing.Barrier (spec §7.4): threading.Barrier's algorithm over a process-shared
// Condition, each hazard as its buggy program and a control that must check clean.
#include "tests/support/check.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::FunctionBuilder;
using model::Op;
using model::ProgramBuilder;
using model::Reg;
using model::Value;
using model::Wait;
using properties::Verdict;
using testing::check;
using testing::first_message;
using testing::violated;
using testing::violates;

using Ids = std::vector<std::string>;

Reg barrier(FunctionBuilder& f, Reg dst, std::int32_t parties) {
    const Reg n = f.temp();
    f.integer(n, parties);
    f.op(Op::barrier_new, n, dst);
    return dst;
}

bool raised_broken_barrier(const properties::CheckResult& r) {
    for (const auto& v : r.violations) {
        if (v.property == "uncaught-exception" &&
            v.message.find("BrokenBarrierError") != std::string::npos) {
            return true;
        }
    }
    return false;
}

// def child(b): b.wait(<wait>)
// b = Barrier(<parties>); <children> x Process(child, (b,)).start(); b.wait(<wait>); join all
ProgramBuilder parties_program(std::int32_t parties, int children, Wait wait) {
    ProgramBuilder b;
    auto child = b.function("child", {"b"});
    child.at(2).op(Op::barrier_wait, child.reg("b"), child.reg("i"), 0, wait);
    auto main = b.module();
    const Reg bar = main.reg("b");
    main.at(5);
    barrier(main, bar, parties);
    std::vector<Reg> procs;
    const char* const names[] = {"p0", "p1"};
    for (int k = 0; k < children; ++k) {
        const Reg p = main.reg(names[k]);
        main.at(6).process(p, "child", {bar});
        main.start(p);
        procs.push_back(p);
    }
    main.at(8).op(Op::barrier_wait, bar, main.reg("i"), 0, wait);
    for (const Reg p : procs)
        main.at(9).join(p);
    return b;
}

TEST(Barrier, AllPartiesArriveAndPass) {
    for (const Wait wait : {Wait::forever, Wait::timeout}) {
        auto b = parties_program(3, 2, wait);
        const auto r = check(b);
        if (wait == Wait::forever) {
            EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
        } else {
            // A timeout may always expire first and break the barrier; it never hangs.
            EXPECT_FALSE(violates(r, "deadlock")) << first_message(r);
        }
    }
}

TEST(Barrier, ReturnsDistinctIndices) {
    // The parent's index and the child's index are 0 and 1 in some order.
    ProgramBuilder b;
    auto child = b.function("child", {"b"});
    child.op(Op::barrier_wait, child.reg("b"), child.reg("i"), 0, Wait::forever);
    auto main = b.module();
    const Reg bar = main.reg("b");
    const Reg p = main.reg("p");
    const Reg i = main.reg("i");
    barrier(main, bar, 2);
    main.process(p, "child", {bar});
    main.start(p);
    main.op(Op::barrier_wait, bar, i, 0, Wait::forever);
    const Reg bound = main.temp();
    const Reg ok = main.temp();
    main.integer(bound, 0);
    main.binary(ok, i, model::BinaryOp::ge, bound);
    main.assert_true(ok);
    main.integer(bound, 2);
    main.binary(ok, i, model::BinaryOp::lt, bound);
    main.assert_true(ok);
    main.join(p);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

TEST(Barrier, TwoOfThreePartiesDeadlock) {
    auto b = parties_program(3, 1, Wait::forever);
    const auto r = check(b);
    EXPECT_TRUE(violates(r, "deadlock")) << first_message(r);
}

// wait(timeout) with a party that never comes: the barrier breaks, BrokenBarrierError.
TEST(Barrier, TimeoutBreaksTheBarrier) {
    auto b = parties_program(2, 0, Wait::timeout);
    const auto r = check(b);
    EXPECT_FALSE(violates(r, "deadlock")) << first_message(r);
    EXPECT_EQ(violated(r), Ids{"uncaught-exception"});
    EXPECT_TRUE(raised_broken_barrier(r)) << first_message(r);
}

// Two waiters with timeouts and a missing third: both end with BrokenBarrierError, no hang.
TEST(Barrier, TimeoutBreaksTheBarrierForEveryWaiter) {
    auto b = parties_program(3, 1, Wait::timeout);
    const auto r = check(b);
    EXPECT_FALSE(violates(r, "deadlock")) << first_message(r);
    EXPECT_TRUE(raised_broken_barrier(r)) << first_message(r);
}

// def child(b, ready): ready.release(); b.wait()
// The parent terminates the child once it is (possibly) asleep in wait(), then calls
// b.wait(timeout): the notify_all() of the last arriver (or of _break after the timeout) waits
// for the dead sleeper forever, so even a timed wait hangs (spec §7.4, verified e07).
ProgramBuilder killed_party_program(bool terminate_child, Wait parent_wait,
                                    std::int32_t parties = 2) {
    ProgramBuilder b;
    auto child = b.function("child", {"b"});
    child.at(2).op(Op::barrier_wait, child.reg("b"), child.reg("i"), 0, Wait::forever);
    auto main = b.module();
    const Reg bar = main.reg("b");
    const Reg p = main.reg("p");
    main.at(5);
    barrier(main, bar, parties);
    main.at(6).process(p, "child", {bar});
    main.start(p);
    if (terminate_child) {
        main.at(7).terminate(p);
        main.join(p);
    }
    main.at(8).op(Op::barrier_wait, bar, main.reg("i"), 0, parent_wait);
    if (!terminate_child) main.at(9).join(p);
    return b;
}

TEST(Barrier, PartyKilledWhileWaitingHangsTheLastArriverEvenWithTimeout) {
    for (const Wait wait : {Wait::forever, Wait::timeout}) {
        auto b = killed_party_program(true, wait);
        const auto r = check(b);
        ASSERT_TRUE(violates(r, "deadlock")) << first_message(r);
        EXPECT_EQ(r.violations[0].loc.line, 8u) << first_message(r);
    }
}

// Barrier(3) with one party killed while waiting: the parent's wait(timeout) expires, and
// _break()'s notify_all() waits for the dead sleeper forever (verified e07).
TEST(Barrier, PartyKilledWhileWaitingHangsABreakingWaiter) {
    auto b = killed_party_program(true, Wait::timeout, 3);
    const auto r = check(b);
    ASSERT_TRUE(violates(r, "deadlock")) << first_message(r);
    EXPECT_EQ(r.violations[0].loc.line, 8u) << first_message(r);
}

TEST(Barrier, NoKillNoHang) {
    auto b = killed_party_program(false, Wait::timeout);
    const auto r = check(b);
    EXPECT_FALSE(violates(r, "deadlock")) << first_message(r);
    auto control = killed_party_program(false, Wait::forever);
    const auto rc = check(control);
    EXPECT_EQ(rc.verdict, Verdict::ok) << first_message(rc);
}

// def child(b): b.wait()
// b = Barrier(2); p = Process(child, (b,)); p.start(); b.abort(); p.join()
// The child raises BrokenBarrierError whether it arrived before or after the abort.
TEST(Barrier, AbortMakesWaitersRaiseBrokenBarrierError) {
    ProgramBuilder b;
    auto child = b.function("child", {"b"});
    child.at(2).op(Op::barrier_wait, child.reg("b"), child.reg("i"), 0, Wait::forever);
    auto main = b.module();
    const Reg bar = main.reg("b");
    const Reg p = main.reg("p");
    main.at(5);
    barrier(main, bar, 2);
    main.at(6).process(p, "child", {bar});
    main.start(p);
    main.at(7).op(Op::barrier_abort, bar);
    main.at(8).join(p);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"uncaught-exception"});
    EXPECT_TRUE(raised_broken_barrier(r)) << first_message(r);
}

TEST(Barrier, AbortWithNobodyWaitingIsOk) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg bar = main.reg("b");
    barrier(main, bar, 2);
    main.op(Op::barrier_abort, bar);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

} // namespace
} // namespace mpcheck
