// A Connection sent through a queue or a pipe is a model limit. CPython duplicates its
// descriptor into the sender's resource_sharer thread until a receiver unpickles it (which
// raises ConnectionRefusedError once the sender has ended), a Queue's feeder pickles it only
// later (failing if the end was closed meanwhile), and the receiver's copy closes when its
// object is garbage-collected. Whether a reader ever sees EOF depends on all of these, so the
// verdict is inconclusive, naming the limit and its line, never ok.
#include "tests/unit/api/programs.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mpcheck::api {
namespace {

using testing::check;

/// The helper holds the write end it received while the parent waits for EOF: CPython hangs.
constexpr std::string_view kWriteEndSentThroughAQueue =
    R"(from multiprocessing import Pipe, Process, Queue


def helper(ends, acks, done):
    w = ends.get()
    acks.put('got it')
    done.get()


if __name__ == '__main__':
    ends = Queue()
    acks = Queue()
    done = Queue()
    p = Process(target=helper, args=(ends, acks, done))
    p.start()
    r, w = Pipe(duplex=False)
    ends.put(w)
    acks.get()
    w.close()
    try:
        r.recv()
    except EOFError:
        print('no more messages')
    done.put('stop')
    p.join()
)";

/// A write end handed to a helper at line 15 (SEND stands for how).
constexpr std::string_view kHandOver = R"(from multiprocessing import Pipe, Process, SimpleQueue


def helper(chan, box):
    w = chan.recv()
    pair = box.get()


if __name__ == '__main__':
    chan_r, chan_w = Pipe(duplex=False)
    box = SimpleQueue()
    p = Process(target=helper, args=(chan_r, box))
    p.start()
    r, w = Pipe(duplex=False)
    SEND
    w.close()
    p.join()
)";

/// kHandOver with SEND replaced by `send`.
std::string hand_over(std::string_view send) {
    std::string source(kHandOver);
    source.replace(source.find("SEND"), 4, send);
    return source;
}

void expect_inconclusive_at(const Report& report, std::string_view where) {
    EXPECT_EQ(verdict(report), "inconclusive") << to_text(report);
    EXPECT_EQ(exit_code(report), 3);
    EXPECT_EQ(report.result.completion, explorer::Completion::model_limit);
    EXPECT_NE(report.result.model_limit.find(where), std::string::npos)
        << report.result.model_limit;
    EXPECT_NE(report.result.model_limit.find("a Connection sent through a queue or pipe"),
              std::string::npos)
        << report.result.model_limit;
}

TEST(ConnectionSent, ThroughAQueueIsAModelLimitNotOk) {
    expect_inconclusive_at(check(kWriteEndSentThroughAQueue, "sent.py"), "line 17: ");
}

TEST(ConnectionSent, ThroughAPipeOrInsideATupleIsAModelLimitToo) {
    expect_inconclusive_at(check(hand_over("chan_w.send(w)"), "sent.py"), "line 15: ");
    expect_inconclusive_at(check(hand_over("box.put((1, w))"), "sent.py"), "line 15: ");
    expect_inconclusive_at(check(hand_over("chan_w.send([w])"), "sent.py"), "line 15: ");
}

TEST(ConnectionSent, OtherItemsOnTheSameChannelsAreExploredToTheEnd) {
    const Report report = check(hand_over("chan_w.send(1)\n    box.put((1, 2))"), "unsent.py");
    EXPECT_EQ(report.result.completion, explorer::Completion::finished) << to_text(report);
}

} // namespace
} // namespace mpcheck::api
