// Pipe and Connection (spec §3): EOF rules, errors, buffer deadlocks, broken streams.
#include "tests/support/check.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::BinaryOp;
using model::ExcType;
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

void send(FunctionBuilder& f, Reg conn, Reg item) {
    f.op(Op::conn_send, conn, 0, item);
}
void recv(FunctionBuilder& f, Reg dst, Reg conn) {
    f.op(Op::conn_recv, conn, dst);
}
void close(FunctionBuilder& f, Reg conn) {
    f.op(Op::conn_close, conn);
}

// def child(w): w.send('X' * n); [w.close()]
// r, w = Pipe(duplex); p = Process(child, (w,)); p.start(); [w.close()]
// then recv (and join) in the order asked.
struct PipeProgram {
    bool duplex = false;
    std::uint64_t size = 10;
    bool parent_closes_writer = false;
    bool join_first = false;
    int receives = 1;
};

ProgramBuilder pipe_program(const PipeProgram& o) {
    ProgramBuilder b;
    auto child = b.function("child", {"w"});
    const Reg item = child.reg("item");
    child.at(2).sized_str(item, o.size, "'X' * " + std::to_string(o.size));
    send(child, child.reg("w"), item);
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg p = main.reg("p");
    main.at(5).pipe(r, w, o.duplex);
    main.at(6).process(p, "child", {w});
    main.start(p);
    if (o.parent_closes_writer) main.at(7).op(Op::conn_close, w);
    if (o.join_first) main.at(8).join(p);
    for (int i = 0; i < o.receives; ++i)
        main.at(9 + static_cast<std::uint32_t>(i)).op(Op::conn_recv, r, main.reg("x"));
    if (!o.join_first) main.at(20).join(p);
    return b;
}

TEST(Pipe, SendAndReceiveIsOk) {
    for (const bool duplex : {false, true}) {
        auto b = pipe_program({.duplex = duplex});
        const auto r = check(b);
        EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
    }
}

// The classic bug (spec §3.2, verified e09): the parent keeps its copy of the write end, so
// after the last message recv() never sees EOF.
TEST(Pipe, RecvAfterTheLastMessageBlocksWhileTheParentHoldsTheWriteEnd) {
    for (const bool duplex : {false, true}) {
        auto b = pipe_program({.duplex = duplex, .receives = 2});
        const auto r = check(b);
        EXPECT_EQ(violated(r), Ids{"deadlock"});
        EXPECT_EQ(r.violations[0].loc.line, 10u) << first_message(r);
    }
}

// With the parent's copy closed, the second recv() raises EOFError once the child has exited.
TEST(Pipe, RecvAfterEveryWriterClosedRaisesEOFError) {
    for (const bool duplex : {false, true}) {
        auto b = pipe_program({.duplex = duplex, .parent_closes_writer = true, .receives = 2});
        const auto r = check(b);
        EXPECT_EQ(violated(r), Ids{"uncaught-exception"});
        EXPECT_NE(first_message(r).find("EOFError"), std::string::npos) << first_message(r);
    }
}

// Same as the seed deadlock of queues: the child cannot finish writing a message larger than
// the pipe while the parent joins it before receiving.
TEST(Pipe, JoinBeforeRecvOfALargeMessageDeadlocks) {
    auto b = pipe_program({.size = 1'000'000, .join_first = true});
    EXPECT_EQ(violated(check(b)), Ids{"deadlock"});
}

TEST(Pipe, RecvBeforeJoinOfALargeMessageIsOk) {
    for (const bool duplex : {false, true}) {
        auto b = pipe_program({.duplex = duplex, .size = 1'000'000});
        const auto r = check(b);
        EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
    }
}

TEST(Pipe, SmallMessageFitsAndJoinFirstIsOk) {
    auto b = pipe_program({.size = 60'000, .join_first = true});
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// Both ends of a duplex pipe send 1 MB before receiving: both block forever (verified e09).
TEST(Pipe, DuplexBothSendingLargeMessagesFirstDeadlocks) {
    ProgramBuilder b;
    auto child = b.function("child", {"c"});
    const Reg big = child.reg("big");
    child.sized_str(big, 1'000'000, "'X' * 1000000");
    send(child, child.reg("c"), big);
    recv(child, child.reg("x"), child.reg("c"));
    auto main = b.module();
    const Reg a = main.reg("a");
    const Reg c = main.reg("c");
    const Reg p = main.reg("p");
    const Reg item = main.reg("item");
    main.pipe(a, c, true);
    main.process(p, "child", {c});
    main.start(p);
    main.sized_str(item, 1'000'000, "'X' * 1000000");
    main.at(9);
    send(main, a, item);
    recv(main, main.reg("x"), a);
    main.join(p);
    EXPECT_EQ(violated(check(b)), Ids{"deadlock"});
}

TEST(Connection, SendOnAClosedConnectionIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg one = main.reg("one");
    main.pipe(r, w, false);
    main.integer(one, 1);
    close(main, w);
    main.at(4);
    send(main, w, one);
    const auto res = check(b);
    EXPECT_EQ(violated(res), Ids{"api-misuse"});
    EXPECT_EQ(res.violations[0].loc.line, 4u);
}

TEST(Connection, WrongDirectionIsApiMisuse) {
    // r.send(1) on the read end; w.recv() on the write end; w.poll() on the write end.
    for (const Op op : {Op::conn_send, Op::conn_recv, Op::conn_poll}) {
        ProgramBuilder b;
        auto main = b.module();
        const Reg r = main.reg("r");
        const Reg w = main.reg("w");
        const Reg one = main.reg("one");
        main.pipe(r, w, false);
        main.integer(one, 1);
        if (op == Op::conn_send) {
            send(main, r, one);
        } else {
            main.op(op, w, main.reg("x"), 0, Wait::no_block);
        }
        EXPECT_EQ(violated(check(b)), Ids{"api-misuse"});
    }
}

// Pickling a Lock fails in the caller of send() (spec §8).
TEST(Connection, SendingALockIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg l = main.reg("l");
    main.pipe(r, w, true);
    main.lock(l);
    send(main, w, l);
    EXPECT_EQ(violated(check(b)), Ids{"api-misuse"});
}

// Connections themselves can be sent (spec §3.3): no api-misuse, unlike a Lock. What becomes
// of the descriptor copies then is a model limit (see model/README.md): inconclusive, not ok.
TEST(Connection, SendingAConnectionIsNoMisuseButAModelLimit) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    main.pipe(r, w, false);
    send(main, w, r);
    recv(main, main.reg("x"), r);
    const auto res = check(b);
    EXPECT_EQ(violated(res), Ids{});
    EXPECT_EQ(res.verdict, Verdict::inconclusive);
    EXPECT_EQ(res.completion, explorer::Completion::model_limit);
}

TEST(Connection, SendAfterEveryReaderClosedIsBrokenPipe) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg one = main.reg("one");
    main.pipe(r, w, false);
    main.integer(one, 1);
    close(main, r);
    send(main, w, one);
    const auto res = check(b);
    EXPECT_EQ(violated(res), Ids{"api-misuse"});
    EXPECT_NE(first_message(res).find("reader is closed"), std::string::npos);
}

TEST(Connection, CloseIsIdempotent) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    main.pipe(r, w, true);
    close(main, r);
    close(main, r);
    close(main, w);
    const auto res = check(b);
    EXPECT_EQ(res.verdict, Verdict::ok) << first_message(res);
}

TEST(Connection, PollReportsDataAndEndOfFile) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg one = main.reg("one");
    const Reg ready = main.reg("ready");
    main.pipe(r, w, false);
    main.integer(one, 1);
    main.op(Op::conn_poll, r, ready, 0, Wait::no_block);
    expect_bool(main, ready, false);
    main.op(Op::conn_poll, r, ready, 0, Wait::timeout);
    expect_bool(main, ready, false);
    send(main, w, one);
    main.op(Op::conn_poll, r, ready, 0, Wait::forever);
    expect_bool(main, ready, true);
    recv(main, main.reg("x"), r);
    close(main, w);
    main.op(Op::conn_poll, r, ready, 0, Wait::no_block);
    expect_bool(main, ready, true); // at EOF
    const auto res = check(b);
    EXPECT_EQ(res.verdict, Verdict::ok) << first_message(res);
}

TEST(Connection, PollForeverOnAnIdlePipeBlocks) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    main.pipe(r, w, false);
    main.at(3).op(Op::conn_poll, r, main.reg("ready"), 0, Wait::forever);
    EXPECT_EQ(violated(check(b)), Ids{"deadlock"});
}

// A writer killed in the middle of a large message leaves a partial message (spec §3.4).
TEST(Connection, WriterKilledMidMessageBreaksThePipe) {
    ProgramBuilder b;
    auto child = b.function("child", {"w"});
    const Reg big = child.reg("big");
    child.sized_str(big, 1'000'000, "'X' * 1000000");
    send(child, child.reg("w"), big);
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg p = main.reg("p");
    main.pipe(r, w, false);
    main.process(p, "child", {w});
    main.start(p);
    main.terminate(p);
    main.join(p);
    EXPECT_TRUE(violates(check(b), "broken-queue"));
}

// ...and with every other writer closed, the reader gets "EOF during message" (OSError).
TEST(Connection, PartialMessageThenEndOfFileRaisesOSError) {
    ProgramBuilder b;
    auto child = b.function("child", {"w"});
    const Reg big = child.reg("big");
    child.sized_str(big, 1'000'000, "'X' * 1000000");
    send(child, child.reg("w"), big);
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg p = main.reg("p");
    const Reg ready = main.reg("ready");
    main.pipe(r, w, false);
    main.process(p, "child", {w});
    main.start(p);
    close(main, w);
    // Wait until the child has written something, then kill it and read.
    main.op(Op::conn_poll, r, ready, 0, Wait::forever);
    main.terminate(p);
    main.join(p);
    main.at(12);
    recv(main, main.reg("x"), r);
    const auto res = check(b);
    EXPECT_TRUE(violates(res, "broken-queue"));
    EXPECT_TRUE(violates(res, "uncaught-exception"));
    bool os_error = false;
    for (const auto& v : res.violations) {
        os_error |=
            v.property == "uncaught-exception" && v.message.find("OSError") != std::string::npos;
    }
    EXPECT_TRUE(os_error);
}

// Two children send large messages on the same end without a lock: their bytes can
// interleave (spec §3.1), which leaves the stream unreadable.
TEST(Connection, TwoWritersOfLargeMessagesCanInterleave) {
    ProgramBuilder b;
    auto child = b.function("child", {"w"});
    const Reg big = child.reg("big");
    child.sized_str(big, 100'000, "'X' * 100000");
    send(child, child.reg("w"), big);
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg p1 = main.reg("p1");
    const Reg p2 = main.reg("p2");
    main.pipe(r, w, false);
    main.process(p1, "child", {w});
    main.process(p2, "child", {w});
    main.start(p1);
    main.start(p2);
    recv(main, main.reg("x"), r);
    recv(main, main.reg("y"), r);
    main.join(p1);
    main.join(p2);
    const auto res = check(b);
    EXPECT_TRUE(violates(res, "broken-queue")) << first_message(res);
}

// Guarded by a Lock, the same two writers are fine.
TEST(Connection, TwoWritersUnderALockAreOk) {
    ProgramBuilder b;
    auto child = b.function("child", {"w", "l"});
    const Reg big = child.reg("big");
    child.sized_str(big, 100'000, "'X' * 100000");
    child.acquire(child.reg("l"));
    send(child, child.reg("w"), big);
    child.release(child.reg("l"));
    auto main = b.module();
    const Reg r = main.reg("r");
    const Reg w = main.reg("w");
    const Reg l = main.reg("l");
    const Reg p1 = main.reg("p1");
    const Reg p2 = main.reg("p2");
    main.pipe(r, w, false);
    main.lock(l);
    main.process(p1, "child", {w, l});
    main.process(p2, "child", {w, l});
    main.start(p1);
    main.start(p2);
    recv(main, main.reg("x"), r);
    recv(main, main.reg("y"), r);
    main.join(p1);
    main.join(p2);
    const auto res = check(b);
    EXPECT_EQ(res.verdict, Verdict::ok) << first_message(res);
}

} // namespace
} // namespace mpcheck
