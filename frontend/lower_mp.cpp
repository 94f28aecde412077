// Calls: user functions, builtins, and the multiprocessing API lowered to visible operations.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::Op;
using model::Reg;
using model::Value;
using model::Wait;

std::uint32_t Lowerer::emit(model::Instr in, std::string_view text) {
    const std::uint32_t pc = fb().emit(in, text);
    const bool creates = in.op == Op::queue_new || in.op == Op::sem_new ||
                         in.op == Op::process_new || in.op == Op::cond_new ||
                         in.op == Op::event_new || in.op == Op::file_open ||
                         in.op == Op::barrier_new || in.op == Op::pipe_new;
    if (creates && !var_.empty()) b_.program().functions[scope_->id].code[pc].name = b_.text(var_);
    return pc;
}

const Expr* Lowerer::arg(const Expr& e, std::size_t index, std::string_view keyword) const {
    if (index + 1 < e.args.size()) return e.args[index + 1].get();
    for (const auto& k : e.keywords) {
        if (k.name == keyword) return k.value.get();
    }
    return nullptr;
}

void Lowerer::check_args(const Expr& e, std::size_t max_positional,
                         std::initializer_list<std::string_view> keywords) const {
    if (e.args.size() > max_positional + 1) {
        const Expr& extra = *e.args[max_positional + 1];
        unsupported("too many arguments in " + src(e.pos), extra.pos.line, extra.pos.column);
    }
    for (const auto& k : e.keywords) {
        bool ok = false;
        for (const auto w : keywords)
            ok = ok || k.name == w;
        if (!ok)
            unsupported("keyword argument '" + k.name + "' in " + src(e.pos), k.value->pos.line,
                        k.value->pos.column);
    }
}

Wait Lowerer::wait_mode(const Expr& e, std::size_t block_index, std::size_t timeout_index,
                        bool default_no_block) {
    const Expr* block = block_index == SIZE_MAX ? nullptr : arg(e, block_index, "block");
    if (block == nullptr && block_index != SIZE_MAX) block = arg(e, block_index, "blocking");
    const Expr* timeout = arg(e, timeout_index, "timeout");
    if (block != nullptr) {
        if (block->kind != ExprKind::constant || block->text == "None")
            unsupported("block argument that is not True or False", block->pos.line,
                        block->pos.column);
        if (block->text == "False") return Wait::no_block;
    }
    if (timeout != nullptr) {
        if (timeout->kind == ExprKind::constant && timeout->text == "None") return Wait::forever;
        if (const auto v = fold_int(*timeout); v && *v <= 0) return Wait::no_block;
        return Wait::timeout;
    }
    return default_no_block ? Wait::no_block : Wait::forever;
}

std::optional<std::string> Lowerer::mp_name(const Expr& callee) const {
    if (callee.kind == ExprKind::name) {
        if (is_local(callee.text)) return std::nullopt;
        const auto it = imports_.find(callee.text);
        if (it != imports_.end() && it->second.starts_with("multiprocessing."))
            return it->second.substr(std::string_view("multiprocessing.").size());
        return std::nullopt;
    }
    if (callee.kind == ExprKind::attribute && callee.args[0]->kind == ExprKind::name &&
        kind_of_name(callee.args[0]->text) == Kind::context)
        return callee.text;
    return std::nullopt;
}

std::string Lowerer::module_of(const Expr& callee) const {
    if (callee.kind == ExprKind::name) {
        const auto it = imports_.find(callee.text);
        return it != imports_.end() && !is_local(callee.text) ? it->second : std::string{};
    }
    if (callee.kind == ExprKind::attribute && callee.args[0]->kind == ExprKind::name &&
        !is_local(callee.args[0]->text)) {
        const auto it = imports_.find(callee.args[0]->text);
        if (it != imports_.end()) return it->second + "." + callee.text;
    }
    return {};
}

Val Lowerer::call(const Expr& e, std::string_view text) {
    const Expr& callee = *e.args[0];
    if (const auto mp = mp_name(callee)) return constructor(*mp, e, text);
    const std::string mod = module_of(callee);
    if (mod == "time.sleep") {
        at(e.pos);
        fb().emit({.op = Op::sleep}, text);
        return Val{constant(Value::none())};
    }
    if (mod == "sys.exit") {
        check_args(e, 1, {});
        const Reg code = e.args.size() > 1 ? expr(*e.args[1]).reg : constant(Value::none());
        at(e.pos);
        fb().emit({.op = Op::sys_exit, .a = code}, text);
        return Val{constant(Value::none())};
    }
    if (!mod.empty()) unsupported("call of " + mod + "()", e.pos.line, e.pos.column);
    if (callee.kind == ExprKind::name && !is_local(callee.text)) {
        const std::string& name = callee.text;
        if (functions_.count(name) != 0) return user_call(name, e, text);
        if (name == "print") {
            for (std::size_t i = 1; i < e.args.size(); ++i) {
                // Only arguments that may have effects (calls) are evaluated.
                const Expr& a = *e.args[i];
                if (a.kind == ExprKind::call) expr(a);
            }
            at(e.pos);
            fb().emit({.op = Op::print}, text);
            return Val{constant(Value::none())};
        }
        if (name == "open") {
            check_args(e, 2, {"mode"});
            if (e.args.size() < 2) unsupported("open() without a path", e.pos.line, e.pos.column);
            const std::string path = const_str(*e.args[1]);
            const Expr* mode = arg(e, 1, "mode");
            if (mode == nullptr || (const_str(*mode) != "w" && const_str(*mode) != "a"))
                unsupported("open() other than for writing ('w' or 'a')", e.pos.line, e.pos.column);
            const Reg t = fb().temp();
            at(e.pos);
            emit({.op = Op::file_open, .dst = t, .imm = static_cast<std::int32_t>(b_.text(path))},
                 text);
            return Val{t, Kind::file};
        }
        if (const auto exc = exc_type_opt(callee)) return Val{constant(Value::exception(*exc))};
        if (name == "range") unsupported("range() outside a for loop", e.pos.line, e.pos.column);
        unsupported("call of '" + name + "'", e.pos.line, e.pos.column);
    }
    if (callee.kind == ExprKind::attribute) {
        const Val obj = expr(*callee.args[0]);
        return method(obj, callee.text, e, text);
    }
    unsupported("call of " + src(callee.pos), e.pos.line, e.pos.column);
}

Val Lowerer::user_call(const std::string& name, const Expr& e, std::string_view text) {
    FunctionInfo& info = functions_[name];
    const auto& params = info.def->params;
    if (!e.keywords.empty())
        unsupported("keyword arguments in a call of a user function", e.pos.line, e.pos.column);
    const std::size_t given = e.args.size() - 1;
    const std::size_t required = params.size() - info.def->defaults.size();
    if (given < required || given > params.size())
        unsupported("call of '" + name + "' with the wrong number of arguments", e.pos.line,
                    e.pos.column);
    std::vector<Val> vals;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Expr& a = i < given ? *e.args[i + 1] : *info.def->defaults[i - required];
        vals.push_back(expr(a));
        if (vals.back().kind != Kind::unknown) info.param_kinds[i] = vals.back().kind;
    }
    const Reg first = pass_args(vals);
    const Reg dst = fb().temp();
    at(e.pos);
    fb().emit({.op = Op::call,
               .dst = dst,
               .a = first,
               .b = static_cast<Reg>(vals.size()),
               .imm = static_cast<std::int32_t>(info.id)},
              text);
    return Val{dst};
}

Reg Lowerer::pass_args(const std::vector<Val>& vals) {
    std::vector<Reg> regs;
    regs.reserve(vals.size());
    for (const Val& v : vals)
        regs.push_back(v.reg);
    return fb().consecutive(regs);
}

} // namespace mpcheck::frontend
