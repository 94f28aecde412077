// Hazards of Python multiprocessing programs, each as a buggy program that must be reported
// and its fix that must pass, checked through an installed mpcheck.
#include <gtest/gtest.h>

#include <mpcheck/gtest.hpp>
#include <mpcheck/mpcheck.hpp>
#include <string>

namespace {

// The child cannot exit until its queue feeder thread has flushed the 1,000,000-character
// item into the pipe, which it does not fit: joining before getting hangs.
constexpr const char* kJoinBeforeGet = R"(from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
)";

constexpr const char* kGetBeforeJoin = R"(from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    item = q.get()
    p.join()
)";

// Under spawn the child re-imports the module and gets its own, unrelated Lock.
constexpr const char* kModuleLevelLock = R"(from multiprocessing import Process, Lock

lock = Lock()


def child():
    with lock:
        print('child')


if __name__ == '__main__':
    p = Process(target=child)
    p.start()
    with lock:
        print('parent')
    p.join()
)";

constexpr const char* kLockPassedToChild = R"(from multiprocessing import Process, Lock


def child(lock):
    with lock:
        print('child')


if __name__ == '__main__':
    lock = Lock()
    p = Process(target=child, args=(lock,))
    p.start()
    with lock:
        print('parent')
    p.join()
)";

mpcheck::Options spawn() {
    mpcheck::Options options;
    options.start_method = mpcheck::StartMethod::spawn;
    return options;
}

TEST(QueueFeeder, JoiningBeforeGettingALargeItemDeadlocks) {
    EXPECT_MPCHECK_VIOLATES(kJoinBeforeGet, "deadlock");
}

TEST(QueueFeeder, GettingBeforeJoiningIsOk) {
    ASSERT_MPCHECK_OK(kGetBeforeJoin);
}

TEST(QueueFeeder, TheDeadlockIsReportedAtTheJoinWithThePutInItsTrace) {
    const mpcheck::Report report = mpcheck::check_source(kJoinBeforeGet, "join_before_get.py");
    ASSERT_EQ(report.verdict, mpcheck::Verdict::violation);
    const mpcheck::Violation* deadlock = report.find("deadlock");
    ASSERT_NE(deadlock, nullptr) << report.text();
    EXPECT_EQ(deadlock->loc.line, 12U) << report.text(); // p.join()
    EXPECT_NE(report.trace_text(*deadlock).find("q.put('X' * 1000000)"), std::string::npos)
        << report.text();
}

TEST(StartMethods, AModuleLevelLockIsNotSharedUnderSpawn) {
    EXPECT_MPCHECK_OK(mpcheck::check_source(kModuleLevelLock, "module_lock.py"));
    EXPECT_MPCHECK_VIOLATES(mpcheck::check_source(kModuleLevelLock, "module_lock.py", spawn()),
                            "unshared-resource");
}

TEST(StartMethods, ALockPassedToTheChildIsSharedUnderSpawn) {
    EXPECT_MPCHECK_OK(mpcheck::check_source(kLockPassedToChild, "passed_lock.py", spawn()));
}

TEST(Limits, ASearchStoppedByTheStateBoundIsInconclusiveNeverOk) {
    mpcheck::Options options;
    options.limits.max_states = 3;
    const mpcheck::Report report = mpcheck::check_source(kGetBeforeJoin, "fixed.py", options);
    EXPECT_EQ(report.verdict, mpcheck::Verdict::inconclusive) << report.text();
    EXPECT_FALSE(report.free_of("deadlock"));
}

} // namespace
