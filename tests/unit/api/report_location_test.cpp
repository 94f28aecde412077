// Where a violation is reported, and what its message says, when it arises as a process ends:
// a process that exits or is killed runs no line of the program any more, so the report points
// at the line it last ran (never at line 0), and the message says what the process left behind.
#include "tests/unit/api/programs.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mpcheck::api {
namespace {

using testing::check;

/// The violation of `property` in `report`; fails the test when there is none.
const properties::Violation& violation_of(const Report& report, std::string_view property) {
    for (const auto& v : report.result.violations) {
        if (v.property == property) return v;
    }
    ADD_FAILURE() << "no " << property << " violation";
    static const properties::Violation none;
    return none;
}

// Line 6 is the child's last line: its put()s, whose items its feeder never delivers.
constexpr std::string_view kCancelJoinThenPut = R"(from multiprocessing import Process, Queue


def worker(results):
    results.cancel_join_thread()
    results.put(1)


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(results,))
    p.start()
    p.join()
)";

TEST(ReportLocation, DataLostAsAChildExitsIsReportedAtTheLineTheChildLastRan) {
    const Report report = check(kCancelJoinThenPut, "lost.py");
    const auto& lost = violation_of(report, "lost-data");
    EXPECT_EQ(lost.loc.line, 6u);
    EXPECT_EQ(lost.loc.column, 5u);
}

TEST(ReportLocation, ALockLeftAsAChildExitsIsReportedAtTheLineTheChildLastRan) {
    // The shortest way to leave the writer lock taken: the feeder takes it for the item, and
    // the child exits (after cancel_join_thread) before the feeder writes a byte.
    const Report report = check(kCancelJoinThenPut, "lost.py");
    EXPECT_EQ(violation_of(report, "abandoned-lock").loc.line, 6u);
    const auto& broken = violation_of(report, "broken-queue");
    EXPECT_EQ(broken.loc.line, 6u);
    EXPECT_EQ(broken.message, "'results' is left unusable: Process-1 ended holding its writer "
                              "lock: no other process can put on it");
}

// MainProcess's feeder holds a 100,000-character item that nobody reads, so MainProcess can
// never exit. Line 13, p.join(), is the last line it ran.
constexpr std::string_view kExitWithUnreadItem = R"(from multiprocessing import Process, Queue


def worker(jobs):
    pass


if __name__ == '__main__':
    jobs = Queue()
    p = Process(target=worker, args=(jobs,))
    p.start()
    jobs.put('J' * 100000)
    p.join()
)";

TEST(ReportLocation, ADeadlockAtExitIsReportedAtTheLineMainProcessLastRan) {
    const Report report = check(kExitWithUnreadItem, "exit.py");
    const auto& deadlock = violation_of(report, "deadlock");
    EXPECT_EQ(deadlock.loc.line, 13u);
    EXPECT_NE(deadlock.message.find("MainProcess cannot exit"), std::string::npos)
        << deadlock.message;
}

// A SimpleQueue's put() takes the writer lock and writes into the pipe in the caller: killed
// there with a 100,000-character item, the child leaves part of the message in the pipe.
constexpr std::string_view kKilledInSimpleQueuePut =
    R"(from multiprocessing import Process, SimpleQueue


def producer(q):
    q.put('X' * 100000)


if __name__ == '__main__':
    q = SimpleQueue()
    p = Process(target=producer, args=(q,))
    p.start()
    p.terminate()
    p.join()
)";

TEST(ReportLocation, AChildKilledMidWriteIsReportedAtTheLineItWasRunning) {
    const Report report = check(kKilledInSimpleQueuePut, "killed.py");
    const auto& broken = violation_of(report, "broken-queue");
    EXPECT_EQ(broken.loc.line, 5u);
    EXPECT_EQ(broken.message,
              "'q' is left unusable: Process-1 left a partially written message in the pipe");
}

} // namespace
} // namespace mpcheck::api
