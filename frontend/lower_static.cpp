// Compile-time aggregates: lists, tuples and dicts whose length and keys are known when
// lowering. Their elements live in hidden variables ("procs[0]", "d[1]"); loops over them are
// unrolled, and builtins such as len(), sum(), enumerate() and zip() are evaluated statically.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::BinaryOp;
using model::Op;
using model::Reg;
using model::Value;

namespace {

// Unrolled sequences longer than this are refused (code size grows with each element).
constexpr std::int64_t kMaxStaticLength = 256;

bool same_shape(const Static* a, const Static* b) {
    if (a == nullptr || b == nullptr) return a == b;
    if (a->shape != b->shape || a->items.size() != b->items.size() || a->keys != b->keys ||
        a->attrs != b->attrs || a->cls != b->cls || a->handle != b->handle)
        return false;
    for (std::size_t i = 0; i < a->items.size(); ++i) {
        if (!same_shape(a->items[i].agg.get(), b->items[i].agg.get())) return false;
    }
    return true;
}

std::shared_ptr<const Static> make_static(Static::Shape shape, std::vector<Val> items) {
    auto s = std::make_shared<Static>();
    s->shape = shape;
    s->items = std::move(items);
    return s;
}

const char* shape_word(const Static& s) {
    switch (s.shape) {
    case Static::Shape::list:
        return "list";
    case Static::Shape::tuple:
        return "tuple";
    case Static::Shape::dict:
        return "dict";
    case Static::Shape::instance:
        break;
    }
    return "object";
}

} // namespace

bool shapes_match(const std::shared_ptr<const Static>& a, const std::shared_ptr<const Static>& b) {
    return same_shape(a.get(), b.get());
}

std::shared_ptr<const Static> Lowerer::shape_of(const std::string& name) const {
    const Scope& owner = is_local(name) ? *scope_ : module_scope_;
    const auto it = owner.statics.find(name);
    return it == owner.statics.end() ? nullptr : it->second;
}

void Lowerer::store_value(const std::string& name, const Val& v) {
    Scope& owner = is_local(name) ? *scope_ : module_scope_;
    const auto it = owner.statics.find(name);
    const auto previous = it == owner.statics.end() ? nullptr : it->second;
    if (!v.agg) {
        if (previous)
            unsupported("'" + name + "' rebound from a " + shape_word(*previous) +
                            " to another value",
                        loc_.line, loc_.column);
        store(name, v.reg, v.kind);
        return;
    }
    const bool reshaped = previous && !same_shape(previous.get(), v.agg.get());
    if (reshaped && may_reshape(name, owner, *previous, *v.agg)) {
        drop_items(name, *previous, v.agg->items.size());
    } else if (reshaped) {
        unsupported("'" + name + "' rebound to a " + shape_word(*v.agg) +
                        " of another length, keys or class",
                    loc_.line, loc_.column);
    }
    if (!previous && owner.kinds.count(name) != 0 && !v.agg->handle)
        unsupported("'" + name + "' rebound from a single value to a " + shape_word(*v.agg),
                    loc_.line, loc_.column);
    owner.statics[name] = v.agg;
    if (v.agg->shape == Static::Shape::list)
        owner.list_regions[name] = regions_.empty() ? 0 : regions_.back();
    if (v.agg->handle) store(name, v.reg, v.kind);
    const bool local = is_local(name);
    for (std::size_t i = 0; i < v.agg->items.size(); ++i) {
        const std::string child = hidden_name(name, *v.agg, i);
        if (local) scope_->locals.insert(child);
        store_value(child, v.agg->items[i]);
    }
}

Val Lowerer::load_value(const std::string& name, const Pos& p) {
    if (!overlays_.empty()) {
        const auto it = overlays_.back().find(name);
        if (it != overlays_.back().end()) return it->second;
    }
    const auto shape = shape_of(name);
    if (!shape) return load(name, p);
    auto s = std::make_shared<Static>(*shape);
    Val out;
    if (shape->handle) {
        out.reg = load(name, p).reg;
        out.kind = Kind::process;
    } else {
        out.kind = shape->shape == Static::Shape::instance ? Kind::instance : Kind::list;
    }
    for (std::size_t i = 0; i < s->items.size(); ++i)
        s->items[i] = load_value(hidden_name(name, *shape, i), p);
    out.agg = std::move(s);
    return out;
}

void Lowerer::flatten(const Val& v, std::vector<Val>& out) const {
    if (!v.agg) {
        out.push_back(v);
        return;
    }
    if (v.agg->handle) out.push_back(Val{v.reg, v.kind, nullptr});
    for (const Val& item : v.agg->items)
        flatten(item, out);
}

Val Lowerer::key_value(const Static::Key& k) {
    if (!k.is_str) return Val{constant(Value::integer(static_cast<std::int32_t>(k.number)))};
    return Val{str_constant(k.text), Kind::str};
}

Static::Key Lowerer::const_key(const Expr& e) const {
    Static::Key k;
    if (e.kind == ExprKind::string && !e.is_bytes) {
        k.is_str = true;
        k.text = e.text;
        return k;
    }
    const auto n = fold_int(e);
    if (!n || !Value::fits_int(*n))
        unsupported("dict key that is not a str or int constant", e.pos.line, e.pos.column);
    k.number = *n;
    return k;
}

Val Lowerer::display(const Expr& e) {
    std::vector<Val> items;
    const std::string base = var_;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (!base.empty()) var_ = base + "[" + std::to_string(i) + "]";
        items.push_back(value(*e.args[i]));
    }
    var_ = base;
    return Val{0, Kind::list,
               make_static(e.kind == ExprKind::tuple ? Static::Shape::tuple : Static::Shape::list,
                           std::move(items))};
}

Val Lowerer::comprehension(const Expr& e) {
    const std::string base = var_;
    std::vector<Val> seq = sequence(*e.args[1]);
    std::vector<Val> items;
    for (std::size_t i = 0; i < seq.size(); ++i) {
        var_.clear();
        if (e.target_tuple) {
            bind_target(*e.target_tuple, seq[i]);
        } else {
            bind_name(e.target, seq[i]);
        }
        if (!base.empty()) var_ = base + "[" + std::to_string(i) + "]";
        items.push_back(value(*e.args[0], src(e.args[0]->pos)));
    }
    var_ = base;
    return Val{0, Kind::list, make_static(Static::Shape::list, std::move(items))};
}

Val Lowerer::dict_display(const Expr& e) {
    auto s = std::make_shared<Static>();
    s->shape = Static::Shape::dict;
    for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
        const Static::Key k = const_key(*e.args[i]);
        Val v = value(*e.args[i + 1]);
        bool replaced = false;
        for (std::size_t j = 0; j < s->keys.size(); ++j) {
            if (s->keys[j] == k) { // {'a': 1, 'a': 2}: the later value wins, first position
                s->items[j] = v;
                replaced = true;
            }
        }
        if (!replaced) {
            s->keys.push_back(k);
            s->items.push_back(std::move(v));
        }
    }
    return Val{0, Kind::list, std::move(s)};
}

Val Lowerer::dict_view(const Val& dict, const std::string& name, const Expr& e) {
    check_args(e, 0, {});
    std::vector<Val> items;
    const Static& d = *dict.agg;
    for (std::size_t i = 0; i < d.items.size(); ++i) {
        if (name == "values") {
            items.push_back(d.items[i]);
            continue;
        }
        const Val key = key_value(d.keys[i]);
        items.push_back(name == "keys" ? key
                                       : Val{0, Kind::list,
                                             make_static(Static::Shape::tuple, {key, d.items[i]})});
    }
    return Val{0, Kind::list, make_static(Static::Shape::list, std::move(items))};
}

Val Lowerer::subscript(const Expr& e) {
    const Expr& index = *e.args[1];
    const Expr& base = *e.args[0];
    const Val v = value(base);
    if (!v.agg || v.agg->handle) return runtime_item(v.reg, expr(index).reg, e);
    if (v.agg->shape == Static::Shape::instance)
        unsupported("subscript of an object", e.pos.line, e.pos.column);
    const Static& s = *v.agg;
    if (s.shape == Static::Shape::dict) {
        const Static::Key k = const_key(index);
        for (std::size_t i = 0; i < s.keys.size(); ++i) {
            if (s.keys[i] == k) return s.items[i];
        }
        at(e.pos);
        fb().emit({.op = Op::raise, .a = constant(Value::exception(model::ExcType::key_error))},
                  src(e.pos));
        return Val{constant(Value::none())};
    }
    const auto k = fold_int(index);
    if (!k) unsupported("list index that is not a constant", index.pos.line, index.pos.column);
    const auto n = static_cast<std::int64_t>(s.items.size());
    const std::int64_t i = *k < 0 ? n + *k : *k;
    if (i < 0 || i >= n) {
        at(e.pos);
        fb().emit({.op = Op::raise, .a = constant(Value::exception(model::ExcType::index_error))},
                  src(e.pos));
        return Val{constant(Value::none())};
    }
    return s.items[static_cast<std::size_t>(i)];
}

std::vector<Val> Lowerer::sequence(const Expr& e) {
    return elements(value(e), e);
}

std::vector<Val> Lowerer::elements(const Val& v, const Expr& e) {
    if (!v.agg || v.agg->handle)
        unsupported("iteration over a value whose length is not known when lowering (only "
                    "range(), lists, tuples and dicts of known length)",
                    e.pos.line, e.pos.column);
    const Static& s = *v.agg;
    if (s.shape == Static::Shape::instance)
        unsupported("iteration over an object", e.pos.line, e.pos.column);
    if (s.shape != Static::Shape::dict) return s.items;
    std::vector<Val> keys;
    for (const auto& k : s.keys)
        keys.push_back(key_value(k));
    return keys;
}

void Lowerer::bind_name(const std::string& name, const Val& v) {
    if (!overlays_.empty()) {
        overlays_.back()[name] = v; // a comprehension variable inside __init__
        return;
    }
    if (!scope_->is_module) scope_->locals.insert(name);
    store_value(name, v);
}

void Lowerer::bind_target(const Expr& target, const Val& v) {
    if (target.kind == ExprKind::name) return bind_name(target.text, v);
    if (target.kind != ExprKind::tuple && target.kind != ExprKind::list)
        unsupported("this loop target", target.pos.line, target.pos.column);
    if (!v.agg || v.agg->handle) return runtime_unpack(target, v);
    if (v.agg->shape == Static::Shape::instance || v.agg->shape == Static::Shape::dict ||
        v.agg->items.size() != target.args.size())
        unsupported("unpacking of a value that is not a tuple of " +
                        std::to_string(target.args.size()) + " elements known when lowering",
                    target.pos.line, target.pos.column);
    for (std::size_t i = 0; i < target.args.size(); ++i)
        bind_target(*target.args[i], v.agg->items[i]);
}

std::optional<Val> Lowerer::static_builtin(const std::string& name, const Expr& e) {
    auto arg_count = [&](std::size_t lo, std::size_t hi) {
        if (e.args.size() - 1 < lo || e.args.size() - 1 > hi || !e.keywords.empty())
            unsupported(name + "() with these arguments", e.pos.line, e.pos.column);
    };
    auto list_of = [](std::vector<Val> items) {
        return Val{0, Kind::list, make_static(Static::Shape::list, std::move(items))};
    };
    if (name == "len") {
        arg_count(1, 1);
        const Val v = value(*e.args[1]);
        if (!v.agg) return unary_op(Op::len, v.reg);
        if (v.agg->handle || v.agg->shape == Static::Shape::instance)
            unsupported("len() of an object", e.pos.line, e.pos.column);
        return Val{constant(Value::integer(static_cast<std::int32_t>(v.agg->items.size())))};
    }
    if (name == "sum") {
        arg_count(1, 2);
        const Val seq = value(*e.args[1]);
        Reg acc = e.args.size() == 3 ? expr(*e.args[2]).reg : constant(Value::integer(0));
        if (!seq.agg) return runtime_sum(seq, acc, e);
        const std::vector<Val> items = elements(seq, *e.args[1]);
        for (const Val& item : items) {
            if (item.agg) unsupported("sum() of aggregates", e.pos.line, e.pos.column);
            const Reg t = fb().temp();
            at(e.pos);
            fb().binary(t, acc, BinaryOp::add, item.reg);
            acc = t;
        }
        return Val{acc};
    }
    if (name == "sorted") {
        // A new list at run time (key= and reverse= are refused by arg_count).
        arg_count(1, 1);
        const Val v = value(*e.args[1]);
        const Reg items = v.is_aggregate() ? materialize(v, *e.args[1]).reg : v.reg;
        const Reg t = fb().temp();
        at(e.pos);
        fb().emit({.op = Op::seq_sorted, .dst = t, .a = items}, src(e.pos));
        return Val{t};
    }
    if (name == "enumerate") {
        arg_count(1, 2);
        std::int64_t start = 0;
        if (e.args.size() == 3) {
            const auto s = fold_int(*e.args[2]);
            if (!s)
                unsupported("enumerate() start that is not a constant", e.pos.line, e.pos.column);
            start = *s;
        }
        std::vector<Val> pairs;
        for (const Val& item : sequence(*e.args[1])) {
            const Val i{constant(Value::integer(static_cast<std::int32_t>(start++)))};
            pairs.push_back(Val{0, Kind::list, make_static(Static::Shape::tuple, {i, item})});
        }
        return list_of(std::move(pairs));
    }
    if (name == "zip") {
        arg_count(1, 8);
        std::vector<std::vector<Val>> seqs;
        std::size_t n = SIZE_MAX;
        for (std::size_t a = 1; a < e.args.size(); ++a) {
            seqs.push_back(sequence(*e.args[a]));
            n = std::min(n, seqs.back().size());
        }
        std::vector<Val> tuples;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<Val> t;
            for (const auto& s : seqs)
                t.push_back(s[i]);
            tuples.push_back(Val{0, Kind::list, make_static(Static::Shape::tuple, std::move(t))});
        }
        return list_of(std::move(tuples));
    }
    if (name == "list" || name == "tuple") {
        arg_count(0, 1);
        std::vector<Val> items;
        if (e.args.size() == 2) items = sequence(*e.args[1]);
        return Val{0, Kind::list,
                   make_static(name == "list" ? Static::Shape::list : Static::Shape::tuple,
                               std::move(items))};
    }
    if (name == "range") {
        // range() as a value (in zip, enumerate, a comprehension): its bounds must be constants.
        arg_count(1, 3);
        std::int64_t b[3] = {0, 0, 1};
        for (std::size_t a = 1; a < e.args.size(); ++a) {
            const auto v = fold_int(*e.args[a]);
            if (!v)
                unsupported("range() with bounds that are not constants, other than as a "
                            "for-loop iterable",
                            e.pos.line, e.pos.column);
            b[e.args.size() == 2 ? 1 : a - 1] = *v;
        }
        if (b[2] == 0) unsupported("range() step 0", e.pos.line, e.pos.column);
        std::vector<Val> items;
        for (std::int64_t i = b[0]; b[2] > 0 ? i < b[1] : i > b[1]; i += b[2]) {
            if (static_cast<std::int64_t>(items.size()) >= kMaxStaticLength)
                unsupported("range() longer than " + std::to_string(kMaxStaticLength) +
                                " used as a list",
                            e.pos.line, e.pos.column);
            items.push_back(Val{constant(Value::integer(static_cast<std::int32_t>(i)))});
        }
        return list_of(std::move(items));
    }
    return std::nullopt;
}

Val Lowerer::membership(const Expr& e) {
    const Val needle = expr(*e.args[0]);
    const Val hay = value(*e.args[1]);
    Reg result = 0;
    if (!hay.agg) {
        result = fb().temp();
        at(e.pos);
        fb().emit({.op = Op::str_contains, .dst = result, .a = hay.reg, .b = needle.reg},
                  src(e.pos));
    } else {
        // `x in [a, b]`: x == a or x == b (the elements are already evaluated).
        result = constant(Value::boolean(false));
        for (const Val& item : elements(hay, *e.args[1])) {
            if (item.agg) unsupported("'in' over aggregates", e.pos.line, e.pos.column);
            const Reg eq = fb().temp();
            at(e.pos);
            fb().binary(eq, needle.reg, BinaryOp::eq, item.reg);
            const std::uint32_t skip = fb().jump_if_false(eq);
            fb().move(result, eq);
            fb().patch(skip, fb().pc());
        }
    }
    if (e.text == "not in") {
        const Reg t = fb().temp();
        fb().emit({.op = Op::unary,
                   .dst = t,
                   .a = result,
                   .imm = static_cast<std::int32_t>(model::UnaryOp::not_)});
        return Val{t};
    }
    return Val{result};
}

void Lowerer::sentinel_loop(const Stmt& s) {
    const Expr& it = *s.value;
    if (it.args.size() != 3 || !it.keywords.empty())
        unsupported("iter() other than iter(callable, sentinel)", it.pos.line, it.pos.column);
    const Expr& callable = *it.args[1];
    const Val sentinel = expr(*it.args[2]);
    const Reg sent = fb().temp();
    fb().move(sent, sentinel.reg);
    // The callable is called with no arguments: build that call.
    Expr call;
    call.kind = ExprKind::call;
    call.pos = callable.pos;
    call.args.push_back(clone(callable));
    const std::string text = src(callable.pos) + "()";
    const std::uint32_t head = fb().pc();
    loops_.push_back(Loop{head, {}, {}, cleanups_.size()});
    const Val item = expr(call, text);
    const Reg stop = fb().temp();
    at(s.pos);
    fb().binary(stop, item.reg, BinaryOp::eq, sent);
    const std::uint32_t exit = fb().jump_if_true(stop);
    bind_target(*s.targets[0], item);
    region_body(s.body);
    at(s.pos);
    fb().jump(head);
    close_loop(exit, fb().pc(), head);
}

ExprPtr clone(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->text = e.text;
    c->number = e.number;
    c->is_bytes = e.is_bytes;
    c->is_fstring = e.is_fstring;
    c->is_float = e.is_float;
    for (const auto& a : e.args)
        c->args.push_back(clone(*a));
    for (const auto& k : e.keywords)
        c->keywords.push_back(Keyword{k.name, clone(*k.value)});
    c->target = e.target;
    if (e.target_tuple) c->target_tuple = clone(*e.target_tuple);
    c->pieces = e.pieces;
    c->specs = e.specs;
    return c;
}

} // namespace mpcheck::frontend
