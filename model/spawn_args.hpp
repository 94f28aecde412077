#pragma once

#include "model/exec.hpp"

#include <cstdint>
#include <span>
#include <vector>

/// Internal: the arguments of a spawn or forkserver child and the named semaphores they need
/// (spec §1.3, §9; CPython synchronize.py `SemLock`, spawn.py `_main`).
///
/// Under spawn and forkserver every SemLock (inside a Lock, Queue, Event, ...) is a named POSIX
/// semaphore. Its creator unlinks the name when the SemLock object dies there (a weakref
/// finalizer: the last reference dropped, a function returned, a variable rebound) or when the
/// creator begins to exit (util._exit_function runs the priority-0 finalizers before it joins
/// its children); a process that is killed unlinks nothing more. A child unpickles its args only
/// after it has re-run the main module, and `start()` drops the parent's reference to them: a
/// name unlinked by then makes the child die in spawn._main with FileNotFoundError, before its
/// target runs.
namespace mpcheck::model::detail {

/// Whether the acting process is a spawn child that has re-run the main module and unpickles
/// its args in its next step.
bool loads_args_next(const Exec& x);

/// Where that step is reported: the target's `def` (its first instruction if the program does
/// not say where the function is defined).
SourceLoc load_args_loc(const Exec& x);

/// The step in which a spawn child unpickles its args: it goes on into its target, or dies with
/// FileNotFoundError if a named semaphore they need is unlinked.
Outcome load_args(Exec& x);

/// Whether some process has args still to unpickle (a cheap test before the next two).
bool args_pending(const Exec& x);

/// The named SemLocks made by the acting process that a child has still to unpickle, and that
/// are not unlinked yet: while there are any, a step of the acting process that would drop its
/// last reference to one (a return, a rebinding, its exit) is a step of its own, since the
/// child may unpickle them before it or after it (written to out, cleared first).
void semlocks_awaited(const Exec& x, std::vector<std::uint32_t>& out);

/// Whether one of `objs` is unlinked now.
bool any_unlinked(const Exec& x, std::span<const std::uint32_t> objs);

/// `p` begins its exit: its finalizers unlink the names of every SemLock it created.
void unlink_created_semlocks(Exec& x, std::uint32_t p);

/// `p` is killed: the SemLocks it created and no longer referenced were unlinked when it
/// dropped them; the others keep their names.
void unlink_dropped_semlocks(Exec& x, std::uint32_t p);

} // namespace mpcheck::model::detail
