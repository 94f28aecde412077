// Tuples and lists as run-time values: a static tuple or list used where one value is needed
// (`q.put((i, name))`) is built at run time; a value whose shape is only known at run time
// (`item = q.get()`) is unpacked, indexed and iterated by operations that check it then, with
// the ValueError / TypeError / IndexError CPython would raise.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::BinaryOp;
using model::Op;
using model::Reg;
using model::Value;

Val Lowerer::materialize(const Val& v, const Expr& e) {
    const Static& s = *v.agg;
    if (s.shape == Static::Shape::dict || s.shape == Static::Shape::instance)
        unsupported(std::string("a ") + (s.shape == Static::Shape::dict ? "dict" : "user object") +
                        " used where a single value is needed (" + src(e.pos) +
                        "): only tuples and lists are built at run time",
                    e.pos.line, e.pos.column);
    std::vector<Val> items;
    items.reserve(s.items.size());
    for (const Val& item : s.items)
        items.push_back(item.is_aggregate() ? materialize(item, e) : item);
    const Reg first = pass_args(items);
    const Reg t = fb().temp();
    at(e.pos);
    fb().emit({.op = Op::make_seq,
               .dst = t,
               .a = first,
               .b = static_cast<Reg>(items.size()),
               .imm = s.shape == Static::Shape::list ? 1 : 0},
              src(e.pos));
    return Val{t};
}

Val Lowerer::runtime_item(Reg seq, Reg index, const Expr& e) {
    const Reg t = fb().temp();
    at(e.pos);
    fb().emit({.op = Op::seq_get, .dst = t, .a = seq, .b = index}, src(e.pos));
    return Val{t};
}

void Lowerer::runtime_unpack(const Expr& target, const Val& v) {
    // A copy: binding the first name may overwrite the variable that holds the sequence
    // (`item, n = item`).
    const Reg seq = fb().temp();
    fb().move(seq, v.reg);
    at(target.pos);
    fb().emit(
        {.op = Op::seq_unpack, .a = seq, .imm = static_cast<std::int32_t>(target.args.size())},
        src(target.pos));
    for (std::size_t i = 0; i < target.args.size(); ++i) {
        const Reg k = constant(Value::integer(static_cast<std::int32_t>(i)));
        bind_target(*target.args[i], runtime_item(seq, k, *target.args[i]));
    }
}

Lowerer::RuntimeIteration Lowerer::begin_runtime_iteration(const Val& seq_val, const Expr& e,
                                                           const Pos& loop) {
    // Iterates over the items the value holds when the loop starts (a tuple, list, str or
    // bytes; TypeError for anything else, raised by len()).
    const Reg seq = fb().temp();
    const Reg n = fb().temp();
    const Reg i = fb().temp();
    fb().move(seq, seq_val.reg);
    at(e.pos);
    fb().emit({.op = Op::len, .dst = n, .a = seq, .b = seq, .c = seq}, src(e.pos));
    fb().move(i, constant(Value::integer(0)));
    RuntimeIteration it;
    it.head = fb().pc();
    const Reg more = fb().temp();
    at(loop);
    fb().binary(more, i, BinaryOp::lt, n);
    it.exit = fb().jump_if_false(more);
    it.item = runtime_item(seq, i, e);
    fb().binary(i, i, BinaryOp::add, constant(Value::integer(1)));
    return it;
}

Val Lowerer::runtime_sum(const Val& seq_val, Reg start, const Expr& e) {
    // As CPython: start + item 0 + item 1 + ..., TypeError from len() for a value that is not
    // a tuple, list, str or bytes, and from + for items that do not add.
    const Reg acc = fb().temp();
    fb().move(acc, start);
    const RuntimeIteration it = begin_runtime_iteration(seq_val, e, e.pos);
    fb().binary(acc, acc, BinaryOp::add, it.item.reg);
    fb().jump(it.head);
    fb().patch(it.exit, fb().pc());
    return Val{acc};
}

void Lowerer::runtime_for(const Stmt& s, const Val& seq_val) {
    const RuntimeIteration it = begin_runtime_iteration(seq_val, *s.value, s.pos);
    bind_target(*s.targets[0], it.item);
    loops_.push_back(Loop{0, {}, {}, cleanups_.size()});
    iterated_lists_.push_back(s.value->kind == ExprKind::name ? s.value->text : std::string{});
    region_body(s.body);
    iterated_lists_.pop_back();
    fb().jump(it.head);
    close_loop(it.exit, fb().pc(), it.head);
}

} // namespace mpcheck::frontend
