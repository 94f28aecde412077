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

TEST(ListAppend, RefusedWhereTheLengthIsDecidedAtRunTime) {
    constexpr const char* kRegion = "unsupported: append to 'xs' inside a branch or a loop";
    const Refusal cases[] = {
        {"from multiprocessing import Queue\nq = Queue()\nxs = []\nif q.empty():\n"
         "    xs.append(1)\n",
         kRegion, 5, 5},
        {"xs = []\ni = 0\nwhile i < 3:\n    xs.append(i)\n    i += 1\n", kRegion, 4, 5},
        {"def f(n):\n    xs = []\n    for i in range(n):\n        xs.append(i)\nf(2)\n", kRegion, 4,
         9},
        {"xs = []\nfor i in range(3):\n    if i == 1:\n        break\n    xs.append(i)\n", kRegion,
         5, 5},
        {"xs = []\nfor i in range(3):\n    if i == 1:\n        continue\n    xs.append(i)\n",
         kRegion, 5, 5},
        {"xs = []\nfor x in [1, 2]:\n    if x == 1:\n        break\n    xs.append(x)\n", kRegion, 5,
         5},
        {"xs = []\ntry:\n    xs.append(1)\nexcept ValueError:\n    pass\n",
         "unsupported: append to 'xs' inside a try statement", 3, 5},
        {"xs = [1]\nfor x in xs:\n    xs.append(x)\n",
         "unsupported: append to 'xs' while a for loop iterates over it", 3, 5},
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
