#include "model/liveness.hpp"

#include <vector>

namespace mpcheck::model {

namespace {

struct Operands {
    std::vector<Reg> uses;
    std::vector<Reg> defs;
};

// Which registers an instruction reads and writes. Operations not listed are treated
// conservatively: they may read a, b, c and dst, and define nothing.
Operands operands(const Instr& in) {
    switch (in.op) {
    case Op::nop:
    case Op::jump:
    case Op::print:
    case Op::sleep:
    case Op::fix_context:
        return {};
    case Op::load_const:
    case Op::load_global:
    case Op::name_is_main:
    case Op::choose:
        return {{}, {in.dst}};
    case Op::move:
    case Op::unary:
    case Op::exc_matches:
    case Op::queue_new:
    case Op::sem_new:
    case Op::cond_new:
    case Op::process_is_alive:
    case Op::process_exitcode:
    case Op::queue_get:
    case Op::queue_empty:
    case Op::queue_full:
    case Op::queue_qsize:
    case Op::sem_acquire:
    case Op::sem_get_value:
    case Op::cond_wait:
    case Op::event_is_set:
    case Op::event_wait:
    case Op::conn_recv:
    case Op::conn_poll:
    case Op::barrier_new:
    case Op::barrier_wait:
    case Op::percent_args:
    case Op::seq_sorted:
    case Op::dict_view:
    case Op::value_load:
    case Op::value_get_lock:
        return {{in.a}, {in.dst}};
    case Op::binary:
    case Op::seq_get:
    case Op::value_new:
        return {{in.a, in.b}, {in.dst}};
    case Op::str_method:
    case Op::dict_get:
        return {{in.a, in.b, in.c}, {in.dst}};
    case Op::event_new:
    case Op::file_open:
        return {{}, {in.dst}};
    case Op::pipe_new:
        return {{}, {in.dst, static_cast<Reg>(in.dst + 1)}};
    case Op::jump_if_false:
    case Op::jump_if_true:
    case Op::store_global:
    case Op::ret:
    case Op::raise:
    case Op::assert_true:
    case Op::sys_exit:
    case Op::seq_unpack:
        return {{in.a}, {}};
    case Op::process_set_name:
    case Op::value_store:
        return {{in.a, in.b}, {}};
    case Op::call:
    case Op::make_seq:
    case Op::process_new: {
        Operands o;
        for (Reg r = 0; r < in.b; ++r)
            o.uses.push_back(static_cast<Reg>(in.a + r));
        if (in.op == Op::process_new) o.uses.push_back(in.c);
        o.defs.push_back(in.dst);
        return o;
    }
    default:
        return {{in.a, in.b, in.c, in.dst}, {}};
    }
}

// Registers an instruction may write, a superset: its dst (even where it writes none) and, for
// Pipe(), the register after it. (A call writes its dst when the callee returns; the callee's
// registers are another frame's.)
std::vector<Reg> writes(const Instr& in) {
    if (in.op == Op::pipe_new) return {in.dst, static_cast<Reg>(in.dst + 1)};
    return {in.dst};
}

// For each instruction, the registers that may hold a value other than "absent" when the
// acting frame arrives there (forward may-analysis). A frame starts with its arguments, so at
// entry any register may be set. A step that ends at a visible instruction resets the
// registers dead there, so leaving one (other than the entry, which a new process may run
// without arriving there first) only the registers it may write are added; re-running it after
// a phase is an edge to itself. A handler is entered with its exception register set.
std::vector<std::vector<bool>> maybe_set(const Function& fn,
                                         const std::vector<std::vector<std::size_t>>& succ) {
    const std::size_t n = fn.code.size();
    const std::size_t regs = fn.num_regs;
    std::vector<std::vector<bool>> set(n, std::vector<bool>(regs, false));
    if (n == 0) return set;
    set[0].assign(regs, true);
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t k = 0; k < n; ++k) {
            std::vector<bool> out = set[k];
            const bool resets = k != 0 && !is_local(fn.code[k].op);
            for (std::size_t r = 0; r < regs; ++r) {
                if (resets && !fn.live_in[k][r]) out[r] = false;
            }
            for (const Reg d : writes(fn.code[k])) {
                if (d < regs) out[d] = true;
            }
            const auto merge = [&](std::size_t to, const std::vector<bool>& in) {
                for (std::size_t r = 0; r < regs; ++r) {
                    if (in[r] && !set[to][r]) {
                        set[to][r] = true;
                        changed = true;
                    }
                }
            };
            for (const std::size_t s : succ[k])
                merge(s, out);
            if (resets) merge(k, out);
            for (const Handler& h : fn.handlers) {
                if (k < h.begin || k >= h.end) continue;
                if (h.exc < regs && !set[h.handler][h.exc]) {
                    set[h.handler][h.exc] = true;
                    changed = true;
                }
            }
        }
    }
    return set;
}

void compute(Function& fn) {
    const std::size_t n = fn.code.size();
    const std::size_t regs = fn.num_regs;
    // Successors of each instruction, including the handlers whose region covers it (an
    // exception can be raised almost anywhere).
    std::vector<std::vector<std::size_t>> succ(n);
    for (std::size_t i = 0; i < n; ++i) {
        const Instr& in = fn.code[i];
        const bool falls_through =
            in.op != Op::jump && in.op != Op::ret && in.op != Op::raise && i + 1 < n;
        if (falls_through) succ[i].push_back(i + 1);
        if (in.op == Op::jump || in.op == Op::jump_if_false || in.op == Op::jump_if_true) {
            succ[i].push_back(static_cast<std::size_t>(in.imm));
        }
        for (const Handler& h : fn.handlers) {
            if (i >= h.begin && i < h.end) succ[i].push_back(h.handler);
        }
    }
    std::vector<Operands> ops(n);
    for (std::size_t i = 0; i < n; ++i)
        ops[i] = operands(fn.code[i]);
    fn.live_in.assign(n, std::vector<bool>(regs, false));
    // Parameters are live on entry only if read; nothing else is special. Iterate to a
    // fixed point (backward may-analysis).
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t k = n; k-- > 0;) {
            std::vector<bool> live(regs, false);
            for (const std::size_t s : succ[k]) {
                for (std::size_t r = 0; r < regs; ++r)
                    live[r] = live[r] || fn.live_in[s][r];
            }
            for (const Reg d : ops[k].defs) {
                if (d < regs) live[d] = false;
            }
            for (const Reg u : ops[k].uses) {
                if (u < regs) live[u] = true;
            }
            // A handler's exception register is written when the exception arrives.
            for (const Handler& h : fn.handlers) {
                if (h.handler == k && h.exc < regs) live[h.exc] = false;
            }
            if (live != fn.live_in[k]) {
                fn.live_in[k] = std::move(live);
                changed = true;
            }
        }
    }
    // Steps reset the dead registers after almost every instruction: a list is quicker to
    // walk than the bits. Only registers that may hold a value there need to be listed.
    const std::vector<std::vector<bool>> set = maybe_set(fn, succ);
    fn.dead_at.assign(n, {});
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t r = 0; r < regs; ++r) {
            if (!fn.live_in[k][r] && set[k][r]) fn.dead_at[k].push_back(static_cast<Reg>(r));
        }
    }
}

} // namespace

void compute_liveness(Program& program) {
    for (Function& fn : program.functions) {
        compute(fn);
        // Temporaries are named "$N" (FunctionBuilder::temp); an unnamed register counts as a
        // variable, whose references last longer.
        fn.variables.assign(fn.num_regs, true);
        for (std::size_t r = 0; r < fn.reg_names.size() && r < fn.num_regs; ++r)
            fn.variables[r] = !is_temporary(fn.reg_names[r]);
    }
}

} // namespace mpcheck::model
