// Semaphore.get_value(): the count a semaphore has left, read at the moment of the call (every
// program here was run on CPython 3.11 with the outcome the test states).
#include "tests/unit/frontend/e2e_support.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend::testing {
namespace {

TEST(SemaphoreValue, CountsWhatIsLeft) {
    expect_agrees_with_cpython(R"(import multiprocessing as mp

if __name__ == '__main__':
    s = mp.Semaphore(2)
    s.acquire()
    b = mp.BoundedSemaphore(3)
    assert CHECK
)",
                               "s.get_value() == 1 and b.get_value() == 3", "s.get_value() == 2");
}

TEST(SemaphoreValue, RacesWithAChildThatReleases) {
    // CPython: 7 of 8 runs read 0 before the child released, 1 read 1; after join() always 1.
    expect_agrees_with_cpython(R"(import multiprocessing as mp


def child(s):
    s.release()


if __name__ == '__main__':
    s = mp.Semaphore(0)
    p = mp.Process(target=child, args=(s,))
    p.start()
    n = s.get_value()
    p.join()
    assert CHECK
)",
                               "(n == 0 or n == 1) and s.get_value() == 1", "n == 0");
}

TEST(SemaphoreValue, LockRLockAndConditionHaveNoGetValue) {
    for (const char* make : {"mp.Lock()", "mp.RLock()", "mp.Condition()"}) {
        const auto r = check(substitute(R"(import multiprocessing as mp

if __name__ == '__main__':
    x = MAKE
    x.get_value()
)",
                                        "MAKE", make));
        EXPECT_TRUE(raises(r, "AttributeError")) << make;
        EXPECT_TRUE(has(r, "uncaught-exception")) << make;
    }
}

} // namespace
} // namespace mpcheck::frontend::testing
