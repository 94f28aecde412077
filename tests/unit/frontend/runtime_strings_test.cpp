// Strings computed at run time: their real content and length reach the model, so the
// pickled size of a queue item decides the join-before-get deadlock as in CPython.
#include "tests/unit/frontend/e2e_support.hpp"

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::substitute;

// A single message of up to 65532 pickled bytes fits in the pipe, so the child can exit before
// the parent reads it; a str of n characters pickles to n + 18 bytes (n + 9 from 65536).
constexpr const char* kSizedItem = R"(from multiprocessing import Process, Queue

def child(q, count):
    q.put('ab' * int(count))

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q, COUNT))
    p.start()
    p.join()
    item = q.get()
)";

TEST(RuntimeStrings, ItemBuiltFromAParsedIntFitsInThePipe) {
    // 'ab' * 32000: 64000 characters, 64018 pickled bytes.
    EXPECT_EQ(check(substitute(kSizedItem, "COUNT", "'32000'")).verdict, properties::Verdict::ok);
}

TEST(RuntimeStrings, ItemBuiltFromAParsedIntTooLargeForThePipeDeadlocks) {
    // 'ab' * 33000: 66000 characters, more than the pipe holds.
    const auto r = check(substitute(kSizedItem, "COUNT", "' 33000 '"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(RuntimeStrings, PaddedFieldSizeIsExact) {
    constexpr const char* kSource = R"(from multiprocessing import Process, Queue

def child(q, i):
    q.put(f'{i:>WIDTH}')

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q, 7))
    p.start()
    p.join()
    assert q.get() == ' ' * (WIDTH - 1) + '7'
)";
    // 65500 characters pickle to 65518 bytes and fit; 65520 characters do not.
    EXPECT_EQ(check(substitute(kSource, "WIDTH", "65500")).verdict, properties::Verdict::ok);
    const auto r = check(substitute(kSource, "WIDTH", "65520"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(RuntimeStrings, JoinedItemSizeIsExact) {
    constexpr const char* kSource = R"(from multiprocessing import Process, Queue

def child(q, n):
    parts = ['%d' % n, '{}'.format('x' * n), str(n)]
    q.put('-'.join(parts))

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q, N))
    p.start()
    p.join()
    q.get()
)";
    // '65000-xxx...-65000': 5 + 1 + 65000 + 1 + 5 = 65012 characters fit (65030 bytes).
    EXPECT_EQ(check(substitute(kSource, "N", "65000")).verdict, properties::Verdict::ok);
    // With 65510 the message is 65522 + 18 = 65540 bytes: too large.
    const auto r = check(substitute(kSource, "N", "65510"));
    ASSERT_EQ(r.verdict, properties::Verdict::violation);
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(RuntimeStrings, IntOfANonNumberRaisesValueErrorInTheChild) {
    constexpr const char* kSource = R"(from multiprocessing import Process

def child(text):
    n = int(text)

if __name__ == '__main__':
    p = Process(target=child, args=(TEXT,))
    p.start()
    p.join()
)";
    const auto r = check(substitute(kSource, "TEXT", "'abc'"));
    EXPECT_TRUE(testing::raises(r, "ValueError"));
    EXPECT_EQ(check(substitute(kSource, "TEXT", "'-1_000'")).verdict, properties::Verdict::ok);
}

constexpr const char* kFormatting = R"(a, b = 'x', 3
assert f"{a}-{b}" == 'x-3'
assert f"{b:>4}|{a!r}|{b:05d}|{255:#x}|{1234567:,}" == "   3|'x'|00003|0xff|1,234,567"
assert '%05d|%-3s|%r|%%' % (42, 'a', 'b') == "00042|a  |'b'|%"
assert '{0:>4}|{1!r}|{name}|{0}'.format('a', 'b', name=7) == "   a|'b'|7|a"
assert ','.join(['a', 'b', str(3)]) == 'a,b,3'
k, v = 'key=value'.split('=')
assert k == 'key' and v == 'value'
assert ' a b  c '.split()[2] == 'c' and len('a,b,,c'.split(',')) == 4
assert len('h\u00e9llo') == 5
assert str(12) + 'a' == '12a' and repr('it\'s') == '"it\'s"'
assert int(' 7 ') + int('-0') == 7
assert 'ell' in 'hello' and 'z' not in 'hello'
assert 'X' * 3 == 'XXX' and 2 * 'ab' == 'abab' and 'a' < 'b'
assert str(True) + str(None) == 'TrueNone'
assert CHECK
)";

TEST(RuntimeStrings, FormattingAgreesWithCPython) {
    testing::expect_agrees_with_cpython(kFormatting, "f'{10:x}' == 'a'", "f'{10:x}' == 'A'");
}

TEST(RuntimeStrings, ErrorsAreThePythonExceptions) {
    for (const char* src : {"a, b = 'a-b-c'.split('-')\n", "x = 'a' + 1\n", "x = '%d' % 'a'\n",
                            "x = f'{\"a\":d}'\n", "x = 'abc'.split('-')[1]\n"}) {
        const auto r = check(src);
        EXPECT_TRUE(has(r, "uncaught-exception")) << src;
    }
}

} // namespace
} // namespace mpcheck::frontend

namespace mpcheck::frontend {
namespace {

// str methods on strings that arrive through a queue (their kind is only known at run time).
constexpr const char* kMethods = R"py(import multiprocessing as mp

def child(q):
    q.put('  Alpha,beta;  ')
    q.put(b'x-y')

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    s = q.get()
    raw = q.get()
    p.join()
    t = s.strip()
    assert t == 'Alpha,beta;' and s.lstrip() == 'Alpha,beta;  ' and s.rstrip() == '  Alpha,beta;'
    assert t.upper() == 'ALPHA,BETA;' and t.lower() == 'alpha,beta;' and t.strip(';A') == 'lpha,beta'
    assert t.startswith('Al') and t.endswith(';') and not t.startswith('al')
    assert t.replace('a', '4') == 'Alph4,bet4;' and t.find('beta') == 6 and t.find('z') == -1
    assert t.count('a') == 2 and t.count('') == 12 and '42'.isdigit() and not t.isdigit()
    words = t.rstrip(';').split(',')
    assert words == ['Alpha', 'beta'] and len(words) == 2 and words[1] == 'beta'
    assert 'a b  c'.split() == ['a', 'b', 'c'] and 'a,b,c'.split(',', 1) == ['a', 'b,c']
    n = 0
    for w in ' x y '.split():
        n += len(w)
    assert n == 2 and raw.split(b'-') == [b'x', b'y'] and raw.upper() == b'X-Y'
    assert CHECK
)py";

TEST(RuntimeStrings, MethodsAgreeWithCPython) {
    testing::expect_agrees_with_cpython(kMethods, "s.find('beta') == 8", "s.find('beta') == 6");
}

TEST(RuntimeStrings, AStrMethodOfNoneRaisesAttributeError) {
    constexpr const char* kSource = R"(import multiprocessing as mp

def child(q):
    q.put(None)

if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    line = q.get()
    p.join()
    print(line.strip())
)";
    const auto none = check(kSource);
    EXPECT_TRUE(testing::raises(none, "AttributeError"));
}

} // namespace
} // namespace mpcheck::frontend
