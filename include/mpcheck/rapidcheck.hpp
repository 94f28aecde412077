#pragma once

// rapidcheck generators of random multiprocessing programs, for property-based tests of
// mpcheck and of code built on it.
//
// A generated program is a small value (GenProgram): a few shared resources (queues, locks,
// semaphores, events, conditions, pipes), a few worker processes (some of them daemons) that
// each run a list of steps over them, and the main process's steps (start, join, terminate,
// kill, and the same resource steps); a pipe's write end may itself be sent. It has
// two renderings that describe the same program line for line:
//   to_python(p)  Python source accepted by mpcheck's front end and runnable by CPython;
//   to_model(p)   the same program built with model::ProgramBuilder, at the same source lines.
// rapidcheck shrinks a failing program by dropping resources, processes and steps; every
// value the generators produce is normalized (see normalized()), so shrunk values stay valid.
//
//   #include "mpcheck/rapidcheck.hpp"
//   RC_GTEST_PROP(MyChecks, NoProgramCrashesTheChecker, ()) {
//       const auto program = *mpcheck::gen::arbitrary_program();
//       const mpcheck::model::Model m(mpcheck::gen::to_model(program),
//                                     mpcheck::model::StartMethod::fork);
//       RC_ASSERT(mpcheck::properties::check_model(m, {}).stats.states > 0);
//   }
//
// Header-only; needs mpcheck's model library and rapidcheck. rapidcheck prints a failing
// program as its Python text (showValue below).

#include "model/program_builder.hpp"

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

namespace mpcheck::gen {

/// A multiprocessing object created by the main process and passed to every worker.
enum class ResourceKind : std::uint8_t {
    queue,          ///< q<i> = mp.Queue()
    simple_queue,   ///< s<i> = mp.SimpleQueue()
    lock,           ///< l<i> = mp.Lock()
    event,          ///< e<i> = mp.Event()
    pipe,           ///< r<i>, w<i> = mp.Pipe(duplex=False)
    joinable_queue, ///< j<i> = mp.JoinableQueue()
    bounded_queue,  ///< b<i> = mp.Queue(1): a second put waits for a get
    semaphore,      ///< m<i> = mp.Semaphore(0): a signal, acquire waits for a release
    duplex_pipe,    ///< u<i>, v<i> = mp.Pipe(): both ends read and write
    rlock,          ///< k<i> = mp.RLock(): its owner may acquire it again
    condition,      ///< c<i> = mp.Condition()
};

/// What a put or send carries; its size decides whether it fits into a pipe (64 KiB).
enum class Payload : std::uint8_t {
    small,          ///< 1
    large,          ///< 'X' * 100000: more than a pipe holds, so the writer waits for a reader
    sentinel,       ///< None: ends a drain loop
    fills_pipe,     ///< 'X' * 65514: with its header exactly 65536 bytes, an empty pipe's capacity
    overflows_pipe, ///< 'X' * 65515: one byte more than an empty pipe holds
    /// 'X' * 150000: more than three socket buffers, so behind an unread large item on a duplex
    /// Pipe its writer may go to sleep for good (Linux wakes it at a quarter of the budget)
    huge,
    /// The write end of the program's first pipe (w<k>, or v<k> of a duplex one), other than
    /// the one sent on: the receiver gets a descriptor of its own. 1 when there is none.
    write_end,
};

/// One statement of a process body. Resource steps come in groups by resource kind.
enum class StepKind : std::uint8_t {
    put,          ///< q.put(payload)            (queues)
    get,          ///< q.get()
    drain,        ///< while q.get() is not None: pass
    close,        ///< q.close()
    get_timeout,  ///< try: q.get(timeout=0.1)  except queue.Empty: pass   (not SimpleQueue)
    task_done,    ///< q.task_done()             (JoinableQueue)
    join_queue,   ///< q.join()
    acquire,      ///< l.acquire()                (lock, semaphore)
    release,      ///< l.release()
    set,          ///< e.set()                    (event)
    wait,         ///< e.wait()
    clear,        ///< e.clear()
    send,         ///< w.send(payload)            (pipe)
    recv,         ///< r.recv()
    close_writer, ///< w.close()
    recv_all,     ///< try: while True: r.recv()  except EOFError: pass
    close_reader, ///< r.close()
    start,        ///< p.start()                  (a worker; main process only)
    join,         ///< p.join()
    terminate,    ///< p.terminate()
    kill,         ///< p.kill()
    join_timeout, ///< p.join(timeout=0.1)
    get_keep,     ///< got<n> = q.get()           (queues; n: the step's index in its body)
    cancel_join,  ///< q.cancel_join_thread()    (not SimpleQueue)
    recv_keep,    ///< got<n> = r.recv()          (pipes)
    send_back,    ///< u.send(payload)            (duplex pipe: the other direction)
    recv_back,    ///< v.recv()
    cond_wait,    ///< with c: c.wait(timeout=0.1)  (condition)
    notify,       ///< with c: c.notify()
    notify_all,   ///< with c: c.notify_all()
};

/// One step: what it does, to which resource (or worker, for the process steps).
struct GenStep {
    StepKind kind = StepKind::get;
    std::uint32_t target = 0;         ///< resource index, or worker index for process steps
    Payload payload = Payload::small; ///< put and send only (small otherwise)
    friend bool operator==(const GenStep&, const GenStep&) = default;
};

/// A generated program: resources, worker bodies, and the main process's steps (which run
/// after it has created every resource and every Process object).
struct GenProgram {
    std::vector<ResourceKind> resources;
    std::vector<std::vector<GenStep>> workers; ///< worker i runs as process p<i>
    std::vector<GenStep> main;
    /// fork is CPython 3.11's default on Linux; others are set by mp.set_start_method first.
    model::StartMethod start_method = model::StartMethod::fork;
    /// Whether worker i is created with daemon=True (one flag per worker once normalized).
    std::vector<bool> daemon = {};
    /// Whether main's body is the function main() that the guard calls, so that its objects die
    /// when main() returns rather than at exit. to_python only: to_model refuses such programs
    /// (check them through the front end).
    bool main_in_function = false;
    friend bool operator==(const GenProgram&, const GenProgram&) = default;
};

/// Bounds of generated programs. The rapidcheck size parameter is not used: these are.
struct GenOptions {
    std::uint32_t max_resources = 3; ///< at least 1: every program has a resource
    std::uint32_t max_workers = 2;
    std::uint32_t max_worker_steps = 4;
    std::uint32_t max_main_steps = 4; ///< besides the start of each worker
    /// The resource kinds to draw from (non-empty; repeat one to weight it: a one-way Pipe is
    /// drawn twice as often as the others, so that programs often have a write end to send).
    std::vector<ResourceKind> kinds{
        ResourceKind::queue,         ResourceKind::simple_queue, ResourceKind::lock,
        ResourceKind::event,         ResourceKind::pipe,         ResourceKind::joinable_queue,
        ResourceKind::bounded_queue, ResourceKind::semaphore,    ResourceKind::duplex_pipe,
        ResourceKind::rlock,         ResourceKind::condition,    ResourceKind::pipe};
    /// Whether puts and sends may carry the payloads that do not fit into a pipe beside others
    /// (large, fills_pipe, overflows_pipe, huge).
    bool large_payloads = true;
    /// Whether puts and sends may carry a pipe's write end (Payload::write_end). Off by default:
    /// the model treats a Connection sent through a queue or pipe as a model limit (the verdict
    /// is inconclusive), so such programs show only that.
    bool send_write_ends = false;
    /// Whether workers may be created with daemon=True.
    bool daemon_workers = true;
    /// The start methods to draw from (non-empty; repeat one to weight it). Shrinks towards the
    /// first.
    std::vector<model::StartMethod> start_methods{model::StartMethod::fork};
    /// Whether half the programs put main's body into a function main() (shrinks to module
    /// level). Off by default: to_model builds module-level programs only.
    bool main_in_function = false;
};

/// The program made valid: resource steps fit their resource's kind (a step of another kind
/// is mapped to the step at the same position in the resource's group), targets are taken
/// modulo the number of resources or workers, only put/send keep a payload (write_end only
/// when there is another pipe to send), a worker is started once (at the front of main if
/// nowhere else) and joined, terminated or killed only after its start, and every worker has
/// a daemon flag. Idempotent.
inline GenProgram normalized(GenProgram program);
/// The program as Python source (with the `if __name__ == '__main__':` guard).
inline std::string to_python(const GenProgram& program);
/// The program built with ProgramBuilder, at the source lines and columns of to_python.
/// Throws std::invalid_argument for a program with main_in_function.
inline model::Program to_model(const GenProgram& program);
/// Random programs within `options`, normalized; they shrink towards fewer and simpler steps.
inline rc::Gen<GenProgram> arbitrary_program(GenOptions options = {});
/// rapidcheck's printer for counterexamples: the Python text.
inline void showValue(const GenProgram& program, std::ostream& os);

} // namespace mpcheck::gen

// Definitions, in three parts: the Python text, the ProgramBuilder rendering, the generators.
#include "mpcheck/detail/gen_program_build.hpp"
#include "mpcheck/detail/gen_program_generate.hpp"
#include "mpcheck/detail/gen_program_text.hpp"
