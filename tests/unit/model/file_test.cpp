// Buffered file objects across fork (spec §10, verified e11): data a parent buffered before
// start() is written twice iff the fork child flushes its inherited copy of the buffer.
#include "tests/support/check.hpp"

#include <gtest/gtest.h>

namespace mpcheck {
namespace {

using model::FunctionBuilder;
using model::Op;
using model::ProgramBuilder;
using model::Reg;
using model::StartMethod;
using properties::Verdict;
using testing::check;
using testing::expect_bool;
using testing::first_message;
using testing::violated;

using Ids = std::vector<std::string>;

enum class ChildAction { nothing, write, write_and_flush, write_and_close, write_a_lot };

// def child(f): <action>
// f = open('out.txt', 'w'); f.write('P\n'); [f.flush()]
// p = Process(child, (f,)); p.start(); p.join(); f.close()
ProgramBuilder file_program(ChildAction action, bool parent_flushes_first) {
    ProgramBuilder b;
    auto child = b.function("child", {"f"});
    const Reg cf = child.reg("f");
    const Reg text = child.reg("text");
    switch (action) {
    case ChildAction::nothing:
        break;
    case ChildAction::write:
        child.str(text, "C\n");
        child.op(Op::file_write, cf, 0, text);
        break;
    case ChildAction::write_and_flush:
        child.str(text, "C\n");
        child.op(Op::file_write, cf, 0, text);
        child.at(4).op(Op::file_flush, cf);
        break;
    case ChildAction::write_and_close:
        child.str(text, "C\n");
        child.op(Op::file_write, cf, 0, text);
        child.at(4).op(Op::file_close, cf);
        break;
    case ChildAction::write_a_lot:
        child.sized_str(text, 10'000, "'C' * 10000");
        child.at(4).op(Op::file_write, cf, 0, text);
        break;
    }
    auto main = b.module();
    const Reg f = main.reg("f");
    const Reg p = main.reg("p");
    const Reg line = main.reg("line");
    main.at(7).op(Op::file_open, 0, f, 0, model::Wait::forever,
                  static_cast<std::int32_t>(b.text("out.txt")));
    main.str(line, "P\n");
    main.at(8).op(Op::file_write, f, 0, line);
    if (parent_flushes_first) main.at(9).op(Op::file_flush, f);
    main.at(10).process(p, "child", {f});
    main.start(p);
    main.join(p);
    main.at(13).op(Op::file_close, f);
    return b;
}

TEST(ForkBuffers, ChildThatDoesNotFlushLeavesTheOutputOnce) {
    for (const auto action : {ChildAction::nothing, ChildAction::write}) {
        auto b = file_program(action, false);
        const auto r = check(b);
        EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
    }
}

TEST(ForkBuffers, ChildThatFlushesWritesTheInheritedBufferAgain) {
    for (const auto action :
         {ChildAction::write_and_flush, ChildAction::write_and_close, ChildAction::write_a_lot}) {
        auto b = file_program(action, false);
        const auto r = check(b);
        EXPECT_EQ(violated(r), Ids{"duplicated-output"});
    }
}

TEST(ForkBuffers, DuplicateIsReportedWhereTheSecondCopyIsFlushed) {
    auto b = file_program(ChildAction::write_and_flush, false);
    const auto r = check(b);
    ASSERT_EQ(violated(r), Ids{"duplicated-output"});
    // Either the child's flush or the parent's close comes second, depending on the order;
    // the shortest trace has the child flush first, so the parent's close reports it.
    EXPECT_EQ(r.violations[0].loc.line, 13u) << first_message(r);
}

TEST(ForkBuffers, FlushingBeforeStartAvoidsTheDuplicate) {
    for (const auto action :
         {ChildAction::write_and_flush, ChildAction::write_and_close, ChildAction::write_a_lot}) {
        auto b = file_program(action, true);
        const auto r = check(b);
        EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
    }
}

// Spawn children inherit no user-space buffers (a file object cannot even be passed in args),
// so a child that opens its own file and flushes it duplicates nothing.
TEST(ForkBuffers, FilesOfDifferentProcessesAreIndependent) {
    ProgramBuilder b;
    auto child = b.function("child", {});
    const Reg cf = child.reg("f");
    const Reg text = child.reg("text");
    child.op(Op::file_open, 0, cf, 0, model::Wait::forever,
             static_cast<std::int32_t>(b.text("child.txt")));
    child.str(text, "C\n");
    child.op(Op::file_write, cf, 0, text);
    child.op(Op::file_close, cf);
    auto main = b.module();
    const Reg f = main.reg("f");
    const Reg p = main.reg("p");
    const Reg line = main.reg("line");
    const Reg is_main = main.reg("is_main");
    main.op(Op::name_is_main, 0, is_main); // if __name__ == '__main__':
    const auto skip = main.jump_if_false(is_main);
    main.op(Op::file_open, 0, f, 0, model::Wait::forever,
            static_cast<std::int32_t>(b.text("out.txt")));
    main.str(line, "P\n");
    main.op(Op::file_write, f, 0, line);
    main.process(p, "child", {});
    main.start(p);
    main.join(p);
    main.op(Op::file_close, f);
    main.patch(skip, main.pc());
    main.ret_none();
    for (const auto method : {StartMethod::fork, StartMethod::spawn}) {
        const auto r = check(b, method);
        EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
    }
}

TEST(Files, WriteAfterCloseIsApiMisuse) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg f = main.reg("f");
    const Reg line = main.reg("line");
    main.op(Op::file_open, 0, f, 0, model::Wait::forever,
            static_cast<std::int32_t>(b.text("out.txt")));
    main.str(line, "P\n");
    main.op(Op::file_close, f);
    main.op(Op::file_close, f); // closing twice is fine
    main.at(5).op(Op::file_write, f, 0, line);
    const auto r = check(b);
    EXPECT_EQ(violated(r), Ids{"api-misuse"});
    EXPECT_EQ(r.violations[0].loc.line, 5u);
}

TEST(Files, RepeatedFlushesOfOneProcessAreNotDuplicates) {
    ProgramBuilder b;
    auto main = b.module();
    const Reg f = main.reg("f");
    const Reg line = main.reg("line");
    main.op(Op::file_open, 0, f, 0, model::Wait::forever,
            static_cast<std::int32_t>(b.text("out.txt")));
    main.str(line, "P\n");
    for (int i = 0; i < 3; ++i) {
        main.op(Op::file_write, f, 0, line);
        main.op(Op::file_flush, f);
        main.op(Op::file_flush, f);
    }
    main.op(Op::file_close, f);
    const auto r = check(b);
    EXPECT_EQ(r.verdict, Verdict::ok) << first_message(r);
}

// The parent never flushes or closes: CPython still writes its buffer when the interpreter
// exits (io finalisation), so a child that flushed the inherited copy duplicates it.
// Needs MainProcess's normal exit to flush its file views (lifecycle.cpp, drop_views).
TEST(ForkBuffers, ParentExitFlushesItsBufferToo) {
    ProgramBuilder b;
    auto child = b.function("child", {"f"});
    child.op(Op::file_flush, child.reg("f"));
    auto main = b.module();
    const Reg f = main.reg("f");
    const Reg p = main.reg("p");
    const Reg line = main.reg("line");
    main.op(Op::file_open, 0, f, 0, model::Wait::forever,
            static_cast<std::int32_t>(b.text("out.txt")));
    main.str(line, "P\n");
    main.op(Op::file_write, f, 0, line);
    main.process(p, "child", {f});
    main.start(p);
    main.join(p);
    EXPECT_EQ(violated(check(b)), Ids{"duplicated-output"});
}

} // namespace
} // namespace mpcheck
