// Tuples, lists and dicts as run-time values: a static tuple, list or dict used where one value
// is needed (`q.put((i, name))`, `q.put({"id": i})`) is built at run time; a value whose shape is
// only known at run time (`item = q.get()`) is unpacked, indexed and iterated by operations that
// check it then, with the ValueError / TypeError / IndexError / KeyError CPython would raise.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::BinaryOp;
using model::Op;
using model::Reg;
using model::Value;

Val Lowerer::materialize(const Val& v, const Expr& e) {
    const Static& s = *v.agg;
    if (s.shape == Static::Shape::instance)
        unsupported("a user object used where a single value is needed (" + src(e.pos) +
                        "): only tuples, lists and dicts are built at run time",
                    e.pos.line, e.pos.column);
    const bool dict = s.shape == Static::Shape::dict;
    std::vector<Val> items;
    items.reserve(dict ? 2 * s.items.size() : s.items.size());
    for (std::size_t i = 0; i < s.items.size(); ++i) {
        if (dict) items.push_back(key_value(s.keys[i]));
        const Val& item = s.items[i];
        items.push_back(item.is_aggregate() ? materialize(item, e) : item);
    }
    const Reg first = pass_args(items);
    const Reg t = fb().temp();
    const model::SeqKind kind =
        dict ? model::SeqKind::dict
             : (s.shape == Static::Shape::list ? model::SeqKind::list : model::SeqKind::tuple);
    at(e.pos);
    fb().emit({.op = Op::make_seq,
               .dst = t,
               .a = first,
               .b = static_cast<Reg>(items.size()),
               .imm = static_cast<std::int32_t>(kind)},
              src(e.pos));
    return Val{t};
}

Val Lowerer::runtime_item(Reg seq, Reg index, const Expr& e, bool iteration) {
    const Reg t = fb().temp();
    at(e.pos);
    fb().emit({.op = Op::seq_get,
               .dst = t,
               .a = seq,
               .b = index,
               .imm = iteration ? model::kSeqGetIteration : 0},
              src(e.pos));
    return Val{t};
}

Val Lowerer::runtime_dict_get(const Val& d, const Expr& e) {
    // The caller has checked the shape: one or two positional arguments.
    const Reg key = expr(*e.args[1]).reg;
    const Reg fallback = e.args.size() == 3 ? expr(*e.args[2]).reg : constant(Value::none());
    const Reg t = fb().temp();
    at(e.pos);
    fb().emit({.op = Op::dict_get, .dst = t, .a = d.reg, .b = key, .c = fallback}, src(e.pos));
    return Val{t};
}

std::optional<Val> Lowerer::runtime_dict_view(const Expr& it) {
    if (it.kind != ExprKind::call || it.args.size() != 1 || !it.keywords.empty())
        return std::nullopt;
    const Expr& callee = *it.args[0];
    if (callee.kind != ExprKind::attribute) return std::nullopt;
    const Expr& receiver = *callee.args[0];
    // Only a name is looked at here (evaluating anything else twice could repeat its effects).
    if (receiver.kind != ExprKind::name || shape_of(receiver.text)) return std::nullopt;
    model::DictView view = model::DictView::keys;
    if (callee.text == "values") {
        view = model::DictView::values;
    } else if (callee.text == "items") {
        view = model::DictView::items;
    } else if (callee.text != "keys") {
        return std::nullopt;
    }
    const Val d = value(receiver);
    if (d.agg || d.kind != Kind::unknown) return std::nullopt;
    const Reg t = fb().temp();
    at(it.pos);
    fb().emit({.op = Op::dict_view, .dst = t, .a = d.reg, .imm = static_cast<std::int32_t>(view)},
              src(it.pos));
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
        bind_target(*target.args[i], runtime_item(seq, k, *target.args[i], true));
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
    it.item = runtime_item(seq, i, e, true);
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
