#include "model/lifecycle.hpp"
#include "model/references.hpp"
#include "model/semantics.hpp"

#include <array>

/// Process objects: creation, start under each start method, join, terminate/kill, close,
/// is_alive, exitcode, daemon (spec §1).
namespace mpcheck::model::detail {

namespace lp = layout::proc;
namespace lf = layout::frame;
namespace lv = layout::view;
namespace lcn = layout::conn;

namespace {

// Process records are never reused (handles keep reading them), so a program that starts ever
// new processes is stopped as a model limit; 32 may be alive at once (see lp::kSlotMask).
constexpr std::uint32_t kMaxProcesses = 256;

// The start method a child is started with: get_context(m).Process's own, else the default
// context's. Popen then comes from `_default_context.get_context()`, which fixes the parent's
// default context (a later set_start_method() raises).
StartMethod start_method_for(Exec& x, std::uint32_t child) {
    const std::uint32_t bits =
        (x.pword_of(child, lp::kFlags) & lp::kMethodMask) >> lp::kMethodShift;
    if (bits != 0) return static_cast<StartMethod>(bits - 1);
    x.set_pword(lp::kFlags, x.pword(lp::kFlags) | lp::kFlagContextSet);
    return x.default_start_method();
}

// The slot (+ 1) of `child` in per-process bit sets; 0 if none is free. The first 32 processes
// have their own (slot = index + 1, reserved until they end), so the slots, and the states, of
// programs with at most 32 processes do not depend on the order processes started and ended.
// A later process takes the lowest slot that no process alive or yet to start has and that no
// bit set still holds (a dead holder's bit stays in a semaphore for the abandoned-lock report).
std::uint32_t free_slot(const Exec& x, std::uint32_t child) {
    if (child < 32) return child + 1;
    std::uint32_t used = 0;
    for (std::uint32_t p = 0; p < x.s.num_processes(); ++p) {
        if (has_ended(x.s, p)) continue;
        used |= p < 32 ? 1u << p : x.bit(p);
    }
    for (std::uint32_t o = 0; o < x.s.num_objects(); ++o) {
        if (x.kind_of(o) == ObjKind::sem) used |= x.oword(o, layout::sem::kHolders);
        if (x.kind_of(o) == ObjKind::conn) used |= x.oword(o, lcn::kOpen);
    }
    for (std::uint32_t slot = 0; slot < 32; ++slot) {
        if ((used & (1u << slot)) == 0) return slot + 1;
    }
    return 0;
}

// Whether an arg of `child`'s target is, or holds, an object that `bad` finds.
template <typename F> bool some_arg(Exec& x, std::uint32_t child, F&& bad) {
    Exec c(x.prog, x.method, x.s, x.facts, child, 0, x.values);
    const Function& target = x.prog.functions[x.pword_of(child, lp::kTarget)];
    for (Reg r = 0; r < target.num_params; ++r) {
        if (bad(c.reg(r))) return true;
    }
    return false;
}

Outcome process_new(Exec& x, const Instr& in) {
    if (x.s.num_processes() >= kMaxProcesses) {
        x.fact(FactKind::model_limit, "more than 256 processes over the program's life");
        return Outcome::stay;
    }
    std::array<Value, 64> args{};
    MPCHECK_ASSERT(in.b <= args.size());
    for (Reg i = 0; i < in.b; ++i)
        args[i] = x.reg(static_cast<Reg>(in.a + i));
    const Value daemon_arg = x.reg(in.c);
    const bool daemon = daemon_arg.is_none() || daemon_arg.is_absent()
                            ? (x.pword(lp::kFlags) & lp::kFlagDaemon) != 0
                            : x.truthy(daemon_arg);
    const auto fn = static_cast<FuncId>(in.imm);
    const Function& target = x.prog.functions[fn];
    const auto globals = static_cast<std::uint32_t>(x.prog.globals.size());
    const std::uint32_t child_no = x.pword(lp::kChildCount) + 1;
    x.set_pword(lp::kChildCount, child_no);

    const std::uint32_t p = x.s.add_process(lp::kGlobals + globals + lf::kRegs + target.num_regs);
    x.set_pword_of(p, lp::kParent, x.proc + 1);
    x.set_pword_of(p, lp::kStatus, static_cast<std::uint32_t>(ProcStatus::not_started));
    x.set_pword_of(p, lp::kExitCode, Value::none().bits());
    x.set_pword_of(p, lp::kFlags,
                   (daemon ? lp::kFlagDaemon : 0) |
                       (static_cast<std::uint32_t>(in.context) << lp::kMethodShift));
    x.set_pword_of(p, lp::kNameNo, child_no);
    x.set_pword_of(p, lp::kDepth, 1);
    x.set_pword_of(p, lp::kTarget, fn);
    const std::uint32_t base = x.s.process_offset(p);
    for (std::uint32_t g = 0; g < globals; ++g) {
        x.s.set_word(base + lp::kGlobals + g, Value::absent().bits());
    }
    const std::uint32_t frame = base + lp::kGlobals + globals;
    x.s.set_word(frame + lf::kFunc, fn);
    for (std::uint32_t r = 0; r < target.num_regs; ++r) {
        x.s.set_word(frame + lf::kRegs + r, (r < in.b ? args[r] : Value::absent()).bits());
    }
    const std::uint32_t handle = x.new_object(ObjKind::process_handle, layout::handle::kSize);
    x.set_oword(handle, layout::handle::kProc, p);
    x.set_reg(in.dst, Value::object(handle));
    x.advance();
    return Outcome::done;
}

// Fork: the child is a copy of the parent at start() (spec §1.3): globals as they are now,
// every descriptor, every unflushed file buffer; queues get an empty buffer and no feeder.
void inherit_by_fork(Exec& x, std::uint32_t child) {
    const auto globals = static_cast<std::uint32_t>(x.prog.globals.size());
    for (std::uint32_t g = 0; g < globals; ++g) {
        x.set_pword_of(child, lp::kGlobals + g, x.pword(lp::kGlobals + g));
    }
    for (std::uint32_t o = 0; o < x.s.num_objects(); ++o) {
        if (x.kind_of(o) != ObjKind::conn || !open_here(x, o)) continue;
        // An end the parent made and dropped was closed by its __del__: nothing to inherit.
        if (creator_of(x, o) == x.proc && dropped_by_creator(x, o) != 0) {
            x.set_oword(o, lcn::kOpen, x.oword(o, lcn::kOpen) & ~x.bit(x.proc));
            continue;
        }
        x.set_oword(o, lcn::kOpen, x.oword(o, lcn::kOpen) | x.bit(child));
    }
    inherit_closed_simple_queues(x, child);
    // The child is the newest process, so its views sort after every existing one.
    const std::uint32_t existing = x.s.num_views();
    for (std::uint32_t v = 0; v < existing; ++v) {
        const std::uint32_t o = x.s.view_offset(v);
        const std::uint32_t obj = x.s.word(o + lv::kObj);
        if (x.s.word(o + lv::kProc) != x.proc || x.kind_of(obj) != ObjKind::file) continue;
        const std::uint32_t size = x.s.word(o);
        const std::uint32_t copy = x.s.view_offset(x.s.add_view(child, obj, size));
        const std::uint32_t src = x.s.view_offset(x.s.find_view(x.proc, obj));
        for (std::uint32_t w = lv::kFlags; w < size; ++w)
            x.s.set_word(copy + w, x.s.word(src + w));
    }
}

// Spawn/forkserver: a fresh interpreter that re-imports the main module as __mp_main__ and
// receives only what was pickled into args (spec §1.3, §9).
void inherit_by_spawn(Exec& x, std::uint32_t child, bool forkserver) {
    x.set_pword_of(child, lp::kFlags,
                   x.pword_of(child, lp::kFlags) | lp::kFlagSpawned | lp::kFlagRunsModule |
                       (forkserver ? lp::kFlagForkserver : 0));
    Exec c(x.prog, x.method, x.s, x.facts, child, 0, x.values);
    const Function& target = x.prog.functions[x.pword_of(child, lp::kTarget)];
    for (Reg r = 0; r < target.num_params; ++r) {
        const Value v = c.reg(r);
        if (v.tag() == Value::Tag::object && x.kind_of(v.as_object()) == ObjKind::conn) {
            const std::uint32_t o = v.as_object();
            x.set_oword(o, lcn::kOpen, x.oword(o, lcn::kOpen) | x.bit(child));
        }
        if (holds_named_semlocks(x, v))
            x.set_pword_of(child, lp::kFlags, x.pword_of(child, lp::kFlags) | lp::kFlagLoadsArgs);
    }
    c.push_frame(x.prog.module, nullptr, 0);
}

Outcome process_start(Exec& x, std::uint32_t handle) {
    const std::uint32_t child = x.handle_proc(handle);
    const std::uint32_t flags = x.pword_of(child, lp::kFlags);
    if ((flags & lp::kFlagClosed) != 0)
        return x.misuse(ExcType::value_error, "start() on a closed process object", handle);
    if ((flags & lp::kFlagStarted) != 0)
        return x.misuse(ExcType::assertion_error, "cannot start a process twice", handle);
    if (x.pword_of(child, lp::kParent) != x.proc + 1)
        return x.misuse(ExcType::assertion_error,
                        "can only start a process object created by current process", handle);
    if ((x.pword(lp::kFlags) & lp::kFlagDaemon) != 0)
        return x.misuse(ExcType::assertion_error,
                        "daemonic processes are not allowed to have children", handle);
    if ((x.pword(lp::kFlags) & lp::kFlagRunsModule) != 0) {
        // spawn.py: _check_not_importing_main() -- the child is still re-running the main
        // module (no `if __name__ == '__main__':` guard around the start).
        return x.misuse(ExcType::runtime_error,
                        "start() while the child is still importing the main module: the start "
                        "needs an `if __name__ == '__main__':` guard",
                        handle);
    }
    const std::uint32_t slot = free_slot(x, child);
    if (slot == 0) {
        x.fact(FactKind::model_limit, "more than 32 processes alive at once");
        return Outcome::stay;
    }
    const StartMethod method = start_method_for(x, child);
    // Spawn and forkserver pickle the args in the parent (popen_spawn_posix._launch).
    if (method != StartMethod::fork) {
        if (some_arg(x, child, [&](Value v) { return holds_fork_context_semlocks(x, v); }))
            return x.misuse(
                ExcType::runtime_error,
                "start() of a spawn/forkserver child with a Lock or Queue of a fork context in "
                "its args (RuntimeError: its SemLocks cannot be pickled; make them "
                "through the child's context)",
                handle);
        if (some_arg(x, child, [&](Value v) { return holds_connection_closed_here(x, v); }))
            return x.misuse(ExcType::os_error,
                            "start() of a spawn/forkserver child with a closed Connection or "
                            "SimpleQueue in its args (OSError: handle is closed, when it is "
                            "pickled)",
                            handle);
    }
    // Fork copies the parent's default context, fixed or not; spawn's prepare() fixes the
    // child's to the parent's start method (set_start_method(..., force=True)).
    const std::uint32_t context_set = method == StartMethod::fork
                                          ? (x.pword(lp::kFlags) & lp::kFlagContextSet)
                                          : lp::kFlagContextSet;
    const std::uint32_t default_method = (static_cast<std::uint32_t>(x.default_start_method()) + 1)
                                         << lp::kDefaultMethodShift;
    x.set_pword_of(child, lp::kFlags,
                   (flags & ~lp::kDefaultMethodMask) | lp::kFlagStarted | context_set |
                       default_method | (slot << lp::kSlotShift));
    x.set_pword_of(child, lp::kStatus, static_cast<std::uint32_t>(ProcStatus::running));
    if (method == StartMethod::fork) {
        inherit_by_fork(x, child);
    } else {
        inherit_by_spawn(x, child, method == StartMethod::forkserver);
    }
    x.advance();
    Exec c(x.prog, x.method, x.s, x.facts, child, 0, x.values);
    run_locals(c);
    return Outcome::done;
}

// Errors shared by the methods of a Process object (spec §1.2).
Outcome check_usable(Exec& x, std::uint32_t handle, bool need_started, const char* what) {
    const std::uint32_t flags = x.pword_of(x.handle_proc(handle), lp::kFlags);
    if ((flags & lp::kFlagClosed) != 0)
        return x.misuse(ExcType::value_error, "use of a closed process object", handle);
    if (need_started && (flags & lp::kFlagStarted) == 0)
        return x.misuse(ExcType::assertion_error, what, handle);
    return Outcome::done;
}

Outcome process_join(Exec& x, const Instr& in, std::uint32_t handle) {
    if (check_usable(x, handle, true, "can only join a started process") != Outcome::done)
        return Outcome::raised;
    const std::uint32_t child = x.handle_proc(handle);
    if (x.pword_of(child, lp::kParent) != x.proc + 1)
        return x.misuse(ExcType::assertion_error, "can only join a child process", handle);
    if (has_ended(x.s, child)) {
        if (x.alt != 0) return Outcome::blocked;
        x.set_pword_of(child, lp::kFlags, x.pword_of(child, lp::kFlags) | lp::kFlagJoined);
        x.advance();
        return Outcome::done;
    }
    switch (in.wait) {
    case Wait::forever:
        return Outcome::blocked;
    case Wait::timeout:
        // join(timeout) returns None either way; the caller must look at exitcode.
        if (x.alt == 0) {
            x.more_alts = true;
            return Outcome::blocked;
        }
        break;
    case Wait::no_block:
        break;
    }
    x.advance();
    return Outcome::done;
}

Outcome process_signal(Exec& x, std::uint32_t handle, int signal) {
    const std::uint32_t child = x.handle_proc(handle);
    const std::uint32_t flags = x.pword_of(child, lp::kFlags);
    if ((flags & lp::kFlagClosed) != 0)
        return x.misuse(ExcType::value_error, "use of a closed process object", handle);
    if ((flags & lp::kFlagStarted) == 0)
        return x.misuse(ExcType::attribute_error,
                        "terminate()/kill() of a process that was never started", handle);
    const auto st = static_cast<ProcStatus>(x.pword_of(child, lp::kStatus));
    // The child dies in a step of its own (pending_signal).
    if (st == ProcStatus::running || st == ProcStatus::exiting) send_signal(x, child, signal);
    x.advance();
    return Outcome::done;
}

} // namespace

Outcome exec_process_op(Exec& x) {
    const Instr& in = x.instr();
    if (in.op == Op::process_new) return process_new(x, in);
    const std::uint32_t handle = x.object_arg(in.a, ObjKind::process_handle);
    if (handle == State::kNone) return Outcome::raised;
    const std::uint32_t child = x.handle_proc(handle);
    switch (in.op) {
    case Op::process_start:
        return process_start(x, handle);
    case Op::process_join:
        return process_join(x, in, handle);
    case Op::process_terminate:
        return process_signal(x, handle, 15);
    case Op::process_kill:
        return process_signal(x, handle, 9);
    case Op::process_close: {
        const std::uint32_t flags = x.pword_of(child, lp::kFlags);
        if ((flags & lp::kFlagStarted) != 0 && !has_ended(x.s, child))
            return x.misuse(ExcType::value_error,
                            "Cannot close a process while it is still running", handle);
        x.set_pword_of(child, lp::kFlags, flags | lp::kFlagClosed);
        break;
    }
    case Op::process_is_alive: {
        if (check_usable(x, handle, false, "") != Outcome::done) return Outcome::raised;
        if (x.pword_of(child, lp::kParent) != x.proc + 1)
            return x.misuse(ExcType::assertion_error, "can only test a child process", handle);
        const bool started = (x.pword_of(child, lp::kFlags) & lp::kFlagStarted) != 0;
        x.set_reg(in.dst, Value::boolean(started && !has_ended(x.s, child)));
        break;
    }
    case Op::process_exitcode:
        if (check_usable(x, handle, false, "") != Outcome::done) return Outcome::raised;
        x.set_reg(in.dst, has_ended(x.s, child) ? Value::from_bits(x.pword_of(child, lp::kExitCode))
                                                : Value::none());
        break;
    case Op::process_set_daemon: {
        const std::uint32_t flags = x.pword_of(child, lp::kFlags);
        if ((flags & lp::kFlagStarted) != 0)
            return x.misuse(ExcType::assertion_error, "process has already started", handle);
        x.set_pword_of(child, lp::kFlags,
                       x.truthy(x.reg(in.b)) ? flags | lp::kFlagDaemon : flags & ~lp::kFlagDaemon);
        break;
    }
    default:
        MPCHECK_UNREACHABLE("not a process operation");
    }
    x.advance();
    return Outcome::done;
}

} // namespace mpcheck::model::detail
