// Lists, tuples and dicts known when lowering; iter(callable, sentinel) loops.
#include "tests/unit/frontend/e2e_support.hpp"

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::substitute;

constexpr const char* kSentinelWorkers = R"(from multiprocessing import Process, Queue

def worker(tasks):
    for item in iter(tasks.get, None):
        print(item)

if __name__ == '__main__':
    tasks = Queue()
    workers = [Process(target=worker, args=(tasks,)) for _ in range(2)]
    for w in workers:
        w.start()
    for i in range(2):
        tasks.put(i)
    for _ in range(SENTINELS):
        tasks.put(None)
    for w in workers:
        w.join()
)";

TEST(StaticAggregates, IterSentinelLoopWithOneSentinelTooFewDeadlocks) {
    const auto r = check(substitute(kSentinelWorkers, "SENTINELS", "len(workers) - 1"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(StaticAggregates, IterSentinelLoopWithOneSentinelPerWorkerIsOk) {
    EXPECT_EQ(check(substitute(kSentinelWorkers, "SENTINELS", "len(workers)")).verdict,
              properties::Verdict::ok);
}

TEST(StaticAggregates, IterSentinelComparesWithEquality) {
    // iter() stops on a value == the sentinel: a worker told 'stop' ends, any other string
    // is processed.
    constexpr const char* kSource = R"(from multiprocessing import Process, Queue

def worker(tasks, done):
    for item in iter(tasks.get, 'st' + 'op'):
        done.put(item)

if __name__ == '__main__':
    tasks, done = Queue(), Queue()
    p = Process(target=worker, args=(tasks, done))
    p.start()
    tasks.put('job')
    tasks.put(STOP)
    assert done.get() == 'job'
    p.join()
)";
    EXPECT_EQ(check(substitute(kSource, "STOP", "'stop'")).verdict, properties::Verdict::ok);
    const auto r = check(substitute(kSource, "STOP", "'halt'"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

constexpr const char* kEnumerateZipSum = R"(from multiprocessing import Process, Queue

def collect(queues, results):
    total = sum([q.get() for q in queues])
    results.put(total + len(queues))

if __name__ == '__main__':
    queues = [Queue() for _ in range(3)]
    results = Queue()
    p = Process(target=collect, args=(queues, results))
    p.start()
    for i, q in enumerate(queues, 1):
        q.put(i * 10)
    weights = (1, 2, 3)
    for q, w in zip(queues, weights):
        pass
    assert results.get() == EXPECTED
    p.join()
)";

TEST(StaticAggregates, ListsPassedToAProcessWithEnumerateZipSumLen) {
    // 10 + 20 + 30 + len(queues) == 63.
    EXPECT_EQ(check(substitute(kEnumerateZipSum, "EXPECTED", "63")).verdict,
              properties::Verdict::ok);
    const auto r = check(substitute(kEnumerateZipSum, "EXPECTED", "60"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "assertion"));
}

constexpr const char* kDictOfQueues = R"(from multiprocessing import Process, Queue

def child(channels):
    channels['out'].put(channels['in'].get() + 1)

if __name__ == '__main__':
    channels = {'in': Queue(), 'out': Queue()}
    limits = {'small': 1, 'large': 1000000}
    p = Process(target=child, args=(channels,))
    p.start()
    for name, q in channels.items():
        if name == 'in':
            q.put(limits['small'])
    names = [k for k in channels.keys()]
    assert names[0] == 'in' and len(channels) == 2
    assert channels[KEY].get() == 2
    p.join()
)";

TEST(StaticAggregates, DictsWithConstantKeysHoldQueuesAndValues) {
    EXPECT_EQ(check(substitute(kDictOfQueues, "KEY", "'out'")).verdict, properties::Verdict::ok);
    // Reading the input queue instead: nobody ever puts there again.
    const auto r = check(substitute(kDictOfQueues, "KEY", "'in'"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(StaticAggregates, MissingDictKeyRaisesKeyError) {
    const auto r = check(R"(d = {'a': 1}
x = d['b']
)");
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "uncaught-exception"));
}

TEST(StaticAggregates, TupleUnpackingAndMembership) {
    EXPECT_EQ(check(R"(a, b = 1, 2
a, b = b, a
pair = (a, b)
x, y = pair
assert x == 2 and y == 1
assert 2 in pair and 5 not in [1, 2]
assert [v * 2 for v in range(3)][2] == 4
)")
                  .verdict,
              properties::Verdict::ok);
}

} // namespace
} // namespace mpcheck::frontend
