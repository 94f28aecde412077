// multiprocessing.Value and RawValue of an integer type (sharedctypes.py): one integer in
// shared memory; Value's `value` property takes its lock for each read and for each write.
// Every program here was run on CPython 3.11; the comment says what it did.
#include "tests/unit/frontend/e2e_support.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

using properties::Verdict;
using testing::check;
using testing::diagnose;
using testing::has;
using testing::raises;
using testing::substitute;

// Two workers add 2 each. `counter.value += 1` is a locked read and then a locked write, so
// both can read the same value and one increment is lost (CPython, 20,000 increments each:
// 25,499 to 26,930 instead of 40,000). Holding get_lock() around the update fixes it: the
// lock is an RLock, so the read and the write inside take it again.
constexpr const char* kCounter = R"(import multiprocessing as mp

def worker(counter):
    for _ in range(2):
        UPDATE

if __name__ == '__main__':
    counter = mp.Value('i', 0)
    workers = [mp.Process(target=worker, args=(counter,)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert counter.value == 4, counter.value
)";

TEST(SharedValue, AnUnlockedIncrementLosesUpdates) {
    const auto r = check(substitute(kCounter, "UPDATE", "counter.value += 1"));
    EXPECT_EQ(r.verdict, Verdict::violation);
    EXPECT_TRUE(has(r, "assertion"));
    EXPECT_FALSE(has(r, "deadlock"));
}

TEST(SharedValue, TheValuesOwnLockAroundTheIncrementKeepsEveryUpdate) {
    const auto r = check(
        substitute(kCounter, "UPDATE", "with counter.get_lock():\n            counter.value += 1"));
    EXPECT_EQ(r.verdict, Verdict::ok);
    // `with counter:` is the same lock.
    const auto same =
        check(substitute(kCounter, "UPDATE", "with counter:\n            counter.value += 1"));
    EXPECT_EQ(same.verdict, Verdict::ok);
}

// A RawValue (or lock=False) has no lock at all: the same race, and no get_lock().
TEST(SharedValue, ARawValueHasNoLock) {
    std::string raw = substitute(kCounter, "UPDATE", "counter.value += 1");
    raw = substitute(raw, "mp.Value('i', 0)", "mp.RawValue('i', 0)");
    EXPECT_TRUE(has(check(raw), "assertion"));
    const auto r = check(R"(import multiprocessing as mp

if __name__ == '__main__':
    counter = mp.Value('i', 0, lock=False)
    counter.get_lock()
)");
    EXPECT_TRUE(raises(r, "AttributeError"));
    // So has anything else that a `.value` of unknown kind meets at run time.
    EXPECT_TRUE(raises(check(R"(import multiprocessing as mp

def f(x):
    return x.value

if __name__ == '__main__':
    f(5)
)"),
                       "AttributeError"));
}

// A holder killed inside `with v.get_lock():` leaves the lock taken: every later read of
// v.value waits forever (CPython hung at `print(v.value)`).
TEST(SharedValue, AHolderKilledInsideTheLockBlocksEveryRead) {
    const auto r = check(R"(import multiprocessing as mp
import time

def holder(v):
    with v.get_lock():
        time.sleep(30)

if __name__ == '__main__':
    v = mp.Value('i', 0)
    p = mp.Process(target=holder, args=(v,))
    p.start()
    time.sleep(0.5)
    p.terminate()
    p.join()
    print(v.value)
)");
    EXPECT_TRUE(has(r, "deadlock"));
    EXPECT_TRUE(has(r, "abandoned-lock"));
}

// lock=mp.Lock() is used as given, and a Lock does not re-enter: reading v.value while holding
// v.get_lock() waits for itself (CPython hung).
TEST(SharedValue, APlainLockDoesNotReenter) {
    constexpr const char* kProgram = R"(import multiprocessing as mp

if __name__ == '__main__':
    v = mp.Value('i', 0, lock=mp.LOCK())
    with v.get_lock():
        v.value += 1
    assert v.value == 1
)";
    EXPECT_TRUE(has(check(substitute(kProgram, "LOCK", "Lock")), "deadlock"));
    EXPECT_EQ(check(substitute(kProgram, "LOCK", "RLock")).verdict, Verdict::ok);
}

// Under spawn a Value made at module level is made again by each child's import: the child
// counts into its own (CPython: AssertionError: 0). Passed in args it is shared.
TEST(SharedValue, AModuleLevelValueUnderSpawnIsNotShared) {
    constexpr const char* kProgram = R"(import multiprocessing as mp

ctx = mp.get_context('spawn')
counter = ctx.Value('i', 0)

def work(ARG):
    counter.value += 1

if __name__ == '__main__':
    p = ctx.Process(target=work, args=(ARGS))
    p.start()
    p.join()
    assert counter.value == 1, counter.value
)";
    const auto r = check(substitute(substitute(kProgram, "ARGS", ""), "ARG", ""));
    EXPECT_TRUE(has(r, "unshared-resource"));
    EXPECT_TRUE(has(r, "assertion"));
    const auto fixed =
        check(substitute(substitute(kProgram, "ARGS", "counter,"), "ARG", "counter"));
    EXPECT_EQ(fixed.verdict, Verdict::ok);
}

// ctypes refuses a non-integer (TypeError: 'str' object cannot be interpreted as an integer),
// at construction and at assignment; a bool is stored as its int.
TEST(SharedValue, OnlyIntegersAreStored) {
    EXPECT_TRUE(raises(check(R"(import multiprocessing as mp
v = mp.Value('i', 'a')
)"),
                       "TypeError"));
    EXPECT_TRUE(raises(check(R"(import multiprocessing as mp
v = mp.Value('i')
v.value = 'a'
)"),
                       "TypeError"));
    EXPECT_EQ(check(R"(import multiprocessing as mp
v = mp.Value('i')
assert v.value == 0
v.value = True
assert v.value == 1
)")
                  .verdict,
              Verdict::ok);
}

// Pickling a Value outside of spawning raises RuntimeError ("Synchronized objects should only
// be shared between processes through inheritance"): in the caller for Connection.send.
TEST(SharedValue, SendingAValueIsMisuse) {
    const auto r = check(R"(import multiprocessing as mp

if __name__ == '__main__':
    r, w = mp.Pipe()
    w.send(mp.Value('i', 0))
)");
    ASSERT_TRUE(has(r, "api-misuse"));
    EXPECT_NE(r.violations[0].message.find("shared between processes through inheritance"),
              std::string::npos)
        << r.violations[0].message;
}

// Types whose silent wrap-around the model does not compute, and floats, are refused.
TEST(SharedValue, OtherTypesAreRefused) {
    for (const char* type : {"'d'", "'b'", "'I'", "b'i'"}) {
        const auto d = diagnose(std::string("import multiprocessing as mp\n\nv = mp.Value(") +
                                type + ", 1)\n");
        EXPECT_NE(d.message.find("typecodes 'i', 'l' and 'q'"), std::string::npos)
            << type << ": " << d.message;
        EXPECT_EQ(d.line, 3U) << type;
    }
}

} // namespace
} // namespace mpcheck::frontend
