// Tuples and lists as run-time values: built where one value is needed (`q.put((i, x))`),
// unpacked, indexed and iterated where their shape is only known at run time. Their pickled
// size is exact, so a tuple decides the join-before-get deadlock as in CPython.
#include "tests/unit/frontend/e2e_support.hpp"

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::substitute;

constexpr const char* kWorkerTuples = R"(import multiprocessing as mp

def worker(tasks, results):
    for i, payload in iter(tasks.get, None):
        results.put((i, len(payload), f"done {i}"))

if __name__ == '__main__':
    tasks = mp.Queue()
    results = mp.Queue()
    p = mp.Process(target=worker, args=(tasks, results))
    p.start()
    for i in range(2):
        tasks.put((i, 'x' * 10))
    tasks.put(None)
    for _ in range(2):
        item = results.get()
        TARGET = item
        assert n == 10 and msg == "done %d" % i
        assert item == (i, 10, msg) and item[-1] == msg
    p.join()
)";

TEST(RuntimeSequences, TuplesTravelThroughQueuesAndUnpack) {
    EXPECT_EQ(check(substitute(kWorkerTuples, "TARGET", "i, n, msg")).verdict,
              properties::Verdict::ok);
}

TEST(RuntimeSequences, UnpackingTheWrongNumberOfValuesRaisesValueError) {
    // `i, n = item` on a 3-tuple: "too many values to unpack (expected 2)".
    const auto r = check(substitute(kWorkerTuples, "TARGET", "i, n"));
    EXPECT_TRUE(testing::raises(r, "ValueError"));
}

// (1, s) with len(s) = n < 65536 pickles to n + 22 bytes; a message of up to 65532 pickled
// bytes fits in the pipe (measured: n = 65510 exits, n = 65511 hangs on CPython 3.11).
constexpr const char* kSizedTuple = R"(import multiprocessing as mp

def child(q, n):
    q.put((1, 'X' * n))

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q, N))
    p.start()
    p.join()
    q.get()
)";

TEST(RuntimeSequences, TupleThatFitsThePipeLetsTheChildExit) {
    EXPECT_EQ(check(substitute(kSizedTuple, "N", "65510")).verdict, properties::Verdict::ok);
}

TEST(RuntimeSequences, TupleOneByteTooLargeForThePipeDeadlocks) {
    const auto r = check(substitute(kSizedTuple, "N", "65511"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

constexpr const char* kSemantics = R"py(import multiprocessing as mp

def child(q):
    q.put((1, 'a', (2, [3, 4]), None))

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    t = q.get()
    p.join()
    assert len(t) == 4 and t[0] == 1 and t[-3] == 'a' and t[2][1][0] == 3
    assert t == (True, 'a', (2, [3, 4]), None) and t != (1, 'a', (2, (3, 4)), None)
    assert 'a' in t and 5 not in t and t[3] is None
    assert str(t) == "(1, 'a', (2, [3, 4]), None)" and f"{t[2]}" == '(2, [3, 4])'
    assert '%d-%s' % (t[0], t[1]) == '1-a'
    n, s, (k, inner), nothing = t
    assert k == 2 and inner == [3, 4] and nothing is None
    total = 0
    for x in inner:
        total += x
    assert total == 7 and t[0] + inner[1] == 5 and (t[0],) + (2,) == (1, 2)
    pair = (s, k)
    assert '%s=%s' % pair == 'a=2' and str((k,)) == '(2,)'
    assert CHECK
)py";

TEST(RuntimeSequences, OperationsAgreeWithCPython) {
    testing::expect_agrees_with_cpython(kSemantics, "t[1] * 2 == 'aa'", "t[1] * 2 == 'ab'");
}

TEST(RuntimeSequences, IndexOutOfRangeRaisesIndexError) {
    const auto r = check(substitute(kSemantics, "CHECK", "t[4] is None"));
    EXPECT_TRUE(testing::raises(r, "IndexError"));
}

TEST(RuntimeSequences, PercentWithARuntimeTupleOfTheWrongLengthRaisesTypeError) {
    // '%s' % (s, k) where the tuple was built at run time: "not all arguments converted".
    const auto r = check(substitute(kSemantics, "CHECK", "'%s' % pair"));
    EXPECT_TRUE(testing::raises(r, "TypeError"));
}

TEST(RuntimeSequences, IteratingOrIndexingANumberRaisesTypeError) {
    constexpr const char* kSource = R"(def f(x):
    for a in x:
        pass
f(VALUE)
)";
    const auto bad = check(substitute(kSource, "VALUE", "1"));
    EXPECT_TRUE(testing::raises(bad, "TypeError"));
    EXPECT_EQ(check(substitute(kSource, "VALUE", "'ab'")).verdict, properties::Verdict::ok);
    const auto index = check("x = 1\ny = x[0]\n");
    EXPECT_TRUE(testing::raises(index, "TypeError"));
}

// sorted(): results that arrive in any order compared as a set of values; ints (and bools) and
// strs order as in Python, mixed kinds raise TypeError (each checked on CPython 3.11).
TEST(RuntimeSequences, SortedOrdersIntsAndStrsAsPython) {
    testing::expect_agrees_with_cpython(R"(from multiprocessing import Process, Queue

def worker(q, i):
    q.put(i * 3 % 5)

if __name__ == '__main__':
    q = Queue()
    ps = [Process(target=worker, args=(q, i)) for i in range(3)]
    for p in ps:
        p.start()
    got = (q.get(), q.get(), q.get())
    for p in ps:
        p.join()
    assert sorted(['b', 'a', 'ab']) == ['a', 'ab', 'b'] and sorted([]) == []
    assert sorted([True, 0]) == [0, True] and sorted((2, 1)) == [1, 2] and sorted([None]) == [None]
    assert CHECK
)",
                                        "sorted(got) == [0, 1, 3]", "sorted(got) == [0, 3, 1]");
    EXPECT_TRUE(testing::raises(check("x = sorted([1, 'a'])\n"), "TypeError"));
    EXPECT_TRUE(testing::raises(check("x = sorted([None, None])\n"), "TypeError"));
    EXPECT_TRUE(testing::raises(check("x = sorted(3)\n"), "TypeError"));
}

} // namespace
} // namespace mpcheck::frontend
