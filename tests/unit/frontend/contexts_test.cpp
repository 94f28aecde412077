// Start methods and contexts (context.py): the default context is fixed by its first use, after
// which set_start_method() raises RuntimeError; get_context(m) is m's own context and leaves the
// default alone; a fork-context Lock or Queue cannot be pickled for a spawn child. Every
// program here was run on CPython 3.11 with the outcome the test expects.
#include "tests/unit/frontend/e2e_support.hpp"

namespace mpcheck::frontend {
namespace {

using testing::check;
using testing::has;
using testing::substitute;

bool raises_runtime_error(const properties::CheckResult& r) {
    return std::any_of(r.violations.begin(), r.violations.end(), [](const auto& v) {
        return v.property == "api-misuse" && v.message.find("RuntimeError") != std::string::npos;
    });
}

constexpr const char* kLateSetStartMethod = R"(import multiprocessing as mp

def child(lock):
    with lock:
        pass

if __name__ == '__main__':
    FIRST
    SECOND
    p = mp.Process(target=child, args=(lock,))
    p.start()
    p.join()
)";

TEST(Contexts, SetStartMethodAfterALockOfTheDefaultContextRaises) {
    const auto late = check(substitute(substitute(kLateSetStartMethod, "FIRST", "lock = mp.Lock()"),
                                       "SECOND", "mp.set_start_method('spawn')"));
    EXPECT_TRUE(raises_runtime_error(late));
}

TEST(Contexts, SetStartMethodBeforeAnyUseIsOk) {
    const auto early =
        check(substitute(substitute(kLateSetStartMethod, "FIRST", "mp.set_start_method('spawn')"),
                         "SECOND", "lock = mp.Lock()"));
    EXPECT_EQ(early.verdict, properties::Verdict::ok);
}

TEST(Contexts, ForcedSetStartMethodStillLeavesTheEarlierLockInTheForkContext) {
    // force=True replaces the default context, but the Lock was made in the fork context
    // before, so passing it to the (now spawn) child raises at start().
    const auto forced =
        check(substitute(substitute(kLateSetStartMethod, "FIRST", "lock = mp.Lock()"), "SECOND",
                         "mp.set_start_method('spawn', force=True)"));
    EXPECT_TRUE(raises_runtime_error(forced));
}

// set_start_method() at module level runs again in every spawn child, whose context spawn's
// own setup has already fixed: the child dies with RuntimeError before running its target.
constexpr const char* kModuleLevelSetStartMethod = R"(import multiprocessing as mp
WHERE

def child():
    print('child ran')

if __name__ == '__main__':
    GUARDED
    p = mp.Process(target=child)
    p.start()
    p.join()
    assert p.exitcode == 0
)";

TEST(Contexts, ModuleLevelSetStartMethodRaisesInEverySpawnChild) {
    const auto r = check(
        substitute(substitute(kModuleLevelSetStartMethod, "WHERE", "mp.set_start_method('spawn')"),
                   "GUARDED", "pass"));
    EXPECT_TRUE(raises_runtime_error(r));
}

TEST(Contexts, SetStartMethodUnderTheMainGuardIsOk) {
    const auto r = check(substitute(substitute(kModuleLevelSetStartMethod, "WHERE", ""), "GUARDED",
                                    "mp.set_start_method('spawn')"));
    EXPECT_EQ(r.verdict, properties::Verdict::ok);
}

// get_context(m).Process starts its child with m whatever the default is: under spawn the child
// re-imports the module, where `greeting` (bound under the main guard) does not exist.
constexpr const char* kOwnContext = R"(import multiprocessing as mp

def child():
    print(greeting)

if __name__ == '__main__':
    greeting = 'hello'
    ctx = mp.get_context(METHOD)
    p = ctx.Process(target=child)
    p.start()
    p.join()
    assert p.exitcode == 0
)";

TEST(Contexts, GetContextStartsItsProcessesWithItsOwnMethod) {
    const auto spawned = check(substitute(kOwnContext, "METHOD", "'spawn'"));
    EXPECT_TRUE(has(spawned, "unshared-resource"));
    EXPECT_EQ(check(substitute(kOwnContext, "METHOD", "'fork'")).verdict, properties::Verdict::ok);
}

TEST(Contexts, GetContextOfAMethodLeavesTheDefaultUnfixed) {
    const auto r = check(R"(import multiprocessing as mp

if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    mp.set_start_method('fork')
)");
    EXPECT_EQ(r.verdict, properties::Verdict::ok);
}

// A spawn child receives its args pickled; SemLocks made in a fork context refuse to be
// pickled, so start() raises RuntimeError in the parent. Made in the child's context, fine.
constexpr const char* kCrossContext = R"(import multiprocessing as mp

def child(job):
    lock, n = job
    with lock:
        print(n)

if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    lock = MAKER.Lock()
    p = ctx.Process(target=child, args=((lock, 1),))
    p.start()
    p.join()
)";

TEST(Contexts, ForkContextLockInASpawnChildsArgsRaisesAtStart) {
    const auto r = check(substitute(kCrossContext, "MAKER", "mp"));
    EXPECT_TRUE(raises_runtime_error(r));
}

TEST(Contexts, LockOfTheChildsOwnContextIsOk) {
    EXPECT_EQ(check(substitute(kCrossContext, "MAKER", "ctx")).verdict, properties::Verdict::ok);
}

// The Condition is of the spawn context, but pickling it pickles the Lock it was given: a
// SemLock of the fork context, so start() raises RuntimeError all the same (checked on
// CPython 3.11). With a Lock of the spawn context it is fine.
constexpr const char* kConditionOverLock = R"(import multiprocessing as mp

def child(c):
    with c:
        c.notify_all()

if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    lock = MAKER.Lock()
    c = ctx.Condition(lock)
    p = ctx.Process(target=child, args=(c,))
    p.start()
    p.join()
)";

TEST(Contexts, SpawnConditionOverAForkContextLockRaisesAtStart) {
    EXPECT_TRUE(raises_runtime_error(check(substitute(kConditionOverLock, "MAKER", "mp"))));
}

TEST(Contexts, SpawnConditionOverALockOfItsOwnContextIsOk) {
    EXPECT_EQ(check(substitute(kConditionOverLock, "MAKER", "ctx")).verdict,
              properties::Verdict::ok);
}

} // namespace
} // namespace mpcheck::frontend
