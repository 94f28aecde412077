// User classes: Process subclasses overriding run(), plain classes holding resources; and the
// process-identity helpers (os.getpid, current_process().name, logging).
#include "tests/unit/frontend/e2e_support.hpp"

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::substitute;

constexpr const char* kProcessSubclass = R"(import multiprocessing as mp

class Producer(mp.Process):
    def __init__(self, q, size):
        super().__init__()
        self.q = q
        self.size = size

    def run(self):
        self.q.put(f"{'X' * self.size}")

if __name__ == '__main__':
    q = mp.Queue()
    p = Producer(q, 1000000)
    p.start()
    ORDER
)";

TEST(Classes, ProcessSubclassJoinBeforeGetOfALargeItemDeadlocks) {
    const auto r = check(substitute(kProcessSubclass, "ORDER", "p.join()\n    item = q.get()"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    ASSERT_TRUE(has(r, "deadlock"));
    EXPECT_EQ(r.violations[0].loc.line, 16u);
}

TEST(Classes, ProcessSubclassGetBeforeJoinIsOk) {
    EXPECT_EQ(check(substitute(kProcessSubclass, "ORDER", "item = q.get()\n    p.join()")).verdict,
              properties::Verdict::ok);
}

TEST(Classes, ProcessSubclassChildSeesTheAttributesSetInInit) {
    // The child runs on a copy of the object: size 10 is a small item, join first is fine.
    EXPECT_EQ(check(substitute(substitute(kProcessSubclass, "1000000", "10"), "ORDER",
                               "p.join()\n    assert q.get() == 'X' * 10"))
                  .verdict,
              properties::Verdict::ok);
}

TEST(Classes, ProcessSubclassDaemonFlagFromTheBaseInit) {
    constexpr const char* kSource = R"(from multiprocessing import Process, Queue

class Worker(Process):
    def __init__(self, tasks):
        Process.__init__(self, daemon=DAEMON)
        self.tasks = tasks

    def run(self):
        for item in iter(self.tasks.get, None):
            pass

if __name__ == '__main__':
    tasks = Queue()
    workers = [Worker(tasks) for _ in range(2)]
    for w in workers:
        w.start()
    tasks.put(1)
    tasks.put(None)
)";
    // The second worker never gets a sentinel: at exit the parent joins it forever.
    const auto r = check(substitute(kSource, "DAEMON", "False"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
    // Daemonic workers are terminated when the parent exits: no hang, and the reader lock a
    // worker killed inside get() leaves taken can hurt nobody, since nobody is left.
    const auto daemonic = check(substitute(kSource, "DAEMON", "True"));
    EXPECT_EQ(daemonic.verdict, properties::Verdict::ok);
}

constexpr const char* kResourceHolder = R"(from multiprocessing import Process, Queue, Lock

class Channel:
    """Sends results under a lock."""

    def __init__(self, lock, size=10):
        self.lock = lock
        self.q = Queue()
        self.size = size

    def send(self, tag):
        with self.lock:
            self.q.put(tag + '-' * self.size)

    def receive(self):
        return self.q.get()

def worker(channel, tag):
    channel.send(tag)

if __name__ == '__main__':
    channel = Channel(Lock(), SIZE)
    p = Process(target=worker, args=(channel, 'w'))
    p.start()
    p.join()
    assert channel.receive() == 'w' + '-' * SIZE
)";

TEST(Classes, PlainObjectHoldingAQueueAndALockPassedToAProcess) {
    EXPECT_EQ(check(substitute(kResourceHolder, "SIZE", "10")).verdict, properties::Verdict::ok);
    const auto r = check(substitute(kResourceHolder, "SIZE", "100000"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

constexpr const char* kIdentity = R"(import logging
import os
from multiprocessing import Process, Queue, current_process

def child(q):
    logging.info(f'child {os.getpid()} starts')
    q.put(current_process().name)
    q.put(os.getpid())

if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO)
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    assert q.get() == NAME
    assert q.get() != os.getpid()
    assert current_process().name == 'MainProcess'
    p.join()
)";

TEST(Classes, ProcessIdentityHelpers) {
    EXPECT_EQ(check(substitute(kIdentity, "NAME", "'Process-1'")).verdict, properties::Verdict::ok);
    const auto r = check(substitute(kIdentity, "NAME", "'Process-2'"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "assertion"));
}

} // namespace
} // namespace mpcheck::frontend
