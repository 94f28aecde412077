#pragma once

#include "model/condition.hpp"

#include <cstdint>
#include <limits>

/// Internal: the two `with self._cond:` blocks that synchronize.py and queues.py build on a
/// Condition, written once. Event.set and JoinableQueue.task_done change shared state and call
/// notify_all(); Event.wait and JoinableQueue.join test a predicate and call wait() once (an
/// `if`, not a `while`). Each is a state machine over the frame's phase word, one step per
/// blocking semaphore operation, so a process killed at any point leaves the condition's lock or
/// semaphores as CPython would: the lock abandoned, or a dead sleeper that makes the next
/// notify_all() wait forever (spec §7.2).
namespace mpcheck::model::detail::guarded {

/// A Condition and its lock.
struct Guard {
    std::uint32_t cond = State::kNone;
    std::uint32_t lock = State::kNone;
};

/// `with self._cond:` entry, a blocking acquire of the lock. False when blocked.
inline bool enter(Exec& x, const Guard& g) {
    if (x.oword(g.lock, layout::sem::kValue) == 0) return false;
    condition::take_unit(x, g.lock, 1);
    return true;
}

/// `with self._cond:` exit. Always its own step: a process killed inside the block abandons the
/// lock (spec §6.3).
inline void leave(Exec& x, const Guard& g) {
    condition::give_unit(x, g.lock);
}

/// What the body of a notifying block decided.
enum class Body : std::uint8_t {
    notify_all, ///< call self._cond.notify_all()
    leave,      ///< leave the block without notifying
    raised,     ///< the body raised (it has released the lock, as __exit__ does)
};

inline Outcome go(Exec& x, std::uint32_t phase) {
    x.set_phase(phase);
    return Outcome::stay;
}

/// `with cond: <body>; [cond.notify_all()]`. Phase 0 enters; phase 1 runs body(x) (which
/// returns a Body) and starts notify_all(); phase 2 waits for every woken sleeper (forever when
/// one of them died in wait()); phase 3 drains wait_sem; phase 4 leaves. Returns Outcome::done
/// with the instruction finished (result None) after the last phase.
template <class BodyFn> Outcome notify_all_block(Exec& x, const Guard& g, BodyFn body) {
    switch (x.phase()) {
    case 0:
        if (!enter(x, g)) return Outcome::blocked;
        return go(x, 1);
    case 1: {
        switch (body(x)) {
        case Body::raised:
            return Outcome::raised;
        case Body::leave:
            return go(x, 4);
        case Body::notify_all:
            break;
        }
        std::uint32_t posted = 0;
        switch (
            condition::notify_begin(x, g.cond, std::numeric_limits<std::uint32_t>::max(), posted)) {
        case condition::NotifyStart::assertion:
            // Raised inside `with`: __exit__ releases the lock on the way out.
            leave(x, g);
            return x.raise(ExcType::assertion_error);
        case condition::NotifyStart::nobody:
            return go(x, 4);
        case condition::NotifyStart::handshake:
            break;
        }
        x.set_scratch(posted);
        return go(x, 2);
    }
    case 2:
        if (!condition::handshake_step(x, g.cond)) return Outcome::blocked;
        return x.scratch() == 0 ? go(x, 3) : Outcome::stay;
    case 3:
        condition::drain_wait_sem(x, g.cond);
        return go(x, 4);
    default:
        leave(x, g);
        x.advance();
        return Outcome::done;
    }
}

/// `with cond: if not ready(): cond.wait(timeout); return ready()`. Phase 0 enters and tests
/// (ready: straight to phase 5); phases 1-4 are Condition.wait (sleeping += 1 and release,
/// wait_sem with the timeout, woken += 1, re-acquire and test again); phase 5 leaves. The
/// result of the last test is in the frame's scratch word when Outcome::done is returned; the
/// caller stores it (the instruction is not advanced).
template <class ReadyFn> Outcome wait_block(Exec& x, const Guard& g, Wait wait, ReadyFn ready) {
    switch (x.phase()) {
    case 0:
        if (!enter(x, g)) return Outcome::blocked;
        if (ready(x)) {
            x.set_scratch(1);
            return go(x, 5);
        }
        return go(x, 1);
    case 1:
        // The lock was acquired once just above: ISMINE holds and the count is 1.
        condition::wait_begin(x, g.cond);
        return go(x, 2);
    case 2: {
        bool blocked = false;
        bool notified = false;
        if (!condition::wait_sem_step(x, g.cond, wait, blocked, notified)) {
            return Outcome::blocked;
        }
        return go(x, 3);
    }
    case 3:
        condition::add_cword(x, g.cond, layout::cond::kWoken, 1);
        return go(x, 4);
    case 4:
        if (!enter(x, g)) return Outcome::blocked;
        x.set_scratch(ready(x) ? 1 : 0);
        return go(x, 5);
    default:
        leave(x, g);
        return Outcome::done;
    }
}

} // namespace mpcheck::model::detail::guarded
