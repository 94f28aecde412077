// Dicts as run-time values: a dict display with str or int keys is built where one value is
// needed (`q.put({'id': i, 'data': rows})`); the receiver subscripts it by key, calls get(),
// tests `in`, iterates its keys, values or items, compares and prints it as CPython does. Its
// pickled size is exact, so a dict decides the join-before-get deadlock as in CPython.
#include "tests/unit/frontend/e2e_support.hpp"

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::raises;
using testing::substitute;

// Every assertion holds on CPython 3.11 (CHECK aside).
constexpr const char* kSemantics = R"py(import multiprocessing as mp

def child(q):
    q.put({'id': 1, 'name': 'a', 'pair': (2, [3, 4]), 'none': None})

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    d = q.get()
    p.join()
    assert len(d) == 4 and d['id'] == 1 and d['pair'][1][0] == 3 and d['none'] is None
    assert d.get('name') == 'a' and d.get('missing') is None and d.get('missing', 7) == 7
    assert 'id' in d and 'x' not in d and 1 not in d
    assert d == {'none': None, 'pair': (2, [3, 4]), 'name': 'a', 'id': True}
    assert d != {'id': 1, 'name': 'a', 'pair': (2, [3, 4])} and d != ('id', 'name')
    assert str(d) == "{'id': 1, 'name': 'a', 'pair': (2, [3, 4]), 'none': None}"
    assert f"{d['pair']}" == '(2, [3, 4])' and '%s' % d == str(d)
    keys = ''
    for k in d:
        keys = keys + k + ','
    assert keys == 'id,name,pair,none,'
    n = 0
    for k, v in d.items():
        if v is not None and k != 'pair':
            n = n + len(str(v))
    assert n == 2
    for v in d.values():
        assert v != 5
    assert sorted(d) == ['id', 'name', 'none', 'pair']
    a, b, c, e = d
    assert a == 'id' and e == 'none'
    assert CHECK
)py";

TEST(RuntimeDicts, OperationsAgreeWithCPython) {
    testing::expect_agrees_with_cpython(kSemantics, "d['name'] * 2 == 'aa'",
                                        "d['name'] * 2 == 'ab'");
}

TEST(RuntimeDicts, AMissingKeyRaisesKeyError) {
    EXPECT_TRUE(raises(check(substitute(kSemantics, "CHECK", "d['missing']")), "KeyError"));
}

TEST(RuntimeDicts, AMissingKeyRaisesKeyErrorInsidePrintToo) {
    // print()'s arguments are evaluated before anything is printed.
    EXPECT_TRUE(
        raises(check(substitute(kSemantics, "assert CHECK", "print('got', d['x'])")), "KeyError"));
}

TEST(RuntimeDicts, DictsNeitherAddNorOrder) {
    EXPECT_TRUE(raises(check(substitute(kSemantics, "CHECK", "d + d")), "TypeError"));
    EXPECT_TRUE(raises(check(substitute(kSemantics, "CHECK", "d < d")), "TypeError"));
}

TEST(RuntimeDicts, GetOnAReceivedTupleRaisesAttributeError) {
    constexpr const char* kSource = R"(import multiprocessing as mp

def child(q):
    q.put(ITEM)

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    msg = q.get()
    p.join()
    assert msg.get('id') == 1
)";
    EXPECT_EQ(check(substitute(kSource, "ITEM", "{'id': 1}")).verdict, properties::Verdict::ok);
    EXPECT_TRUE(raises(check(substitute(kSource, "ITEM", "('id', 1)")), "AttributeError"));
}

TEST(RuntimeDicts, AListKeyIsUnhashable) {
    constexpr const char* kSource = R"(import multiprocessing as mp

def child(q):
    q.put(({'a': 1}, KEY))

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    d, k = q.get()
    p.join()
    assert d.get(k) is None
)";
    EXPECT_EQ(check(substitute(kSource, "KEY", "(1, 2)")).verdict, properties::Verdict::ok);
    EXPECT_TRUE(raises(check(substitute(kSource, "KEY", "[1, 2]")), "TypeError"));
}

TEST(RuntimeDicts, AViewOfAReceivedDictIsOnlyALoopIterable) {
    const auto d = testing::diagnose(R"(import multiprocessing as mp
q = mp.Queue()
d = q.get()
items = d.items()
)");
    EXPECT_EQ(d.line, 4u);
    EXPECT_NE(d.message.find("items() of a dict received at run time"), std::string::npos)
        << d.message;
}

// {'id': 1, 'data': 'X' * n} pickles to n + 36 bytes (measured on CPython 3.11); a message of
// up to 65532 pickled bytes fits in the pipe, so n = 65496 lets the child exit and 65497 does
// not until the parent reads it.
constexpr const char* kSizedDict = R"(import multiprocessing as mp

def child(q, n):
    q.put({'id': 1, 'data': 'X' * n})

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q, N))
    p.start()
    p.join()
    q.get()
)";

TEST(RuntimeDicts, DictThatFitsThePipeLetsTheChildExit) {
    EXPECT_EQ(check(substitute(kSizedDict, "N", "65496")).verdict, properties::Verdict::ok);
}

TEST(RuntimeDicts, DictOneByteTooLargeForThePipeDeadlocks) {
    const auto r = check(substitute(kSizedDict, "N", "65497"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

} // namespace
} // namespace mpcheck::frontend
