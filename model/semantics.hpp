#pragma once

#include "model/channel.hpp"
#include "model/exec.hpp"

#include <optional>

/// Internal: the operations of each kind of object, one file each (semantics_*.cpp).
namespace mpcheck::model::detail {

/// Message sizes for channels, from the program's constants.
channel::Sizer sizer(const Exec& x);

// ---- queues (semantics_queue.cpp) ------------------------------------------------------
/// Feeder thread phases (view word kFeederPhase).
inline constexpr std::uint32_t kFeederIdle = 0;    ///< waiting for an item
inline constexpr std::uint32_t kFeederHolding = 1; ///< popped an item, waiting for the wlock
inline constexpr std::uint32_t kFeederWriting = 2; ///< holds the wlock, writing the item
Outcome exec_queue_op(Exec& x);
/// Whether `q` is a SimpleQueue that the acting process has closed (its Connections closed).
bool simple_queue_closed_here(const Exec& x, std::uint32_t q);
/// Fork: the child gets the SimpleQueues the acting process has closed closed too (it copies
/// their closed Connections); a Queue's closed flag is reset in the child (_after_fork).
void inherit_closed_simple_queues(Exec& x, std::uint32_t child);
/// Whether the feeder thread of view `view_index` exists and has not finished.
bool feeder_alive(const State& s, std::uint32_t view_index);
/// Whether the acting process's main thread, signalled, may still write a message into a pipe:
/// a SimpleQueue.put or Connection.send that the pipe took only in part, or that is about to
/// write (the write(2) it may already be in goes on once the reader makes room).
bool writes_message(const Exec& x);
/// The phase of a SimpleQueue.put or Connection.send whose signalled process has written its
/// message: it dies as the write returns, never running on.
inline constexpr std::uint32_t kWrittenBeforeDeath = 3;
/// Phases of Connection.send: about to start; a message begun and not all written; asleep for
/// room on a socket before its first byte; asleep for room in the middle of its message.
inline constexpr std::uint32_t kSendStart = 0;
inline constexpr std::uint32_t kSendInMessage = 1;
inline constexpr std::uint32_t kSendAsleepForRoom = 2;
inline constexpr std::uint32_t kSendAsleepInMessage = 4;
inline constexpr bool send_asleep(std::uint32_t phase) {
    return phase == kSendAsleepForRoom || phase == kSendAsleepInMessage;
}
/// Whether the acting process's Connection.send is in the middle of its message, or about to
/// write one (its checks pass): a signal lets it go on writing while there is room.
bool conn_send_writes_message(const Exec& x);
/// Whether the acting process's Connection.send has written part of its message.
bool conn_send_in_message(const Exec& x);
/// Wire bytes written so far and in all of the message the acting process's Connection.send is
/// in the middle of; nullopt when it is not in one.
std::optional<std::pair<std::uint64_t, std::uint64_t>> conn_send_progress(const Exec& x);
/// The pipe of the queue whose get() the acting process is reading a message in (holding the
/// reader lock); nullopt otherwise.
std::optional<channel::Ref> queue_read_in_progress(Exec& x);
/// One step of the feeder thread of view `view_index` (x.proc is its process).
Outcome feeder_step(Exec& x, std::uint32_t view_index);
/// Whether feeder_step(view_index) would be blocked, found without an Exec: the feeder waits
/// for an item or for the writer lock (what most of its blocked tries are).
bool feeder_waits(const State& s, std::uint32_t view_index);

// ---- Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event (semantics_sync.cpp) ----
Outcome exec_sync_op(Exec& x);

// ---- Barrier (semantics_barrier.cpp) ----------------------------------------------------
Outcome exec_barrier_op(Exec& x);

// ---- Value / RawValue (semantics_shared.cpp) --------------------------------------------
Outcome exec_shared_op(Exec& x);

// ---- Pipe / Connection (semantics_conn.cpp) ----------------------------------------------
Outcome exec_conn_op(Exec& x);
/// The channel the acting process's Connection.recv() is reading, unless the message there is
/// one another reader has begun; nullopt otherwise.
std::optional<channel::Ref> conn_read_in_progress(Exec& x);

// ---- buffered files (semantics_file.cpp) -------------------------------------------------
Outcome exec_file_op(Exec& x);
/// Writes the buffered data of a file view to the file (reporting duplicated data).
void flush_file_view(Exec& x, std::uint32_t view_index);

} // namespace mpcheck::model::detail
