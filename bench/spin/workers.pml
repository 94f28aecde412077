/*
 * Hand-written Promela model of the "workers" scaling family of the mpcheck
 * benchmark: a main process starts N workers, puts N tasks and N None
 * sentinels on an unbounded `tasks` queue, gets N results from an unbounded
 * `results` queue and joins the workers. Each worker loops
 * `t = tasks.get(); if t is None: break; results.put(t * 2)`.
 *
 * The granularity is the one mpcheck uses: every visible step of an actor is
 * one `atomic` block (local computation such as loop counters and the
 * `t is None` test is fused into the neighbouring visible step), and there is
 * no synchronisation beyond what the Python runtime has. See README.md for
 * the step-by-step correspondence.
 *
 * Compile with -DN=<workers>; N must be between 1 and 8 (byte-sized values,
 * 255 is reserved for None).
 *
 * Generate the verifier with `spin -a -o1 -o2 -o3` (run_spin.sh does):
 *   -o3  no statement merging: with merging on, pan also stores states in the
 *        middle of some of the atomic blocks below (the ones ending in an
 *        `if` inside a `do`), which are not states of the model (N=1: 166
 *        states instead of 96);
 *   -o2  keep write-only variables (worker_feeder_started) in the state
 *        vector: they are part of the modelled state;
 *   -o1  no dead-variable resetting: the state is exactly what is written
 *        here (it makes no difference for this model, but keeps it explicit).
 * With these flags the stored-state count equals reference_count.py's.
 */

#ifndef N
#define N 2
#endif

#define NONE 255 /* the None sentinel; task values are 0..N-1, results 0..2N-2 */
#define FREE 0   /* value of a lock nobody holds */

/* Lock holders are actor ids, never FREE: the reader locks are held by main
 * threads (main 1, worker w: w + 2), the writer locks by feeder threads
 * (main's 1, worker w's: w + 2). The writer lock's holder is what "the
 * feeder is between its steps A and B" means, so the exit steps can test it;
 * everywhere else the holder is implied by the holder's program counter. */
#define MAIN_THREAD 1
#define WORKER_THREAD(w) ((w) + 2)
#define MAIN_FEEDER 1
#define WORKER_FEEDER(w) ((w) + 2)

/* Per-process local buffers (items put but not yet written to the pipe).
 * Main only ever puts on `tasks` (N tasks + N sentinels), worker w only on
 * `results` (at most N results), so those are the only buffers that exist. */
chan main_tasks_buffer = [2 * N] of { byte };
chan worker_results_buffer[N] = [N] of { byte };

/* The queues' pipes: FIFOs of messages, big enough that a write always fits
 * (small int messages always fit in the OS pipe). */
chan tasks_pipe = [2 * N] of { byte };
chan results_pipe = [N] of { byte };

/* The queues' locks (multiprocessing.Queue has a reader and a writer lock). */
byte tasks_rlock = FREE;
byte tasks_wlock = FREE;
byte results_rlock = FREE;
byte results_wlock = FREE;

/* Whether a process has started its feeder thread for its queue (at its
 * first put). A feeder that was never started has an empty buffer, so it
 * could never move anyway; the flag only keeps "no feeder yet" and "feeder
 * idle" apart, as the step rules do (a put starts a feeder only if there is
 * none). */
bool main_feeder_started = false;
bool worker_feeder_started[N];

/* Set by a process's exit step; p.join() waits for it. */
bool worker_exited[N];

/*
 * Main thread of the main process. `i` is the loop counter of whichever
 * `for` loop main is in; it is reset when a loop ends so that it carries no
 * information beyond main's program counter.
 */
active proctype Main()
{
    byte i = 0;

    /* for p in ps: p.start() -- one step per worker */
    do
    :: atomic {
           run Worker(i);
           i++;
           if
           :: i == N -> i = 0; break
           :: else
           fi
       }
    od;

    /* for i in range(N): tasks.put(i) -- one step each */
    do
    :: atomic {
           main_tasks_buffer!i;
           main_feeder_started = true;
           i++;
           if
           :: i == N -> i = 0; break
           :: else
           fi
       }
    od;

    /* for _ in range(N): tasks.put(None) */
    do
    :: atomic {
           main_tasks_buffer!NONE;
           i++;
           if
           :: i == N -> i = 0; break
           :: else
           fi
       }
    od;

    /* for _ in range(N): results.get() -- two steps each; value discarded */
    do
    :: atomic { results_rlock == FREE -> results_rlock = MAIN_THREAD }
       atomic {
           len(results_pipe) > 0 ->
           results_pipe?_;
           results_rlock = FREE;
           i++;
           if
           :: i == N -> i = 0; break
           :: else
           fi
       }
    od;

    /* for p in ps: p.join() -- enabled once the worker has exited */
    do
    :: atomic {
           worker_exited[i] ->
           i++;
           if
           :: i == N -> i = 0; break
           :: else
           fi
       }
    od;

    /* Exit of the main process: "join feeders" waits until main's feeder has
     * written everything (buffer empty and not between steps A and B). */
    atomic { len(main_tasks_buffer) == 0 && tasks_wlock != MAIN_FEEDER -> skip }
    /* Exited: blocked for good rather than terminating, so that Promela's
     * separate "process dies" transition does not add states mpcheck lacks. */
end_exited:
    false
}

/*
 * Feeder thread of the main process for `tasks`. Step A takes the head of
 * the buffer and acquires the queue's write lock; step B writes the message
 * and releases it. The close sentinel main's exit would hand it is not
 * modelled as an item: once main has exited the buffer is empty for good,
 * and the feeder waiting at `end_idle` is exactly a terminated feeder.
 */
active proctype MainTasksFeeder()
{
    byte item = 0;
end_idle:
    do
    :: atomic {
           tasks_wlock == FREE && len(main_tasks_buffer) > 0 ->
           main_tasks_buffer?item;
           tasks_wlock = MAIN_FEEDER
       }
       atomic {
           tasks_pipe!item;
           tasks_wlock = FREE;
           item = 0 /* the feeder no longer holds the item */
       }
    od
}

/* Feeder thread of worker w for `results`; same two steps. */
active [N] proctype WorkerResultsFeeder()
{
    byte w = _pid - 2; /* pids: Main 0, MainTasksFeeder 1, these 2..N+1 */
    byte item = 0;
end_idle:
    do
    :: atomic {
           results_wlock == FREE && len(worker_results_buffer[w]) > 0 ->
           worker_results_buffer[w]?item;
           results_wlock = WORKER_FEEDER(w)
       }
       atomic {
           results_pipe!item;
           results_wlock = FREE;
           item = 0
       }
    od
}

/* Main thread of worker w, created by main's p.start(). */
proctype Worker(byte w)
{
    byte t = 0; /* the Python local `t`, kept between iterations as Python does */

    do
    :: /* t = tasks.get(): step 1 acquires the reader lock ... */
       atomic { tasks_rlock == FREE -> tasks_rlock = WORKER_THREAD(w) }
       /* ... step 2 reads one message and releases it; `if t is None` is
        * fused into this step. */
       atomic {
           len(tasks_pipe) > 0 ->
           tasks_pipe?t;
           tasks_rlock = FREE;
           if
           :: t == NONE -> break
           :: else
           fi
       }
       /* results.put(t * 2): one step, starting the feeder on first put */
       atomic {
           worker_results_buffer[w]!t * 2;
           worker_feeder_started[w] = true
       }
    od;

    /* Exit: "join feeders" waits until this worker's feeder is drained. */
    atomic {
        len(worker_results_buffer[w]) == 0 && results_wlock != WORKER_FEEDER(w) ->
        worker_exited[w] = true
    }
end_exited:
    false
}
