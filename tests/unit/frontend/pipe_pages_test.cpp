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

} // namespace
} // namespace mpcheck::frontend
