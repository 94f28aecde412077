#include "model/lifecycle.hpp"

#include "model/channel.hpp"
#include "model/references.hpp"
#include "model/semantics.hpp"
#include "model/spawn_args.hpp"

#include <algorithm>
#include <optional>

namespace mpcheck::model::detail {

namespace lp = layout::proc;
namespace lf = layout::frame;
namespace lv = layout::view;
namespace lq = layout::queue;
namespace ls = layout::sem;
namespace lcn = layout::conn;

namespace {

ProcStatus status_of(const State& s, std::uint32_t p) {
    return static_cast<ProcStatus>(s.word(s.process_offset(p) + lp::kStatus));
}

bool is_live(const State& s, std::uint32_t p) {
    const ProcStatus st = status_of(s, p);
    return st == ProcStatus::running || st == ProcStatus::exiting;
}

bool is_child(const State& s, std::uint32_t p, std::uint32_t parent) {
    return s.word(s.process_offset(p) + lp::kParent) == parent + 1;
}

bool is_daemon(const State& s, std::uint32_t p) {
    return (s.word(s.process_offset(p) + lp::kFlags) & lp::kFlagDaemon) != 0;
}

// A daemonic child of `parent` that is still alive: the parent's exit terminates it.
bool is_live_daemon_child(const State& s, std::uint32_t p, std::uint32_t parent) {
    return is_child(s, p, parent) && is_daemon(s, p) && is_live(s, p);
}

// pending_signal's codes (layout::proc::kSignalMask).
constexpr std::uint32_t kSignalTerminate = 1;
constexpr std::uint32_t kSignalKill = 2;
constexpr std::uint32_t kSignalAtParentExit = 3; // SIGTERM from the parent's _exit_function

std::uint32_t signal_code(const State& s, std::uint32_t p) {
    return (s.word(s.process_offset(p) + lp::kFlags) & lp::kSignalMask) >> lp::kSignalShift;
}

// The signal a code stands for: 15, 9, or 0 for none.
int signal_number(std::uint32_t code) {
    switch (code) {
    case kSignalTerminate:
    case kSignalAtParentExit:
        return 15;
    case kSignalKill:
        return 9;
    default:
        return 0;
    }
}

// Whether a process is alive other than the exiting `parent` and the daemons its exit
// terminates.
bool others_remain(const State& s, std::uint32_t parent) {
    for (std::uint32_t p = 0; p < s.num_processes(); ++p) {
        if (p == parent || !is_live(s, p)) continue;
        const bool dying_daemon = is_child(s, p, parent) && signalled_at_parent_exit(s, p);
        if (!dying_daemon) return true;
    }
    return false;
}

bool any_live_daemon_child(const Exec& x) {
    for (std::uint32_t p = 0; p < x.s.num_processes(); ++p) {
        if (is_live_daemon_child(x.s, p, x.proc)) return true;
    }
    return false;
}

bool all_children_ended(const Exec& x) {
    for (std::uint32_t p = 0; p < x.s.num_processes(); ++p) {
        if (is_child(x.s, p, x.proc) && is_live(x.s, p)) return false;
    }
    return true;
}

bool all_feeders_joined(const Exec& x) {
    for (std::uint32_t v = 0; v < x.s.num_views(); ++v) {
        const std::uint32_t o = x.s.view_offset(v);
        if (x.s.word(o + lv::kProc) != x.proc) continue;
        const std::uint32_t flags = x.s.word(o + lv::kFlags);
        if ((flags & lv::kFeederStarted) != 0 && (flags & lv::kCancelled) == 0 &&
            (flags & lv::kFeederFinished) == 0) {
            return false;
        }
    }
    return true;
}

ExitStage stage(const Exec& x) {
    return static_cast<ExitStage>(x.pword(lp::kStage));
}
void set_stage(Exec& x, ExitStage st) {
    x.set_pword(lp::kStage, static_cast<std::uint32_t>(st));
}

// Moves past exit stages that have nothing to wait for and no effect on others.
void skip_idle_stages(Exec& x) {
    for (;;) {
        switch (stage(x)) {
        case ExitStage::terminate_daemons:
            if (any_live_daemon_child(x)) return;
            set_stage(x, ExitStage::join_children);
            break;
        case ExitStage::join_children:
            if (!all_children_ended(x)) return;
            set_stage(x, ExitStage::join_feeders);
            break;
        case ExitStage::join_feeders:
            if (!all_feeders_joined(x)) return;
            set_stage(x, ExitStage::finish);
            return;
        case ExitStage::none:
        case ExitStage::finish:
            return;
        }
    }
}

SourceLoc current_loc(const Exec& x, std::uint32_t p) {
    Exec victim(x.prog, x.method, x.s, x.facts, p, 0, x.values);
    if (victim.depth() > 0) return victim.instr().loc;
    return x.depth() > 0 ? x.instr().loc : SourceLoc{};
}

// What a dying process leaves behind in semaphores and queue locks (spec §1.6, §4.7, §6.3).
void report_abandoned_locks(Exec& x, std::uint32_t victim, SourceLoc loc) {
    const std::uint32_t me = victim + 1;
    for (std::uint32_t o = 0; o < x.s.num_objects(); ++o) {
        switch (x.kind_of(o)) {
        case ObjKind::sem: {
            const bool owner = x.oword(o, ls::kOwner) == me && x.oword(o, ls::kCount) > 0;
            const bool holder = (x.oword(o, ls::kHolders) & x.bit(victim)) != 0;
            if (owner || holder) {
                x.fact_for(victim, FactKind::abandoned_lock, "is still held by", o, loc);
            }
            break;
        }
        case ObjKind::queue: {
            if (x.oword(o, lq::kRlock) == me) {
                x.fact_for(victim, FactKind::abandoned_lock, "reader lock is still held by", o,
                           loc);
                x.fact_for(victim, FactKind::broken_queue,
                           "ended holding its reader lock: no other process can get from it", o,
                           loc);
            }
            if (x.oword(o, lq::kWlock) == me) {
                x.fact_for(victim, FactKind::abandoned_lock, "writer lock is still held by", o,
                           loc);
                const std::uint32_t at = x.ooff(o) + lq::kChannel;
                if (channel::tail_partial(x.s, at, sizer(x))) {
                    // Its feeder (or SimpleQueue.put) had taken the lock for a message: no
                    // other process can put again, and part of the message may be in the pipe.
                    x.fact_for(victim, FactKind::broken_queue,
                               channel::tail_written(x.s, at) == 0
                                   ? "ended holding its writer lock: no other process can put on it"
                                   : "left a partially written message in the pipe",
                               o, loc);
                }
            }
            break;
        }
        default:
            break;
        }
    }
}

// Descriptors close with the process; a half-sent or half-received message stays broken.
void close_descriptors(Exec& x, std::uint32_t victim, SourceLoc loc, bool killed) {
    for (std::uint32_t o = 0; o < x.s.num_objects(); ++o) {
        if (x.kind_of(o) != ObjKind::conn) continue;
        x.set_oword(o, lcn::kOpen, x.oword(o, lcn::kOpen) & ~x.bit(victim));
    }
    if (!killed) return;
    Exec v(x.prog, x.method, x.s, x.facts, victim, 0, x.values);
    if (v.depth() == 0) return;
    const Instr& in = v.instr();
    if (in.op == Op::conn_send && conn_send_in_message(v)) {
        x.fact_for(victim, FactKind::broken_queue, "was killed in the middle of send()",
                   v.reg(in.a).as_object(), loc);
    }
    if (in.op == Op::conn_recv && v.phase() == 1) {
        const std::uint32_t o = v.reg(in.a).as_object();
        channel::mark_corrupt({x.s, x.ooff(o), x.ooff(o) + lcn::kChannel});
        x.fact_for(victim, FactKind::broken_queue, "was killed in the middle of recv()", o, loc);
    }
}

// Buffered queue items die with the process. File buffers are flushed only by an exit through
// normal interpreter shutdown: MainProcess and spawn children; fork and forkserver children
// end with os._exit, which discards them (spec §1.4 step 7, §10).
void drop_views(Exec& x, std::uint32_t victim, SourceLoc loc, bool killed) {
    const std::uint32_t flags = x.pword_of(victim, lp::kFlags);
    const bool spawned = (flags & lp::kFlagSpawned) != 0 && (flags & lp::kFlagForkserver) == 0;
    const bool flushes = victim == 0 || spawned;
    for (std::uint32_t v = 0; v < x.s.num_views();) {
        const std::uint32_t o = x.s.view_offset(v);
        if (x.s.word(o + lv::kProc) != victim) {
            ++v;
            continue;
        }
        const std::uint32_t obj = x.s.word(o + lv::kObj);
        if (x.kind_of(obj) == ObjKind::queue) {
            std::uint32_t lost = x.s.word(o + lv::kCount);
            if (x.s.word(o + lv::kFeederPhase) == kFeederHolding) ++lost;
            if (lost > 0) {
                x.fact_for(victim, FactKind::lost_data,
                           killed ? "was killed with items still buffered"
                                  : "exited after cancel_join_thread() with items still buffered",
                           obj, loc, lost);
            }
        } else if (x.kind_of(obj) == ObjKind::file && !killed && flushes) {
            flush_file_view(x, v);
        }
        x.s.remove_view(v);
    }
}

// Whether any process other than p is still running (and so could need what p holds).
bool others_alive(const State& s, std::uint32_t p) {
    for (std::uint32_t q = 0; q < s.num_processes(); ++q) {
        if (q != p && is_live(s, q)) return true;
    }
    return false;
}

} // namespace

bool has_ended(const State& s, std::uint32_t p) {
    const ProcStatus st = status_of(s, p);
    return st == ProcStatus::exited || st == ProcStatus::killed;
}

void pop_frame(Exec& x) {
    const std::uint32_t f = x.frame();
    const std::uint32_t size = lf::kRegs + x.prog.functions[x.s.word(f + lf::kFunc)].num_regs;
    x.s.erase_words(x.poff(), f, size);
    x.set_pword(lp::kDepth, x.depth() - 1);
}

void end_by_exception(Exec& x, Value exc, SourceLoc where) {
    const auto type = static_cast<ExcType>(exc.payload() & 0xffu);
    const bool reported = (exc.payload() & 0x100u) != 0;
    if (type == ExcType::system_exit) {
        // sys.exit(code): None -> 0, int -> that int, anything else -> 1 (spec §1.5).
        const Value code = Value::from_bits(x.pword(lp::kExitCode));
        begin_exit(x, code.tag() == Value::Tag::integer    ? code
                      : code.is_none() || code.is_absent() ? Value::integer(0)
                                                           : Value::integer(1));
        return;
    }
    if (!reported) {
        x.fact_for(x.proc, FactKind::uncaught_exception, python_name(type), State::kNone, where);
    }
    begin_exit(x, Value::integer(1));
}

void begin_exit(Exec& x, Value exit_code) {
    x.set_pword(lp::kStatus, static_cast<std::uint32_t>(ProcStatus::exiting));
    x.set_pword(lp::kExitCode, exit_code.bits());
    // Finalizers of priority >= 0: the names of the SemLocks made here are unlinked, and each
    // feeder started here gets the close sentinel.
    unlink_created_semlocks(x, x.proc);
    for (std::uint32_t v = 0; v < x.s.num_views(); ++v) {
        const std::uint32_t o = x.s.view_offset(v);
        if (x.s.word(o + lv::kProc) != x.proc) continue;
        const std::uint32_t flags = x.s.word(o + lv::kFlags);
        if ((flags & lv::kFeederStarted) != 0 && (flags & lv::kFeederFinished) == 0) {
            x.s.set_word(o + lv::kFlags, flags | lv::kSentinel);
        }
    }
    set_stage(x, ExitStage::terminate_daemons);
    skip_idle_stages(x);
}

Outcome exit_step(Exec& x) {
    switch (stage(x)) {
    case ExitStage::terminate_daemons:
        // _exit_function terminates every daemonic child, then joins all children: each
        // daemon dies in a step of its own (die_of_signal), like after terminate().
        for (std::uint32_t p = 0; p < x.s.num_processes(); ++p) {
            if (is_live_daemon_child(x.s, p, x.proc) && pending_signal(x.s, p) == 0)
                x.set_pword_of(p, lp::kFlags,
                               x.pword_of(p, lp::kFlags) | kSignalAtParentExit << lp::kSignalShift);
        }
        set_stage(x, ExitStage::join_children);
        break;
    case ExitStage::join_children:
        if (!all_children_ended(x)) return Outcome::blocked;
        set_stage(x, ExitStage::join_feeders);
        break;
    case ExitStage::join_feeders:
        if (!all_feeders_joined(x)) return Outcome::blocked;
        set_stage(x, ExitStage::finish);
        break;
    case ExitStage::finish:
        end_process(x, x.proc, 0);
        return Outcome::done;
    case ExitStage::none:
        MPCHECK_UNREACHABLE("exit step of a process that is not exiting");
    }
    skip_idle_stages(x);
    return Outcome::stay;
}

void end_process(Exec& x, std::uint32_t victim, int signal) {
    const bool killed = signal > 0;
    const SourceLoc loc = current_loc(x, victim);
    // A lock left held by the last process to end can hurt nobody: not abandoned.
    if (killed || others_alive(x.s, victim)) report_abandoned_locks(x, victim, loc);
    if (killed) unlink_dropped_semlocks(x, victim);
    close_descriptors(x, victim, loc, killed);
    drop_views(x, victim, loc, killed);
    // The dead process's frames are gone: erase them so equal outcomes are equal states.
    Exec v(x.prog, x.method, x.s, x.facts, victim, 0, x.values);
    while (v.depth() > 0)
        pop_frame(v);
    x.set_pword_of(victim, lp::kStage, 0);
    if (killed) {
        x.set_pword_of(victim, lp::kExitCode, Value::integer(-signal).bits());
        x.set_pword_of(victim, lp::kStatus, static_cast<std::uint32_t>(ProcStatus::killed));
    } else {
        x.set_pword_of(victim, lp::kStatus, static_cast<std::uint32_t>(ProcStatus::exited));
    }
}

int pending_signal(const State& s, std::uint32_t p) {
    return signal_number(signal_code(s, p));
}

bool signalled_at_parent_exit(const State& s, std::uint32_t p) {
    return signal_code(s, p) == kSignalAtParentExit;
}

void send_signal(Exec& x, std::uint32_t p, int signal) {
    if (pending_signal(x.s, p) != 0) return; // the first one decides how it dies
    x.set_pword_of(p, lp::kFlags,
                   x.pword_of(p, lp::kFlags) | (signal == 9 ? kSignalKill : kSignalTerminate)
                                                   << lp::kSignalShift);
}

Outcome die_of_signal(Exec& x) {
    const std::uint32_t code = signal_code(x.s, x.proc);
    const int signal = signal_number(code);
    x.set_pword(lp::kFlags, x.pword(lp::kFlags) & ~lp::kSignalMask);
    const std::size_t facts_before = x.facts.size();
    end_process(x, x.proc, signal);
    if (code == kSignalAtParentExit && !others_remain(x.s, x.pword(lp::kParent) - 1)) {
        // When nobody but the exiting parent and its dying daemons is left, a lock or queue a
        // daemon leaves broken can hurt no one (the documented daemon-worker pattern ends this
        // way); anything the parent itself would then wait for is still found as a deadlock.
        // Lost data is still reported.
        const auto harmless = [](const Fact& f) {
            return f.kind == FactKind::abandoned_lock || f.kind == FactKind::broken_queue;
        };
        x.facts.erase(std::remove_if(x.facts.begin() + static_cast<std::ptrdiff_t>(facts_before),
                                     x.facts.end(), harmless),
                      x.facts.end());
    }
    return Outcome::done;
}

namespace {
// The channel of the read(2) the acting process is blocked in, if it has bytes to give.
std::optional<channel::Ref> read_in_progress(Exec& x) {
    if (x.depth() == 0 || static_cast<ProcStatus>(x.pword(lp::kStatus)) != ProcStatus::running)
        return std::nullopt;
    const Op op = x.instr().op;
    const std::optional<channel::Ref> ch = op == Op::conn_recv   ? conn_read_in_progress(x)
                                           : op == Op::queue_get ? queue_read_in_progress(x)
                                                                 : std::nullopt;
    if (!ch || channel::corrupt(x.s, ch->at) || channel::head_available(x.s, ch->at, sizer(x)) == 0)
        return std::nullopt;
    return ch;
}
} // namespace

bool reads_message(Exec& x) {
    return read_in_progress(x).has_value();
}

Outcome read_and_die(Exec& x) {
    const auto ch = read_in_progress(x);
    MPCHECK_ASSERT(ch.has_value());
    Value ignored;
    (void)channel::read_some(*ch, sizer(x), ignored, channel::one_read(x.s, ch->at, sizer(x)));
    return die_of_signal(x);
}

namespace {
// Resets the registers of the top frame that are dead at its instruction (see liveness.hpp).
void clear_dead_registers(Exec& x) {
    const std::uint32_t f = x.frame();
    const Function& fn = x.prog.functions[x.s.word(f + lf::kFunc)];
    if (fn.dead_at.empty()) return;
    // Registers that are absent already are left alone, as unwritten words cost nothing to undo.
    constexpr std::uint32_t kAbsent = Value::absent().bits();
    const std::uint32_t regs = f + lf::kRegs;
    const std::uint32_t* const words = x.s.words().data(); // set_word never reallocates
    for (const Reg r : fn.dead_at[words[f + lf::kPc]]) {
        const std::uint32_t w = words[regs + r];
        if (w == kAbsent) continue;
        // A variable holds its value until rebound, which matters where dropping it has an
        // effect (references.hpp); temporaries die at once, as in CPython.
        const Value v = Value::from_bits(w);
        if ((v.tag() == Value::Tag::object || v.tag() == Value::Tag::sequence) && fn.variables[r] &&
            keeps_reference(x, v))
            continue;
        x.s.set_word(regs + r, kAbsent);
    }
}
} // namespace

namespace {

// Whether writing `now` over `old` leaves no object unreferenced: `old` holds none, or is the
// same value.
bool overwrite_drops_nothing(Value old, Value now) {
    return (old.tag() != Value::Tag::object && old.tag() != Value::Tag::sequence) || old == now;
}

// Whether a local operation can leave no object unreferenced: control flow that writes
// nothing, a constant or a copy into a register that holds no object (or the same one), a bound
// global loaded likewise, a store into a global that holds none. Every other one (a return, a
// raise, a rebinding of an object, anything that may raise and unwind) may drop what another
// process watches, so run_locals tries it on a copy first.
bool drops_nothing(const Exec& x, const Instr& in) {
    switch (in.op) {
    case Op::nop:
    case Op::jump:
    case Op::jump_if_false:
    case Op::jump_if_true:
        return true;
    case Op::move:
        return overwrite_drops_nothing(x.reg(in.dst), x.reg(in.a));
    case Op::load_const:
    case Op::str_const:
    case Op::bytes_const:
    case Op::getpid:
    case Op::process_name:
    case Op::name_is_main:
        return overwrite_drops_nothing(x.reg(in.dst), Value::none());
    case Op::load_global: {
        // NameError (which unwinds) only for a name that is not bound.
        const Value global = x.global(static_cast<std::uint32_t>(in.imm));
        return !global.is_absent() && overwrite_drops_nothing(x.reg(in.dst), global);
    }
    case Op::store_global:
        return overwrite_drops_nothing(x.global(static_cast<std::uint32_t>(in.imm)), x.reg(in.a));
    default:
        return false;
    }
}

} // namespace

void run_locals(Exec& x) {
    // A loop with no visible step could run forever inside one step; the bound turns that
    // into an honest "model limit" instead of a hang.
    constexpr int kBudget = 1'000'000;
    // Named SemLocks a spawn child has yet to unpickle: a local operation that unlinks one
    // (the return or rebinding that drops it, the return that ends the process) is visible to
    // that child, so it is not fused into this step (rare: such a child's first steps only).
    // While there is any such object, each local operation is tried on a copy first.
    std::vector<std::uint32_t> awaited;
    if (args_pending(x)) semlocks_awaited(x, awaited);
    // Likewise a Connection end whose drop closes it while another process holds its pipe
    // (those dropped already are forgotten before the first operation that may drop one: the
    // operations before it drop nothing, so the answer is the same, and most steps have none).
    std::vector<std::uint32_t> watched;
    connections_watched(x, watched);
    bool forgot_dropped = false;
    for (int budget = kBudget; budget > 0; --budget) {
        if (x.depth() == 0 || static_cast<ProcStatus>(x.pword(lp::kStatus)) != ProcStatus::running)
            return;
        const Instr& in = x.instr();
        if (!is_local(in.op)) {
            clear_dead_registers(x);
            return;
        }
        const bool may_drop = (!awaited.empty() || !watched.empty()) && !drops_nothing(x, in);
        if (may_drop && !forgot_dropped) {
            forget_dropped(x, watched);
            forgot_dropped = true;
        }
        if (may_drop && (!awaited.empty() || !watched.empty())) {
            // The copy's buffers are reused from call to call (one per thread, as the model's
            // own scratch states are).
            thread_local State before;
            before = x.s;
            const std::size_t facts_before = x.facts.size();
            exec_local(x, in);
            if (any_unlinked(x, awaited) || any_dropped(x, watched)) {
                // Undone: it is the process's next step.
                x.s = before;
                x.facts.resize(facts_before);
                return;
            }
            if (in.op == Op::ret && loads_args_next(x)) return;
            continue;
        }
        exec_local(x, in);
        // A spawn child that has re-run the main module unpickles its args in a step of its own.
        if (in.op == Op::ret && loads_args_next(x)) return;
    }
    x.fact(FactKind::model_limit, "a loop runs forever without any multiprocessing operation");
}

} // namespace mpcheck::model::detail
