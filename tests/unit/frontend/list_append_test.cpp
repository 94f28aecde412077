// Lists that grow by append(): `procs.append(p)` in a loop over range() of constants, and
// `results.append(q.get())`. Accepted where the length is known when the program is read and
// no other name sees the list; refused, naming why, everywhere else. Every accepted program
// below was run on CPython 3.11 with the verdict given.
#include "frontend/list_escapes.hpp"
#include "frontend/parser.hpp"
#include "tests/unit/frontend/e2e_support.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

using properties::Verdict;
using testing::check;
using testing::diagnose;
using testing::has;
using testing::substitute;

// The seed hazard written the way most code starts its workers: the processes are collected
// with append() and joined before the results are read; each child's 100,000-byte item cannot
// leave its feeder thread until it is read, so the join hangs (CPython hangs).
constexpr const char* kWorkers = R"(from multiprocessing import Process, Queue

N_WORKERS = 2

def worker(q, i):
    q.put('x' * 100000)

if __name__ == '__main__':
    q = Queue()
    procs = []
    for i in range(N_WORKERS):
        p = Process(target=worker, args=(q, i))
        p.start()
        procs.append(p)
    FIRST
    SECOND
    assert len(results) == N_WORKERS
)";
constexpr const char* kJoinAll = "for p in procs:\n        p.join()";
constexpr const char* kGetAll = "results = []\n    for _ in range(N_WORKERS):\n"
                                "        results.append(q.get())";

TEST(ListAppend, JoiningAppendedWorkersBeforeGettingTheirItemsDeadlocks) {
    const auto r = check(substitute(substitute(kWorkers, "FIRST", kJoinAll), "SECOND", kGetAll));
    EXPECT_EQ(r.verdict, Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(ListAppend, GettingTheItemsFirstThenJoiningIsOk) {
    const auto r = check(substitute(substitute(kWorkers, "FIRST", kGetAll), "SECOND", kJoinAll));
    EXPECT_EQ(r.verdict, Verdict::ok);
}

TEST(ListAppend, AppendedItemsKeepTheirValuesAndOrder) {
    testing::expect_agrees_with_cpython(R"(from multiprocessing import Process, Queue

def worker(q, i):
    q.put(i * 10)

if __name__ == '__main__':
    q = Queue()
    procs = []
    for i in range(1, 4):
        procs.append(Process(target=worker, args=(q, i)))
    for p in procs:
        p.start()
    results = []
    for p in procs:
        results.append(q.get())
    for p in procs:
        p.join()
    names = []
    for k in range(0, 6, 2):
        names.append('w%d' % k)
    assert len(procs) == 3 and sum(results) == 60 and 20 in results
    assert names[2] == 'w4' and len(names) == 3
    assert CHECK
)",
                                        "names[0] + names[1] == 'w0w2'", "len(results) == 2");
}

TEST(ListAppend, AListRebuiltInEachIterationGrowsAgainFromEmpty) {
    testing::expect_agrees_with_cpython(R"(if __name__ == '__main__':
    total = 0
    for i in range(3):
        row = []
        for j in range(2):
            row.append(i * 2 + j)
        total += sum(row)
        assert len(row) == 2
    assert CHECK
)",
                                        "total == 15 and row[1] == 5", "total == 16");
}

// A list that stops holding a Connection end drops it: `ends = []` closes the write end the
// list held, so the spawn child reading the pipe sees EOF and the join returns; kept in the
// list, the end stays open and the join hangs (both as on CPython).
constexpr const char* kDroppedEnd = R"(import multiprocessing as mp

def reader(r):
    try:
        while True:
            r.recv()
    except EOFError:
        pass

if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=reader, args=(r,))
    p.start()
    r.close()
    ends = []
    ends.append(w)
    w = None
    DROP
    p.join()
)";

TEST(ListAppend, RebindingTheListDropsTheObjectsItHeld) {
    EXPECT_EQ(check(substitute(kDroppedEnd, "DROP", "ends = []")).verdict, Verdict::ok);
    const auto kept = check(substitute(kDroppedEnd, "DROP", "pass"));
    EXPECT_EQ(kept.verdict, Verdict::violation);
    EXPECT_TRUE(has(kept, "deadlock"));
}

// Where the number of appends is decided at run time (a sentinel loop, a while loop, a try),
// the list is one run-time value from its binding on, and each append builds the longer list.
TEST(ListAppend, ResultsCollectedInASentinelLoop) {
    testing::expect_agrees_with_cpython(R"(from multiprocessing import Process, Queue

def worker(q):
    for i in range(3):
        q.put(i)
    q.put(None)

if __name__ == '__main__':
    q = Queue()
    p = Process(target=worker, args=(q,))
    p.start()
    results = []
    for item in iter(q.get, None):
        results.append(item)
    p.join()
    total = 0
    for r in results:
        total += r
    assert len(results) == 3 and results[2] == 2 and 1 in results and total == 3
    assert sum(results) == 3 and sum(results, 10) == 13
    assert CHECK
)",
                                        "results == [0, 1, 2]", "len(results) == 4");
}

TEST(ListAppend, WorkersStartedInAWhileLoopAndJoinedBeforeTheGetsDeadlock) {
    constexpr const char* kWhile = R"(from multiprocessing import Process, Queue

def worker(q):
    q.put('x' * 100000)

if __name__ == '__main__':
    q = Queue()
    procs = []
    n = 0
    while n < 2:
        p = Process(target=worker, args=(q,))
        p.start()
        procs.append(p)
        n += 1
    FIRST
    SECOND
)";
    constexpr const char* kJoin = "for p in procs:\n        p.join()";
    constexpr const char* kGet = "got = []\n    while len(got) < 2:\n        got.append(q.get())";
    const auto buggy = check(substitute(substitute(kWhile, "FIRST", kJoin), "SECOND", kGet));
    EXPECT_EQ(buggy.verdict, Verdict::violation);
    EXPECT_TRUE(has(buggy, "deadlock"));
    EXPECT_EQ(check(substitute(substitute(kWhile, "FIRST", kGet), "SECOND", kJoin)).verdict,
              Verdict::ok);
}

TEST(ListAppend, AnExceptionStopsTheAppendsWhereCPythonStopsThem) {
    testing::expect_agrees_with_cpython(R"(if __name__ == '__main__':
    got = []
    try:
        for x in [1, 2, 0, 4]:
            got.append(10 // x)
    except ZeroDivisionError:
        pass
    assert CHECK
)",
                                        "got == [10, 5]", "len(got) == 3");
}

struct Refusal {
    const char* source;
    const char* message_prefix;
    std::uint32_t line, column;
};

void expect_refused(const Refusal& c) {
    const auto d = diagnose(c.source);
    EXPECT_TRUE(d.message.starts_with(c.message_prefix)) << c.source << " -> " << d.message;
    EXPECT_EQ(d.line, c.line) << c.source;
    EXPECT_EQ(d.column, c.column) << c.source;
}

TEST(ListAppend, AppendsWhoseCountIsDecidedAtRunTimeAreLowered) {
    const char* sources[] = {
        "from multiprocessing import Queue\nq = Queue()\nxs = []\nif q.empty():\n"
        "    xs.append(1)\nprint(len(xs))\n",
        "xs = []\ni = 0\nwhile i < 3:\n    xs.append(i)\n    i += 1\nassert xs == [0, 1, 2]\n",
        "def f(n):\n    xs = []\n    for i in range(n):\n        xs.append(i)\n    return xs\n"
        "f(2)\n",
        "xs = []\nfor i in range(3):\n    if i == 1:\n        break\n    xs.append(i)\n",
        "xs = []\ntry:\n    xs.append(1)\nexcept ValueError:\n    pass\n",
    };
    for (const char* source : sources)
        EXPECT_EQ(diagnose(source).message, "<lowered>") << source;
    testing::expect_agrees_with_cpython(
        "xs = []\ni = 0\nwhile i < 3:\n    xs.append(i * i)\n    i += 1\nassert CHECK\n",
        "xs == [0, 1, 4] and xs[-1] == 4", "xs == [0, 1, 4, 9]");
}

TEST(ListAppend, SumOfARunTimeListOfStrRaisesTypeError) {
    const auto r = check("if __name__ == '__main__':\n    x = []\n    i = 0\n    while i < 2:\n"
                         "        x.append('a')\n        i += 1\n    print(sum(x))\n");
    EXPECT_TRUE(testing::raises(r, "TypeError"));
}

TEST(ListAppend, RefusedWhileALoopIteratesOverTheSameList) {
    // CPython's loop would see the appended items (and may never end).
    constexpr const char* kIterated = "unsupported: append to 'xs' while a for loop iterates";
    const Refusal cases[] = {
        {"xs = [1]\nfor x in xs:\n    xs.append(x)\n", kIterated, 3, 5},
        {"from multiprocessing import Queue\nq = Queue()\nxs = []\nwhile q.empty():\n"
         "    xs.append(1)\nfor x in xs:\n    xs.append(x)\n",
         kIterated, 7, 5},
        {"xs = []\ny = xs.append(1)\n", "unsupported: append to 'xs' used as a value", 2, 5},
        {"xs = []\nxs.append(1, 2)\n", "unsupported: too many arguments", 2, 14},
    };
    for (const auto& c : cases)
        expect_refused(c);
}

TEST(ListAppend, RefusedWhereAnotherNameMaySeeTheList) {
    constexpr const char* kShared = "unsupported: append to 'xs' whose list other names may see";
    const Refusal cases[] = {
        {"xs = []\nys = xs\nxs.append(1)\n", kShared, 3, 1},
        {"def f(xs):\n    xs.append(1)\nf([])\n", kShared, 2, 5},
        {"def g(a):\n    return a\nxs = []\ng(xs)\nxs.append(1)\n", kShared, 5, 1},
        {"xs = []\nall = [xs]\nxs.append(1)\n", kShared, 3, 1},
        {"ys = []\nxs = []\nys.append(xs)\nxs.append(1)\n", kShared, 4, 1},
        {"xs = []\ndef show():\n    print(xs)\nxs.append(1)\nshow()\n", kShared, 4, 1},
        {"xs = []\nfor xs in [[1], [2]]:\n    pass\nxs.append(1)\n", kShared, 4, 1},
        {"xs = []\nys = xs or []\nxs.append(1)\n", kShared, 3, 1},
    };
    for (const auto& c : cases)
        expect_refused(c);
}

TEST(ListAppend, TheMessageNamesTheUseThatSharesTheList) {
    const auto d = diagnose("xs = []\nys = xs\nxs.append(1)\n");
    EXPECT_NE(d.message.find("'xs' is assigned to another name (line 2, column 6)"),
              std::string::npos)
        << d.message;
}

// The escape analysis alone: uses that only read a list leave it appendable.
std::map<std::string, ListEscape> escapes_of(std::string_view source) {
    return list_escapes(parse(source).body, {}, {});
}

TEST(ListEscapes, ReadingUsesDoNotShareTheList) {
    const char* reading[] = {
        "n = len(xs)\n",
        "s = sum(xs)\n",
        "for x in xs:\n    pass\n",
        "for i, x in enumerate(xs):\n    pass\n",
        "for a, b in zip(xs, xs):\n    pass\n",
        "y = xs[0]\n",
        "print(xs)\n",
        "q.put(xs)\n",
        "c.send(xs)\n",
        "s = '%s %s' % (xs, 1)\n",
        "ys = [x * 2 for x in xs]\n",
        "b = 1 in xs\n",
        "zs = xs + [1]\n",
        "def f():\n    return 1\n",
        "xs = [1, 2]\n",
    };
    for (const char* source : reading)
        EXPECT_EQ(escapes_of(source).count("xs"), 0u) << source;
}

TEST(ListEscapes, SharingUsesAreFound) {
    const char* sharing[] = {
        "ys = xs\n",
        "f(xs)\n",
        "obj.method(xs)\n",
        "t = (xs, 1)\n",
        "d = {'k': xs}\n",
        "ys.append(xs)\n",
        "ys = [xs for _ in r]\n",
        "xs = f()\n",
        "for xs in r:\n    pass\n",
        "it = iter(xs)\n",
        "e = enumerate(xs)\n",
        "a = b = xs\n",
    };
    for (const char* source : sharing)
        EXPECT_EQ(escapes_of(source).count("xs"), 1u) << source;
}

TEST(ListEscapes, AUserClassPutIsNotAQueuePut) {
    const Module m = parse("class Box:\n    def put(self, x):\n        self.x = x\n"
                           "b = Box()\nb.put(xs)\n");
    EXPECT_EQ(list_escapes(m.body, {}, user_method_names(m)).count("xs"), 1u);
}

} // namespace
} // namespace mpcheck::frontend
