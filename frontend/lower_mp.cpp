// Calls: user functions, builtins, and the multiprocessing API lowered to visible operations.
#include "frontend/lowerer.hpp"

#include <set>

namespace mpcheck::frontend {

using model::Op;
using model::Reg;
using model::Value;
using model::Wait;

namespace {

// `v.get(key)` or `v.get(key, default)` on a value of unknown kind (received from a queue or
// pipe) is a dict's get, unless its first argument is True or False: that is Queue.get(block,
// timeout). A dict's get that meets a queue at run time is a model limit, never a guess.
bool is_dict_get(const Expr& call, const std::string& name) {
    if (name != "get" || !call.keywords.empty() || call.args.size() < 2 || call.args.size() > 3)
        return false;
    const Expr& first = *call.args[1];
    return !(first.kind == ExprKind::constant && (first.text == "True" || first.text == "False"));
}

} // namespace

std::uint32_t Lowerer::emit(model::Instr in, std::string_view text) {
    const std::uint32_t pc = fb().emit(in, text);
    const bool creates =
        in.op == Op::queue_new || in.op == Op::sem_new || in.op == Op::process_new ||
        in.op == Op::cond_new || in.op == Op::event_new || in.op == Op::file_open ||
        in.op == Op::barrier_new || in.op == Op::pipe_new || in.op == Op::value_new;
    if (creates && !var_.empty()) b_.program().functions[scope_->id].code[pc].name = b_.text(var_);
    if (creates) b_.program().functions[scope_->id].code[pc].context = creation_context_;
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

std::uint8_t Lowerer::context_of(const Expr& callee) const {
    if (callee.kind != ExprKind::attribute) return 0; // `from multiprocessing import Queue`
    const std::string& name = callee.args[0]->text;
    if (const auto it = contexts_.find(name); it != contexts_.end()) return it->second;
    if (imports_.count(name) != 0 && !is_local(name)) return 0;
    unsupported("'" + name +
                    "' used as a multiprocessing context: only the module and names "
                    "assigned from get_context(...) are known contexts",
                callee.pos.line, callee.pos.column);
}

Val Lowerer::call(const Expr& e, std::string_view text) {
    const Expr& callee = *e.args[0];
    if (const auto mp = mp_name(callee)) {
        const std::uint8_t outer = creation_context_;
        creation_context_ = context_of(callee);
        const Val v = constructor(*mp, e, text);
        creation_context_ = outer;
        return v;
    }
    const std::string mod = module_of(callee);
    if (mod == "time.sleep") {
        at(e.pos);
        fb().emit({.op = Op::sleep}, text);
        return Val{constant(Value::none())};
    }
    if (mod == "os.getpid") {
        check_args(e, 0, {});
        at(e.pos);
        const Reg dst = fb().temp();
        fb().emit({.op = Op::getpid, .dst = dst, .a = dst, .b = dst, .c = dst}, text);
        return Val{dst};
    }
    if (mod.starts_with("logging.")) {
        static constexpr std::string_view kLog[] = {"debug",    "info",      "warning", "error",
                                                    "critical", "exception", "log"};
        const std::string_view fn = std::string_view(mod).substr(8);
        if (fn == "basicConfig") return Val{constant(Value::none())};
        bool log = false;
        for (const auto l : kLog)
            log = log || fn == l;
        if (!log) unsupported("call of " + mod + "()", e.pos.line, e.pos.column);
        return print_call(e, text);
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
        if (name == "print") return print_call(e, text);
        if (const auto v = static_builtin(name, e)) return *v;
        if (classes_.count(name) != 0) return instantiate(name, e, text);
        if (name == "str" || name == "repr" || name == "int") {
            check_args(e, 1, {});
            if (name == "int" && e.args.size() == 1) return Val{constant(Value::integer(0))};
            const Reg v = e.args.size() == 2 ? expr(*e.args[1]).reg : str_constant(""); // str()
            at(e.pos);
            if (name == "int") return unary_op(Op::to_int, v);
            if (name == "repr") return unary_op(Op::repr, v, 0, Kind::str);
            return unary_op(Op::format, v, static_cast<std::int32_t>(b_.text("")), Kind::str);
        }
        if (name == "iter")
            unsupported("iter() other than as the iterable of a for loop", e.pos.line,
                        e.pos.column);
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
        const Expr& receiver = *callee.args[0];
        if (callee.text == "format" && receiver.kind == ExprKind::string && !receiver.is_bytes)
            return format_method(receiver, e);
        // super().__init__() outside a constructor, Class.method(...): not modelled.
        if (receiver.kind == ExprKind::call && receiver.args[0]->kind == ExprKind::name &&
            receiver.args[0]->text == "super")
            unsupported("super() outside __init__", e.pos.line, e.pos.column);
        if (callee.text == "append" && receiver.kind == ExprKind::name) {
            const auto shape = shape_of(receiver.text);
            if ((shape && shape->shape == Static::Shape::list) ||
                runtime_lists_.count(list_key(receiver.text)) != 0) {
                list_append(receiver.text, e);
                return Val{constant(Value::none())};
            }
        }
        const Val obj = value(receiver);
        if (obj.agg && obj.agg->shape == Static::Shape::instance &&
            classes_[obj.agg->cls].methods.count(callee.text) != 0)
            return method_call(obj, callee.text, e, text);
        if (obj.agg && obj.agg->shape == Static::Shape::dict &&
            (callee.text == "items" || callee.text == "keys" || callee.text == "values"))
            return dict_view(obj, callee.text, e);
        if (obj.is_aggregate())
            unsupported("method '" + callee.text + "' of a list, dict or object", e.pos.line,
                        e.pos.column);
        if (obj.kind == Kind::unknown && is_dict_get(e, callee.text))
            return runtime_dict_get(obj, e);
        if (obj.kind == Kind::unknown &&
            (callee.text == "items" || callee.text == "keys" || callee.text == "values"))
            unsupported(callee.text + "() of a dict received at run time, other than as the "
                                      "iterable of a for loop",
                        e.pos.line, e.pos.column);
        const bool static_arg =
            e.args.size() == 2 &&
            (e.args[1]->kind == ExprKind::list || e.args[1]->kind == ExprKind::list_comp ||
             e.args[1]->kind == ExprKind::tuple ||
             (e.args[1]->kind == ExprKind::name && shape_of(e.args[1]->text) != nullptr));
        // Methods no multiprocessing object has are str methods whatever the receiver's kind
        // (checked at run time: AttributeError on anything but a str or bytes).
        static const std::set<std::string> kTextOnly = {
            "split",      "format",   "upper",   "lower", "strip", "lstrip", "rstrip",
            "startswith", "endswith", "replace", "find",  "count", "isdigit"};
        const bool text_method = obj.kind == Kind::str || receiver.kind == ExprKind::string ||
                                 (callee.text == "join" && static_arg) ||
                                 kTextOnly.count(callee.text) != 0;
        if (text_method) return string_method(obj, callee.text, e);
        return method(obj, callee.text, e, text);
    }
    unsupported("call of " + src(callee.pos), e.pos.line, e.pos.column);
}

Val Lowerer::print_call(const Expr& e, std::string_view text) {
    for (std::size_t i = 1; i < e.args.size(); ++i) {
        // Every argument that may have effects or raise is evaluated: names that may be unbound,
        // calls, formatting, subscripts (IndexError, KeyError), operators (TypeError), and the
        // displays holding them. A list, dict or object is printed whole: no single value is
        // needed. Literals raise nothing; nor does an attribute here (and the text of some,
        // such as pid, is not modelled), but for a shared Value's `value`, which takes its lock
        // and so waits while another process holds it.
        const Expr& a = *e.args[i];
        const bool inert = (a.kind == ExprKind::attribute && a.text != "value") ||
                           a.kind == ExprKind::integer || a.kind == ExprKind::constant ||
                           (a.kind == ExprKind::string && !a.is_fstring);
        if (!inert) value(a);
    }
    at(e.pos);
    fb().emit({.op = Op::print}, text);
    return Val{constant(Value::none())};
}

std::vector<Val> Lowerer::bind_params(FunctionInfo& info, const std::string& name, const Expr& e,
                                      std::size_t first_arg, std::vector<Val> vals) {
    const auto& params = info.params;
    if (!e.keywords.empty())
        unsupported("keyword arguments in a call of a user function", e.pos.line, e.pos.column);
    const std::size_t given = vals.size() + e.args.size() - first_arg;
    const std::size_t required = params.size() - info.def->defaults.size();
    if (given < required || given > params.size())
        unsupported("call of '" + name + "' with the wrong number of arguments", e.pos.line,
                    e.pos.column);
    for (std::size_t i = first_arg; i < e.args.size(); ++i)
        vals.push_back(value(*e.args[i]));
    for (std::size_t i = vals.size(); i < params.size(); ++i)
        vals.push_back(value(*info.def->defaults[i - required]));
    learn_params(info, name, vals, e.pos);
    return vals;
}

void Lowerer::learn_params(FunctionInfo& info, const std::string& name,
                           const std::vector<Val>& vals, const Pos& p) {
    for (std::size_t i = 0; i < vals.size() && i < info.params.size(); ++i) {
        if (vals[i].kind != Kind::unknown && !vals[i].agg) info.param_kinds[i] = vals[i].kind;
        const auto& shape = vals[i].agg;
        if (shapes_match(info.param_shapes[i], shape)) continue;
        if (lenient_ && !info.param_shapes[i]) {
            info.param_shapes[i] = shape;
            continue;
        }
        if (!lenient_)
            unsupported("'" + name +
                            "' called with a list, dict or object argument of another "
                            "shape than elsewhere (parameter '" +
                            info.params[i] + "')",
                        p.line, p.column);
    }
}

Val Lowerer::user_call(const std::string& name, const Expr& e, std::string_view text) {
    FunctionInfo& info = functions_[name];
    const std::vector<Val> vals = bind_params(info, name, e, 1, {});
    std::vector<Val> flat;
    for (const Val& v : vals)
        flatten(v, flat);
    return emit_call(info, flat, e, text);
}

Val Lowerer::emit_call(const FunctionInfo& info, const std::vector<Val>& flat, const Expr& e,
                       std::string_view text) {
    const std::vector<Val>& vals = flat;
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
