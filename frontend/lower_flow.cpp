// Assignment and control flow: if, while, for (range, iter() sentinels, unrolled sequences),
// try, with.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::BinaryOp;
using model::Op;
using model::Reg;
using model::Value;

void Lowerer::assign(const Expr& target, const Expr& value_expr, const Stmt& s) {
    const std::string text = src(s.pos);
    if (target.kind == ExprKind::name) {
        var_ = target.text;
        const Val v = value(value_expr, text);
        at(target.pos);
        if (v.is_aggregate() && v.agg->shape == Static::Shape::list &&
            runtime_lists_.count(list_key(target.text)) != 0) {
            // A list that grows at run time is one run-time value from its binding on.
            store(target.text, materialize(v, value_expr).reg, Kind::unknown);
        } else {
            store_value(target.text, v);
        }
        var_.clear();
        return;
    }
    if (target.kind == ExprKind::tuple || target.kind == ExprKind::list) {
        // `a, b = Pipe(...)`: Pipe() fills two consecutive registers.
        if (target.args.size() == 2 && value_expr.kind == ExprKind::call &&
            mp_name(*value_expr.args[0]).value_or("") == "Pipe") {
            for (const auto& t : target.args) {
                if (t->kind != ExprKind::name)
                    unsupported("this unpacking target", t->pos.line, t->pos.column);
            }
            var_ = target.args[0]->text;
            second_var_ = target.args[1]->text;
            const Val first = expr(value_expr, text);
            second_var_.clear();
            store(target.args[0]->text, first.reg, Kind::conn);
            store(target.args[1]->text, static_cast<Reg>(first.reg + 1), Kind::conn);
            return;
        }
        bind_target(target, value(value_expr, text));
        return;
    }
    if (target.kind == ExprKind::attribute && target.text == "daemon") {
        const Val obj = expr(*target.args[0]);
        const Val v = expr(value_expr);
        at(s.pos);
        emit({.op = Op::process_set_daemon, .a = obj.reg, .b = v.reg}, text);
        return;
    }
    if (target.kind == ExprKind::attribute && target.text == "value") {
        const Val obj = expr(*target.args[0]);
        const Val v = expr(value_expr);
        at(s.pos);
        emit({.op = Op::value_store, .a = obj.reg, .b = v.reg}, text);
        return;
    }
    if (target.kind == ExprKind::attribute)
        unsupported("assignment to an attribute outside __init__ (objects are modelled as "
                    "records fixed at construction)",
                    target.pos.line, target.pos.column);
    if (target.kind == ExprKind::subscript)
        unsupported("assignment to a list or dict item (lists and dicts are modelled as "
                    "constants)",
                    target.pos.line, target.pos.column);
    unsupported("assignment to this target", target.pos.line, target.pos.column);
}

void Lowerer::if_stmt(const Stmt& s) {
    const Val c = condition(*s.value);
    at(s.pos);
    const std::uint32_t to_else = fb().jump_if_false(c.reg);
    region_body(s.body);
    if (s.orelse.empty()) {
        fb().patch(to_else, fb().pc());
        return;
    }
    const std::uint32_t to_end = fb().jump();
    fb().patch(to_else, fb().pc());
    region_body(s.orelse);
    fb().patch(to_end, fb().pc());
}

void Lowerer::while_stmt(const Stmt& s) {
    const std::uint32_t head = fb().pc();
    loops_.push_back(Loop{head, {}, {}, cleanups_.size()});
    const Val c = condition(*s.value);
    at(s.pos);
    const std::uint32_t exit = fb().jump_if_false(c.reg);
    region_body(s.body);
    at(s.pos);
    fb().jump(head);
    close_loop(exit, fb().pc(), head);
}

void Lowerer::close_loop(std::uint32_t exit_jump, std::uint32_t end, std::uint32_t next) {
    fb().patch(exit_jump, end);
    for (const auto j : loops_.back().breaks)
        fb().patch(j, end);
    for (const auto j : loops_.back().continues)
        fb().patch(j, next);
    loops_.pop_back();
}

void Lowerer::for_stmt(const Stmt& s) {
    const Expr& target = *s.targets[0];
    const Expr& it = *s.value;
    const bool builtin_call = it.kind == ExprKind::call && it.args[0]->kind == ExprKind::name &&
                              !is_local(it.args[0]->text) &&
                              functions_.count(it.args[0]->text) == 0 &&
                              module_scope_.kinds.count(it.args[0]->text) == 0;
    if (builtin_call && it.args[0]->text == "iter") return sentinel_loop(s);
    // range(...): a counter loop.
    if (builtin_call && it.args[0]->text == "range") {
        if (appends_to_list(s.body) && unrolled_range(s)) return;
        if (target.kind != ExprKind::name)
            unsupported("for-loop target other than a name", target.pos.line, target.pos.column);
        if (it.args.size() < 2 || it.args.size() > 4 || !it.keywords.empty())
            unsupported("range() with these arguments", it.pos.line, it.pos.column);
        const bool one = it.args.size() == 2;
        const Reg counter = fb().temp();
        const Reg stop = fb().temp();
        const Val start_v = one ? Val{constant(Value::integer(0))} : expr(*it.args[1]);
        fb().move(counter, start_v.reg);
        fb().move(stop, expr(*it.args[one ? 1 : 2]).reg);
        std::int64_t step = 1;
        if (it.args.size() == 4) {
            const auto st = fold_int(*it.args[3]);
            if (!st || *st == 0)
                unsupported("range() step that is not a non-zero constant", it.pos.line,
                            it.pos.column);
            step = *st;
        }
        const Reg step_r = constant(Value::integer(static_cast<std::int32_t>(step)));
        const std::uint32_t head = fb().pc();
        const Reg cond = fb().temp();
        at(s.pos);
        fb().binary(cond, counter, step > 0 ? BinaryOp::lt : BinaryOp::gt, stop);
        const std::uint32_t exit = fb().jump_if_false(cond);
        store(target.text, counter, Kind::unknown);
        loops_.push_back(Loop{0, {}, {}, cleanups_.size()});
        region_body(s.body);
        const std::uint32_t next = fb().pc();
        at(s.pos);
        fb().binary(counter, counter, BinaryOp::add, step_r);
        fb().jump(head);
        close_loop(exit, fb().pc(), next);
        return;
    }
    // A sequence known when lowering: the loop is unrolled over its elements, which are
    // evaluated first (as Python builds the list before iterating). Anything else is iterated
    // at run time.
    if (const auto view = runtime_dict_view(it)) return runtime_for(s, *view);
    const Val seq = value(it);
    if (!seq.agg || seq.agg->handle) return runtime_for(s, seq);
    const std::vector<Val> items = elements(seq, it);
    std::vector<std::uint32_t> breaks;
    // A break or continue makes the rest of the body run on some paths only.
    const bool jumps = has_own_jump(s.body);
    iterated_lists_.push_back(it.kind == ExprKind::name ? it.text : std::string{});
    for (const Val& item : items) {
        at(s.pos);
        bind_target(target, item);
        loops_.push_back(Loop{0, {}, {}, cleanups_.size()});
        if (jumps)
            region_body(s.body);
        else
            body(s.body);
        const std::uint32_t next = fb().pc();
        for (const auto j : loops_.back().continues)
            fb().patch(j, next);
        breaks.insert(breaks.end(), loops_.back().breaks.begin(), loops_.back().breaks.end());
        loops_.pop_back();
    }
    iterated_lists_.pop_back();
    for (const auto j : breaks)
        fb().patch(j, fb().pc());
}

void Lowerer::try_stmt(const Stmt& s) {
    ++try_depth_;
    if (!s.finalbody.empty()) cleanups_.push_back(Cleanup{&s, Op::nop, 0, {}, s.pos});
    const std::uint32_t outer_begin = fb().pc();
    std::vector<std::uint32_t> to_end;
    if (!s.handlers.empty()) {
        const std::uint32_t begin = fb().pc();
        body(s.body);
        const std::uint32_t end = fb().pc();
        to_end.push_back(fb().jump());
        const Reg exc = fb().temp();
        const std::uint32_t handler_pc = fb().pc();
        current_exc_.push_back(exc);
        for (const auto& h : s.handlers) {
            at(h.pos);
            std::vector<std::uint32_t> skip;
            if (h.type) {
                std::vector<const Expr*> types;
                if (h.type->kind == ExprKind::tuple) {
                    for (const auto& t : h.type->args)
                        types.push_back(t.get());
                } else {
                    types.push_back(h.type.get());
                }
                const Reg m = fb().temp();
                std::vector<std::uint32_t> matched;
                for (const Expr* t : types) {
                    fb().emit({.op = Op::exc_matches,
                               .dst = m,
                               .a = exc,
                               .imm = static_cast<std::int32_t>(exc_type(*t))},
                              "except " + src(t->pos));
                    matched.push_back(fb().jump_if_true(m));
                }
                skip.push_back(fb().jump());
                for (const auto j : matched)
                    fb().patch(j, fb().pc());
            }
            if (!h.name.empty()) store(h.name, exc, Kind::unknown);
            body(h.body);
            to_end.push_back(fb().jump());
            for (const auto j : skip)
                fb().patch(j, fb().pc());
        }
        // No clause matched: the exception goes on from the last `except`, not from the last
        // statement of its body.
        at(s.handlers.back().pos);
        fb().emit({.op = Op::raise, .a = exc}, "raise");
        current_exc_.pop_back();
        fb().handler(begin, end, handler_pc, exc);
    } else {
        body(s.body);
    }
    if (!s.finalbody.empty()) {
        cleanups_.pop_back();
        const std::uint32_t outer_end = fb().pc();
        for (const auto j : to_end)
            fb().patch(j, fb().pc());
        to_end.clear();
        body(s.finalbody);
        to_end.push_back(fb().jump());
        const Reg exc = fb().temp();
        const std::uint32_t handler_pc = fb().pc();
        body(s.finalbody);
        fb().emit({.op = Op::raise, .a = exc}, "raise");
        fb().handler(outer_begin, outer_end, handler_pc, exc);
    }
    for (const auto j : to_end)
        fb().patch(j, fb().pc());
    --try_depth_;
}

void Lowerer::with_stmt(const Stmt& s) {
    if (s.items.size() != 1)
        unsupported("with statement with several items", s.pos.line, s.pos.column);
    const WithItem& item = s.items[0];
    const Expr& ctx = *item.context;
    const std::string head = "with " + src(ctx.pos) + ":";
    Val v;
    Op exit_op = Op::sem_release;
    std::string exit_text = src(ctx.pos) + ".release()";
    if (ctx.kind == ExprKind::call && ctx.args[0]->kind == ExprKind::name &&
        ctx.args[0]->text == "open") {
        var_ = item.name;
        v = expr(ctx, item.name.empty() ? head : item.name + " = " + src(ctx.pos));
        exit_op = Op::file_close;
        exit_text = (item.name.empty() ? src(ctx.pos) : item.name) + ".close()";
    } else {
        v = expr(ctx);
        // A learning pass goes on through `with param:` whose kind a later pass knows (a Lock
        // handed down through a helper that starts the process).
        const bool learning = lenient_ && v.kind == Kind::unknown;
        if (v.kind != Kind::lock && v.kind != Kind::condition && v.kind != Kind::shared_value &&
            !learning)
            unsupported("with statement on this object (only locks, conditions, Values and "
                        "open())",
                        ctx.pos.line, ctx.pos.column);
        at(s.pos);
        emit({.op = Op::sem_acquire, .dst = fb().temp(), .a = v.reg}, head);
    }
    if (!item.name.empty()) store(item.name, v.reg, v.kind);
    cleanups_.push_back(Cleanup{nullptr, exit_op, v.reg, exit_text, s.pos});
    const std::uint32_t begin = fb().pc();
    body(s.body);
    const std::uint32_t end = fb().pc();
    cleanups_.pop_back();
    at(s.pos);
    emit({.op = exit_op, .dst = fb().temp(), .a = v.reg}, exit_text);
    const std::uint32_t skip = fb().jump();
    const Reg exc = fb().temp();
    const std::uint32_t handler_pc = fb().pc();
    emit({.op = exit_op, .dst = fb().temp(), .a = v.reg}, exit_text);
    fb().emit({.op = Op::raise, .a = exc}, "raise");
    if (end > begin) fb().handler(begin, end, handler_pc, exc);
    fb().patch(skip, fb().pc());
}

} // namespace mpcheck::frontend
