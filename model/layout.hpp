#pragma once

#include <cstdint>

/// Word offsets inside the records of a State (see state.hpp). Every record starts with its
/// size word at offset 0. Kept in one file so that the whole encoding can be read at once.
namespace mpcheck::model::layout {

// ---- process records -------------------------------------------------------------------
namespace proc {
inline constexpr std::uint32_t kParent = 1;     ///< creating process + 1 (0 for MainProcess)
inline constexpr std::uint32_t kStatus = 2;     ///< ProcStatus
inline constexpr std::uint32_t kExitCode = 3;   ///< exit code as a Value (None until ended)
inline constexpr std::uint32_t kFlags = 4;      ///< see flag bits below
inline constexpr std::uint32_t kStage = 5;      ///< ExitStage while exiting
inline constexpr std::uint32_t kNameNo = 6;     ///< N in "Process-N" (per creator counter)
inline constexpr std::uint32_t kChildCount = 7; ///< children created so far (names)
inline constexpr std::uint32_t kDepth = 8;      ///< number of frames of the main thread
inline constexpr std::uint32_t kTarget = 9;     ///< FuncId of the target
inline constexpr std::uint32_t kName = 10;      ///< Process(name=...) as a Value (None: default)
inline constexpr std::uint32_t kGlobals = 11;   ///< first global; frames follow the globals

inline constexpr std::uint32_t kFlagDaemon = 1u << 0;
inline constexpr std::uint32_t kFlagStarted = 1u << 1;    ///< handle: start() was called
inline constexpr std::uint32_t kFlagClosed = 1u << 2;     ///< handle: close() was called
inline constexpr std::uint32_t kFlagIsMain = 1u << 3;     ///< runs as __main__ (not re-imported)
inline constexpr std::uint32_t kFlagSpawned = 1u << 4;    ///< created by spawn/forkserver
inline constexpr std::uint32_t kFlagRunsModule = 1u << 5; ///< bottom frame is the module body
inline constexpr std::uint32_t kFlagJoined = 1u << 6;     ///< handle: joined (reaped)
inline constexpr std::uint32_t kFlagForkserver = 1u << 7; ///< created by forkserver
/// This process's default context is fixed (context.py `_actual_context`): by
/// set_start_method(), get_context(), an object or a start() through the default context, or
/// inherited (fork) or set by spawn's prepare(); a later set_start_method() raises RuntimeError.
inline constexpr std::uint32_t kFlagContextSet = 1u << 8;
/// handle: the start method of get_context(m).Process (StartMethod + 1; 0: the default).
inline constexpr std::uint32_t kMethodShift = 9;
inline constexpr std::uint32_t kMethodMask = 3u << kMethodShift;
/// This process's default context's start method (StartMethod + 1; 0: the program's default):
/// set by set_start_method(), copied into children (fork copies it; spawn's prepare() passes
/// the parent's get_start_method()).
inline constexpr std::uint32_t kDefaultMethodShift = 11;
inline constexpr std::uint32_t kDefaultMethodMask = 3u << kDefaultMethodShift;
/// The process's slot + 1 in per-process bit sets (a semaphore's holders, a connection's open
/// copies), given at start(); 0 before. A slot is given again once no live process has it and
/// no bit set still holds it, so at most 32 processes are alive at once but any number may
/// come and go over a program's life.
inline constexpr std::uint32_t kSlotShift = 13;
inline constexpr std::uint32_t kSlotMask = 63u << kSlotShift;
/// A spawn/forkserver child whose args hold named SemLocks: once it has re-run the main module
/// (kFlagRunsModule cleared), its next step unpickles them (see spawn_args.hpp).
inline constexpr std::uint32_t kFlagLoadsArgs = 1u << 19;
/// A signal sent by terminate()/kill() or by the parent's exit to a daemonic child, and not
/// yet acted on (codes in lifecycle.cpp: 0 none, 1 SIGTERM, 2 SIGKILL, 3 SIGTERM at the
/// parent's exit).
/// os.kill() returns before the child is gone: until its death step the child is alive
/// (is_alive() is True, exitcode None) but starts nothing new; only a pipe write it is in the
/// middle of may go on while a reader makes room (the kernel checks for the signal only when
/// the pipe is full again).
inline constexpr std::uint32_t kSignalShift = 20;
inline constexpr std::uint32_t kSignalMask = 3u << kSignalShift;
} // namespace proc

// ---- frames inside a process record ----------------------------------------------------
namespace frame {
inline constexpr std::uint32_t kFunc = 0;
inline constexpr std::uint32_t kPc = 1;
inline constexpr std::uint32_t kPhase = 2;   ///< progress inside a multi-step operation
inline constexpr std::uint32_t kScratch = 3; ///< operation-private word (e.g. saved count)
inline constexpr std::uint32_t kRegs = 4;    ///< first register
} // namespace frame

// ---- object records --------------------------------------------------------------------
namespace obj {
inline constexpr std::uint32_t kKind = 1; ///< ObjKind
inline constexpr std::uint32_t kName = 2; ///< TextId naming the object (its variable)
/// Where the object comes from: bit flags below.
inline constexpr std::uint32_t kOrigin = 3;
/// Created by a spawn/forkserver child re-running the module body, so it is that child's own
/// copy of a module-level resource the program means to share.
inline constexpr std::uint32_t kOriginModuleCopy = 1u << 0;
/// Holds SemLocks created in a fork context: pickling it for a spawn or forkserver child
/// raises RuntimeError (synchronize.py SemLock.__getstate__, `_is_fork_ctx`).
inline constexpr std::uint32_t kOriginForkContext = 1u << 1;
/// Holds SemLocks created in a spawn or forkserver context: named POSIX semaphores, whose names
/// their creator unlinks when it drops the object or begins to exit (see spawn_args.hpp).
inline constexpr std::uint32_t kOriginNamed = 1u << 2;
/// The names of its SemLocks are unlinked: a spawn child can no longer unpickle it.
inline constexpr std::uint32_t kOriginUnlinked = 1u << 3;
/// Bits from here: the process + 1 that created a Connection or an object with named SemLocks.
inline constexpr std::uint32_t kOriginCreatorShift = 8;
} // namespace obj

namespace handle {
inline constexpr std::uint32_t kProc = 4;
inline constexpr std::uint32_t kSize = 5;
} // namespace handle

/// Lock, RLock, Semaphore, BoundedSemaphore: one POSIX semaphore plus CPython's per-object
/// owner bookkeeping (spec §6.1).
namespace sem {
inline constexpr std::uint32_t kSemKind = 4;
inline constexpr std::uint32_t kValue = 5;
inline constexpr std::uint32_t kMax = 6;
inline constexpr std::uint32_t kOwner = 7;    ///< process + 1 that last acquired (0: none)
inline constexpr std::uint32_t kCount = 8;    ///< recursion count of the owner
inline constexpr std::uint32_t kHolders = 9;  ///< bit per process holding units it took
inline constexpr std::uint32_t kInitial = 10; ///< initial value (Semaphore kinds)
inline constexpr std::uint32_t kSize = 11;
} // namespace sem

/// Condition: a lock object plus three process-shared semaphores (spec §7.1).
namespace cond {
inline constexpr std::uint32_t kLock = 4;
inline constexpr std::uint32_t kSleeping = 5;
inline constexpr std::uint32_t kWoken = 6;
inline constexpr std::uint32_t kWaitSem = 7;
inline constexpr std::uint32_t kSize = 8;
} // namespace cond

/// Event: Condition(Lock()) plus a Semaphore(0) flag (spec §7.3).
namespace event {
inline constexpr std::uint32_t kCond = 4;
inline constexpr std::uint32_t kFlag = 5;
inline constexpr std::uint32_t kSize = 6;
} // namespace event

/// Barrier (spec §7.4): a Condition plus the shared int array (state, count).
namespace barrier {
inline constexpr std::uint32_t kCond = 4; ///< object index of its Condition (RLock)
inline constexpr std::uint32_t kParties = 5;
inline constexpr std::uint32_t kState = 6; ///< 0 filling, 1 draining, -1 resetting, -2 broken
inline constexpr std::uint32_t kCount = 7; ///< parties inside wait()
inline constexpr std::uint32_t kSize = 8;
} // namespace barrier

/// Value / RawValue (sharedctypes.py): one C integer in shared memory and, unless lock=False,
/// the lock its `value` property takes for each read and each write.
namespace shared_value {
inline constexpr std::uint32_t kLock =
    4; ///< its lock object (Lock, RLock, ..., Condition), or kNone
inline constexpr std::uint32_t kValue = 5; ///< the integer, as Value bits
inline constexpr std::uint32_t kSize = 6;
} // namespace shared_value

/// Queue / JoinableQueue / SimpleQueue shared part (spec §4.1, §5); a channel follows.
namespace queue {
inline constexpr std::uint32_t kQueueKind = 4;
inline constexpr std::uint32_t kMaxsize = 5;
inline constexpr std::uint32_t kSem = 6;        ///< BoundedSemaphore(maxsize) value
inline constexpr std::uint32_t kRlock = 7;      ///< holder process + 1 (0: free)
inline constexpr std::uint32_t kWlock = 8;      ///< holder process + 1 (0: free)
inline constexpr std::uint32_t kUnfinished = 9; ///< JoinableQueue's unfinished-tasks count
inline constexpr std::uint32_t kCond = 10;      ///< JoinableQueue's Condition (else unused)
inline constexpr std::uint32_t kChannel = 11;
} // namespace queue

/// One end of a Pipe (spec §3). Data readable at this end is in the channel that follows.
namespace conn {
inline constexpr std::uint32_t kPeer = 4;  ///< object index of the other end
inline constexpr std::uint32_t kFlags = 5; ///< readable / writable / duplex
inline constexpr std::uint32_t kOpen = 6;  ///< bit per process holding an open descriptor
inline constexpr std::uint32_t kChannel = 7;

inline constexpr std::uint32_t kReadable = 1u << 0;
inline constexpr std::uint32_t kWritable = 1u << 1;
inline constexpr std::uint32_t kDuplex = 1u << 2;
} // namespace conn

/// A kernel byte channel (os.pipe or one direction of a socketpair) holding messages.
namespace channel {
inline constexpr std::uint32_t kKind = 0;         ///< 0: os.pipe, 1: socketpair direction
inline constexpr std::uint32_t kFlags = 1;        ///< kCorrupt, kWriterWoken
inline constexpr std::uint32_t kMessages = 2;     ///< number of messages (the last may be partial)
inline constexpr std::uint32_t kHeadConsumed = 3; ///< wire bytes of the first message already read
inline constexpr std::uint32_t kTailWritten = 4;  ///< wire bytes of the last message written
inline constexpr std::uint32_t kPages = 5;        ///< os.pipe: pages in use
inline constexpr std::uint32_t kFrontOffset = 6;  ///< os.pipe: consumed bytes of the first page
inline constexpr std::uint32_t kHeader = 7;       ///< page ends (one per page), then messages

inline constexpr std::uint32_t kCorrupt =
    1u << 0; ///< misaligned: interleaved writers, split readers, a reader killed mid-message
/// socket: data came in on the writing end while its charge was below the budget, which wakes a
/// writer asleep for room there (sock_def_readable shares the wait queue)
inline constexpr std::uint32_t kWriterWoken = 1u << 1;
} // namespace channel

/// A buffered file object opened for writing (spec §10).
namespace file {
inline constexpr std::uint32_t kName = 4;  ///< TextId of the path
inline constexpr std::uint32_t kCount = 5; ///< data tokens written to the file so far
inline constexpr std::uint32_t kTokens = 6;
} // namespace file

// ---- view records: a process's private part of an object ---------------------------------
namespace view {
inline constexpr std::uint32_t kProc = 1;
inline constexpr std::uint32_t kObj = 2;
inline constexpr std::uint32_t kFlags = 3;
inline constexpr std::uint32_t kFeederPhase = 4; ///< queue: FeederPhase
inline constexpr std::uint32_t kFeederItem = 5;  ///< queue: item being written (Value bits)
inline constexpr std::uint32_t kCount = 6;       ///< items in the buffer
inline constexpr std::uint32_t kItems = 7;

inline constexpr std::uint32_t kClosed = 1u << 0;         ///< queue: close() called here
inline constexpr std::uint32_t kCancelled = 1u << 1;      ///< queue: cancel_join_thread()
inline constexpr std::uint32_t kFeederStarted = 1u << 2;  ///< queue: feeder thread exists
inline constexpr std::uint32_t kFeederFinished = 1u << 3; ///< queue: feeder thread ended
inline constexpr std::uint32_t kSentinel = 1u << 4;       ///< queue: close sentinel buffered
inline constexpr std::uint32_t kFileOpen = 1u << 5;       ///< file: this process's copy is open
} // namespace view

} // namespace mpcheck::model::layout
