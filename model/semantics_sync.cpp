#include "model/condition.hpp"
#include "model/guarded.hpp"
#include "model/semantics.hpp"

#include <algorithm>
#include <limits>

/// Lock, RLock, Semaphore, BoundedSemaphore (spec §6), Condition and Event (spec §7), modelled
/// as CPython implements them: every object is one POSIX semaphore (`semaphore.c`), and
/// Condition/Event are the pure-Python protocols of `synchronize.py` over such semaphores.
///
/// Condition is deliberately *not* an abstract monitor (spec §13.3): wait() and notify() go
/// through the three semaphores `sleeping`, `woken` and `wait_sem`, one step per blocking
/// semaphore operation, so that a process killed inside wait() poisons the condition exactly
/// as it does in CPython (spec §7.2, §7.3): the next notifier posts `wait_sem` for the dead
/// sleeper and then blocks forever on `woken` while holding the condition's lock.
///
/// Ownership bookkeeping (spec §6.1): CPython keeps `count` and `last_tid` per process; the
/// model keeps one owner (process + 1) and one count per lock, which is what ISMINE needs
/// because only one process at a time can hold a Lock or RLock. Semaphore kinds have no owner:
/// a bit per process that took a unit and has not given one back feeds the abandoned-lock
/// report of lifecycle.cpp.
namespace mpcheck::model::detail {

namespace ls = layout::sem;
namespace lc = layout::cond;
namespace le = layout::event;

namespace {

using namespace condition; // the SemLock/Condition primitives shared with Barrier

// SEM_VALUE_MAX on Linux (INT_MAX): the maximum of Semaphore(v) (synchronize.py: Semaphore).
constexpr std::uint32_t kSemValueMax = 0x7fffffffu;

// cond_wait keeps the saved recursion count in the low bits of the frame's scratch word and
// whether wait_sem was acquired ("notified") in the top bit.
constexpr std::uint32_t kNotified = 1u << 31;
constexpr std::uint32_t kCountMask = kNotified - 1;

// The semaphore object behind register r (semaphore_of: also a Condition's or a Value's lock).
// Raises and returns kNone for anything else: AttributeError for None and for a RawValue (a
// plain c_int has no acquire), TypeError otherwise.
std::uint32_t lock_arg(Exec& x, Reg r) {
    const Value v = x.reg(r);
    const bool object = v.tag() == Value::Tag::object;
    if (object) {
        if (const std::uint32_t sem = semaphore_of(x, v.as_object()); sem != State::kNone)
            return sem;
    }
    const bool raw_value = object && x.kind_of(v.as_object()) == ObjKind::shared_value;
    x.raise(v.is_none() || raw_value ? ExcType::attribute_error : ExcType::type_error);
    return State::kNone;
}

Outcome finish(Exec& x, const Instr& in, Value result) {
    x.set_reg(in.dst, result);
    x.advance();
    return Outcome::done;
}

Outcome finish(Exec& x) {
    x.advance();
    return Outcome::done;
}

Outcome next_phase(Exec& x, std::uint32_t phase) {
    x.set_phase(phase);
    return Outcome::stay;
}

// ---- Lock, RLock, Semaphore, BoundedSemaphore (spec §6) ---------------------------------

Outcome sem_new(Exec& x, const Instr& in) {
    const auto kind = static_cast<SemKind>(in.imm);
    std::uint32_t value = 1;
    std::uint32_t max = 1;
    if (kind == SemKind::semaphore || kind == SemKind::bounded) {
        const Value v = x.reg(in.a);
        if (v.tag() == Value::Tag::integer || v.tag() == Value::Tag::boolean) {
            // sem_open(value = -1) fails with EINVAL (verified: OSError).
            if (v.as_int() < 0) {
                return x.misuse(ExcType::os_error, "Semaphore() with a negative initial value");
            }
            value = static_cast<std::uint32_t>(v.as_int());
        } else if (!v.is_none() && !v.is_absent()) {
            return x.raise(ExcType::type_error);
        }
        max = kind == SemKind::semaphore ? kSemValueMax : value;
    }
    const std::uint32_t sem = x.new_object(ObjKind::sem, ls::kSize);
    x.set_oword(sem, ls::kSemKind, static_cast<std::uint32_t>(kind));
    x.set_oword(sem, ls::kValue, value);
    x.set_oword(sem, ls::kMax, max);
    x.set_oword(sem, ls::kInitial, value);
    return finish(x, in, Value::object(sem));
}

// SemLock.acquire(block, timeout) (semaphore.c: _multiprocessing_SemLock_acquire_impl).
Outcome sem_acquire(Exec& x, const Instr& in) {
    const std::uint32_t sem = lock_arg(x, in.a);
    if (sem == State::kNone) return Outcome::raised;
    if (sem_kind(x, sem) == SemKind::rlock && is_mine(x, sem)) {
        x.set_oword(sem, ls::kCount, x.oword(sem, ls::kCount) + 1);
        return finish(x, in, Value::boolean(true));
    }
    // A Lock already held by this very process is not special: it blocks (self-deadlock).
    const bool enabled = x.oword(sem, ls::kValue) > 0;
    bool blocked = false;
    if (gives_up(x, in.wait, enabled, blocked)) return finish(x, in, Value::boolean(false));
    if (blocked) return Outcome::blocked;
    take_unit(x, sem, 1);
    return finish(x, in, Value::boolean(true));
}

// Semaphore.get_value() and BoundedSemaphore.get_value() (synchronize.py: the semaphore's
// sem_getvalue, which on Linux is the count, never negative: 0 while processes wait). Lock,
// RLock and Condition have no such method: AttributeError.
Outcome sem_get_value(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    if (v.tag() != Value::Tag::object || x.kind_of(v.as_object()) != ObjKind::sem) {
        return x.raise(ExcType::attribute_error);
    }
    const std::uint32_t sem = v.as_object();
    const SemKind kind = sem_kind(x, sem);
    if (kind != SemKind::semaphore && kind != SemKind::bounded) {
        return x.raise(ExcType::attribute_error);
    }
    return finish(x, in, Value::integer(static_cast<std::int32_t>(x.oword(sem, ls::kValue))));
}

// SemLock.release() (semaphore.c: _multiprocessing_SemLock_release_impl).
Outcome sem_release(Exec& x, const Instr& in) {
    const std::uint32_t sem = lock_arg(x, in.a);
    if (sem == State::kNone) return Outcome::raised;
    const std::uint32_t value = x.oword(sem, ls::kValue);
    switch (sem_kind(x, sem)) {
    case SemKind::lock:
        // No owner check: any process may release a Lock (spec §6.2, verified e07).
        if (value >= x.oword(sem, ls::kMax)) {
            return x.misuse(ExcType::value_error, "release() of an unlocked lock", sem);
        }
        give_unit(x, sem);
        break;
    case SemKind::rlock:
        if (!is_mine(x, sem)) {
            return x.misuse(ExcType::assertion_error,
                            "release() of a recursive lock not owned by this process", sem);
        }
        if (x.oword(sem, ls::kCount) > 1) {
            x.set_oword(sem, ls::kCount, x.oword(sem, ls::kCount) - 1);
        } else {
            give_unit(x, sem);
        }
        break;
    case SemKind::semaphore:
        // Always succeeds; the value may grow beyond its initial value.
        give_unit(x, sem);
        break;
    case SemKind::bounded:
        if (value >= x.oword(sem, ls::kMax)) {
            return x.misuse(ExcType::value_error,
                            "release() of a BoundedSemaphore more times than it was acquired", sem);
        }
        give_unit(x, sem);
        break;
    }
    return finish(x);
}

// ---- Condition (spec §7.1) --------------------------------------------------------------

Outcome cond_new(Exec& x, const Instr& in) {
    // synchronize.py: self._lock = lock or ctx.RLock()
    const Value arg = x.reg(in.a);
    std::uint32_t lock = State::kNone;
    if (arg.is_none() || arg.is_absent()) {
        lock = new_rlock(x);
    } else if (arg.tag() == Value::Tag::object && x.kind_of(arg.as_object()) == ObjKind::sem) {
        lock = arg.as_object();
    } else {
        // CPython accepts any object here and fails at its first use; reject it at once.
        return x.raise(ExcType::type_error);
    }
    return finish(x, in, Value::object(new_cond(x, lock)));
}

std::uint32_t notify_count(const Instr& in) {
    // imm 0 is notify_all (n = sys.maxsize); a negative n wakes nobody.
    if (in.imm == 0) return std::numeric_limits<std::uint32_t>::max();
    return in.imm < 0 ? 0 : static_cast<std::uint32_t>(in.imm);
}

// Condition.wait(timeout): phase 0 checks ownership, counts itself as sleeping and releases
// the lock; phase 1 waits on wait_sem (or times out); phase 2 counts itself woken; phase 3
// re-acquires the lock (blocking, without timeout) with the saved recursion count.
Outcome cond_wait(Exec& x, const Instr& in) {
    const std::uint32_t c = x.object_arg(in.a, ObjKind::cond);
    if (c == State::kNone) return Outcome::raised;
    const std::uint32_t lock = cword(x, c, lc::kLock);
    switch (x.phase()) {
    case 0:
        if (!is_mine(x, lock)) {
            return x.misuse(ExcType::assertion_error, "wait() on an un-acquired condition", c);
        }
        x.set_scratch(wait_begin(x, c) & kCountMask);
        return next_phase(x, 1);
    case 1: {
        bool blocked = false;
        bool notified = false;
        if (!wait_sem_step(x, c, in.wait, blocked, notified)) return Outcome::blocked;
        if (notified) x.set_scratch(x.scratch() | kNotified);
        return next_phase(x, 2);
    }
    case 2:
        // finally: self._woken_count.release() -- a separate step: a waiter killed between
        // taking wait_sem and this release leaves its notifier blocked forever.
        add_cword(x, c, lc::kWoken, 1);
        return next_phase(x, 3);
    default:
        if (x.oword(lock, ls::kValue) == 0) return Outcome::blocked;
        take_unit(x, lock, x.scratch() & kCountMask);
        return finish(x, in, Value::boolean((x.scratch() & kNotified) != 0));
    }
}

// Condition.notify(n) / notify_all(): phase 0 checks ownership, cancels timed-out sleepers and
// posts wait_sem; phase 1 waits for each woken sleeper; phase 2 drains stray wait_sem units.
Outcome cond_notify(Exec& x, const Instr& in) {
    const std::uint32_t c = x.object_arg(in.a, ObjKind::cond);
    if (c == State::kNone) return Outcome::raised;
    switch (x.phase()) {
    case 0: {
        if (!is_mine(x, cword(x, c, lc::kLock))) {
            return x.misuse(ExcType::assertion_error, "notify() on an un-acquired condition", c);
        }
        std::uint32_t posted = 0;
        switch (notify_begin(x, c, notify_count(in), posted)) {
        case NotifyStart::assertion:
            return x.raise(ExcType::assertion_error);
        case NotifyStart::nobody:
            return finish(x);
        case NotifyStart::handshake:
            break;
        }
        x.set_scratch(posted);
        return next_phase(x, 1);
    }
    case 1:
        if (!handshake_step(x, c)) return Outcome::blocked;
        return x.scratch() == 0 ? next_phase(x, 2) : Outcome::stay;
    default:
        drain_wait_sem(x, c);
        return finish(x);
    }
}

// ---- Event (spec §7.3): synchronize.py's methods, literally, over Condition(Lock()) --------

struct EventParts {
    std::uint32_t event = State::kNone;
    std::uint32_t cond = State::kNone;
    std::uint32_t lock = State::kNone;
};

EventParts event_arg(Exec& x, const Instr& in) {
    EventParts parts;
    parts.event = x.object_arg(in.a, ObjKind::event);
    if (parts.event == State::kNone) return parts;
    parts.cond = x.oword(parts.event, le::kCond);
    parts.lock = x.oword(parts.cond, lc::kLock);
    return parts;
}

Outcome event_new(Exec& x, const Instr& in) {
    // self._cond = ctx.Condition(ctx.Lock()); self._flag = ctx.Semaphore(0)
    const std::uint32_t lock = x.new_object(ObjKind::sem, ls::kSize);
    x.set_oword(lock, ls::kSemKind, static_cast<std::uint32_t>(SemKind::lock));
    x.set_oword(lock, ls::kValue, 1);
    x.set_oword(lock, ls::kMax, 1);
    const std::uint32_t c = new_cond(x, lock);
    const std::uint32_t e = x.new_object(ObjKind::event, le::kSize);
    x.set_oword(e, le::kCond, c);
    return finish(x, in, Value::object(e));
}

guarded::Guard guard_of(const EventParts& ev) {
    return {ev.cond, ev.lock};
}

bool flag(const Exec& x, const EventParts& ev) {
    return x.oword(ev.event, le::kFlag) != 0;
}

// is_set(): phase 0 enters the condition and tests the flag; phase 1 leaves it (a process
// killed inside the `with` block abandons the event's lock, spec §6.3).
Outcome event_is_set(Exec& x, const Instr& in) {
    const EventParts ev = event_arg(x, in);
    if (ev.event == State::kNone) return Outcome::raised;
    if (x.phase() == 0) {
        if (!guarded::enter(x, guard_of(ev))) return Outcome::blocked;
        x.set_scratch(flag(x, ev) ? 1 : 0);
        return next_phase(x, 1);
    }
    guarded::leave(x, guard_of(ev));
    return finish(x, in, Value::boolean(x.scratch() != 0));
}

// clear(): phase 0 enters the condition and clears the flag; phase 1 leaves it.
Outcome event_clear(Exec& x, const Instr& in) {
    const EventParts ev = event_arg(x, in);
    if (ev.event == State::kNone) return Outcome::raised;
    if (x.phase() == 0) {
        if (!guarded::enter(x, guard_of(ev))) return Outcome::blocked;
        x.set_oword(ev.event, le::kFlag, 0);
        return next_phase(x, 1);
    }
    guarded::leave(x, guard_of(ev));
    return finish(x);
}

// set(): sets the flag and notifies all inside `with self._cond:`; the notification waits for
// every woken sleeper, forever if one of them died in wait() (spec §7.3).
Outcome event_set(Exec& x, const Instr& in) {
    const EventParts ev = event_arg(x, in);
    if (ev.event == State::kNone) return Outcome::raised;
    return guarded::notify_all_block(x, guard_of(ev), [&](Exec& e) {
        e.set_oword(ev.event, le::kFlag, 1);
        return guarded::Body::notify_all;
    });
}

// wait(timeout): `with self._cond: if not flag: self._cond.wait(timeout); return flag`.
Outcome event_wait(Exec& x, const Instr& in) {
    const EventParts ev = event_arg(x, in);
    if (ev.event == State::kNone) return Outcome::raised;
    const Outcome o =
        guarded::wait_block(x, guard_of(ev), in.wait, [&](const Exec& e) { return flag(e, ev); });
    if (o != Outcome::done) return o;
    return finish(x, in, Value::boolean(x.scratch() != 0));
}

} // namespace

Outcome exec_sync_op(Exec& x) {
    const Instr& in = x.instr();
    switch (in.op) {
    case Op::sem_new:
        return sem_new(x, in);
    case Op::sem_acquire:
        return sem_acquire(x, in);
    case Op::sem_release:
        return sem_release(x, in);
    case Op::sem_get_value:
        return sem_get_value(x, in);
    case Op::cond_new:
        return cond_new(x, in);
    case Op::cond_wait:
        return cond_wait(x, in);
    case Op::cond_notify:
        return cond_notify(x, in);
    case Op::event_new:
        return event_new(x, in);
    case Op::event_set:
        return event_set(x, in);
    case Op::event_clear:
        return event_clear(x, in);
    case Op::event_is_set:
        return event_is_set(x, in);
    case Op::event_wait:
        return event_wait(x, in);
    default:
        MPCHECK_UNREACHABLE("exec_sync_op: not a synchronisation operation");
    }
}

} // namespace mpcheck::model::detail
