// Lists that grow: `procs.append(p)`, `results.append(q.get())`.
//
// Two ways, both exact as long as no other name sees the list (list_escapes.hpp) and no loop
// is iterating over it (CPython's loop would see the new items):
// - Static, as every list of the front end: its length is part of the lowered code (its items
//   live in hidden variables, see lower_static.cpp), and an append makes the name stand for a
//   list one item longer from that statement on. That holds when the append runs exactly once
//   each time control passes the list's binding: in the same region (no branch or run-time
//   loop between them; a loop over range() of constants is unrolled for it, one copy of the
//   body per value) and outside try statements (a handler could go on with a shorter list).
//   A return or an uncaught exception before the append ends the function, and the list.
// - At run time, when an append lies elsewhere: a learning pass notes the list instead of
//   refusing it (runtime_lists_), and the later passes lower it as one run-time value from its
//   binding on (lower_sequence.cpp), each append building the longer list.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::Reg;
using model::Value;

namespace {

// Appended lists longer than this are refused (each item is a variable of its own).
constexpr std::size_t kMaxAppendedLength = 256;

std::string where(const Pos& p) {
    if (p.line == 0) return "";
    return " (line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ")";
}

} // namespace

bool has_own_jump(const Body& b) {
    for (const auto& s : b) {
        switch (s->kind) {
        case StmtKind::brk:
        case StmtKind::cont:
            return true;
        case StmtKind::while_:
        case StmtKind::for_:
            if (has_own_jump(s->orelse)) return true;
            break;
        default:
            if (has_own_jump(s->body) || has_own_jump(s->orelse) || has_own_jump(s->finalbody))
                return true;
            for (const auto& h : s->handlers) {
                if (has_own_jump(h.body)) return true;
            }
            break;
        }
    }
    return false;
}

void Lowerer::region_body(const Body& b) {
    regions_.push_back(++regions_made_);
    body(b);
    regions_.pop_back();
}

bool Lowerer::appends_to_list(const Body& b) const {
    for (const auto& s : b) {
        if (s->kind == StmtKind::expr && s->value->kind == ExprKind::call) {
            const Expr& callee = *s->value->args[0];
            if (callee.kind == ExprKind::attribute && callee.text == "append" &&
                callee.args[0]->kind == ExprKind::name) {
                const auto shape = shape_of(callee.args[0]->text);
                if (shape && shape->shape == Static::Shape::list) return true;
            }
        }
        if (appends_to_list(s->body) || appends_to_list(s->orelse) || appends_to_list(s->finalbody))
            return true;
        for (const auto& h : s->handlers) {
            if (appends_to_list(h.body)) return true;
        }
    }
    return false;
}

bool Lowerer::unrolled_range(const Stmt& s) {
    const Expr& target = *s.targets[0];
    const Expr& range = *s.value;
    if (target.kind != ExprKind::name || range.args.size() < 2 || range.args.size() > 4 ||
        !range.keywords.empty() || !s.orelse.empty() || has_own_jump(s.body))
        return false;
    const bool one = range.args.size() == 2;
    const auto start = one ? std::optional<std::int64_t>{0} : fold_int(*range.args[1]);
    const auto stop = fold_int(*range.args[one ? 1 : 2]);
    const auto step =
        range.args.size() == 4 ? fold_int(*range.args[3]) : std::optional<std::int64_t>{1};
    if (!start || !stop || !step || *step == 0) return false;
    std::vector<std::int64_t> values;
    for (std::int64_t i = *start; *step > 0 ? i < *stop : i > *stop; i += *step) {
        if (!Value::fits_int(i) || values.size() == kMaxAppendedLength) return false;
        values.push_back(i);
    }
    for (const std::int64_t i : values) {
        at(s.pos);
        store(target.text, constant(Value::integer(static_cast<std::int32_t>(i))), Kind::unknown);
        loops_.push_back(Loop{0, {}, {}, cleanups_.size()});
        body(s.body);
        loops_.pop_back();
    }
    return true;
}

bool Lowerer::in_list_region(const std::string& name, const Scope& owner) const {
    if (&owner != scope_ || !overlays_.empty() || try_depth_ > 0 || regions_.empty()) return false;
    const auto region = owner.list_regions.find(name);
    return region != owner.list_regions.end() && region->second == regions_.back();
}

bool Lowerer::may_reshape(const std::string& name, const Scope& owner, const Static& previous,
                          const Static& next) const {
    if (previous.shape != Static::Shape::list || next.shape != Static::Shape::list) return false;
    if (owner.is_module && names_in_functions_.count(name) != 0) return false;
    return in_list_region(name, owner);
}

void Lowerer::drop_items(const std::string& name, const Static& shape, std::size_t from) {
    Scope& owner = is_local(name) ? *scope_ : module_scope_;
    for (std::size_t i = from; i < shape.items.size(); ++i) {
        const std::string child = hidden_name(name, shape, i);
        const Val& item = shape.items[i];
        if (item.agg) {
            drop_items(child, *item.agg, 0);
            owner.statics.erase(child);
            owner.list_regions.erase(child);
        }
        if (!item.agg || item.agg->handle) store(child, constant(Value::absent()), Kind::unknown);
    }
}

std::string Lowerer::list_key(const std::string& name) const {
    return std::to_string(scope_->id) + ":" + name;
}

void Lowerer::runtime_append(const std::string& name, const Expr& call) {
    Val item = value(*call.args[1], src(call.pos));
    if (item.is_aggregate()) item = materialize(item, *call.args[1]);
    at(call.pos);
    const Reg one = fb().temp();
    fb().emit({.op = model::Op::make_seq,
               .dst = one,
               .a = pass_args({item}),
               .b = 1,
               .imm = static_cast<std::int32_t>(model::SeqKind::list)},
              src(call.pos));
    const Reg grown = fb().temp();
    fb().binary(grown, load(name, call.pos).reg, model::BinaryOp::add, one);
    store(name, grown, Kind::unknown);
}

void Lowerer::list_append(const std::string& name, const Expr& call) {
    const Pos& p = call.pos;
    const auto refuse = [&](const std::string& why) {
        unsupported("append to '" + name + "' " + why, p.line, p.column);
    };
    if (&call != statement_call_) refuse("used as a value (append() is a statement here)");
    check_args(call, 1, {});
    if (call.args.size() != 2) refuse("with other than one argument");
    Scope& owner = is_local(name) ? *scope_ : module_scope_;
    if (&owner != scope_ || !overlays_.empty()) refuse("from a function: only its own lists grow");
    if (const auto it = owner.list_escapes.find(name); it != owner.list_escapes.end()) {
        refuse("whose list other names may see: '" + name + "' is " + it->second.how +
               where(it->second.pos) +
               "; a list that grows must be held by this one name (copy it for the others)");
    }
    for (const auto& iterated : iterated_lists_) {
        if (iterated == name) refuse("while a for loop iterates over it");
    }
    if (runtime_lists_.count(list_key(name)) != 0) return runtime_append(name, call);
    if (!in_list_region(name, owner)) {
        // Its length is decided at run time: the passes after this one lower the list as one
        // run-time value.
        if (lenient_) {
            runtime_lists_.insert(list_key(name));
            return;
        }
        if (try_depth_ > 0) refuse("inside a try statement (a handler could see it shorter)");
        refuse("inside a branch or a loop that the list was not created in");
    }
    const auto shape = shape_of(name);
    if (shape->items.size() >= kMaxAppendedLength)
        refuse("beyond " + std::to_string(kMaxAppendedLength) + " items");
    const std::string saved_var = var_;
    var_ = name + "[" + std::to_string(shape->items.size()) + "]"; // names a created object
    const Val item = value(*call.args[1], src(p));
    var_ = saved_var;
    auto grown = std::make_shared<Static>(*shape);
    grown->items.push_back(item);
    const std::string child = hidden_name(name, *grown, grown->items.size() - 1);
    if (is_local(name)) scope_->locals.insert(child);
    at(p);
    store_value(child, item);
    owner.statics[name] = std::move(grown);
}

} // namespace mpcheck::frontend
