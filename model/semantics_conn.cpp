#include "model/condition.hpp"
#include "model/lifecycle.hpp"
#include "model/references.hpp"
#include "model/semantics.hpp"

/// Pipe() and Connection (spec §3). Each end of a pipe is one conn record; the bytes readable
/// AT an end live in the channel embedded after that end's record:
///  - Pipe(duplex=False) is one os.pipe: (reader, writer); only the reader has a channel.
///  - Pipe(duplex=True) is one socketpair: each end has the channel of the direction that
///    arrives there, so send() on an end writes into its peer's channel.
/// `kOpen` holds a bit per process with an open descriptor of that end (fork duplicates every
/// bit, exit and close() clear them; the maker's copy also closes once it drops the object, see
/// references.hpp); it drives both EOF (no writer descriptor left anywhere) and EPIPE (no reader
/// descriptor left anywhere).
///
/// Connections take no lock (connection.py): two writers on one end can interleave the bytes
/// of large messages, and two readers can split one message between them. The model marks
/// the channel corrupt when that happens (a misaligned stream) and reports broken-queue; what
/// a reader then parses depends on bytes the model does not keep, so that is a model limit.
namespace mpcheck::model::detail {

namespace lcn = layout::conn;

namespace {

channel::Ref channel_of(Exec& x, std::uint32_t c) {
    return {x.s, x.ooff(c), x.ooff(c) + lcn::kChannel};
}

std::uint32_t channel_at(const Exec& x, std::uint32_t c) {
    return x.ooff(c) + lcn::kChannel;
}

bool has_flag(const Exec& x, std::uint32_t c, std::uint32_t flag) {
    return (x.oword(c, lcn::kFlags) & flag) != 0;
}

// Some process still holds a descriptor of this end. The creator's copy is closed once it no
// longer references the end (Connection.__del__), which is only looked into when no other
// process holds one.
bool open_anywhere(const Exec& x, std::uint32_t c) {
    const std::uint32_t open = x.oword(c, lcn::kOpen);
    if ((open & ~x.bit(creator_of(x, c))) != 0) return true;
    return open != 0 && dropped_by_creator(x, c) == 0;
}

std::uint32_t peer(const Exec& x, std::uint32_t c) {
    return x.oword(c, lcn::kPeer);
}

// What a reader makes of a stream whose message boundaries are lost depends on the bytes
// themselves, which the model abstracts away (CPython: a UnicodeDecodeError, an
// UnpicklingError, EOFError from an empty payload, a wrong value, or a wait for a length read
// from the middle of a payload). The search does not go on past such a step.
constexpr const char* kGarbledStream =
    "a reader of a stream that lost its message boundaries (what it parses depends on the "
    "bytes)";

Outcome finish(Exec& x) {
    x.advance();
    return Outcome::done;
}

Outcome finish(Exec& x, const Instr& in, Value result) {
    x.set_reg(in.dst, result);
    return finish(x);
}

// connection.py: Pipe(duplex) -> (c1, c2); for duplex=False c1 is the reader, c2 the writer.
Outcome pipe_new(Exec& x, const Instr& in) {
    const bool duplex = (in.imm & 1) != 0;
    const std::uint32_t with_channel = lcn::kChannel + channel::kFreshWords;
    const std::uint32_t first = x.new_object(ObjKind::conn, with_channel);
    const std::uint32_t second = x.new_object(ObjKind::conn, duplex ? with_channel : lcn::kChannel);
    const std::uint32_t both = lcn::kReadable | lcn::kWritable | lcn::kDuplex;
    x.set_oword(first, lcn::kFlags, duplex ? both : lcn::kReadable);
    x.set_oword(second, lcn::kFlags, duplex ? both : lcn::kWritable);
    if (const auto second_name = static_cast<TextId>(in.imm) >> 1; second_name != kNoText)
        x.set_oword(second, layout::obj::kName, second_name);
    x.set_oword(first, lcn::kPeer, second);
    x.set_oword(second, lcn::kPeer, first);
    x.set_oword(first, lcn::kOpen, x.bit(x.proc));
    x.set_oword(second, lcn::kOpen, x.bit(x.proc));
    const auto kind = duplex ? channel::Kind::socket : channel::Kind::pipe;
    channel::init(channel_of(x, first), kind);
    if (duplex) channel::init(channel_of(x, second), kind);
    x.set_reg(static_cast<Reg>(in.dst + 1), Value::object(second));
    return finish(x, in, Value::object(first));
}

// Connection.send(obj): _check_closed, _check_writable, pickle in the caller, then write the
// 4-byte header and the payload (_send_bytes). A pipe takes a message one write(2) per step
// (spec §2.1); a socket one kernel buffer per step, with no lock held between them, so a reader
// may free room in between (spec §2.2). A socket writer that finds the charge at the budget
// goes to sleep (a step of its own) and wakes only once the charge is down to a quarter of the
// budget or data comes in on its own end (socket_wakes_writer), however much room there is
// before that.
Outcome conn_send(Exec& x, const Instr& in) {
    const std::uint32_t c = x.object_arg(in.a, ObjKind::conn);
    if (c == State::kNone) return Outcome::raised;
    const std::uint32_t reader = peer(x, c);
    const std::uint32_t phase = x.phase();
    const bool starting = phase == kSendStart || phase == kSendAsleepForRoom;
    if (starting) {
        if (!open_here(x, c)) {
            return x.misuse(ExcType::os_error, "send() on a closed connection", c);
        }
        if (!has_flag(x, c, lcn::kWritable)) {
            return x.misuse(ExcType::os_error, "send() on a read-only connection", c);
        }
        const Value v = x.reg(in.b);
        if (!x.picklable(v)) {
            // Pickling fails in the caller (spec §8): "... objects should only be shared
            // between processes through inheritance".
            return x.misuse(ExcType::runtime_error,
                            "send() of an object that can only be shared between processes "
                            "through inheritance",
                            c);
        }
        x.limit_if_connection_sent(v, c);
    }
    // Killed (pending_signal): the write goes on while there is room, and the process dies
    // where it would wait for more; the signal also wakes it from a sleep for room.
    const bool dying = pending_signal(x.s, x.proc) != 0;
    // write(2) with every read descriptor closed: EPIPE (SIGPIPE is ignored by Python), also
    // for a writer blocked midway whose reader goes away.
    if (!open_anywhere(x, reader)) {
        if (dying) return Outcome::blocked; // it dies before Python sees the error
        return x.misuse(ExcType::broken_pipe_error, "send() to a pipe whose reader is closed", c);
    }
    const channel::Ref ch = channel_of(x, reader);
    const bool asleep = send_asleep(phase);
    if (asleep && !dying && !channel::socket_wakes_writer(x.s, ch.at, sizer(x)))
        return Outcome::blocked;
    if (channel::socket_full(x.s, ch.at, sizer(x))) {
        if (dying) return Outcome::blocked; // it dies instead (the other alternative)
        if (asleep) {
            // Woken while the charge was below the budget, but it is full again: back to sleep.
            channel::socket_wake_spent(ch);
            return Outcome::stay;
        }
        x.set_phase(starting ? kSendAsleepForRoom : kSendAsleepInMessage);
        channel::socket_wake_spent(ch); // sock_alloc_send_pskb waits for room
        return Outcome::stay;
    }
    if (asleep) channel::socket_wake_spent(ch);
    if (starting) {
        // Another writer is blocked in the middle of a message: our bytes land inside it.
        const bool interleaves = channel::tail_partial(x.s, ch.at, sizer(x));
        channel::begin_message(ch, x.reg(in.b));
        if (!channel::write_some(channel_of(x, reader), sizer(x))) return Outcome::blocked;
        if (interleaves) {
            channel::mark_corrupt(channel_of(x, reader));
            x.fact(FactKind::broken_queue,
                   "send() interleaved its bytes with another writer's unfinished message", c);
            x.fact(FactKind::model_limit, kGarbledStream, c);
        }
    } else if (!channel::write_some(ch, sizer(x))) {
        return Outcome::blocked;
    }
    if (has_flag(x, c, lcn::kDuplex)) channel::socket_data_arrived(channel_of(x, c), sizer(x));
    if (channel::tail_partial(x.s, channel_at(x, reader), sizer(x))) {
        x.set_phase(kSendInMessage);
        return Outcome::stay;
    }
    if (dying) {
        x.set_phase(kWrittenBeforeDeath); // the process never returns from the write
        return Outcome::done;
    }
    return finish(x);
}

// Connection.recv(): reads the header and then the payload with blocking reads
// (_recv_bytes), consuming whatever bytes are there. Phase 1: part of a message consumed.
Outcome conn_recv(Exec& x, const Instr& in) {
    const std::uint32_t c = x.object_arg(in.a, ObjKind::conn);
    if (c == State::kNone) return Outcome::raised;
    if (!open_here(x, c)) return x.misuse(ExcType::os_error, "recv() on a closed connection", c);
    if (!has_flag(x, c, lcn::kReadable)) {
        return x.misuse(ExcType::os_error, "recv() on a write-only connection", c);
    }
    const std::uint32_t at = channel_at(x, c);
    // EOF only when every descriptor of the writing end is closed, in every process (§3.2).
    const bool eof = !open_anywhere(x, peer(x, c));
    if (channel::corrupt(x.s, at) && channel::readable_bytes(x.s, at, sizer(x)) > 0) {
        // A misaligned stream: the reader takes payload bytes for a length header (a huge or
        // negative one), or unpickles a message with other bytes inside it (any exception, or
        // a wrong value). With no byte to read it blocks or meets EOF like any reader.
        x.fact(FactKind::model_limit, kGarbledStream, c);
        return Outcome::stay;
    }
    if (channel::head_available(x.s, at, sizer(x)) == 0) {
        if (!eof) return Outcome::blocked;
        // At a message boundary: EOFError (a normal end of the stream); inside a message:
        // OSError("got end of file during message").
        return x.raise(x.phase() == 0 ? ExcType::eof_error : ExcType::os_error);
    }
    if (x.phase() == 0 && channel::head_begun(x.s, at)) {
        // Another reader is in the middle of this message: we read the rest of its bytes as
        // if they began a new message, and both readers lose the message boundary.
        Value ignored;
        (void)channel::read_some(channel_of(x, c), sizer(x), ignored);
        channel::mark_corrupt(channel_of(x, c));
        x.fact(FactKind::broken_queue,
               "recv() read the rest of a message another reader had started", c);
        x.fact(FactKind::model_limit, kGarbledStream, c);
        x.set_phase(1);
        return Outcome::stay;
    }
    Value item;
    if (channel::read_some(channel_of(x, c), sizer(x), item)) return finish(x, in, item);
    x.set_phase(1);
    return Outcome::stay;
}

// Connection.poll(timeout): True as soon as any byte is readable or the stream is at EOF.
Outcome conn_poll(Exec& x, const Instr& in) {
    const std::uint32_t c = x.object_arg(in.a, ObjKind::conn);
    if (c == State::kNone) return Outcome::raised;
    if (!open_here(x, c)) return x.misuse(ExcType::os_error, "poll() on a closed connection", c);
    if (!has_flag(x, c, lcn::kReadable)) {
        return x.misuse(ExcType::os_error, "poll() on a write-only connection", c);
    }
    const bool ready = channel::readable_bytes(x.s, channel_at(x, c), sizer(x)) > 0 ||
                       !open_anywhere(x, peer(x, c));
    // poll(None) waits, poll() / poll(0) does not, poll(t): alt 1 is the timeout.
    bool blocked = false;
    if (condition::gives_up(x, in.wait, ready, blocked)) {
        return finish(x, in, Value::boolean(false));
    }
    if (blocked) return Outcome::blocked;
    return finish(x, in, Value::boolean(true));
}

// Connection.close(): closes this process's descriptor of this end; idempotent.
Outcome conn_close(Exec& x, const Instr& in) {
    const std::uint32_t c = x.object_arg(in.a, ObjKind::conn);
    if (c == State::kNone) return Outcome::raised;
    x.set_oword(c, lcn::kOpen, x.oword(c, lcn::kOpen) & ~x.bit(x.proc));
    return finish(x);
}

} // namespace

bool conn_send_writes_message(const Exec& x) {
    switch (x.phase()) {
    case kSendInMessage:
    case kSendAsleepInMessage:
        return true;
    case kSendStart:
    case kSendAsleepForRoom: {
        // About to write: the send's own checks pass.
        const Instr& in = x.instr();
        const Value v = x.reg(in.a);
        if (v.tag() != Value::Tag::object || x.kind_of(v.as_object()) != ObjKind::conn)
            return false;
        const std::uint32_t c = v.as_object();
        return open_here(x, c) && has_flag(x, c, lcn::kWritable) && x.picklable(x.reg(in.b)) &&
               open_anywhere(x, peer(x, c));
    }
    default:
        return false;
    }
}

bool conn_send_in_message(const Exec& x) {
    return x.phase() == kSendInMessage || x.phase() == kSendAsleepInMessage;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> conn_send_progress(const Exec& x) {
    if (!conn_send_in_message(x)) return std::nullopt;
    const std::uint32_t at = channel_at(x, peer(x, x.reg(x.instr().a).as_object()));
    const std::uint32_t n = channel::message_count(x.s, at);
    return std::pair<std::uint64_t, std::uint64_t>{channel::tail_written(x.s, at),
                                                   sizer(x).wire(channel::message(x.s, at, n - 1))};
}

std::optional<channel::Ref> conn_read_in_progress(Exec& x) {
    const Value v = x.reg(x.instr().a);
    if (v.tag() != Value::Tag::object || x.kind_of(v.as_object()) != ObjKind::conn)
        return std::nullopt;
    const std::uint32_t c = v.as_object();
    if (!open_here(x, c) || !has_flag(x, c, lcn::kReadable)) return std::nullopt;
    if (x.phase() == 0 && channel::head_begun(x.s, channel_at(x, c))) return std::nullopt;
    return channel_of(x, c);
}

Outcome exec_conn_op(Exec& x) {
    const Instr& in = x.instr();
    switch (in.op) {
    case Op::pipe_new:
        return pipe_new(x, in);
    case Op::conn_send:
        return conn_send(x, in);
    case Op::conn_recv:
        return conn_recv(x, in);
    case Op::conn_poll:
        return conn_poll(x, in);
    case Op::conn_close:
        return conn_close(x, in);
    default:
        MPCHECK_UNREACHABLE("exec_conn_op: not a Connection operation");
    }
}

} // namespace mpcheck::model::detail
