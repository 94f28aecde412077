// The kernel channel capacity rules of spec §2, tested directly on a channel (no
// interleavings), against the figures measured on Linux by experiments e01/e02.
#include "model/channel.hpp"
#include "model/layout.hpp"

#include <gtest/gtest.h>

namespace mpcheck::model {
namespace {

namespace ch = detail::channel;

// A state holding one object record whose tail is a fresh channel.
struct Fixture {
    State s = State::empty();
    std::uint32_t record = 0;
    Fixture(ch::Kind kind) {
        const std::uint32_t obj = s.add_object(ObjKind::queue, 2 + ch::kFreshWords);
        record = s.object_offset(obj);
        ch::init(ref(), kind);
    }
    ch::Ref ref() { return {s, record, record + 2}; }
};

// Writes the next message whole (each write_some is one step of its writer); false if the
// kernel would not take all of it now.
bool write_message(Fixture& f, const ch::Sizer& sizer, Value v) {
    ch::begin_message(f.ref(), v);
    while (ch::write_some(f.ref(), sizer)) {
    }
    return !ch::tail_partial(f.s, f.record + 2, sizer);
}

std::uint64_t fixed_size(Value v, const void* ctx) {
    (void)v;
    return *static_cast<const std::uint64_t*>(ctx);
}

// How many messages of `pickled` bytes can be written with no reader.
int capacity(ch::Kind kind, std::uint64_t pickled) {
    Fixture f(kind);
    const ch::Sizer sizer{fixed_size, &pickled};
    for (int n = 0;; ++n) {
        ch::begin_message(f.ref(), Value::integer(1));
        // A payload over 16384 bytes follows its header in a write(2) of its own: a second
        // write_some, as the writer's next step.
        while (ch::write_some(f.ref(), sizer) && ch::tail_partial(f.s, f.record + 2, sizer)) {
        }
        if (ch::tail_partial(f.s, f.record + 2, sizer)) return n;
        if (n > 20000) return n;
    }
}

TEST(PipeCapacity, FollowsTheMeasuredPageRule) {
    // Spec §2.1 table: payload -> messages that fit in an empty os.pipe.
    EXPECT_EQ(capacity(ch::Kind::pipe, 1), 13104);
    EXPECT_EQ(capacity(ch::Kind::pipe, 5), 7280);
    EXPECT_EQ(capacity(ch::Kind::pipe, 10), 4672);
    EXPECT_EQ(capacity(ch::Kind::pipe, 100), 624);
    EXPECT_EQ(capacity(ch::Kind::pipe, 1000), 64);
    EXPECT_EQ(capacity(ch::Kind::pipe, 16380), 4);
    EXPECT_EQ(capacity(ch::Kind::pipe, 16381), 3);
    EXPECT_EQ(capacity(ch::Kind::pipe, 65532), 1);
    EXPECT_EQ(capacity(ch::Kind::pipe, 65533), 0);
}

TEST(SocketCapacity, FollowsTheMeasuredTable) {
    // Spec §2.2: rows of the measured table are reproduced exactly.
    EXPECT_EQ(capacity(ch::Kind::socket, 1), 278);
    EXPECT_EQ(capacity(ch::Kind::socket, 1000), 93);
    EXPECT_EQ(capacity(ch::Kind::socket, 16380), 13);
    EXPECT_EQ(capacity(ch::Kind::socket, 200000), 1);
    EXPECT_EQ(capacity(ch::Kind::socket, 1000000), 0);
}

// The kernel queues a message while what it has charged is below the budget, however large
// the message: one of 100,000 bytes and two of 65,532 fit together (CPython: a child's sends of
// those sizes and its parent's all completed with no reader, 6 runs of 6).
TEST(SocketCapacity, MessagesOfDifferentSizesFitWhileTheChargeIsBelowTheBudget) {
    Fixture f(ch::Kind::socket);
    // Message 1 pickles to 100,018 bytes, the others to 65,532.
    const ch::Sizer sizer{[](Value v, const void*) -> std::uint64_t {
                              return v == Value::integer(1) ? 100'018 : 65'532;
                          },
                          nullptr};
    for (const int item : {1, 2, 3})
        EXPECT_TRUE(write_message(f, sizer, Value::integer(item)));
    ch::begin_message(f.ref(), Value::integer(4)); // the charge is over the budget now
    EXPECT_FALSE(ch::write_some(f.ref(), sizer));
}

// Linux charges a socket buffer until the reader has consumed all of it (CPython 3.11 on Linux
// 6: after six sends of 36,544 bytes a one-byte send fails until the whole first one is read,
// not after 36,543 of its bytes).
TEST(SocketCharge, APartlyReadBufferStaysChargedInFull) {
    Fixture f(ch::Kind::socket);
    std::uint64_t pickled = 16384; // one 16,388-byte buffer each: 13 fit
    const ch::Sizer sizer{fixed_size, &pickled};
    const std::uint32_t at = f.record + 2;
    for (int n = 0; n < 13; ++n)
        ASSERT_TRUE(write_message(f, sizer, Value::integer(n))) << n;
    EXPECT_TRUE(ch::socket_full(f.s, at, sizer));
    Value out;
    EXPECT_FALSE(ch::read_some(f.ref(), sizer, out, 16387));
    EXPECT_TRUE(ch::socket_full(f.s, at, sizer)) << "the first buffer is not all read yet";
    EXPECT_TRUE(ch::read_some(f.ref(), sizer, out, 1));
    EXPECT_FALSE(ch::socket_full(f.s, at, sizer));
}

// A writer asleep for room wakes when the charge is down to a quarter of the budget (measured:
// six buffers of 36,544 bytes queued, a blocked send went on only after five were read), or when
// data comes in on its own end while the charge is below the budget.
TEST(SocketWakeUp, ABlockedWriterWakesAtAQuarterOfTheBudgetOrOnDataForItsOwnEnd) {
    Fixture f(ch::Kind::socket);
    std::uint64_t pickled = 36536; // a header buffer and a payload buffer: 37,888 charged
    const ch::Sizer sizer{fixed_size, &pickled};
    const std::uint32_t at = f.record + 2;
    for (int n = 0; n < 6; ++n)
        ASSERT_TRUE(write_message(f, sizer, Value::integer(n))) << n;
    ASSERT_TRUE(ch::socket_full(f.s, at, sizer));
    ch::socket_wake_spent(f.ref()); // the writer goes to sleep
    Value out;
    for (int read = 1; read <= 5; ++read) {
        ASSERT_TRUE(ch::read_some(f.ref(), sizer, out));
        EXPECT_EQ(ch::socket_wakes_writer(f.s, at, sizer), read == 5) << read << " read";
    }

    Fixture g(ch::Kind::socket);
    for (int n = 0; n < 6; ++n)
        ASSERT_TRUE(write_message(g, sizer, Value::integer(n))) << n;
    ch::socket_data_arrived(g.ref(), sizer); // full: the woken writer sleeps on
    EXPECT_FALSE(ch::socket_wakes_writer(g.s, at, sizer));
    ASSERT_TRUE(ch::read_some(g.ref(), sizer, out));
    EXPECT_FALSE(ch::socket_wakes_writer(g.s, at, sizer));
    ch::socket_data_arrived(g.ref(), sizer);
    EXPECT_TRUE(ch::socket_wakes_writer(g.s, at, sizer));
    ch::socket_wake_spent(g.ref());
    EXPECT_FALSE(ch::socket_wakes_writer(g.s, at, sizer));
}

TEST(PipeStreaming, ALargeMessageFlowsThroughWhileItIsRead) {
    Fixture f(ch::Kind::pipe);
    std::uint64_t pickled = 1'000'009;
    const ch::Sizer sizer{fixed_size, &pickled};
    ch::begin_message(f.ref(), Value::integer(7));
    Value out;
    int rounds = 0;
    bool done = false;
    while (!done && rounds < 100) {
        ch::write_some(f.ref(), sizer);
        done = ch::read_some(f.ref(), sizer, out);
        ++rounds;
    }
    EXPECT_TRUE(done);
    EXPECT_EQ(out, Value::integer(7));
    EXPECT_GT(rounds, 10); // about 1 MB through 64 KiB: many rounds of partial progress
    EXPECT_EQ(ch::message_count(f.s, f.record + 2), 0u);
}

} // namespace
} // namespace mpcheck::model
