#include "frontend/module_constants.hpp"

namespace mpcheck::frontend {

namespace {

// Counts every binding of a name in expressions: comprehension variables (which the front end
// binds in the enclosing scope).
void count_in_expr(const Expr& e, std::map<std::string, int>& bindings);

void count_target(const Expr& t, std::map<std::string, int>& bindings) {
    if (t.kind == ExprKind::name) ++bindings[t.text];
    if (t.kind == ExprKind::tuple || t.kind == ExprKind::list) {
        for (const auto& a : t.args)
            count_target(*a, bindings);
    }
    count_in_expr(t, bindings);
}

void count_in_expr(const Expr& e, std::map<std::string, int>& bindings) {
    if (e.kind == ExprKind::list_comp) {
        if (!e.target.empty()) ++bindings[e.target];
        if (e.target_tuple) count_target(*e.target_tuple, bindings);
    }
    for (const auto& a : e.args) {
        if (a) count_in_expr(*a, bindings);
    }
    for (const auto& k : e.keywords) {
        if (k.value) count_in_expr(*k.value, bindings);
    }
}

// Counts every binding of a name in a body and the bodies inside it.
void count_in_body(const Body& body, std::map<std::string, int>& bindings) {
    for (const auto& s : body) {
        if (s->value) count_in_expr(*s->value, bindings);
        for (const auto& t : s->targets) {
            // A class's targets are its bases, an augmented assignment's is bound as well.
            if (s->kind == StmtKind::class_)
                count_in_expr(*t, bindings);
            else
                count_target(*t, bindings);
        }
        for (const auto& d : s->defaults) {
            if (d) count_in_expr(*d, bindings);
        }
        switch (s->kind) {
        case StmtKind::def:
        case StmtKind::class_:
            ++bindings[s->text];
            break;
        case StmtKind::import:
            for (const auto& [module, alias] : s->names)
                ++bindings[alias.empty() ? module.substr(0, module.find('.')) : alias];
            break;
        case StmtKind::from:
            for (const auto& [name, alias] : s->names)
                ++bindings[alias.empty() ? name : alias];
            break;
        default:
            break;
        }
        for (const auto& p : s->params)
            ++bindings[p];
        for (const auto& item : s->items) {
            if (item.context) count_in_expr(*item.context, bindings);
            if (!item.name.empty()) ++bindings[item.name];
        }
        for (const auto& h : s->handlers) {
            if (h.type) count_in_expr(*h.type, bindings);
            if (!h.name.empty()) ++bindings[h.name];
            count_in_body(h.body, bindings);
        }
        count_in_body(s->body, bindings);
        count_in_body(s->orelse, bindings);
        count_in_body(s->finalbody, bindings);
    }
}

// Whether a default value is evaluated without running code or reading an unbound name.
bool is_literal(const Expr& e, const Constants& constants) {
    return e.kind == ExprKind::string || e.kind == ExprKind::constant ||
           fold_int(e, constants).has_value();
}

// Whether defining `s` (a def, or a class and its methods) evaluates no code but literals.
bool defines_only(const Stmt& s, const Constants& constants) {
    for (const auto& d : s.defaults) {
        if (d && !is_literal(*d, constants)) return false;
    }
    if (s.kind == StmtKind::class_) {
        for (const auto& m : s.body) {
            if (!defines_only(*m, constants)) return false;
        }
    }
    return true;
}

} // namespace

std::optional<std::int64_t> fold_int(const Expr& e, const Constants& constants) {
    if (e.kind == ExprKind::integer) {
        if (e.is_float) return std::nullopt;
        return e.number;
    }
    if (e.kind == ExprKind::name) {
        if (const auto it = constants.find(e.text); it != constants.end()) return it->second;
        return std::nullopt;
    }
    if (e.kind == ExprKind::unary && e.text == "-") {
        const auto v = fold_int(*e.args[0], constants);
        if (v) return -*v;
    }
    if (e.kind == ExprKind::binary) {
        const auto a = fold_int(*e.args[0], constants);
        const auto b = fold_int(*e.args[1], constants);
        if (!a || !b) return std::nullopt;
        constexpr std::int64_t kBig = std::int64_t{1} << 40;
        if (*a > kBig || *a < -kBig || *b > kBig || *b < -kBig) return std::nullopt;
        if (e.text == "+") return *a + *b;
        if (e.text == "-") return *a - *b;
        if (e.text == "*") return *a * *b;
    }
    return std::nullopt;
}

Constants module_constants(const Module& module) {
    Constants leading;
    for (const auto& s : module.body) {
        const bool docstring = s->kind == StmtKind::expr && s->value->kind == ExprKind::string;
        if (s->kind == StmtKind::import || s->kind == StmtKind::from || s->kind == StmtKind::pass ||
            docstring)
            continue;
        if ((s->kind == StmtKind::def || s->kind == StmtKind::class_) && defines_only(*s, leading))
            continue;
        if (s->kind != StmtKind::assign || s->targets.size() != 1 ||
            s->targets[0]->kind != ExprKind::name)
            break;
        const auto v = fold_int(*s->value, leading);
        if (!v) break;
        leading[s->targets[0]->text] = *v;
    }
    std::map<std::string, int> bindings;
    count_in_body(module.body, bindings);
    Constants constants;
    for (const auto& [name, value] : leading) {
        if (bindings[name] == 1) constants.emplace(name, value);
    }
    return constants;
}

} // namespace mpcheck::frontend
