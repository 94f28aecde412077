#pragma once

#include "model/exec.hpp"

/// Internal: process creation, start, the exit sequence and termination (spec §1).
namespace mpcheck::model::detail {

/// Pops the top frame of the acting process.
void pop_frame(Exec& x);
/// The main thread's run() ended with an uncaught exception `exc`, raised at `where`.
void end_by_exception(Exec& x, Value exc, SourceLoc where);
/// The main thread's run() ended; starts the exit sequence with `exit_code`.
void begin_exit(Exec& x, Value exit_code);
/// One step of the exit sequence of an exiting process.
Outcome exit_step(Exec& x);
/// Ends process `victim` now: killed by `signal` (> 0) or exited normally (signal == 0).
/// Releases nothing it held (semaphores stay taken), reports what it abandoned.
void end_process(Exec& x, std::uint32_t victim, int signal);
/// Whether process p has ended (exited or killed).
bool has_ended(const State& s, std::uint32_t p);
/// The signal (15 or 9) that terminate()/kill() sent to p and that p has not died of yet; 0 if
/// none (layout::proc::kSignalMask).
int pending_signal(const State& s, std::uint32_t p);
/// Whether p's pending signal is the SIGTERM its parent's exit sends to daemonic children.
bool signalled_at_parent_exit(const State& s, std::uint32_t p);
/// terminate()/kill() send `signal` (15 or 9) to p, unless one is pending already.
void send_signal(Exec& x, std::uint32_t p, int signal);
/// The acting process dies of its pending signal.
Outcome die_of_signal(Exec& x);
/// Whether the acting process, signalled, is blocked in a read(2) of a message that has bytes
/// to give it now (Connection.recv, Queue.get or SimpleQueue.get holding the reader lock).
bool reads_message(Exec& x);
/// That read(2) returns what it asked for, as far as the pipe holds it (the rest of the 4-byte
/// header, or of the payload), and the process dies as it returns to Python: the kernel
/// checks for the signal only then. The bytes are lost with it.
Outcome read_and_die(Exec& x);

/// process_* operations.
Outcome exec_process_op(Exec& x);

/// Executes one local instruction: `in`, the acting frame's current one.
void exec_local(Exec& x, const Instr& in);
/// Executes the acting frame's current instruction, a local one.
inline void exec_local(Exec& x) {
    exec_local(x, x.instr());
}
/// Runs local instructions of the acting process until the next visible one (or its end).
void run_locals(Exec& x);

} // namespace mpcheck::model::detail
