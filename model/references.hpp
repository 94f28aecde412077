#pragma once

#include "model/exec.hpp"

#include <span>
#include <vector>

/// Internal: what a process still references. CPython runs finalizers when the last reference
/// to an object dies (a function returns, a variable is rebound, a temporary is used up): a
/// Connection closes its descriptor, a SemLock of a spawn/forkserver context unlinks its name.
/// The model decides "still referenced" by reachability when the answer is needed; for that,
/// dead variables keep such objects until rebound (keeps_reference), as in CPython.
namespace mpcheck::model::detail {

/// The process that created `obj` (recorded for Connections and for named SemLocks only).
std::uint32_t creator_of(const Exec& x, std::uint32_t obj);

/// Whether `obj` is made of SemLocks of a spawn/forkserver context: named semaphores.
bool is_named(const Exec& x, std::uint32_t obj);

/// The objects reachable from a set of values, marked as they are found; an object's parts (a
/// Condition's lock, the Condition of an Event, a Barrier or a JoinableQueue) with it.
class Reach {
public:
    explicit Reach(const Exec& x) : x_(x), marked_(x.s.num_objects()) {}

    void add(Value v);
    /// What process p references: its globals, the registers of its frames, and the args of
    /// the Process objects it has created and not started yet.
    void add_process(std::uint32_t p);

    bool marked(std::uint32_t obj) const { return marked_[obj]; }
    std::uint32_t size() const { return static_cast<std::uint32_t>(marked_.size()); }

private:
    void add_object(std::uint32_t obj);

    const Exec& x_;
    std::vector<bool> marked_;
};

/// Whether process p still references `obj` (from its globals, frames, unstarted Process
/// objects' args, or through another object that holds it).
bool still_referenced(const Exec& x, std::uint32_t p, std::uint32_t obj);

/// Whether `v` is, or holds, an object with named SemLocks.
bool holds_named_semlocks(const Exec& x, Value v);

/// Whether the acting process's descriptor of Connection end `c` is open
/// (Connection._check_closed).
bool open_here(const Exec& x, std::uint32_t c);

/// Whether `v` is, or holds, an object with SemLocks made in a fork context (which refuse to be
/// pickled for a spawn or forkserver child).
bool holds_fork_context_semlocks(const Exec& x, Value v);

/// Whether `v` is, or (in a tuple or list) holds, a Connection, or a SimpleQueue (whose close()
/// closes its two Connections), that the acting process has closed: pickling it raises
/// OSError: handle is closed.
bool holds_connection_closed_here(const Exec& x, Value v);

/// Whether `v` is, or (in a tuple or list) holds, a Connection.
bool holds_connection(const Exec& x, Value v);

/// Whether a dead variable of the acting process that holds `v` must keep it: its reference
/// lasts until the variable is rebound or its frame ends, and dropping it has an effect (a
/// named SemLock's name is unlinked, a Connection this process made is closed).
bool keeps_reference(const Exec& x, Value v);

/// The Connection ends the acting process made and has not closed while another process holds
/// the other end of the pipe: dropping one closes it, which that process can see (EOF,
/// BrokenPipeError, poll() turning True), so the drop is a step of its own (run_locals).
/// Written to out, cleared first; empty when the program makes no Pipe. Some may be dropped
/// already: forget_dropped tells, at the cost of a walk of what the process references.
void connections_watched(const Exec& x, std::vector<std::uint32_t>& out);

/// Removes from `conns` (connections_watched's list) the ends the acting process no longer
/// references.
void forget_dropped(const Exec& x, std::vector<std::uint32_t>& conns);

/// Whether the acting process has dropped (and so closed) one of `conns`, Connection ends it
/// made (connections_watched's list).
bool any_dropped(const Exec& x, std::span<const std::uint32_t> conns);

/// The bit of the process that created Connection end `c`, if that process has not closed its
/// descriptor but no longer references the object (CPython's Connection.__del__ closed it);
/// 0 otherwise. Processes that inherited the end keep it: a forked child's copy lives in the
/// parent's frames that the child never returns from, a spawn child's in its target's args.
std::uint32_t dropped_by_creator(const Exec& x, std::uint32_t c);

} // namespace mpcheck::model::detail
