// Constructors and methods of the multiprocessing objects.
#include "frontend/lowerer.hpp"

#include <utility>

namespace mpcheck::frontend {

using model::Op;
using model::QueueKind;
using model::Reg;
using model::SemKind;
using model::Value;
using model::Wait;

namespace {
constexpr std::size_t kNone = SIZE_MAX;
}

Val Lowerer::new_process(const FunctionInfo& info, const std::vector<Val>& vals, const Expr* daemon,
                         const Expr& e, std::string_view text, std::optional<Reg> daemon_reg,
                         std::optional<Reg> name) {
    std::vector<Val> flat;
    for (const Val& v : vals)
        flatten(v, flat);
    const Reg first = pass_args(flat);
    const Reg d = daemon != nullptr ? expr(*daemon).reg
                  : daemon_reg      ? *daemon_reg
                                    : constant(Value::none());
    const Reg dst = fb().temp();
    at(e.pos);
    emit({.op = Op::process_new,
          .dst = dst,
          .a = first,
          .b = static_cast<Reg>(flat.size()),
          .c = d,
          .imm = static_cast<std::int32_t>(info.id)},
         text);
    if (name) fb().emit({.op = Op::process_set_name, .a = dst, .b = *name}, text);
    return Val{dst, Kind::process};
}

Val Lowerer::constructor(const std::string& what, const Expr& e, std::string_view text) {
    const Reg dst = fb().temp();
    if (what == "Process") {
        check_args(e, 0, {"target", "args", "daemon", "name"});
        const Expr* target = arg(e, kNone - 1, "target");
        if (target == nullptr || target->kind != ExprKind::name ||
            functions_.count(target->text) == 0)
            unsupported("Process() without target= naming a function of the module", e.pos.line,
                        e.pos.column);
        FunctionInfo& info = functions_[target->text];
        std::vector<Val> vals;
        if (const Expr* args = arg(e, kNone - 1, "args")) {
            if (args->kind != ExprKind::tuple && args->kind != ExprKind::list)
                unsupported("Process args= other than a tuple display", args->pos.line,
                            args->pos.column);
            // An object made inside args is not the one the statement names: `p = Process(...,
            // args=(Lock(),))` makes a Lock called by its own text, not 'p'.
            const std::string var = std::exchange(var_, std::string{});
            for (const auto& a : args->args)
                vals.push_back(value(*a));
            var_ = var;
        }
        if (vals.size() > info.params.size() ||
            vals.size() < info.params.size() - info.def->defaults.size())
            unsupported("Process target called with the wrong number of arguments", e.pos.line,
                        e.pos.column);
        for (std::size_t i = vals.size(); i < info.params.size(); ++i)
            vals.push_back(
                value(*info.def->defaults[i + info.def->defaults.size() - info.params.size()]));
        learn_params(info, target->text, vals, e.pos);
        const Expr* name = arg(e, kNone - 1, "name");
        return new_process(info, vals, arg(e, kNone - 1, "daemon"), e, text, std::nullopt,
                           name != nullptr ? std::optional<Reg>(expr(*name).reg) : std::nullopt);
    }
    if (what == "Queue" || what == "JoinableQueue" || what == "SimpleQueue") {
        const bool simple = what == "SimpleQueue";
        check_args(e, simple ? 0 : 1, {"maxsize"});
        const Expr* m = simple ? nullptr : arg(e, 0, "maxsize");
        const Reg size = m != nullptr ? expr(*m).reg : constant(Value::integer(0));
        const auto kind = what == "Queue"           ? QueueKind::queue
                          : what == "JoinableQueue" ? QueueKind::joinable
                                                    : QueueKind::simple;
        at(e.pos);
        emit({.op = Op::queue_new, .dst = dst, .a = size, .imm = static_cast<std::int32_t>(kind)},
             text);
        return Val{dst, what == "Queue"           ? Kind::queue
                        : what == "JoinableQueue" ? Kind::joinable_queue
                                                  : Kind::simple_queue};
    }
    if (what == "Lock" || what == "RLock" || what == "Semaphore" || what == "BoundedSemaphore") {
        const bool counted = what == "Semaphore" || what == "BoundedSemaphore";
        check_args(e, counted ? 1 : 0, {"value"});
        const Expr* v = counted ? arg(e, 0, "value") : nullptr;
        const Reg value = v != nullptr ? expr(*v).reg : constant(Value::integer(1));
        const auto kind = what == "Lock"        ? SemKind::lock
                          : what == "RLock"     ? SemKind::rlock
                          : what == "Semaphore" ? SemKind::semaphore
                                                : SemKind::bounded;
        at(e.pos);
        emit({.op = Op::sem_new, .dst = dst, .a = value, .imm = static_cast<std::int32_t>(kind)},
             text);
        return Val{dst, Kind::lock};
    }
    if (what == "Condition") {
        check_args(e, 1, {"lock"});
        const Expr* l = arg(e, 0, "lock");
        const Reg lock = l != nullptr ? expr(*l).reg : constant(Value::none());
        at(e.pos);
        emit({.op = Op::cond_new, .dst = dst, .a = lock}, text);
        return Val{dst, Kind::condition};
    }
    if (what == "Event") {
        check_args(e, 0, {});
        at(e.pos);
        emit({.op = Op::event_new, .dst = dst}, text);
        return Val{dst, Kind::event};
    }
    if (what == "Barrier") {
        check_args(e, 1, {"parties"});
        const Expr* n = arg(e, 0, "parties");
        if (n == nullptr) unsupported("Barrier() without parties", e.pos.line, e.pos.column);
        const Reg parties = expr(*n).reg;
        at(e.pos);
        emit({.op = Op::barrier_new, .dst = dst, .a = parties}, text);
        return Val{dst, Kind::barrier};
    }
    if (what == "Pipe") {
        check_args(e, 1, {"duplex"});
        bool duplex = true;
        if (const Expr* d = arg(e, 0, "duplex")) {
            if (d->kind != ExprKind::constant || d->text == "None")
                unsupported("Pipe duplex= other than True or False", d->pos.line, d->pos.column);
            duplex = d->text == "True";
        }
        const Reg second = fb().temp();
        if (second != dst + 1) unsupported("internal: pipe registers", e.pos.line, e.pos.column);
        at(e.pos);
        const model::TextId second_name =
            second_var_.empty() ? model::kNoText : b_.text(second_var_);
        emit({.op = Op::pipe_new, .dst = dst, .imm = model::pipe_imm(duplex, second_name)}, text);
        return Val{dst, Kind::conn};
    }
    if (what == "Value" || what == "RawValue") return shared_value(what == "RawValue", e, text);
    if (what == "set_start_method" || what == "get_context") return context_call(what, e);
    if (what == "freeze_support") return Val{constant(Value::none())};
    if (what == "current_process")
        unsupported("current_process() other than current_process().name", e.pos.line,
                    e.pos.column);
    unsupported("multiprocessing." + what, e.pos.line, e.pos.column);
}

Val Lowerer::context_call(const std::string& what, const Expr& e) {
    check_args(e, what == "get_context" ? 1 : 2, {"method", "force"});
    const Expr* m = arg(e, 0, "method");
    std::optional<model::StartMethod> method;
    if (m != nullptr && !(m->kind == ExprKind::constant && m->text == "None")) {
        const std::string name = const_str(*m);
        if (name == "fork")
            method = model::StartMethod::fork;
        else if (name == "spawn")
            method = model::StartMethod::spawn;
        else if (name == "forkserver")
            method = model::StartMethod::forkserver;
        else
            unsupported("start method '" + name + "'", m->pos.line, m->pos.column);
    }
    if (what == "get_context") {
        // get_context() is the default context, and fixes it; get_context(m) is m's own
        // context and leaves the default alone.
        if (var_.empty())
            unsupported("get_context(...) not assigned to a name", e.pos.line, e.pos.column);
        const std::uint8_t context = method ? static_cast<std::uint8_t>(*method) + 1 : 0;
        if (const auto it = contexts_.find(var_); it != contexts_.end() && it->second != context)
            unsupported("'" + var_ + "' bound to two different contexts", e.pos.line, e.pos.column);
        contexts_[var_] = context;
        if (!method) {
            at(e.pos);
            fb().emit({.op = Op::fix_context, .imm = 0}, src(e.pos));
        }
        return Val{constant(Value::none()), Kind::context};
    }
    if (!method) unsupported("set_start_method() without a method", e.pos.line, e.pos.column);
    bool force = false;
    if (const Expr* f = arg(e, 1, "force")) {
        if (f->kind != ExprKind::constant || f->text == "None")
            unsupported("set_start_method force= other than True or False", f->pos.line,
                        f->pos.column);
        force = f->text == "True";
    }
    at(e.pos);
    fb().emit({.op = Op::fix_context,
               .imm = (force ? 2 : 1) | ((static_cast<std::int32_t>(*method) + 1) << 4)},
              src(e.pos));
    return Val{constant(Value::none())};
}

namespace {
/// The object kind a method name implies when the receiver's kind is not known statically.
Kind kind_from_method(const std::string& m) {
    if (m == "start" || m == "terminate" || m == "kill" || m == "is_alive") return Kind::process;
    if (m == "put" || m == "get" || m == "put_nowait" || m == "get_nowait" || m == "join_thread" ||
        m == "cancel_join_thread" || m == "empty" || m == "full" || m == "qsize")
        return Kind::queue;
    if (m == "task_done") return Kind::joinable_queue;
    if (m == "acquire" || m == "release" || m == "get_value") return Kind::lock;
    if (m == "notify" || m == "notify_all") return Kind::condition;
    if (m == "set" || m == "clear" || m == "is_set") return Kind::event;
    if (m == "send" || m == "recv" || m == "poll" || m == "send_bytes" || m == "recv_bytes")
        return Kind::conn;
    if (m == "write" || m == "flush") return Kind::file;
    if (m == "abort") return Kind::barrier;
    if (m == "get_lock") return Kind::shared_value;
    return Kind::unknown;
}
} // namespace

Val Lowerer::shared_value(bool raw, const Expr& e, std::string_view text) {
    const char* what = raw ? "RawValue" : "Value";
    if (raw) {
        check_args(e, 2, {});
    } else {
        check_args(e, 2, {"lock"});
    }
    const Expr* type = arg(e, 0, "");
    if (type == nullptr)
        unsupported(std::string(what) + "() without a typecode", e.pos.line, e.pos.column);
    // Only C types whose wrap-around the model's integers (|n| < 2**27) never reach: ctypes
    // wraps silently ('b' at 127 + 1 is -128), which the model does not compute.
    if (type->kind != ExprKind::string || type->is_bytes || type->is_fstring ||
        (type->text != "i" && type->text != "l" && type->text != "q"))
        unsupported(std::string(what) +
                        "() of a type other than the integer typecodes 'i', 'l' and 'q'",
                    type->pos.line, type->pos.column);
    const Expr* init = arg(e, 1, "");
    const Reg value = init != nullptr ? expr(*init).reg : constant(Value::integer(0));
    const Expr* lock = raw ? nullptr : arg(e, 2, "lock");
    const Reg with_lock = lock != nullptr ? expr(*lock).reg : constant(Value::boolean(!raw));
    const Reg dst = fb().temp();
    at(e.pos);
    emit({.op = Op::value_new, .dst = dst, .a = value, .b = with_lock}, text);
    return Val{dst, Kind::shared_value};
}

Val Lowerer::method(const Val& obj, const std::string& name, const Expr& e, std::string_view text) {
    Kind k = obj.kind;
    if (k == Kind::unknown) k = kind_from_method(name);
    if (k == Kind::unknown && name == "join") k = Kind::process;
    const Reg dst = fb().temp();
    auto simple = [&](Op op, Wait wait = Wait::forever, Reg b = 0, std::int32_t imm = 0) {
        at(e.pos);
        emit({.op = op, .wait = wait, .dst = dst, .a = obj.reg, .b = b, .imm = imm}, text);
        return Val{dst};
    };
    auto no_args = [&](Op op) {
        check_args(e, 0, {});
        return simple(op);
    };
    const bool any_queue = k == Kind::queue || k == Kind::joinable_queue || k == Kind::simple_queue;
    switch (k) {
    case Kind::process:
        if (name == "start") return no_args(Op::process_start);
        if (name == "join") {
            check_args(e, 1, {"timeout"});
            return simple(Op::process_join, wait_mode(e, kNone, 0));
        }
        if (name == "terminate") return no_args(Op::process_terminate);
        if (name == "kill") return no_args(Op::process_kill);
        if (name == "close") return no_args(Op::process_close);
        if (name == "is_alive") return no_args(Op::process_is_alive);
        break;
    case Kind::queue:
    case Kind::joinable_queue:
    case Kind::simple_queue:
        if (name == "put" || name == "put_nowait") {
            check_args(e, name == "put" ? 3 : 1, {"obj", "block", "timeout"});
            const Expr* item = arg(e, 0, "obj");
            if (item == nullptr) unsupported("put() without an item", e.pos.line, e.pos.column);
            const Reg v = expr(*item).reg;
            const Wait w = name == "put_nowait" ? Wait::no_block : wait_mode(e, 1, 2);
            return simple(Op::queue_put, w, v);
        }
        if (name == "get" || name == "get_nowait") {
            check_args(e, name == "get" ? 2 : 0, {"block", "timeout"});
            return simple(Op::queue_get,
                          name == "get_nowait" ? Wait::no_block : wait_mode(e, 0, 1));
        }
        if (name == "close") return no_args(Op::queue_close);
        if (name == "join_thread") return no_args(Op::queue_join_thread);
        if (name == "cancel_join_thread") return no_args(Op::queue_cancel_join_thread);
        if (name == "empty") return no_args(Op::queue_empty);
        if (name == "full") return no_args(Op::queue_full);
        if (name == "qsize") return no_args(Op::queue_qsize);
        if (name == "task_done" && (k == Kind::joinable_queue || obj.kind == Kind::unknown))
            return no_args(Op::queue_task_done);
        if (name == "join" && k == Kind::joinable_queue) return no_args(Op::queue_join);
        break;
    case Kind::shared_value:
        if (name == "get_lock") {
            no_args(Op::value_get_lock);
            return Val{dst, Kind::lock};
        }
        // Synchronized's acquire/release are its lock's, as below (a RawValue has neither:
        // the model raises AttributeError).
        if (name != "acquire" && name != "release") break;
        [[fallthrough]];
    case Kind::lock:
    case Kind::condition:
        if (name == "acquire") {
            check_args(e, 2, {"block", "blocking", "timeout"});
            return simple(Op::sem_acquire, wait_mode(e, 0, 1));
        }
        if (name == "release") return no_args(Op::sem_release);
        if (name == "get_value") return no_args(Op::sem_get_value);
        if (k == Kind::condition && name == "wait") {
            check_args(e, 1, {"timeout"});
            return simple(Op::cond_wait, wait_mode(e, kNone, 0));
        }
        if (k == Kind::condition && name == "notify") {
            check_args(e, 1, {"n"});
            std::int64_t n = 1;
            if (const Expr* ne = arg(e, 0, "n")) {
                const auto v = fold_int(*ne);
                if (!v || *v < 1 || *v > 1000)
                    unsupported("notify(n) with n not a positive constant", ne->pos.line,
                                ne->pos.column);
                n = *v;
            }
            return simple(Op::cond_notify, Wait::forever, 0, static_cast<std::int32_t>(n));
        }
        if (k == Kind::condition && name == "notify_all") {
            check_args(e, 0, {});
            return simple(Op::cond_notify, Wait::forever, 0, 0);
        }
        break;
    case Kind::event:
        if (name == "set") return no_args(Op::event_set);
        if (name == "clear") return no_args(Op::event_clear);
        if (name == "is_set") return no_args(Op::event_is_set);
        if (name == "wait") {
            check_args(e, 1, {"timeout"});
            return simple(Op::event_wait, wait_mode(e, kNone, 0));
        }
        break;
    case Kind::barrier:
        if (name == "wait") {
            check_args(e, 1, {"timeout"});
            return simple(Op::barrier_wait, wait_mode(e, kNone, 0));
        }
        if (name == "abort") return no_args(Op::barrier_abort);
        break;
    case Kind::conn:
        if (name == "send" || name == "send_bytes") {
            check_args(e, 1, {});
            if (e.args.size() < 2)
                unsupported("send() without an object", e.pos.line, e.pos.column);
            const Reg v = expr(*e.args[1]).reg;
            return simple(Op::conn_send, Wait::forever, v);
        }
        if (name == "recv" || name == "recv_bytes") return no_args(Op::conn_recv);
        if (name == "poll") {
            check_args(e, 1, {"timeout"});
            // poll()'s default timeout is 0: it never blocks.
            return simple(Op::conn_poll,
                          wait_mode(e, kNone, 0, e.args.size() < 2 && e.keywords.empty()));
        }
        if (name == "close") return no_args(Op::conn_close);
        break;
    case Kind::file:
        if (name == "write") {
            check_args(e, 1, {});
            if (e.args.size() < 2) unsupported("write() without data", e.pos.line, e.pos.column);
            const Reg v = expr(*e.args[1]).reg;
            return simple(Op::file_write, Wait::forever, v);
        }
        if (name == "flush") return no_args(Op::file_flush);
        if (name == "close") return no_args(Op::file_close);
        break;
    default:
        break;
    }
    (void)any_queue;
    if (lenient_ && obj.kind == Kind::unknown) return Val{dst};
    unsupported("method '" + name + "' on " + src(e.args[0]->args[0]->pos), e.pos.line,
                e.pos.column);
}

Val Lowerer::attribute(const Expr& e, std::string_view text) {
    const Expr& base = *e.args[0];
    if (e.text == "name" && base.kind == ExprKind::call &&
        mp_name(*base.args[0]).value_or("") == "current_process") {
        check_args(base, 0, {});
        at(e.pos);
        const Reg dst = fb().temp();
        fb().emit({.op = Op::process_name, .dst = dst, .a = dst, .b = dst, .c = dst}, text);
        return Val{dst, Kind::str};
    }
    const Val obj = value(base);
    if (obj.agg && obj.agg->shape == Static::Shape::instance) {
        for (std::size_t i = 0; i < obj.agg->attrs.size(); ++i) {
            if (obj.agg->attrs[i] == e.text) return obj.agg->items[i];
        }
        if (!obj.agg->handle)
            unsupported("attribute '" + e.text + "' of a " + obj.agg->cls +
                            " object (only attributes assigned in __init__ are modelled)",
                        e.pos.line, e.pos.column);
    }
    if (obj.is_aggregate())
        unsupported("attribute '" + e.text + "' of a list or dict", e.pos.line, e.pos.column);
    if (e.text == "value" && (obj.kind == Kind::shared_value || obj.kind == Kind::unknown)) {
        const Reg dst = fb().temp();
        at(e.pos);
        emit({.op = Op::value_load, .dst = dst, .a = obj.reg}, text);
        return Val{dst};
    }
    if (e.text == "exitcode" && (obj.kind == Kind::process || obj.kind == Kind::unknown)) {
        const Reg dst = fb().temp();
        at(e.pos);
        emit({.op = Op::process_exitcode, .dst = dst, .a = obj.reg}, text);
        return Val{dst};
    }
    unsupported("attribute '" + e.text + "'", e.pos.line, e.pos.column);
}

} // namespace mpcheck::frontend
