// The page layout of an os.pipe decides whether a message that would fit an empty pipe fits
// behind what is left of another (spec §2.1, CPython 3.11 on Linux). A large message is two
// write(2)s, its 4-byte length header and then its payload: when a reader takes the header
// before the payload is written, the payload fills fresh pages from the start and its last one
// is partial; the next message's header then shares that page, its payload (65,532 bytes, 4,092
// over 15 pages) cannot merge into it, and 15 free pages are too few once the reader stops.
#include "tests/unit/frontend/e2e_support.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::substitute;

constexpr const char* kTwoLargeItems = R"(import multiprocessing as mp


def reader(s):
    READS


def writer(s):
    s.put('X' * 100000)
    s.put('X' * 65514)


if __name__ == '__main__':
    s = mp.SimpleQueue()
    r = mp.Process(target=reader, args=(s,))
    w = mp.Process(target=writer, args=(s,))
    r.start()
    w.start()
)";

// CPython: the writer hung in its second put() (and the parent's exit with it) in 4 of 20 runs.
TEST(PipePages, ASecondLargeItemBehindAPartlyReadOneCanHangTheWriter) {
    const auto r = check(substitute(kTwoLargeItems, "READS", "s.get()"));
    EXPECT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

// CPython: finished in 8 runs of 8.
TEST(PipePages, AReaderThatTakesBothItemsLetsTheWriterFinish) {
    EXPECT_EQ(check(substitute(kTwoLargeItems, "READS", "s.get()\n    s.get()")).verdict,
              properties::Verdict::ok);
}

// A duplex Pipe is a socketpair: Linux cuts a payload into buffers of at most 36,544 bytes,
// queues the next while what is charged is below 212,992, and wakes a writer that had to wait
// only once the charge is down to a quarter of that. An item of more than three buffers behind
// an unread 100,000-byte one goes in part; once the reader has taken the first, the part left
// still holds the charge above the quarter, so the writer sleeps for good. One of three buffers
// or fewer goes in whole.
constexpr const char* kTwoItemsOnASocket = R"(import multiprocessing as mp


def reader(r):
    r.recv()


def writer(w):
    w.send('X' * 100000)
    w.send('X' * SECOND)


if __name__ == '__main__':
    r, w = mp.Pipe()
    a = mp.Process(target=reader, args=(r,))
    b = mp.Process(target=writer, args=(w,))
    a.start()
    b.start()
)";

// CPython hung in 1 of 8 runs with 110,000, 5 of 8 with 150,000, 2 of 8 with 200,000 and 1 of
// 8 with 210,000; it finished in 8 of 8 with 60,000 and 105,000.
TEST(SocketWakeUp, AWriterAsleepForRoomWakesOnlyAtAQuarterOfTheBudget) {
    for (const char* second : {"110000", "150000", "200000", "210000"}) {
        const auto hangs = check(substitute(kTwoItemsOnASocket, "SECOND", second));
        EXPECT_EQ(hangs.verdict, properties::Verdict::violation) << second;
        EXPECT_TRUE(has(hangs, "deadlock")) << second;
    }
    for (const char* second : {"60000", "105000"}) {
        EXPECT_EQ(check(substitute(kTwoItemsOnASocket, "SECOND", second)).verdict,
                  properties::Verdict::ok)
            << second;
    }
}

// The child's third item goes to sleep in part while the parent has read only the first; the
// parent then waits for the child's word on another pipe. A message the parent sends on the
// child's own end wakes the sleeping writer (the socket's wait queue is shared with its
// readers), and the charge, below the budget by then, lets it finish.
constexpr const char* kWokenByDataForItsOwnEnd = R"(import multiprocessing as mp


def child(b, done):
    b.send('X' * 100000)
    b.send('X' * 100000)
    b.send('X' * 100000)
    done.send('sent')


if __name__ == '__main__':
    mp.set_start_method('fork')
    a, b = mp.Pipe()
    done_r, done_w = mp.Pipe(duplex=False)
    p = mp.Process(target=child, args=(b, done_w))
    p.start()
    a.recv()
    NUDGE
    done_r.recv()
    a.recv()
    a.recv()
    p.join()
)";

// CPython: with the nudge it finished in 5 of 5 runs; without, it hung in 2 of 5.
TEST(SocketWakeUp, DataForTheWritersOwnEndWakesIt) {
    EXPECT_EQ(check(substitute(kWokenByDataForItsOwnEnd, "NUDGE", "a.send('hi')")).verdict,
              properties::Verdict::ok);
    const auto hangs = check(substitute(kWokenByDataForItsOwnEnd, "NUDGE", "pass"));
    EXPECT_EQ(hangs.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(hangs, "deadlock"));
}

} // namespace
} // namespace mpcheck::frontend
