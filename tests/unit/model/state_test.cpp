// A working copy of a state is made equal to its original again by undoing only what changed
// (State::copy_from / revert_to): whatever was written, the result is the original.
#include "model/state.hpp"
#include "tests/unit/model/record_offsets.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace mpcheck::model {
namespace {

// A state with two processes, one view and two objects, every word distinct.
State sample() {
    State s = State::empty();
    s.add_process(6);
    s.add_process(8);
    s.add_object(ObjKind::queue, 5);
    s.add_object(ObjKind::sem, 4);
    s.add_view(1, 0, 7);
    for (std::uint32_t i = State::kHeaderWords; i < s.words().size(); ++i) {
        const bool size_or_key = i == s.process_offset(0) || i == s.process_offset(1) ||
                                 i == s.object_offset(0) || i == s.object_offset(1) ||
                                 (i >= s.view_offset(0) && i < s.view_offset(0) + 3);
        if (!size_or_key) s.set_word(i, 1000 + i);
    }
    return s;
}

void expect_same(const State& a, const State& b) {
    EXPECT_TRUE(a == b);
    EXPECT_EQ(a.num_processes(), b.num_processes());
    EXPECT_EQ(a.num_views(), b.num_views());
    EXPECT_EQ(a.num_objects(), b.num_objects());
    EXPECT_EQ(record_offsets(a), record_offsets(b));
}

TEST(StateRevert, NothingWrittenLeavesTheCopyAsItIs) {
    const State original = sample();
    State copy;
    copy.copy_from(original);
    copy.revert_to(original);
    expect_same(copy, original);
}

TEST(StateRevert, UndoesWrittenWords) {
    const State original = sample();
    State copy;
    copy.copy_from(original);
    for (int round = 0; round < 3; ++round) {
        copy.set_word(copy.process_offset(1) + 2, 7);
        copy.set_word(copy.object_offset(1) + 3, 9);
        copy.set_word(static_cast<std::uint32_t>(copy.words().size() - 1), 11);
        EXPECT_FALSE(copy == original);
        copy.revert_to(original);
        expect_same(copy, original);
    }
}

TEST(StateRevert, UndoesMovedRecords) {
    const State original = sample();
    State copy;
    copy.copy_from(original);
    copy.insert_words(copy.process_offset(0), copy.process_offset(0) + 3, 2);
    copy.revert_to(original);
    expect_same(copy, original);
    copy.erase_words(copy.object_offset(0), copy.object_offset(0) + 2, 1);
    copy.revert_to(original);
    expect_same(copy, original);
    copy.remove_view(0);
    copy.revert_to(original);
    expect_same(copy, original);
    copy.add_view(0, 1, 7);
    copy.add_object(ObjKind::event, 6);
    copy.add_process(5);
    copy.revert_to(original);
    expect_same(copy, original);
}

TEST(StateRevert, CopyFromReplacesAnyEarlierContent) {
    const State first = sample();
    State second = sample();
    second.add_object(ObjKind::conn, 9);
    State copy;
    copy.copy_from(first);
    copy.set_word(copy.process_offset(0) + 1, 5);
    copy.copy_from(second);
    expect_same(copy, second);
    copy.set_word(copy.object_offset(2) + 2, 5);
    copy.revert_to(second);
    expect_same(copy, second);
}

TEST(StateLayout, VersionChangesWhenRecordsMoveButNotWhenWordsChange) {
    State s = sample();
    const std::uint64_t before = s.layout_version();
    s.set_word(s.process_offset(0) + 1, 3);
    EXPECT_EQ(s.layout_version(), before);
    s.insert_words(s.process_offset(0), s.process_offset(0) + 2, 1);
    const std::uint64_t inserted = s.layout_version();
    EXPECT_NE(inserted, before);
    s.erase_words(s.process_offset(0), s.process_offset(0) + 2, 1);
    EXPECT_NE(s.layout_version(), inserted);
    const std::uint64_t erased = s.layout_version();
    s.load(std::vector<std::uint32_t>(s.words().begin(), s.words().end()));
    EXPECT_NE(s.layout_version(), erased);
}

} // namespace
} // namespace mpcheck::model
