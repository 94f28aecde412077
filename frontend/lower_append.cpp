// Lists that grow: `procs.append(p)`, `results.append(q.get())`.
//
// A list's length is part of the program text here (its items live in hidden variables, see
// lower_static.cpp), so an append makes the name stand for a list one item longer from that
// statement on. That is exact when the append runs exactly once each time control passes the
// statement's place in the lowered code, and nothing else sees the list:
// - it is in the same region as the list's binding: no branch, run-time loop or try lies
//   between them (a loop over range() of constants is unrolled for it, one copy of the body per
//   value); a return or an uncaught exception before it ends the function, and the list with
//   it;
// - no try statement of the scope encloses it (a handler could go on with a shorter list);
// - no other name can reach the list (list_escapes.hpp), and no loop is iterating over it.
// Anything else is refused, naming the reason.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

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

bool Lowerer::may_reshape(const std::string& name, const Scope& owner, const Static& previous,
                          const Static& next) const {
    if (previous.shape != Static::Shape::list || next.shape != Static::Shape::list) return false;
    if (&owner != scope_ || !overlays_.empty() || try_depth_ > 0 || regions_.empty()) return false;
    if (owner.is_module && names_in_functions_.count(name) != 0) return false;
    const auto region = owner.list_regions.find(name);
    return region != owner.list_regions.end() && region->second == regions_.back();
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
    if (try_depth_ > 0) refuse("inside a try statement (a handler could see it shorter)");
    const auto region = owner.list_regions.find(name);
    if (region == owner.list_regions.end() || regions_.empty() || region->second != regions_.back())
        refuse("inside a branch or a loop that the list was not created in: its length must be "
               "known when the program is read (a for loop over range() of constants, without "
               "break or continue, is unrolled for it)");
    for (const auto& iterated : iterated_lists_) {
        if (iterated == name) refuse("while a for loop iterates over it");
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
