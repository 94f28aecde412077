#include "model/condition.hpp"
#include "model/semantics.hpp"

#include <algorithm>

/// multiprocessing.Barrier (spec §7.4): threading.Barrier's algorithm, literally, over a
/// process-shared Condition (with its default RLock) and a shared int array (state, count).
///
/// Like Event, the Condition is not an abstract monitor: every wait() and notify_all() inside the
/// barrier goes through the semaphores `sleeping`, `woken` and `wait_sem`, one step per blocking
/// semaphore operation. A party killed while asleep in wait() therefore stays counted as
/// sleeping, and the last arriver's notify_all() (or a timed-out waiter's _break()) waits for it
/// forever while holding the lock: even wait(timeout) never returns (verified e07).
///
/// Per-waiter progress lives in the frame's phase word: the step (low byte), flags, the
/// continuation after a notify_all(), and the party's index (high half). The scratch word holds
/// the number of woken sleepers a notifier still waits for. The condition's lock is only ever
/// taken once by the barrier's own `with` block, so the recursion count to restore is always 1.
namespace mpcheck::model::detail {

namespace ls = layout::sem;
namespace lc = layout::cond;
namespace lb = layout::barrier;

namespace {

// Steps of barrier_wait and barrier_abort.
constexpr std::uint32_t kEnter = 0;     // `with self._cond:` (abort: and _break's state = -2)
constexpr std::uint32_t kCondWait = 1;  // Condition.wait: sleeping += 1, release the lock
constexpr std::uint32_t kCondSem = 2;   // Condition.wait: wait_sem.acquire(timeout)
constexpr std::uint32_t kCondWoken = 3; // Condition.wait: woken += 1
constexpr std::uint32_t kCondLock = 4;  // Condition.wait: re-acquire the lock
constexpr std::uint32_t kNotify = 5;    // notify_all: cancel timed-out sleepers, post wait_sem
constexpr std::uint32_t kHandshake = 6; // notify_all: woken.acquire() per posted sleeper
constexpr std::uint32_t kDrain = 7;     // notify_all: drain stray wait_sem units
constexpr std::uint32_t kLeave = 8;     // `with` exit: release the lock, return or raise

constexpr std::uint32_t kStepMask = 0xffu;
constexpr std::uint32_t kWaitFor = 1u << 8; // this Condition.wait is _wait's wait_for, not _enter's
constexpr std::uint32_t kTimedOut = 1u << 9; // the last wait_sem acquire timed out
constexpr std::uint32_t kBroken = 1u << 10;  // leave by raising BrokenBarrierError
constexpr std::uint32_t kContShift = 11;     // what follows the current notify_all()
constexpr std::uint32_t kContMask = 3u << kContShift;
constexpr std::uint32_t kIndexShift = 16;

// Continuations of a notify_all().
constexpr std::uint32_t kAfterRelease = 0; // _release(): then return index (finally: _exit)
constexpr std::uint32_t kAfterBreak = 1;   // _wait()'s timeout: raise BrokenBarrierError
constexpr std::uint32_t kAfterExit = 2;    // _exit(): leave the `with` block
constexpr std::uint32_t kAfterAbort = 3;   // abort(): leave the `with` block

struct Parts {
    std::uint32_t barrier = State::kNone;
    std::uint32_t cond = State::kNone;
    std::uint32_t lock = State::kNone;
};

std::int32_t state_of(const Exec& x, const Parts& b) {
    return static_cast<std::int32_t>(x.oword(b.barrier, lb::kState));
}
void set_state(Exec& x, const Parts& b, std::int32_t v) {
    x.set_oword(b.barrier, lb::kState, static_cast<std::uint32_t>(v));
}
std::int32_t count_of(const Exec& x, const Parts& b) {
    return static_cast<std::int32_t>(x.oword(b.barrier, lb::kCount));
}
void set_count(Exec& x, const Parts& b, std::int32_t v) {
    x.set_oword(b.barrier, lb::kCount, static_cast<std::uint32_t>(v));
}

Outcome go(Exec& x, std::uint32_t step) {
    x.set_phase((x.phase() & ~kStepMask) | step);
    return Outcome::stay;
}

void set_flag(Exec& x, std::uint32_t flag, bool on) {
    x.set_phase(on ? (x.phase() | flag) : (x.phase() & ~flag));
}

// The RLock of the Condition, acquired once (blocking) or released by its owner.
bool take_lock(Exec& x, const Parts& b) {
    if (x.oword(b.lock, ls::kValue) == 0) return false;
    condition::take_unit(x, b.lock, 1);
    return true;
}
void give_lock(Exec& x, const Parts& b) {
    condition::give_unit(x, b.lock);
}

// _break(): state = -2, then notify_all(), then `then`.
Outcome break_barrier(Exec& x, const Parts& b, std::uint32_t then) {
    set_state(x, b, -2);
    x.set_phase((x.phase() & ~kContMask) | (then << kContShift));
    return go(x, kNotify);
}

// `finally: self._count -= 1; self._exit()` of wait().
Outcome finally_exit(Exec& x, const Parts& b) {
    set_count(x, b, count_of(x, b) - 1);
    const std::int32_t st = state_of(x, b);
    if (count_of(x, b) == 0 && (st == -1 || st == 1)) {
        set_state(x, b, 0);
        x.set_phase((x.phase() & ~kContMask) | (kAfterExit << kContShift));
        return go(x, kNotify);
    }
    return go(x, kLeave);
}

// The rest of wait() once its lock is held: _enter()'s test, then the arrival.
Outcome enter_check(Exec& x, const Parts& b) {
    const std::int32_t st = state_of(x, b);
    if (st == -1 || st == 1) {
        // Draining or resetting: self._cond.wait() (no timeout), then test again.
        set_flag(x, kWaitFor, false);
        return go(x, kCondWait);
    }
    if (st < 0) {
        // Raised inside `with` before the try: __exit__ releases the lock on the way out.
        give_lock(x, b);
        return x.raise(ExcType::broken_barrier_error);
    }
    const std::int32_t index = count_of(x, b);
    set_count(x, b, index + 1);
    x.set_phase((x.phase() & ((1u << kIndexShift) - 1)) |
                (static_cast<std::uint32_t>(index) << kIndexShift));
    if (index + 1 == static_cast<std::int32_t>(x.oword(b.barrier, lb::kParties))) {
        // _release(): state = 1 (draining), notify_all().
        set_state(x, b, 1);
        x.set_phase((x.phase() & ~kContMask) | (kAfterRelease << kContShift));
        return go(x, kNotify);
    }
    // _wait(): wait_for(lambda: state != 0, timeout); the predicate is false now.
    set_flag(x, kWaitFor, true);
    return go(x, kCondWait);
}

// After Condition.wait re-acquired the lock inside _wait's wait_for().
Outcome wait_for_check(Exec& x, const Parts& b) {
    const std::int32_t st = state_of(x, b);
    if (st != 0) {
        set_flag(x, kBroken, st < 0);
        return finally_exit(x, b);
    }
    // Timed out with the predicate still false: _break() and raise. Otherwise wait again.
    if ((x.phase() & kTimedOut) != 0) return break_barrier(x, b, kAfterBreak);
    return go(x, kCondWait);
}

Outcome after_notify(Exec& x, const Parts& b) {
    switch ((x.phase() & kContMask) >> kContShift) {
    case kAfterRelease:
        return finally_exit(x, b);
    case kAfterBreak:
        set_flag(x, kBroken, true);
        return finally_exit(x, b);
    default:
        return go(x, kLeave);
    }
}

// Condition.wait's wait_sem acquire; records in the phase whether the timeout expired.
// Returns false when blocked.
bool wait_sem_step(Exec& x, const Parts& b, Wait wait) {
    bool blocked = false;
    bool notified = false;
    if (!condition::wait_sem_step(x, b.cond, wait, blocked, notified)) return false;
    set_flag(x, kTimedOut, !notified);
    return true;
}

Parts barrier_arg(Exec& x, const Instr& in) {
    Parts b;
    b.barrier = x.object_arg(in.a, ObjKind::barrier);
    if (b.barrier == State::kNone) return b;
    b.cond = x.oword(b.barrier, lb::kCond);
    b.lock = x.oword(b.cond, lc::kLock);
    return b;
}

Outcome barrier_new(Exec& x, const Instr& in) {
    // synchronize.py: cond = ctx.Condition() (an RLock); no check of `parties` (unlike
    // threading.Barrier, __init__ bypasses it): parties < 1 simply never fills.
    const Value v = x.reg(in.a);
    if (v.tag() != Value::Tag::integer) return x.raise(ExcType::type_error);
    const std::uint32_t c = condition::new_cond(x, condition::new_rlock(x));
    const std::uint32_t bar = x.new_object(ObjKind::barrier, lb::kSize);
    x.set_oword(bar, lb::kCond, c);
    x.set_oword(bar, lb::kParties, static_cast<std::uint32_t>(v.as_int()));
    x.set_reg(in.dst, Value::object(bar));
    x.advance();
    return Outcome::done;
}

// wait(timeout) and abort(): one state machine, steps as listed above.
Outcome barrier_step(Exec& x, const Instr& in, bool abort) {
    const Parts b = barrier_arg(x, in);
    if (b.barrier == State::kNone) return Outcome::raised;
    switch (x.phase() & kStepMask) {
    case kEnter:
        if (!take_lock(x, b)) return Outcome::blocked;
        if (abort) return break_barrier(x, b, kAfterAbort);
        return enter_check(x, b);
    case kCondWait:
        condition::wait_begin(x, b.cond); // the barrier holds its lock exactly once
        return go(x, kCondSem);
    case kCondSem:
        if (!wait_sem_step(x, b, (x.phase() & kWaitFor) != 0 ? in.wait : Wait::forever)) {
            return Outcome::blocked;
        }
        return go(x, kCondWoken);
    case kCondWoken:
        condition::add_cword(x, b.cond, lc::kWoken, 1);
        return go(x, kCondLock);
    case kCondLock:
        if (!take_lock(x, b)) return Outcome::blocked;
        return (x.phase() & kWaitFor) != 0 ? wait_for_check(x, b) : enter_check(x, b);
    case kNotify: {
        std::uint32_t posted = 0;
        const auto start = condition::notify_begin(x, b.cond, ~std::uint32_t{0}, posted);
        if (start == condition::NotifyStart::assertion) {
            // An AssertionError inside `with`: __exit__ releases the lock on the way out.
            give_lock(x, b);
            return x.raise(ExcType::assertion_error);
        }
        if (posted == 0) return after_notify(x, b);
        x.set_scratch(posted);
        return go(x, kHandshake);
    }
    case kHandshake: {
        // Blocking, without timeout, holding the lock: forever if a sleeper died (§7.2).
        if (!condition::handshake_step(x, b.cond)) return Outcome::blocked;
        return x.scratch() == 0 ? go(x, kDrain) : Outcome::stay;
    }
    case kDrain:
        condition::drain_wait_sem(x, b.cond);
        return after_notify(x, b);
    default: {
        give_lock(x, b);
        if (abort) {
            x.advance();
            return Outcome::done;
        }
        if ((x.phase() & kBroken) != 0) return x.raise(ExcType::broken_barrier_error);
        const auto index = static_cast<std::int32_t>(x.phase() >> kIndexShift);
        x.set_reg(in.dst, Value::integer(index));
        x.advance();
        return Outcome::done;
    }
    }
}

} // namespace

Outcome exec_barrier_op(Exec& x) {
    const Instr& in = x.instr();
    switch (in.op) {
    case Op::barrier_new:
        return barrier_new(x, in);
    case Op::barrier_wait:
        return barrier_step(x, in, false);
    case Op::barrier_abort:
        return barrier_step(x, in, true);
    default:
        MPCHECK_UNREACHABLE("exec_barrier_op: not a barrier operation");
    }
}

} // namespace mpcheck::model::detail
