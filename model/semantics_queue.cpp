#include "model/condition.hpp"
#include "model/guarded.hpp"
#include "model/lifecycle.hpp"
#include "model/semantics.hpp"
#include "model/word_list.hpp"

/// multiprocessing.Queue, JoinableQueue and SimpleQueue (spec §4, §5). The per-process buffer
/// and the feeder thread live in the process's view of the queue; the pipe, its reader and
/// writer locks and the semaphore counting outstanding items live in the queue record.
namespace mpcheck::model::detail {

namespace lq = layout::queue;
namespace lv = layout::view;
namespace lp = layout::proc;

namespace {

constexpr std::uint32_t kUnbounded = 0; // maxsize <= 0 means SEM_VALUE_MAX

QueueKind queue_kind(const Exec& x, std::uint32_t q) {
    return static_cast<QueueKind>(x.oword(q, lq::kQueueKind));
}

channel::Ref pipe_of(Exec& x, std::uint32_t q) {
    return {x.s, x.ooff(q), x.ooff(q) + lq::kChannel};
}

std::uint32_t view_flags(const Exec& x, std::uint32_t q) {
    const std::uint32_t v = x.find_view_offset(x.proc, q);
    return v == State::kNone ? 0 : x.s.word(v + lv::kFlags);
}

void set_view_flag(Exec& x, std::uint32_t q, std::uint32_t flag) {
    const std::uint32_t v = x.view(x.proc, q);
    x.s.set_word(v + lv::kFlags, x.s.word(v + lv::kFlags) | flag);
}

using condition::gives_up; // block/timeout of the queue's semaphore and locks

Outcome queue_new(Exec& x, const Instr& in) {
    const Value maxsize = x.reg(in.a);
    const std::uint32_t q = x.new_object(ObjKind::queue, lq::kChannel + channel::kFreshWords);
    x.set_oword(q, lq::kQueueKind, static_cast<std::uint32_t>(in.imm));
    const bool bounded = maxsize.tag() == Value::Tag::integer && maxsize.as_int() > 0;
    x.set_oword(q, lq::kMaxsize,
                bounded ? static_cast<std::uint32_t>(maxsize.as_int()) : kUnbounded);
    channel::init(pipe_of(x, q), channel::Kind::pipe);
    if (in.imm == static_cast<std::int32_t>(QueueKind::joinable)) {
        // JoinableQueue.__init__: self._cond = ctx.Condition() (over an RLock).
        const std::uint32_t c = condition::new_cond(x, condition::new_rlock(x));
        x.set_oword(q, lq::kCond, c);
    }
    x.set_reg(in.dst, Value::object(q));
    x.advance();
    return Outcome::done;
}

// Queue.put's first part: the closed check and the semaphore that bounds the queue (§4.2).
// Outcome::done when a slot was taken; the caller goes on.
Outcome take_slot(Exec& x, const Instr& in, std::uint32_t q) {
    if ((view_flags(x, q) & lv::kClosed) != 0)
        return x.misuse(ExcType::value_error, "put() on a closed queue", q);
    const std::uint32_t maxsize = x.oword(q, lq::kMaxsize);
    const bool room = maxsize == kUnbounded || x.oword(q, lq::kSem) < maxsize;
    bool blocked = false;
    if (gives_up(x, in.wait, room, blocked)) return x.raise(ExcType::queue_full);
    if (blocked) return Outcome::blocked;
    x.set_oword(q, lq::kSem, x.oword(q, lq::kSem) + 1);
    return Outcome::done;
}

// Queue.put's second part: append to this process's buffer and start the feeder. The caller
// never blocks on the pipe and never sees a pickling error (§4.2).
void buffer_item(Exec& x, std::uint32_t q, Value item) {
    x.limit_if_connection_sent(item, q);
    if (!x.picklable(item)) {
        // CPython raises this in the feeder thread and drops the item (§8); reported here.
        x.fact(FactKind::api_misuse,
               "put() of an object that can only be shared through inheritance; the feeder "
               "thread drops it",
               q, static_cast<std::uint32_t>(ExcType::runtime_error));
    }
    std::uint32_t v = x.view(x.proc, q);
    const std::uint32_t count = x.s.word(v + lv::kCount);
    const std::uint64_t layout = x.s.layout_version();
    word_list::push_back(x.s, v, v + lv::kItems, count, item.bits());
    if (x.s.layout_version() != layout) v = x.find_view_offset(x.proc, q); // the view grew
    x.s.set_word(v + lv::kCount, count + 1);
    x.s.set_word(v + lv::kFlags, x.s.word(v + lv::kFlags) | lv::kFeederStarted);
}

Outcome put_buffered(Exec& x, const Instr& in, std::uint32_t q) {
    const Outcome slot = take_slot(x, in, q);
    if (slot != Outcome::done) return slot;
    buffer_item(x, q, x.reg(in.b));
    x.advance();
    return Outcome::done;
}

// JoinableQueue (§5.2): its Condition guards the unfinished-tasks count.
guarded::Guard joinable_guard(const Exec& x, std::uint32_t q) {
    const std::uint32_t c = x.oword(q, lq::kCond);
    return {c, x.oword(c, layout::cond::kLock)};
}

// JoinableQueue.put: the slot (phase 0); then `with self._notempty, self._cond:` append and
// _unfinished_tasks.release() (phase 1, entering the block); phase 2 leaves the block. Taking
// the lock and appending are one step: only holders of the lock observe the count, so a kill
// between them has the consequences of a kill just after.
Outcome put_joinable(Exec& x, const Instr& in, std::uint32_t q) {
    const guarded::Guard g = joinable_guard(x, q);
    switch (x.phase()) {
    case 0: {
        const Outcome slot = take_slot(x, in, q);
        if (slot != Outcome::done) return slot;
        return guarded::go(x, 1);
    }
    case 1:
        if (!guarded::enter(x, g)) return Outcome::blocked;
        buffer_item(x, q, x.reg(in.b));
        x.set_oword(q, lq::kUnfinished, x.oword(q, lq::kUnfinished) + 1);
        return guarded::go(x, 2);
    default:
        guarded::leave(x, g);
        x.advance();
        return Outcome::done;
    }
}

// JoinableQueue.task_done: `with self._cond:` take one unfinished task (ValueError when there
// is none) and notify_all() when none is left.
Outcome task_done(Exec& x, std::uint32_t q) {
    const guarded::Guard g = joinable_guard(x, q);
    return guarded::notify_all_block(x, g, [&](Exec& e) {
        if (e.oword(q, lq::kUnfinished) == 0) {
            guarded::leave(e, g); // raised inside `with`: __exit__ releases the lock
            e.misuse(ExcType::value_error, "task_done() called too many times", q);
            return guarded::Body::raised;
        }
        e.set_oword(q, lq::kUnfinished, e.oword(q, lq::kUnfinished) - 1);
        return e.oword(q, lq::kUnfinished) == 0 ? guarded::Body::notify_all : guarded::Body::leave;
    });
}

// JoinableQueue.join: `with self._cond: if not zero: self._cond.wait()` -- one wait, no
// timeout; a notify_all() for a count that is non-zero again by then still ends it.
Outcome join_joinable(Exec& x, std::uint32_t q) {
    const Outcome o =
        guarded::wait_block(x, joinable_guard(x, q), Wait::forever,
                            [q](const Exec& e) { return e.oword(q, lq::kUnfinished) == 0; });
    if (o != Outcome::done) return o;
    x.advance();
    return Outcome::done;
}

// SimpleQueue.put: pickles in the caller, then writes under the wlock, blocking while the
// pipe is full (§5.1).
Outcome put_simple(Exec& x, const Instr& in, std::uint32_t q) {
    const std::uint32_t me = x.proc + 1;
    const bool resuming = x.phase() == 1;
    if (!resuming) {
        if ((view_flags(x, q) & lv::kClosed) != 0)
            return x.misuse(ExcType::os_error, "put() on a closed SimpleQueue", q);
        const Value item = x.reg(in.b);
        if (!x.picklable(item))
            return x.misuse(ExcType::runtime_error,
                            "put() of an object that can only be shared through inheritance", q);
        x.limit_if_connection_sent(item, q);
        if (x.oword(q, lq::kWlock) != 0) return Outcome::blocked;
        x.set_oword(q, lq::kWlock, me);
        channel::begin_message(pipe_of(x, q), item);
        x.set_phase(1);
    }
    const bool progressed = channel::write_some(pipe_of(x, q), sizer(x));
    if (channel::tail_partial(x.s, x.ooff(q) + lq::kChannel, sizer(x))) {
        return progressed || !resuming ? Outcome::stay : Outcome::blocked;
    }
    // Killed in the middle of the message (pending_signal): it dies in the write, holding the
    // wlock.
    if (pending_signal(x.s, x.proc) != 0) {
        x.set_phase(kWrittenBeforeDeath); // the process never returns from the write
        return Outcome::done;
    }
    x.set_oword(q, lq::kWlock, 0);
    x.advance();
    return Outcome::done;
}

// Reads (part of) the message at the head of the pipe; done when a whole one was read.
Outcome read_message(Exec& x, const Instr& in, std::uint32_t q, bool release_sem) {
    const std::uint32_t at = x.ooff(q) + lq::kChannel;
    if (channel::corrupt(x.s, at) || channel::head_available(x.s, at, sizer(x)) == 0)
        return Outcome::blocked;
    Value item;
    if (!channel::read_some(pipe_of(x, q), sizer(x), item)) return Outcome::stay;
    x.set_oword(q, lq::kRlock, 0);
    if (release_sem) x.set_oword(q, lq::kSem, x.oword(q, lq::kSem) - 1);
    x.set_reg(in.dst, item);
    x.advance();
    return Outcome::done;
}

// Queue.get: acquire rlock, read one whole message (holding rlock), release rlock and sem.
// With a timeout: rlock with timeout, poll with timeout, then read with NO timeout (§4.4).
Outcome get(Exec& x, const Instr& in, std::uint32_t q) {
    const QueueKind kind = queue_kind(x, q);
    if (x.phase() == 0) {
        if ((view_flags(x, q) & lv::kClosed) != 0)
            return kind == QueueKind::simple
                       ? x.misuse(ExcType::os_error, "get() on a closed SimpleQueue", q)
                       : x.misuse(ExcType::value_error, "get() on a closed queue", q);
        bool blocked = false;
        const Wait wait = kind == QueueKind::simple ? Wait::forever : in.wait;
        if (gives_up(x, wait, x.oword(q, lq::kRlock) == 0, blocked))
            return x.raise(ExcType::queue_empty);
        if (blocked) return Outcome::blocked;
        x.set_oword(q, lq::kRlock, x.proc + 1);
        x.set_phase(wait == Wait::forever ? 2 : 1);
        return Outcome::stay;
    }
    const std::uint32_t at = x.ooff(q) + lq::kChannel;
    if (x.phase() == 1) {
        // poll(timeout): any readable byte ends the wait, even of a partial message.
        bool blocked = false;
        const bool readable = channel::readable_bytes(x.s, at, sizer(x)) > 0;
        if (gives_up(x, in.wait, readable, blocked)) {
            x.set_oword(q, lq::kRlock, 0);
            return x.raise(ExcType::queue_empty);
        }
        if (blocked) return Outcome::blocked;
        x.set_phase(2);
        const Outcome o = read_message(x, in, q, kind != QueueKind::simple);
        return o == Outcome::blocked ? Outcome::stay : o;
    }
    return read_message(x, in, q, kind != QueueKind::simple);
}

Outcome close(Exec& x, std::uint32_t q) {
    if (queue_kind(x, q) == QueueKind::simple) {
        set_view_flag(x, q, lv::kClosed);
        return Outcome::done;
    }
    set_view_flag(x, q, lv::kClosed);
    const std::uint32_t v = x.find_view_offset(x.proc, q);
    const std::uint32_t flags = x.s.word(v + lv::kFlags);
    if ((flags & lv::kFeederStarted) != 0 && (flags & lv::kFeederFinished) == 0)
        x.s.set_word(v + lv::kFlags, flags | lv::kSentinel);
    return Outcome::done;
}

} // namespace

channel::Sizer sizer(const Exec& x) {
    return {[](Value v, const void* ctx) {
                const std::uint64_t n = static_cast<const Exec*>(ctx)->pickled_size(v);
                // An unpicklable object never reaches a pipe; size it like a small object.
                return n == Exec::kUnpicklable ? std::uint64_t{64} : n;
            },
            &x};
}

bool simple_queue_closed_here(const Exec& x, std::uint32_t q) {
    return queue_kind(x, q) == QueueKind::simple && (view_flags(x, q) & lv::kClosed) != 0;
}

void inherit_closed_simple_queues(Exec& x, std::uint32_t child) {
    for (std::uint32_t q = 0; q < x.s.num_objects(); ++q) {
        if (x.kind_of(q) != ObjKind::queue || !simple_queue_closed_here(x, q)) continue;
        const std::uint32_t v = x.view(child, q);
        x.s.set_word(v + lv::kFlags, x.s.word(v + lv::kFlags) | lv::kClosed);
    }
}

bool feeder_alive(const State& s, std::uint32_t view_index) {
    const std::uint32_t flags = s.word(s.view_offset(view_index) + lv::kFlags);
    return (flags & lv::kFeederStarted) != 0 && (flags & lv::kFeederFinished) == 0;
}

bool feeder_waits(const State& s, std::uint32_t view_index) {
    // The two cases in which feeder_step returns `blocked` at once, having written nothing.
    const std::uint32_t v = s.view_offset(view_index);
    switch (s.word(v + lv::kFeederPhase)) {
    case kFeederIdle:
        return s.word(v + lv::kCount) == 0 && (s.word(v + lv::kFlags) & lv::kSentinel) == 0;
    case kFeederHolding:
        return s.word(s.object_offset(s.word(v + lv::kObj)) + lq::kWlock) != 0;
    default:
        return false;
    }
}

std::optional<channel::Ref> queue_read_in_progress(Exec& x) {
    // Phase 2 of get() reads the message, holding the reader lock.
    const Value v = x.reg(x.instr().a);
    if (x.phase() != 2 || v.tag() != Value::Tag::object ||
        x.kind_of(v.as_object()) != ObjKind::queue)
        return std::nullopt;
    return pipe_of(x, v.as_object());
}

bool writes_message(const Exec& x) {
    // A put's phase 1 is a message begun and not yet all written; phase 0 one about to be (a
    // write(2) the process is blocked in has written nothing yet). A send tells its own.
    if (x.depth() == 0 || static_cast<ProcStatus>(x.pword(lp::kStatus)) != ProcStatus::running)
        return false;
    const Instr& in = x.instr();
    if (in.op == Op::conn_send) return conn_send_writes_message(x);
    if (in.op != Op::queue_put || x.phase() > 1) return false;
    const Value v = x.reg(in.a);
    if (v.tag() != Value::Tag::object || x.kind_of(v.as_object()) != ObjKind::queue) return false;
    const std::uint32_t q = v.as_object();
    if (queue_kind(x, q) != QueueKind::simple) return false;
    if (x.phase() == 1) return channel::tail_partial(x.s, x.ooff(q) + lq::kChannel, sizer(x));
    // About to write: not closed, a picklable item, the writer lock free (a process blocked
    // on the lock starts nothing new).
    return (view_flags(x, q) & lv::kClosed) == 0 && x.picklable(x.reg(in.b)) &&
           x.oword(q, lq::kWlock) == 0;
}

Outcome feeder_step(Exec& x, std::uint32_t view_index) {
    std::uint32_t v = x.s.view_offset(view_index);
    const std::uint32_t q = x.s.word(v + lv::kObj);
    const std::uint32_t phase = x.s.word(v + lv::kFeederPhase);
    // Its process is being killed: the thread starts nothing new, but a write it is in the
    // middle of goes on while the reader makes room (the kernel looks for the signal only when
    // the pipe is full again).
    const bool dying = pending_signal(x.s, x.proc) != 0;
    if (dying && (phase != kFeederWriting ||
                  !channel::tail_partial(x.s, x.ooff(q) + lq::kChannel, sizer(x))))
        return Outcome::blocked;
    if (phase == kFeederIdle) {
        const std::uint32_t count = x.s.word(v + lv::kCount);
        if (count == 0) {
            if ((x.s.word(v + lv::kFlags) & lv::kSentinel) == 0) return Outcome::blocked;
            // The close sentinel: close this process's pipe ends and end the thread.
            x.s.set_word(v + lv::kFlags,
                         (x.s.word(v + lv::kFlags) & ~lv::kSentinel) | lv::kFeederFinished);
            return Outcome::done;
        }
        const Value item = Value::from_bits(x.s.word(v + lv::kItems));
        word_list::erase(x.s, v, v + lv::kItems, count, 0);
        v = x.s.view_offset(view_index);
        x.s.set_word(v + lv::kCount, count - 1);
        if (!x.picklable(item)) {
            if (static_cast<ProcStatus>(x.pword(lp::kStatus)) == ProcStatus::exiting) {
                // util.is_exiting(): queues.py _feed returns on the error instead of going on,
                // so the thread ends, the rest of the buffer is never sent and the semaphore
                // units of the lost items stay taken (CPython 3.11; the spec's "silently
                // ignored" reads as if the feeder continued, which it does not).
                if (count > 1)
                    x.fact(FactKind::lost_data,
                           "exited while its feeder thread failed to pickle an item: the items "
                           "buffered after it are never sent",
                           q, count - 1);
                word_list::clear(x.s, v, v + lv::kItems, count - 1);
                v = x.s.view_offset(view_index);
                x.s.set_word(v + lv::kCount, 0);
                x.s.set_word(v + lv::kFlags, x.s.word(v + lv::kFlags) | lv::kFeederFinished);
                return Outcome::done;
            }
            // Pickling fails in the feeder: release the semaphore, drop the item (§4.3).
            x.set_oword(q, lq::kSem, x.oword(q, lq::kSem) - 1);
            return Outcome::done;
        }
        x.s.set_word(v + lv::kFeederItem, item.bits());
        x.s.set_word(v + lv::kFeederPhase, kFeederHolding);
        if (x.oword(q, lq::kWlock) != 0) return Outcome::done; // waits for the wlock next
    }
    v = x.s.view_offset(view_index);
    if (x.s.word(v + lv::kFeederPhase) == kFeederHolding) {
        if (x.oword(q, lq::kWlock) != 0) return Outcome::blocked;
        x.set_oword(q, lq::kWlock, x.proc + 1);
        channel::begin_message(pipe_of(x, q), Value::from_bits(x.s.word(v + lv::kFeederItem)));
        v = x.s.view_offset(view_index);
        x.s.set_word(v + lv::kFeederItem, 0);
        x.s.set_word(v + lv::kFeederPhase, kFeederWriting);
        return Outcome::done; // the write itself is the next step
    }
    // Writing: as much as fits now; the wlock is held until the whole message is in the pipe.
    if (!channel::write_some(pipe_of(x, q), sizer(x))) return Outcome::blocked;
    if (channel::tail_partial(x.s, x.ooff(q) + lq::kChannel, sizer(x))) return Outcome::done;
    if (dying) return Outcome::done; // dies in the write: the wlock stays taken
    x.set_oword(q, lq::kWlock, 0);
    v = x.s.view_offset(view_index);
    x.s.set_word(v + lv::kFeederPhase, kFeederIdle);
    return Outcome::done;
}

Outcome exec_queue_op(Exec& x) {
    const Instr& in = x.instr();
    if (in.op == Op::queue_new) return queue_new(x, in);
    const std::uint32_t q = x.object_arg(in.a, ObjKind::queue);
    if (q == State::kNone) return Outcome::raised;
    const QueueKind kind = queue_kind(x, q);
    const std::uint32_t at = x.ooff(q) + lq::kChannel;
    switch (in.op) {
    case Op::queue_put:
        if (kind == QueueKind::simple) return put_simple(x, in, q);
        return kind == QueueKind::joinable ? put_joinable(x, in, q) : put_buffered(x, in, q);
    case Op::queue_get:
        return get(x, in, q);
    case Op::queue_close:
        close(x, q);
        break;
    case Op::queue_join_thread: {
        const std::uint32_t flags = view_flags(x, q);
        if ((flags & lv::kClosed) == 0)
            return x.misuse(ExcType::assertion_error, "join_thread() before close()", q);
        const bool waits = (flags & lv::kFeederStarted) != 0 && (flags & lv::kCancelled) == 0 &&
                           (flags & lv::kFeederFinished) == 0;
        if (waits) return Outcome::blocked;
        break;
    }
    case Op::queue_cancel_join_thread:
        set_view_flag(x, q, lv::kCancelled);
        break;
    case Op::queue_empty:
        x.set_reg(in.dst, Value::boolean(channel::readable_bytes(x.s, at, sizer(x)) == 0));
        break;
    case Op::queue_full: {
        const std::uint32_t maxsize = x.oword(q, lq::kMaxsize);
        x.set_reg(in.dst, Value::boolean(maxsize != kUnbounded && x.oword(q, lq::kSem) >= maxsize));
        break;
    }
    case Op::queue_qsize:
        x.set_reg(in.dst, Value::integer(static_cast<std::int32_t>(x.oword(q, lq::kSem))));
        break;
    case Op::queue_task_done:
    case Op::queue_join:
        if (kind != QueueKind::joinable) {
            // A plain Queue has no such method: AttributeError, as in CPython.
            return x.raise(ExcType::attribute_error);
        }
        return in.op == Op::queue_task_done ? task_done(x, q) : join_joinable(x, q);
    default:
        MPCHECK_UNREACHABLE("not a queue operation");
    }
    x.advance();
    return Outcome::done;
}

} // namespace mpcheck::model::detail
