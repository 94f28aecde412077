#include "model/model.hpp"

#include "model/exec.hpp"
#include "model/lifecycle.hpp"
#include "model/liveness.hpp"
#include "model/process_name.hpp"
#include "model/semantics.hpp"
#include "model/spawn_args.hpp"

#include <sstream>

namespace mpcheck::model {

using detail::Exec;
using detail::Outcome;
namespace lp = layout::proc;
namespace lv = layout::view;

namespace {

Outcome exec_choose(Exec& x) {
    // alt 0: False, alt 1: True.
    if (x.alt == 0) x.more_alts = true;
    x.set_reg(x.instr().dst, Value::boolean(x.alt == 1));
    x.advance();
    return Outcome::done;
}

// A module-level resource used by the child that re-created it while re-importing the main
// module under spawn: each process has its own, so nothing is shared (spec §9).
void check_shared(Exec& x, std::uint32_t frame, const Function& fn, const Instr& in) {
    namespace lf = layout::frame;
    if (x.s.word(frame + lf::kPhase) != 0 || in.a >= fn.num_regs) return;
    const Value v = Value::from_bits(x.s.word(frame + lf::kRegs + in.a));
    if (v.tag() != Value::Tag::object || v.as_object() >= x.s.num_objects()) return;
    if ((x.oword(v.as_object(), layout::obj::kOrigin) & layout::obj::kOriginModuleCopy) == 0)
        return;
    if (x.kind_of(v.as_object()) == ObjKind::process_handle) return;
    x.fact(FactKind::unshared_resource,
           "is a different object in this process than in its parent: it was re-created when "
           "the child re-imported the main module (pass it to the child in args instead)",
           v.as_object());
}

Outcome exec_visible(Exec& x) {
    // The acting frame, its function and instruction, looked up once for the checks below.
    const std::uint32_t frame = x.frame();
    const Function& fn = x.prog.functions[x.s.word(frame + layout::frame::kFunc)];
    const Instr& in = fn.code[x.s.word(frame + layout::frame::kPc)];
    check_shared(x, frame, fn, in);
    switch (in.op) {
    case Op::choose:
        return exec_choose(x);
    case Op::process_new:
    case Op::process_start:
    case Op::process_join:
    case Op::process_terminate:
    case Op::process_kill:
    case Op::process_close:
    case Op::process_is_alive:
    case Op::process_exitcode:
    case Op::process_set_daemon:
        return detail::exec_process_op(x);
    case Op::queue_new:
    case Op::queue_put:
    case Op::queue_get:
    case Op::queue_close:
    case Op::queue_join_thread:
    case Op::queue_cancel_join_thread:
    case Op::queue_empty:
    case Op::queue_full:
    case Op::queue_qsize:
    case Op::queue_task_done:
    case Op::queue_join:
        return detail::exec_queue_op(x);
    case Op::sem_new:
    case Op::sem_acquire:
    case Op::sem_release:
    case Op::sem_get_value:
    case Op::cond_new:
    case Op::cond_wait:
    case Op::cond_notify:
    case Op::event_new:
    case Op::event_set:
    case Op::event_clear:
    case Op::event_is_set:
    case Op::event_wait:
        return detail::exec_sync_op(x);
    case Op::barrier_new:
    case Op::barrier_wait:
    case Op::barrier_abort:
        return detail::exec_barrier_op(x);
    case Op::value_new:
    case Op::value_load:
    case Op::value_store:
    case Op::value_get_lock:
        return detail::exec_shared_op(x);
    case Op::pipe_new:
    case Op::conn_send:
    case Op::conn_recv:
    case Op::conn_poll:
    case Op::conn_close:
        return detail::exec_conn_op(x);
    case Op::file_open:
    case Op::file_write:
    case Op::file_flush:
    case Op::file_close:
        return detail::exec_file_op(x);
    default:
        // A local operation is a step of its own when a local run hit its budget, or when it
        // drops an object another process can see die: a named SemLock a spawn child has yet
        // to unpickle, a Connection end whose pipe another process holds (run_locals).
        detail::exec_local(x);
        return Outcome::done;
    }
}

ProcStatus status_of(const State& s, std::uint32_t p) {
    return static_cast<ProcStatus>(s.word(s.process_offset(p) + lp::kStatus));
}

// Executes one step of `actor`; the result is in x.s (which the caller copied).
Outcome step(Exec& x, std::uint32_t actor) {
    const std::uint32_t nproc = x.s.num_processes();
    if (actor >= nproc) return detail::feeder_step(x, actor - nproc);
    if (detail::pending_signal(x.s, actor) != 0) {
        // Alternative 0: it dies now. 1: a message it is in the middle of writing goes on, or
        // the read(2) it is blocked in returns bytes that have come, and it dies then. A spawn
        // child that has not unpickled its args is still starting up, in no read or write of
        // its target's.
        if (detail::loads_args_next(x)) {
            if (x.alt != 0) return Outcome::blocked;
            return detail::die_of_signal(x);
        }
        if (x.alt != 0) {
            if (x.alt != 1) return Outcome::blocked;
            if (detail::writes_message(x)) return exec_visible(x);
            return detail::reads_message(x) ? detail::read_and_die(x) : Outcome::blocked;
        }
        x.more_alts = detail::writes_message(x) || detail::reads_message(x);
        return detail::die_of_signal(x);
    }
    const ProcStatus st = status_of(x.s, actor);
    if (st == ProcStatus::exiting) return detail::exit_step(x);
    const Outcome o = detail::loads_args_next(x) ? detail::load_args(x) : exec_visible(x);
    if (o != Outcome::blocked) detail::run_locals(x);
    return o;
}

std::uint32_t actor_proc(const State& s, std::uint32_t actor) {
    if (actor < s.num_processes()) return actor;
    return s.word(s.view_offset(actor - s.num_processes()) + lv::kProc);
}

// Whether `actor`, of process `proc` (actor_proc), may take a step at all.
bool may_move(const State& s, std::uint32_t actor, std::uint32_t proc) {
    const ProcStatus st = status_of(s, proc);
    if (st != ProcStatus::running && st != ProcStatus::exiting) return false;
    if (actor < s.num_processes()) return true;
    return detail::feeder_alive(s, actor - s.num_processes());
}

// The working copy and fact list of one successors() call.
struct TryBuffers {
    State scratch;
    std::vector<Fact> facts;
    bool busy = false; ///< a successors() call on this thread uses them
};

// Marks buffers as in use for the lifetime of the guard.
class BusyGuard {
public:
    explicit BusyGuard(bool& busy) : busy_(busy) { busy_ = true; }
    ~BusyGuard() { busy_ = false; }
    BusyGuard(const BusyGuard&) = delete;
    BusyGuard& operator=(const BusyGuard&) = delete;

private:
    bool& busy_;
};

} // namespace

const char* op_name(Op op) {
    switch (op) {
#define MPCHECK_OP(name, kind, text)                                                               \
    case Op::name:                                                                                 \
        return text;
#include "model/op_kinds.def"
#undef MPCHECK_OP
    }
    return "?";
}

const char* python_name(ExcType type) {
    switch (type) {
#define MPCHECK_EXC(name, python, base)                                                            \
    case ExcType::name:                                                                            \
        return python;
#include "model/exc_types.def"
#undef MPCHECK_EXC
    }
    return "Exception";
}

namespace {
ExcType base_of(ExcType type) {
    switch (type) {
#define MPCHECK_EXC(name, python, base)                                                            \
    case ExcType::name:                                                                            \
        return ExcType::base;
#include "model/exc_types.def"
#undef MPCHECK_EXC
    }
    return ExcType::base_exception;
}
} // namespace

bool is_subclass(ExcType type, ExcType base) {
    for (;;) {
        if (type == base) return true;
        const ExcType parent = base_of(type);
        if (parent == type) return false; // BaseException, the root
        type = parent;
    }
}

Model::Model(Program program, StartMethod default_start_method)
    : program_(std::move(program)), start_method_(default_start_method) {
    compute_liveness(program_);
    for (const Function& f : program_.functions) {
        for (const Instr& in : f.code)
            program_.makes_pipes = program_.makes_pipes || in.op == Op::pipe_new;
    }
}

State Model::initial_state(std::vector<Fact>* out) const {
    std::vector<Fact> facts;
    State s = State::empty();
    const Function& module = program_.functions[program_.module];
    const auto globals = static_cast<std::uint32_t>(program_.globals.size());
    const std::uint32_t p =
        s.add_process(lp::kGlobals + globals + layout::frame::kRegs + module.num_regs);
    const std::uint32_t base = s.process_offset(p);
    s.set_word(base + lp::kStatus, static_cast<std::uint32_t>(ProcStatus::running));
    s.set_word(base + lp::kExitCode, Value::none().bits());
    s.set_word(base + lp::kFlags,
               lp::kFlagIsMain | lp::kFlagStarted | (std::uint32_t{1} << lp::kSlotShift));
    s.set_word(base + lp::kDepth, 1);
    s.set_word(base + lp::kTarget, program_.module);
    for (std::uint32_t g = 0; g < globals; ++g)
        s.set_word(base + lp::kGlobals + g, Value::absent().bits());
    const std::uint32_t frame = base + lp::kGlobals + globals;
    s.set_word(frame + layout::frame::kFunc, program_.module);
    for (std::uint32_t r = 0; r < module.num_regs; ++r)
        s.set_word(frame + layout::frame::kRegs + r, Value::absent().bits());
    Exec x(program_, start_method_, s, facts, 0, 0, values_.get());
    detail::run_locals(x);
    if (out != nullptr) *out = facts;
    return s;
}

void Model::successors(const State& state, SuccessorSink& sink) const {
    // Reused per thread so that their buffers stay allocated; a sink that asks for successors
    // again gets buffers of its own, since the inner call would change the outer scratch.
    thread_local TryBuffers reused;
    if (reused.busy) {
        TryBuffers own;
        successors_in(state, sink, own.scratch, own.facts);
        return;
    }
    const BusyGuard guard(reused.busy);
    successors_in(state, sink, reused.scratch, reused.facts);
}

void Model::successors_in(const State& state, SuccessorSink& sink, State& scratch,
                          std::vector<Fact>& facts) const {
    // Each try starts from a copy of `state`; undoing what the previous try wrote is cheaper
    // than a new copy, and free after a try that wrote nothing (most blocked ones).
    scratch.copy_from(state);
    const std::uint32_t actors = state.num_processes() + state.num_views();
    const std::uint32_t nproc = state.num_processes();
    for (std::uint32_t actor = 0; actor < actors; ++actor) {
        const std::uint32_t proc = actor_proc(state, actor);
        if (!may_move(state, actor, proc)) continue;
        // A waiting feeder has no successor and no alternative: no need to try it.
        if (actor >= nproc && detail::feeder_waits(state, actor - nproc)) continue;
        for (std::uint32_t alt = 0;; ++alt) {
            scratch.revert_to(state);
            facts.clear();
            Exec x(program_, start_method_, scratch, facts, proc, alt, values_.get());
            if (step(x, actor) != Outcome::blocked) sink.on_successor({actor, alt}, scratch, facts);
            if (!x.more_alts) break;
        }
    }
}

bool Model::apply(const State& state, const Action& action, State& next,
                  std::vector<Fact>& facts) const {
    const std::uint32_t actors = state.num_processes() + state.num_views();
    if (action.actor >= actors) return false;
    const std::uint32_t proc = actor_proc(state, action.actor);
    if (!may_move(state, action.actor, proc)) return false;
    next = state;
    facts.clear();
    Exec x(program_, start_method_, next, facts, proc, action.alt, values_.get());
    return step(x, action.actor) != Outcome::blocked;
}

bool Model::is_final(const State& state) const {
    for (std::uint32_t p = 0; p < state.num_processes(); ++p) {
        const ProcStatus st = status_of(state, p);
        if (st == ProcStatus::running || st == ProcStatus::exiting) return false;
    }
    return true;
}

std::string Model::process_name(const State& state, std::uint32_t proc) const {
    return model::process_name(program_, values_->strings, state, proc);
}

std::string Model::object_name(const State& state, std::uint32_t obj) const {
    const TextId text = state.word(state.object_offset(obj) + layout::obj::kName);
    if (text != kNoText) return std::string(program_.text(text));
    return "object#" + std::to_string(obj);
}

SourceLoc Model::location(const State& state, std::uint32_t proc) const {
    State copy = state;
    std::vector<Fact> facts;
    Exec x(program_, start_method_, copy, facts, proc, 0, values_.get());
    if (x.depth() == 0) return {};
    return x.instr().loc;
}

namespace {

// Where a process signalled before it has run its pending local operations is shown: a spawn
// child that has not unpickled its args at its target's def (where that step is shown); else at
// the visible operation after the straight run of local ones that evaluate its arguments, which
// is where the source reads as being; where control flow comes first, the next operation.
SourceLoc resume_loc(const detail::Exec& x) {
    if (detail::loads_args_next(x)) return detail::load_args_loc(x);
    const std::vector<Instr>& code = x.function().code;
    for (std::uint32_t pc = x.pc(); pc < code.size(); ++pc) {
        const Op op = code[pc].op;
        if (!is_local(op)) return code[pc].loc;
        switch (op) {
        case Op::jump:
        case Op::jump_if_false:
        case Op::jump_if_true:
        case Op::call:
        case Op::ret:
        case Op::raise:
        case Op::assert_true:
        case Op::sys_exit:
            return x.instr().loc;
        default:
            break;
        }
    }
    return x.instr().loc;
}

// What a step of Connection.send did when it did not finish the send: a large message goes in
// part by part (one write(2), or one socket buffer, per step), and a socket writer that finds the
// charge at its budget goes to sleep.
std::string send_step_note(detail::Exec& x) {
    const bool was_asleep = detail::send_asleep(x.phase());
    if (step(x, x.proc) != Outcome::stay) return "";
    if (detail::send_asleep(x.phase()))
        return was_asleep ? "" : " (the socket is full: it sleeps until the reader frees room)";
    const auto progress = detail::conn_send_progress(x);
    if (!progress) return "";
    return " (" + std::to_string(progress->first) + " of " + std::to_string(progress->second) +
           " bytes written)";
}

// What a read or write of a shared Value's integer saw (`v.value += 1` is both, one step each:
// the trace of a lost update shows both readers read the same value).
std::string value_step_note(const detail::Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    if (v.tag() != Value::Tag::object || x.kind_of(v.as_object()) != ObjKind::shared_value)
        return "";
    const Value n = in.op == Op::value_load
                        ? Value::from_bits(x.oword(v.as_object(), layout::shared_value::kValue))
                        : x.reg(in.b);
    if (!n.is_number()) return "";
    return (in.op == Op::value_load ? " (reads " : " (writes ") + std::to_string(n.as_number()) +
           ")";
}

} // namespace

StepInfo Model::describe(const State& state, const Action& action) const {
    StepInfo info;
    info.proc = actor_proc(state, action.actor);
    if (action.actor >= state.num_processes()) {
        const std::uint32_t v = state.view_offset(action.actor - state.num_processes());
        info.feeder = true;
        info.obj = state.word(v + lv::kObj);
        const std::string q = object_name(state, info.obj);
        switch (state.word(v + lv::kFeederPhase)) {
        case detail::kFeederIdle:
            info.action = state.word(v + lv::kCount) == 0
                              ? "feeder of " + q + " takes the close sentinel and ends"
                              : "feeder of " + q + " takes the next buffered item";
            break;
        case detail::kFeederHolding:
            info.action = "feeder of " + q + " acquires the queue's writer lock";
            break;
        default: {
            // A large item's length header is a write(2) of its own (write_pipe).
            State copy = state;
            std::vector<Fact> facts;
            const detail::Exec x(program_, start_method_, copy, facts, info.proc, 0, values_.get());
            const std::uint32_t at = state.object_offset(info.obj) + layout::queue::kChannel;
            info.action = detail::channel::header_write_next(state, at, detail::sizer(x))
                              ? "feeder of " + q + " writes the item's length header into the pipe"
                              : "feeder of " + q + " writes the item into the pipe";
            break;
        }
        }
        return info;
    }
    State copy = state;
    std::vector<Fact> facts;
    Exec x(program_, start_method_, copy, facts, info.proc, action.alt, values_.get());
    if (const int signal = detail::pending_signal(state, info.proc);
        signal != 0 && action.alt == 0) {
        info.action = signal == 9 ? "dies of SIGKILL (kill())"
                      : detail::signalled_at_parent_exit(state, info.proc)
                          ? "dies of SIGTERM (daemonic: its parent's exit terminates it)"
                          : "dies of SIGTERM (terminate())";
        if (status_of(state, info.proc) == ProcStatus::running && x.depth() > 0)
            info.loc = resume_loc(x); // where it was
        return info;
    }
    if (status_of(state, info.proc) == ProcStatus::exiting || x.depth() == 0) {
        switch (static_cast<ExitStage>(x.pword(lp::kStage))) {
        case ExitStage::terminate_daemons:
            info.action = "exit: terminates daemonic children";
            break;
        case ExitStage::join_children:
            info.action = "exit: joins its children";
            break;
        case ExitStage::join_feeders:
            info.action = "exit: joins its queue feeder threads";
            break;
        default:
            info.action = "exits";
            break;
        }
        return info;
    }
    if (detail::loads_args_next(x)) {
        info.loc = detail::load_args_loc(x);
        info.action = "unpickles its args (after re-running the main module)";
        return info;
    }
    const Instr& in = x.instr();
    info.loc = in.loc;
    info.action = in.text != kNoText ? std::string(program_.text(in.text)) : op_name(in.op);
    if (in.wait == Wait::timeout && action.alt == 1) info.action += " times out";
    if (in.op == Op::conn_send) info.action += send_step_note(x);
    if (in.op == Op::value_load || in.op == Op::value_store) info.action += value_step_note(x, in);
    if (in.op == Op::choose) info.action += action.alt == 1 ? " -> True" : " -> False";
    // A return taken as a step of its own (it drops what another process can see die).
    if (in.op == Op::ret) {
        const bool ends = x.depth() == 1;
        info.action =
            ends ? "ends its code and begins to exit" : "returns from " + x.function().name;
        if (ends || in.loc.line == 0) info.loc = {};
    }
    return info;
}

std::string Model::blocked_reason(const State& state, std::uint32_t proc) const {
    State copy = state;
    std::vector<Fact> facts;
    Exec x(program_, start_method_, copy, facts, proc, 0, values_.get());
    const ProcStatus st = status_of(state, proc);
    if (st == ProcStatus::exiting) {
        switch (static_cast<ExitStage>(x.pword(lp::kStage))) {
        case ExitStage::join_children:
            return "cannot exit: waits for its children to exit";
        case ExitStage::join_feeders:
            return "cannot exit: waits for its queue feeder thread to flush the buffer into the "
                   "pipe";
        default:
            return "exiting";
        }
    }
    if (x.depth() == 0) return "not running";
    const Instr& in = x.instr();
    std::string what = in.text != kNoText ? std::string(program_.text(in.text)) : op_name(in.op);
    return "blocked in " + what + " at line " + std::to_string(in.loc.line);
}

std::string Model::dump(const State& state) const {
    std::ostringstream out;
    for (std::uint32_t p = 0; p < state.num_processes(); ++p) {
        out << process_name(state, p) << ": status "
            << state.word(state.process_offset(p) + lp::kStatus);
        if (status_of(state, p) == ProcStatus::running)
            out << " at line " << location(state, p).line;
        out << "\n";
    }
    out << "words:";
    for (const std::uint32_t w : state.words())
        out << ' ' << w;
    out << "\n";
    return out.str();
}

} // namespace mpcheck::model
