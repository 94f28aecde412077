#pragma once

#include "model/exec.hpp"

#include <cstdint>

/// Internal: the SemLock and Condition primitives of synchronize.py, step by step, shared by
/// Lock/RLock/Semaphore/Condition/Event (semantics_sync.cpp) and Barrier
/// (semantics_barrier.cpp). A Condition is its lock plus three process-shared semaphores
/// (sleeping, woken, wait_sem, spec §7.1); going through them one blocking operation per step
/// is what makes a killed waiter poison notify() (spec §7.2).
namespace mpcheck::model::detail::condition {

SemKind sem_kind(const Exec& x, std::uint32_t sem);
/// Lock and RLock record an owner (semaphore.c's last_tid/count); Semaphores do not.
bool has_owner(SemKind kind);
/// semaphore.c: ISMINE(o) = count > 0 && last_tid == current thread.
bool is_mine(const Exec& x, std::uint32_t sem);
/// sem_trywait succeeded: take one unit, record who took it (`count` levels for an RLock).
void take_unit(Exec& x, std::uint32_t sem, std::uint32_t count);
/// sem_post of the unit this process holds; ownership ends.
void give_unit(Exec& x, std::uint32_t sem);
/// Condition.wait's "for i in range(count): self._lock.release()"; returns count.
std::uint32_t release_fully(Exec& x, std::uint32_t sem);
/// A blocking primitive with CPython's block/timeout parameters (semaphore.c tries sem_trywait
/// first, so an available unit is always taken). True when this alternative gives up
/// (block=False, or the timeout expired); false with `blocked` set when the actor must wait.
bool gives_up(Exec& x, Wait wait, bool enabled, bool& blocked);

/// The semaphore that acquire()/release() of object `obj` work on: a Lock, RLock, Semaphore or
/// BoundedSemaphore itself, a Condition's lock (synchronize.py: Condition._make_methods), a
/// Value's lock (sharedctypes.py: Synchronized delegates to it, a Condition's being that
/// condition's lock); kNone for anything else, a RawValue included.
std::uint32_t semaphore_of(const Exec& x, std::uint32_t obj);
/// A new RLock object (Condition's default lock).
std::uint32_t new_rlock(Exec& x);
/// A new Condition object over `lock`.
std::uint32_t new_cond(Exec& x, std::uint32_t lock);
std::uint32_t cword(const Exec& x, std::uint32_t c, std::uint32_t field);
void add_cword(Exec& x, std::uint32_t c, std::uint32_t field, std::uint32_t delta);
void sub_cword(Exec& x, std::uint32_t c, std::uint32_t field, std::uint32_t delta);

/// Condition.wait before it sleeps: sleeping.release(), then release the lock fully.
/// Returns the recursion count to restore.
std::uint32_t wait_begin(Exec& x, std::uint32_t c);
/// Condition.wait's wait_sem.acquire(True, timeout): false with `blocked` set when the actor
/// must wait; otherwise true, with `notified` false when the timeout expired.
bool wait_sem_step(Exec& x, std::uint32_t c, Wait wait, bool& blocked, bool& notified);

enum class NotifyStart : std::uint8_t { nobody, handshake, assertion };
/// Condition.notify(n) up to and including the posts of wait_sem; `posted` sleepers woken.
NotifyStart notify_begin(Exec& x, std::uint32_t c, std::uint32_t n, std::uint32_t& posted);
/// One step of "for i in range(sleepers): self._woken_count.acquire()" (units still awaited in
/// scratch). False when blocked.
bool handshake_step(Exec& x, std::uint32_t c);
/// "while self._wait_semaphore.acquire(False): pass".
void drain_wait_sem(Exec& x, std::uint32_t c);

} // namespace mpcheck::model::detail::condition
