// Module constants: `N_WORKERS = 4` at the top of a module may size a comprehension, but only
// when no interleaving of the program could see another value or none at all.
#include "frontend/module_constants.hpp"
#include "frontend/parser.hpp"
#include "tests/unit/frontend/e2e_support.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;

Constants constants_of(std::string_view source) {
    return module_constants(parse(source));
}

TEST(ModuleConstants, LeadingIntAssignmentsAreConstants) {
    const auto c = constants_of(R"(import multiprocessing as mp
"""Docstring."""
N_WORKERS = 2
N_TASKS = N_WORKERS * 3 + 1

def work(q, n=1):
    pass

LAST = -1
)");
    EXPECT_EQ(c, (Constants{{"N_WORKERS", 2}, {"N_TASKS", 7}, {"LAST", -1}}));
}

TEST(ModuleConstants, ANameBoundAnywhereElseIsNot) {
    const char* rebound[] = {
        "N = 2\nN = 3\n",
        "N = 2\nN += 1\n",
        "N = 2\ndef f():\n    global N\n    N = 5\n",
        "N = 2\ndef f(N):\n    pass\n",
        "N = 2\nclass C:\n    def m(self, N):\n        pass\n",
        "N = 2\nfor N in range(3):\n    pass\n",
        "N = 2\nx = [1 for N in range(3)]\n",
        "N = 2\ntry:\n    pass\nexcept ValueError as N:\n    pass\n",
        "N = 2\nwith open('f') as N:\n    pass\n",
        "N = 2\nfrom os import getpid as N\n",
        "N = 2\ndef N():\n    pass\n",
        "N = 2\nif __name__ == '__main__':\n    a, N = 1, 2\n",
    };
    for (const char* source : rebound)
        EXPECT_EQ(constants_of(source).count("N"), 0u) << source;
}

TEST(ModuleConstants, NothingAfterCodeThatMightReadItFirst) {
    const char* late[] = {
        // Code that runs before the binding could read the name (NameError in CPython).
        "print(1)\nN = 2\n",      "def f():\n    return N\nf()\nN = 2\n",
        "M = len('ab')\nN = 2\n", "def f(a=g()):\n    pass\nN = 2\n",
        "if True:\n    N = 2\n",  "N = 1.5\n",
    };
    for (const char* source : late)
        EXPECT_EQ(constants_of(source).count("N"), 0u) << source;
}

// The hazard with worker counts named as constants: one sentinel fewer than workers hangs the
// join; one each is fine (both checked on CPython 3.11).
constexpr const char* kSentinels = R"(import multiprocessing as mp

N_WORKERS = 2
N_TASKS = N_WORKERS * 2

def worker(tasks, results):
    for item in iter(tasks.get, None):
        results.put(item * 2)

if __name__ == '__main__':
    tasks = mp.Queue()
    results = mp.Queue()
    workers = [mp.Process(target=worker, args=(tasks, results)) for _ in range(N_WORKERS)]
    for w in workers:
        w.start()
    for i in range(N_TASKS):
        tasks.put(i)
    for _ in range(SENTINELS):
        tasks.put(None)
    for w in workers:
        w.join()
    total = 0
    for _ in range(N_TASKS):
        total += results.get()
    assert total == 12
)";

TEST(ModuleConstants, TooFewSentinelsForNWorkersDeadlocks) {
    const auto r = check(testing::substitute(kSentinels, "SENTINELS", "N_WORKERS - 1"));
    EXPECT_TRUE(has(r, "deadlock"));
}

TEST(ModuleConstants, OneSentinelPerWorkerIsOk) {
    EXPECT_EQ(check(testing::substitute(kSentinels, "SENTINELS", "N_WORKERS")).verdict,
              properties::Verdict::ok);
}

} // namespace
} // namespace mpcheck::frontend
