#include "frontend/frontend.hpp"
#include "model/model.hpp"
#include "properties/check.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mpcheck::frontend {
namespace {

properties::CheckResult check(std::string_view src,
                              model::StartMethod method = model::StartMethod::fork) {
    auto r = lower_python(src, "t.py");
    if (const auto* d = std::get_if<Diagnostic>(&r)) {
        ADD_FAILURE() << d->message << " at " << d->line << ":" << d->column;
        return {};
    }
    const model::Model m(std::get<model::Program>(std::move(r)), method);
    explorer::Limits limits;
    limits.max_seconds = 30;
    return properties::check_model(m, limits);
}

bool has(const properties::CheckResult& r, std::string_view id) {
    return std::any_of(r.violations.begin(), r.violations.end(),
                       [&](const auto& v) { return v.property == id; });
}

/// `text` with the first `key` replaced by `value` (append-based: GCC 12 warns spuriously on
/// std::string::replace with a literal).
std::string substitute(std::string_view text, std::string_view key, std::string_view value) {
    const auto at = text.find(key);
    std::string out(text.substr(0, at));
    out.append(value);
    out.append(text.substr(at + key.size()));
    return out;
}

constexpr const char* kSeed = R"(from multiprocessing import Process, Queue

def child(q):
    q.put('X' * 1000000)

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
)";

TEST(EndToEnd, SeedJoinBeforeGetDeadlocks) {
    const auto r = check(kSeed);
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    ASSERT_TRUE(has(r, "deadlock"));
    EXPECT_EQ(r.violations[0].loc.line, 10u);
    EXPECT_EQ(r.violations[0].loc.column, 5u);
}

TEST(EndToEnd, SeedFixedAndSmallItemAreOk) {
    EXPECT_EQ(check(R"(import multiprocessing as mp

def child(q):
    q.put('X' * 1000000)

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    item = q.get()
    p.join()
)")
                  .verdict,
              properties::Verdict::ok);
    EXPECT_EQ(check(R"(from multiprocessing import Process, Queue

def child(q):
    q.put('small')

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
)")
                  .verdict,
              properties::Verdict::ok);
}

constexpr const char* kSentinels = R"(from multiprocessing import Process, Queue

def worker(q, results):
    while True:
        item = q.get()
        if item is None:
            break
        results.put(item * 2)

if __name__ == '__main__':
    q = Queue()
    results = Queue()
    workers = [Process(target=worker, args=(q, results)) for _ in range(2)]
    for w in workers:
        w.start()
    for i in range(2):
        q.put(i)
    for _ in range(SENTINELS):
        q.put(None)
    for i in range(2):
        results.get()
    for w in workers:
        w.join()
)";

TEST(EndToEnd, SentinelWorkers) {
    const std::string ok = substitute(kSentinels, "SENTINELS", "2");
    EXPECT_EQ(check(ok).verdict, properties::Verdict::ok);
    const std::string few = substitute(kSentinels, "SENTINELS", "1");
    const auto r = check(few);
    EXPECT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(EndToEnd, LockOrderInversionDeadlocks) {
    const auto r = check(R"(from multiprocessing import Process, Lock

def one(a, b):
    with a:
        with b:
            pass

def two(a, b):
    with b:
        with a:
            pass

if __name__ == '__main__':
    a = Lock()
    b = Lock()
    p1 = Process(target=one, args=(a, b))
    p2 = Process(target=two, args=(a, b))
    p1.start()
    p2.start()
    p1.join()
    p2.join()
)");
    EXPECT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(EndToEnd, TerminateWhileHoldingLock) {
    const auto r = check(R"(import multiprocessing

def child(lock):
    lock.acquire()
    print('working')
    lock.release()

if __name__ == '__main__':
    lock = multiprocessing.Lock()
    p = multiprocessing.Process(target=child, args=(lock,))
    p.start()
    p.terminate()
    p.join()
)");
    EXPECT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "abandoned-lock"));
}

TEST(EndToEnd, PipeReaderWithParentHoldingWriteEnd) {
    constexpr const char* kPipe = R"(from multiprocessing import Process, Pipe

def reader(r, w):
    w.close()
    try:
        while True:
            r.recv()
    except EOFError:
        pass

if __name__ == '__main__':
    r, w = Pipe(duplex=False)
    p = Process(target=reader, args=(r, w))
    p.start()
    w.send(1)
    CLOSE
    p.join()
)";
    const std::string bad = substitute(kPipe, "CLOSE", "pass");
    const auto r = check(bad);
    EXPECT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
    const std::string good = substitute(kPipe, "CLOSE", "w.close()");
    EXPECT_EQ(check(good).verdict, properties::Verdict::ok);
}

TEST(EndToEnd, ModuleLevelLockUnderSpawn) {
    // Spawn is the default here (as on macOS): set_start_method('spawn') after the module-level
    // Lock would raise RuntimeError instead (see the next test).
    const auto shared = check(R"(import multiprocessing as mp

lock = mp.Lock()

def child():
    with lock:
        pass

if __name__ == '__main__':
    p = mp.Process(target=child)
    p.start()
    p.join()
)",
                              model::StartMethod::spawn);
    EXPECT_TRUE(has(shared, "unshared-resource"));
    const auto passed = check(R"(import multiprocessing as mp

def child(lock):
    with lock:
        pass

if __name__ == '__main__':
    mp.set_start_method('spawn')
    lock = mp.Lock()
    p = mp.Process(target=child, args=(lock,))
    p.start()
    p.join()
)",
                              model::StartMethod::spawn);
    EXPECT_EQ(passed.verdict, properties::Verdict::ok);
}

TEST(EndToEnd, ExceptionsAndAsserts) {
    const auto caught = check(R"(from multiprocessing import Queue
import queue

def take(q):
    try:
        return q.get(timeout=1)
    except queue.Empty:
        return None

if __name__ == '__main__':
    q = Queue()
    x = take(q)
    assert x is None
)");
    EXPECT_EQ(caught.verdict, properties::Verdict::ok);
    const auto uncaught = check(R"(def f(n):
    if n > 2:
        raise ValueError('too big')
    return n

if __name__ == '__main__':
    total = 0
    for i in range(4):
        total += f(i)
)");
    EXPECT_TRUE(has(uncaught, "uncaught-exception"));
}

TEST(EndToEnd, BroadApiLowersAndChecks) {
    const auto r = check(R"(import multiprocessing as mp
import sys
import time

def consumer(jq, ev, cond, out):
    while True:
        item = jq.get()
        if item is None:
            jq.task_done()
            break
        jq.task_done()
    ev.set()
    with cond:
        cond.notify_all()
    out.write('done')
    out.flush()
    sys.exit(0)

if __name__ == '__main__':
    ctx = mp.get_context('fork')
    jq = ctx.JoinableQueue()
    ev = ctx.Event()
    cond = ctx.Condition()
    sem = ctx.BoundedSemaphore(2)
    with open('out.txt', 'w') as out:
        p = ctx.Process(target=consumer, args=(jq, ev, cond, out), daemon=False)
        p.start()
        jq.put(1)
        jq.put(None)
        jq.join()
        ev.wait()
        if sem.acquire(block=False):
            sem.release()
        time.sleep(0.1)
        p.join(0.5)
        code = p.exitcode
        alive = p.is_alive()
)");
    (void)r;
}

TEST(EndToEnd, BreakInsideWithReleasesTheLock) {
    const auto r = check(R"(from multiprocessing import Process, Lock

def child(lock):
    with lock:
        pass

if __name__ == '__main__':
    lock = Lock()
    for i in range(3):
        with lock:
            if i == 1:
                break
    p = Process(target=child, args=(lock,))
    p.start()
    p.join()
)");
    EXPECT_EQ(r.verdict, properties::Verdict::ok);
}

TEST(EndToEnd, DuplicatedOutputAcrossFork) {
    const auto r = check(R"(from multiprocessing import Process

def child(f):
    f.close()

if __name__ == '__main__':
    f = open('log.txt', 'w')
    f.write('header')
    p = Process(target=child, args=(f,))
    p.start()
    p.join()
    f.close()
)");
    EXPECT_TRUE(has(r, "duplicated-output"));
}

TEST(EndToEnd, MainFunctionPatternLearnsParameterKinds) {
    // worker() is defined before main(): its parameters' kinds (queue, joinable queue) are
    // learnt from the Process(...) call in main, so close() and join() dispatch correctly.
    const auto r = check(R"(import multiprocessing as mp

def worker(q, jq):
    jq.get()
    jq.task_done()
    q.put('X' * 1000000)
    q.close()

def main():
    q = mp.Queue()
    jq = mp.JoinableQueue()
    p = mp.Process(target=worker, args=(q, jq))
    p.start()
    jq.put(1)
    jq.join()
    p.join()
    q.get()

if __name__ == '__main__':
    main()
)");
    EXPECT_EQ(r.verdict, properties::Verdict::violation);
    ASSERT_TRUE(has(r, "deadlock"));
    EXPECT_EQ(r.violations[0].loc.line, 16u); // p.join()
}

TEST(EndToEnd, WithOnALockHandedDownThroughAHelperIsUnderstood) {
    // worker's `lock` is a Lock only through start_worker's parameter: a learning pass must go
    // on past `with lock:` of unknown kind (it once refused the statement).
    const auto r = check(R"(import multiprocessing as mp

def worker(lock, results):
    with lock:
        results.put('done')

def start_worker(lock, results):
    p = mp.Process(target=worker, args=(lock, results))
    p.start()
    return p

if __name__ == '__main__':
    lock = mp.Lock()
    results = mp.Queue()
    p = start_worker(lock, results)
    lock.acquire()
    p.join()
)");
    ASSERT_TRUE(has(r, "deadlock"));          // main holds the lock the worker waits for
    EXPECT_EQ(r.violations[0].loc.line, 17u); // p.join()
}

TEST(EndToEnd, InstructionTextsAreTheSourceOfTheCall) {
    auto r = lower_python(kSeed, "seed.py");
    ASSERT_TRUE(std::holds_alternative<model::Program>(r));
    const auto& program = std::get<model::Program>(r);
    std::vector<std::string> seen;
    for (const auto& fn : program.functions) {
        for (const auto& in : fn.code) {
            if (model::is_local(in.op)) continue;
            seen.push_back(std::to_string(in.loc.line) + ":" + std::to_string(in.loc.column) + " " +
                           std::string(program.text(in.text)));
        }
    }
    const std::vector<std::string> want = {
        "7:9 q = Queue()",      "8:9 p = Process(target=child, args=(q,))",
        "9:5 p.start()",        "10:5 p.join()",
        "11:12 item = q.get()", "4:5 q.put('X' * 1000000)"};
    EXPECT_EQ(seen, want);
}

TEST(EndToEnd, PrintEvaluatesItsArgumentsSoAnUnboundNameRaises) {
    // print() of a name the child does not have raises NameError in CPython; printing a list
    // or a queue is fine.
    const auto r = check(R"(import multiprocessing as mp

def work(q):
    items = [1, 2, 3]
    print('items', items, q)
    print('limit is', limit)

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,))
    p.start()
    p.join()
)");
    ASSERT_TRUE(has(r, "uncaught-exception"));
    EXPECT_EQ(r.violations[0].loc.line, 6u);
    EXPECT_NE(r.violations[0].message.find("NameError"), std::string::npos);
}

TEST(EndToEnd, DaemonWorkerKilledAtExitWhileBlockedInGetIsHarmless) {
    // The documented JoinableQueue pattern: the daemon worker waits in get() holding the
    // queue's reader lock when the main process exits and terminates it. Nobody is left to
    // use the queue, and CPython finishes cleanly.
    const auto r = check(R"(import multiprocessing as mp

def worker(q):
    while True:
        item = q.get()
        q.task_done()

if __name__ == '__main__':
    q = mp.JoinableQueue()
    p = mp.Process(target=worker, args=(q,), daemon=True)
    p.start()
    for i in range(2):
        q.put(i)
    q.join()
)");
    EXPECT_EQ(r.verdict, properties::Verdict::ok)
        << (r.violations.empty() ? "" : r.violations[0].message);
}

} // namespace
} // namespace mpcheck::frontend

namespace mpcheck::frontend {
namespace {

// Process(name=...) and super().__init__(name=...) name the process as in CPython; without a
// name it is Process-N. The names reach current_process().name.
constexpr const char* kNames = R"(import multiprocessing as mp

def worker(q):
    q.put(mp.current_process().name)

class Named(mp.Process):
    def __init__(self, q):
        super().__init__(name='special')
        self.q = q

    def run(self):
        self.q.put(mp.current_process().name)

if __name__ == '__main__':
    q = mp.Queue()
    a = mp.Process(target=worker, args=(q,), name=f'worker-{0}')
    b = Named(q)
    c = mp.Process(target=worker, args=(q,), name='')
    a.start()
    b.start()
    c.start()
    names = [q.get(), q.get(), q.get()]
    a.join()
    b.join()
    c.join()
    assert CHECK
)";

TEST(EndToEnd, ProcessNamesAreTheNamesGiven) {
    // An empty name keeps the default (process.py: `name or 'Process-' + ...`).
    EXPECT_EQ(check(substitute(kNames, "CHECK",
                               "'worker-0' in names and 'special' in names and 'Process-3' in "
                               "names"))
                  .verdict,
              properties::Verdict::ok);
    EXPECT_EQ(check(substitute(kNames, "CHECK", "'Process-1' in names")).verdict,
              properties::Verdict::violation);
}

// A Barrier wait that times out breaks the barrier and raises threading.BrokenBarrierError
// (multiprocessing has no name for it): caught, the worker ends cleanly; not caught, it dies
// of it (both checked on CPython 3.11).
constexpr const char* kBarrierTimeout = R"(import multiprocessing as mp
IMPORT

def party(b):
    try:
        b.wait(timeout=0.5)
    except CAUGHT:
        print('gave up')

if __name__ == '__main__':
    b = mp.Barrier(3)
    p = mp.Process(target=party, args=(b,))
    p.start()
    p.join()
)";

std::string barrier_timeout(std::string_view import, std::string_view caught) {
    return substitute(substitute(kBarrierTimeout, "IMPORT", import), "CAUGHT", caught);
}

TEST(EndToEnd, BrokenBarrierErrorIsCaughtUnderItsThreadingName) {
    EXPECT_EQ(check(barrier_timeout("import threading", "threading.BrokenBarrierError")).verdict,
              properties::Verdict::ok);
    EXPECT_EQ(
        check(barrier_timeout("from threading import BrokenBarrierError", "BrokenBarrierError"))
            .verdict,
        properties::Verdict::ok);
}

TEST(EndToEnd, BrokenBarrierErrorNotCaughtKillsTheWorker) {
    const auto r = check(barrier_timeout("import threading", "EOFError"));
    EXPECT_TRUE(has(r, "uncaught-exception"));
}

// An `except` clause catches subclasses as in CPython: BrokenBarrierError is a RuntimeError,
// KeyError a LookupError, ZeroDivisionError an ArithmeticError; SystemExit is no Exception but
// a BaseException. With `except IndexError` the KeyError escapes (both checked on CPython 3.11).
constexpr const char* kBaseClasses = R"(import multiprocessing as mp
import sys

def child(b):
    try:
        b.wait(timeout=0.1)
    except RuntimeError:
        print('barrier')
    try:
        raise KeyError('k')
    except LOOKUP:
        print('lookup')
    try:
        raise ZeroDivisionError('z')
    except ArithmeticError:
        print('arith')
    try:
        sys.exit(0)
    except Exception:
        print('never')
    except BaseException:
        print('base')

if __name__ == '__main__':
    b = mp.Barrier(2)
    p = mp.Process(target=child, args=(b,))
    p.start()
    p.join()
    assert p.exitcode == 0
)";

TEST(EndToEnd, ExceptCatchesSubclassesAsCPythonDoes) {
    EXPECT_EQ(check(substitute(kBaseClasses, "LOOKUP", "LookupError")).verdict,
              properties::Verdict::ok);
    const auto sibling = check(substitute(kBaseClasses, "LOOKUP", "IndexError"));
    EXPECT_TRUE(has(sibling, "uncaught-exception"));
    EXPECT_TRUE(has(sibling, "assertion"));
}

// BrokenPipeError is a ConnectionError and an OSError: the send to a closed reader is still
// api-misuse, but the worker survives it.
TEST(EndToEnd, BrokenPipeErrorIsCaughtAsConnectionErrorOrOSError) {
    for (const char* caught : {"ConnectionError", "OSError", "BrokenPipeError"}) {
        const auto r = check(substitute(R"(import multiprocessing as mp

def child(r, w):
    r.close()
    try:
        w.send(1)
    except CAUGHT:
        print('reader gone')

if __name__ == '__main__':
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=child, args=(r, w))
    p.start()
    r.close()
    w.close()
    p.join()
    assert p.exitcode == 0
)",
                                        "CAUGHT", caught));
        EXPECT_TRUE(has(r, "api-misuse")) << caught;
        EXPECT_FALSE(has(r, "uncaught-exception")) << caught;
        EXPECT_FALSE(has(r, "assertion")) << caught;
    }
}

} // namespace
} // namespace mpcheck::frontend
