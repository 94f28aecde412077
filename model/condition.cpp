#include "model/condition.hpp"

#include <algorithm>

namespace mpcheck::model::detail::condition {

namespace ls = layout::sem;
namespace lc = layout::cond;

SemKind sem_kind(const Exec& x, std::uint32_t sem) {
    return static_cast<SemKind>(x.oword(sem, ls::kSemKind));
}

bool has_owner(SemKind kind) {
    return kind == SemKind::lock || kind == SemKind::rlock;
}

// semaphore.c: ISMINE(o) = count > 0 && last_tid == current thread.
bool is_mine(const Exec& x, std::uint32_t sem) {
    if (has_owner(sem_kind(x, sem))) {
        return x.oword(sem, ls::kOwner) == x.proc + 1 && x.oword(sem, ls::kCount) > 0;
    }
    return (x.oword(sem, ls::kHolders) & x.bit(x.proc)) != 0;
}

// sem_trywait succeeded: take one unit and record who took it (count levels for an RLock).
void take_unit(Exec& x, std::uint32_t sem, std::uint32_t count) {
    x.set_oword(sem, ls::kValue, x.oword(sem, ls::kValue) - 1);
    if (has_owner(sem_kind(x, sem))) {
        x.set_oword(sem, ls::kOwner, x.proc + 1);
        x.set_oword(sem, ls::kCount, count);
    } else if (x.oword(sem, ls::kInitial) > 0) {
        // A Semaphore created with units lends them out (a pool): a process that took one
        // holds it until it gives one back. A Semaphore(0) only passes signals: a unit taken
        // was released by someone for this taker, and nothing is owed back.
        x.set_oword(sem, ls::kHolders, x.oword(sem, ls::kHolders) | x.bit(x.proc));
    }
}

// sem_post of the unit this process holds; ownership ends.
void give_unit(Exec& x, std::uint32_t sem) {
    x.set_oword(sem, ls::kValue, x.oword(sem, ls::kValue) + 1);
    if (has_owner(sem_kind(x, sem))) {
        x.set_oword(sem, ls::kOwner, 0);
        x.set_oword(sem, ls::kCount, 0);
    } else {
        x.set_oword(sem, ls::kHolders, x.oword(sem, ls::kHolders) & ~x.bit(x.proc));
    }
}

// Condition.wait: "for i in range(count): self._lock.release()" -- returns count.
std::uint32_t release_fully(Exec& x, std::uint32_t sem) {
    const std::uint32_t count = has_owner(sem_kind(x, sem)) ? x.oword(sem, ls::kCount) : 1;
    give_unit(x, sem);
    return count;
}

// A blocking primitive with CPython's block/timeout parameters (semaphore.c tries sem_trywait
// first, so an available unit is always taken, timeout or not). Returns true when this
// alternative is the "gives up" branch (block=False, or the timeout expired); false with
// `blocked` set when the actor must wait.
bool gives_up(Exec& x, Wait wait, bool enabled, bool& blocked) {
    blocked = false;
    if (enabled) return false;
    switch (wait) {
    case Wait::forever:
        blocked = true;
        return false;
    case Wait::no_block:
        return true;
    case Wait::timeout:
        if (x.alt == 0) {
            x.more_alts = true; // alt 1: the timeout expires
            blocked = true;
            return false;
        }
        return true;
    }
    return false;
}

std::uint32_t new_cond(Exec& x, std::uint32_t lock) {
    const std::uint32_t c = x.new_object(ObjKind::cond, lc::kSize);
    x.set_oword(c, lc::kLock, lock);
    return c;
}

std::uint32_t cword(const Exec& x, std::uint32_t c, std::uint32_t field) {
    return x.oword(c, field);
}
void add_cword(Exec& x, std::uint32_t c, std::uint32_t field, std::uint32_t delta) {
    x.set_oword(c, field, x.oword(c, field) + delta);
}
void sub_cword(Exec& x, std::uint32_t c, std::uint32_t field, std::uint32_t delta) {
    x.set_oword(c, field, x.oword(c, field) - delta);
}

// The part of Condition.wait before it sleeps: sleeping.release(), then release the lock
// `count` times. Returns the count to restore.
std::uint32_t wait_begin(Exec& x, std::uint32_t c) {
    add_cword(x, c, lc::kSleeping, 1);
    return release_fully(x, cword(x, c, lc::kLock));
}

// Condition.wait's `self._wait_semaphore.acquire(True, timeout)`. Returns false with `blocked`
// set when the actor must wait; otherwise true, with `notified` telling whether a unit was
// taken (false: the timeout expired).
bool wait_sem_step(Exec& x, std::uint32_t c, Wait wait, bool& blocked, bool& notified) {
    const bool enabled = cword(x, c, lc::kWaitSem) > 0;
    notified = false;
    if (gives_up(x, wait, enabled, blocked)) return true;
    if (blocked) return false;
    sub_cword(x, c, lc::kWaitSem, 1);
    notified = true;
    return true;
}

// Condition.notify(n) up to and including the posts of wait_sem; `posted` is how many
// sleepers were woken (the notifier then waits for as many units of `woken`).
NotifyStart notify_begin(Exec& x, std::uint32_t c, std::uint32_t n, std::uint32_t& posted) {
    posted = 0;
    // assert not self._wait_semaphore.acquire(False): the acquire happens even when it
    // succeeds (a stray unit left by a notifier that died mid-notify).
    if (cword(x, c, lc::kWaitSem) > 0) {
        sub_cword(x, c, lc::kWaitSem, 1);
        return NotifyStart::assertion;
    }
    // Cancel sleepers that timed out since the last notify: while woken.acquire(False):
    // assert sleeping.acquire(False).
    while (cword(x, c, lc::kWoken) > 0) {
        sub_cword(x, c, lc::kWoken, 1);
        if (cword(x, c, lc::kSleeping) == 0) return NotifyStart::assertion;
        sub_cword(x, c, lc::kSleeping, 1);
    }
    posted = std::min(n, cword(x, c, lc::kSleeping));
    sub_cword(x, c, lc::kSleeping, posted);
    add_cword(x, c, lc::kWaitSem, posted);
    return posted > 0 ? NotifyStart::handshake : NotifyStart::nobody;
}

// `for i in range(sleepers): self._woken_count.acquire()` -- blocking, no timeout, with the
// lock held. The units still awaited are in scratch; all available ones are taken at once
// (only the notifier consumes `woken`, so taking them one per step reveals nothing more).
// Returns false when blocked; true when progress was made (scratch updated).
bool handshake_step(Exec& x, std::uint32_t c) {
    const std::uint32_t woken = cword(x, c, lc::kWoken);
    if (woken == 0) return false;
    const std::uint32_t take = std::min(woken, x.scratch());
    sub_cword(x, c, lc::kWoken, take);
    x.set_scratch(x.scratch() - take);
    return true;
}

// "while self._wait_semaphore.acquire(False): pass" -- units posted for sleepers that timed
// out instead of taking them.
void drain_wait_sem(Exec& x, std::uint32_t c) {
    x.set_oword(c, lc::kWaitSem, 0);
}

std::uint32_t semaphore_of(const Exec& x, std::uint32_t obj) {
    switch (x.kind_of(obj)) {
    case ObjKind::sem:
        return obj;
    case ObjKind::cond:
        return x.oword(obj, lc::kLock);
    case ObjKind::shared_value: {
        const std::uint32_t lock = x.oword(obj, layout::shared_value::kLock);
        return lock == State::kNone ? State::kNone : semaphore_of(x, lock);
    }
    default:
        return State::kNone;
    }
}

std::uint32_t new_rlock(Exec& x) {
    const std::uint32_t lock = x.new_object(ObjKind::sem, ls::kSize);
    x.set_oword(lock, ls::kSemKind, static_cast<std::uint32_t>(SemKind::rlock));
    x.set_oword(lock, ls::kValue, 1);
    x.set_oword(lock, ls::kMax, 1);
    return lock;
}

} // namespace mpcheck::model::detail::condition
