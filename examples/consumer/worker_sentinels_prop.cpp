// A property over a family of programs: N workers read a queue until they get a None
// sentinel, and the parent puts some items, then K sentinels, then joins every worker.
// Each worker consumes exactly one sentinel, so the program can hang iff K < N.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <mpcheck/mpcheck.hpp>
#include <string>

namespace {

std::string workers_and_sentinels(int workers, int items, int sentinels) {
    std::string source = R"(from multiprocessing import Process, Queue


def worker(q):
    while True:
        item = q.get()
        if item is None:
            break


if __name__ == '__main__':
    q = Queue()
)";
    source += "    workers = [Process(target=worker, args=(q,)) for _ in range(";
    source += std::to_string(workers);
    source += ")]\n";
    source += "    for w in workers:\n        w.start()\n";
    source += "    for i in range(";
    source += std::to_string(items);
    source += "):\n        q.put(i)\n";
    source += "    for _ in range(";
    source += std::to_string(sentinels);
    source += "):\n        q.put(None)\n";
    source += "    for w in workers:\n        w.join()\n";
    return source;
}

RC_GTEST_PROP(WorkerSentinels, DeadlockIffFewerSentinelsThanWorkers, ()) {
    const int workers = *rc::gen::inRange(1, 4);
    const int items = *rc::gen::inRange(0, 3);
    const int sentinels = *rc::gen::inRange(0, 5);
    const mpcheck::Report report =
        mpcheck::check_source(workers_and_sentinels(workers, items, sentinels), "workers.py");
    RC_LOG() << report.text();

    RC_ASSERT(report.verdict != mpcheck::Verdict::error);
    RC_ASSERT(report.verdict != mpcheck::Verdict::inconclusive);
    RC_ASSERT(report.violates("deadlock") == (sentinels < workers));
    RC_ASSERT(report.free_of("deadlock") == (sentinels >= workers));
}

} // namespace
