// Connections take no lock (spec §3.1): two unlocked writers of one Pipe end can interleave
// the bytes of their messages, two readers can split one message, and a reader killed in the
// middle of a message leaves its rest behind. What a reader then parses depends on the bytes
// themselves (a length header read from the middle of a payload, a pickle with other bytes
// inside it), which the model does not keep: the hazard is reported (broken-queue) and the
// search stops there as a model limit. It must not go on as if the stream simply stalled.
#include "explorer/explorer.hpp"
#include "explorer/graph_analysis.hpp"
#include "tests/unit/frontend/e2e_support.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;

constexpr const char* kBoundaries = "lost its message boundaries";

// Found by the CPython comparison (seed 1307). The reader never sees EOF (it inherited a copy
// of w0 under fork), so the program hangs: 5 runs of 6 on CPython. In the sixth, the child's
// small message landed inside main's 100,000-byte one (a write of more than 4096 bytes is not
// atomic), the reader's unpickling raised UnicodeDecodeError, it died, and the program ended
// with status 0. The model used to block main's send forever after the interleaving and so
// claimed that no interleaving at all could finish.
constexpr const char* kUnlockedWriters = R"(import multiprocessing as mp

def worker0(r0):
    try:
        while True:
            r0.recv()
    except EOFError:
        pass

def worker1(w0):
    w0.send(1)

def main():
    r0, w0 = mp.Pipe(duplex=False)
    p0 = mp.Process(target=worker0, args=(r0,))
    p1 = mp.Process(target=worker1, args=(w0,))
    p0.start()
    p1.start()
    w0.send('X' * 100000)

if __name__ == '__main__':
    main()
)";

/// Whether some interleaving of `src` may still finish (the initial state is not doomed).
bool may_finish(std::string_view src) {
    auto lowered = lower_python(src, "t.py");
    if (const auto* d = std::get_if<Diagnostic>(&lowered)) {
        ADD_FAILURE() << d->message;
        return false;
    }
    const model::Model m(std::get<model::Program>(std::move(lowered)), model::StartMethod::fork);
    explorer::Explorer e(m, explorer::Limits{});
    (void)e.run({});
    return explorer::first_doomed_state(e.graph()) != explorer::StateId{0};
}

TEST(GarbledStream, UnlockedWritersInterleaveAndTheSearchStopsThere) {
    const auto r = check(kUnlockedWriters);
    EXPECT_TRUE(has(r, "deadlock")); // the inherited write end: real, CPython hangs
    EXPECT_TRUE(has(r, "broken-queue"));
    EXPECT_EQ(r.completion, explorer::Completion::model_limit);
    EXPECT_NE(r.model_limit.find(kBoundaries), std::string::npos) << r.model_limit;
    EXPECT_TRUE(may_finish(kUnlockedWriters));
}

// Fixed: the writers take a lock around send(), and the reader stops at a sentinel instead of
// waiting for an EOF that its own inherited write end prevents.
TEST(GarbledStream, WritersUnderALockWithASentinelAreOk) {
    const auto r = check(R"(import multiprocessing as mp

def reader(r):
    while r.recv() is not None:
        pass

def writer(w, lock):
    with lock:
        w.send(1)

def main():
    r, w = mp.Pipe(duplex=False)
    lock = mp.Lock()
    p0 = mp.Process(target=reader, args=(r,))
    p1 = mp.Process(target=writer, args=(w, lock))
    p0.start()
    p1.start()
    with lock:
        w.send('X' * 100000)
    p1.join()
    w.send(None)
    p0.join()

if __name__ == '__main__':
    main()
)");
    EXPECT_EQ(r.verdict, properties::Verdict::ok);
    EXPECT_EQ(r.completion, explorer::Completion::finished);
}

// Two readers of one end: one may read the rest of a message the other has begun, taking
// payload bytes for a length header.
TEST(GarbledStream, TwoReadersSplittingAMessageStopTheSearch) {
    const auto r = check(R"(import multiprocessing as mp

def reader(r):
    r.recv()

if __name__ == '__main__':
    r, w = mp.Pipe(duplex=False)
    a = mp.Process(target=reader, args=(r,))
    b = mp.Process(target=reader, args=(r,))
    a.start()
    b.start()
    w.send('X' * 100000)
    w.send('X' * 100000)
    a.join()
    b.join()
)");
    EXPECT_TRUE(has(r, "broken-queue"));
    EXPECT_EQ(r.completion, explorer::Completion::model_limit);
    EXPECT_NE(r.model_limit.find(kBoundaries), std::string::npos) << r.model_limit;
}

// A reader killed in the middle of a message: what is left of it is garbage to the next
// reader, but with nothing left a fresh recv() at EOF raises EOFError as at any message
// boundary (connection.py's _recv: no byte read at all).
TEST(GarbledStream, AReaderKilledMidMessageLeavesTheRestUnparseable) {
    const auto r = check(R"(import multiprocessing as mp
import time

def reader(r):
    r.recv()

def writer(w):
    w.send('X' * 100000)

if __name__ == '__main__':
    r, w = mp.Pipe(duplex=False)
    a = mp.Process(target=reader, args=(r,))
    b = mp.Process(target=writer, args=(w,))
    a.start()
    b.start()
    time.sleep(0.5)
    a.terminate()
    b.terminate()
    a.join()
    b.join()
    w.close()
    r.recv()
)");
    EXPECT_TRUE(has(r, "broken-queue"));
    EXPECT_TRUE(has(r, "uncaught-exception"));
    EXPECT_EQ(r.completion, explorer::Completion::model_limit);
    EXPECT_NE(r.model_limit.find(kBoundaries), std::string::npos) << r.model_limit;
}

} // namespace
} // namespace mpcheck::frontend
