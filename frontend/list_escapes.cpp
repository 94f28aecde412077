#include "frontend/list_escapes.hpp"

#include <string_view>

namespace mpcheck::frontend {

namespace {

// Builtins that read their arguments and keep no reference to them in what they return.
// enumerate(), zip() and iter() are not among them: their iterators hold the list, so a later
// append would show through them (they are reading uses only as a loop's iterable).
bool copies_arguments(std::string_view name) {
    static constexpr std::string_view kReading[] = {
        "len",   "sum",    "print", "str", "repr", "int", "bool",       "list",
        "tuple", "sorted", "min",   "max", "any",  "all", "isinstance", "abs"};
    for (const auto r : kReading) {
        if (name == r) return true;
    }
    return false;
}

bool is_lazy_iteration(const Expr& e) {
    return e.kind == ExprKind::call && e.args[0]->kind == ExprKind::name &&
           (e.args[0]->text == "enumerate" || e.args[0]->text == "zip");
}

bool is_new_list(const Expr& e) {
    return e.kind == ExprKind::list || e.kind == ExprKind::list_comp;
}

class EscapeWalker {
public:
    EscapeWalker(const std::set<std::string>& user_methods,
                 std::map<std::string, ListEscape>& escapes)
        : user_methods_(user_methods), escapes_(escapes) {}

    void body(const Body& b) {
        for (const auto& s : b)
            stmt(*s);
    }

    void escape(const std::string& name, const Pos& p, std::string how) {
        escapes_.try_emplace(name, ListEscape{p, std::move(how)});
    }

private:
    // Visits e. A bare name in a position where its object may be kept (by another name, a
    // container, a callee) is recorded with `how`; an empty `how` is a position that only reads.
    void expr(const Expr& e, const std::string& how) {
        switch (e.kind) {
        case ExprKind::name:
            if (!how.empty()) escape(e.text, e.pos, how);
            return;
        case ExprKind::integer:
        case ExprKind::string:
        case ExprKind::constant:
            return;
        case ExprKind::binary:
            // Arithmetic and formatting make new objects; `'%s %s' % (a, b)` only reads a, b.
            expr(*e.args[0], {});
            if (e.text == "%" && e.args[1]->kind == ExprKind::tuple) {
                for (const auto& a : e.args[1]->args)
                    expr(*a, {});
            } else {
                expr(*e.args[1], {});
            }
            return;
        case ExprKind::unary:
        case ExprKind::compare:
        case ExprKind::fstring:
        case ExprKind::attribute:
            for (const auto& a : e.args)
                expr(*a, {});
            return;
        case ExprKind::subscript:
            expr(*e.args[0], {});
            expr(*e.args[1], {});
            return;
        case ExprKind::boolop: // `a or b` is one of its operands
            for (const auto& a : e.args)
                expr(*a, how);
            return;
        case ExprKind::tuple:
        case ExprKind::list:
            for (const auto& a : e.args)
                expr(*a, "put in a tuple or list");
            return;
        case ExprKind::dict:
            for (std::size_t i = 0; i < e.args.size(); ++i)
                expr(*e.args[i], i % 2 == 0 ? std::string{} : "put in a dict");
            return;
        case ExprKind::list_comp:
            iterable(*e.args[1]);
            if (!e.target.empty()) escape(e.target, e.pos, "a comprehension variable");
            if (e.target_tuple) bind(*e.target_tuple, "a comprehension variable");
            expr(*e.args[0], "put in a list by a comprehension");
            return;
        case ExprKind::call:
            call(e);
            return;
        }
    }

    void call(const Expr& e) {
        const Expr& callee = *e.args[0];
        std::string how;
        if (callee.kind == ExprKind::attribute) {
            expr(*callee.args[0], {}); // the receiver of a method
            const std::string& method = callee.text;
            const bool sends_copy =
                (method == "put" || method == "put_nowait" || method == "send") &&
                user_methods_.count(method) == 0;
            if (method == "append")
                how = "appended to a list";
            else if (!sends_copy)
                how = "passed to ." + method + "()";
        } else if (callee.kind == ExprKind::name) {
            if (!copies_arguments(callee.text)) how = "passed to " + callee.text + "()";
        } else {
            expr(callee, {});
            how = "passed to a call";
        }
        for (std::size_t i = 1; i < e.args.size(); ++i)
            expr(*e.args[i], how);
        for (const auto& k : e.keywords) {
            if (k.value) expr(*k.value, how);
        }
    }

    // A loop's iterable: iterating reads, and enumerate()/zip() there are consumed at once.
    void iterable(const Expr& e) {
        if (is_lazy_iteration(e)) {
            for (std::size_t i = 1; i < e.args.size(); ++i)
                expr(*e.args[i], {});
            return;
        }
        expr(e, {});
    }

    // A target bound to a value that may be an existing list.
    void bind(const Expr& target, const std::string& how) {
        if (target.kind == ExprKind::name) {
            escape(target.text, target.pos, how);
            return;
        }
        if (target.kind == ExprKind::tuple || target.kind == ExprKind::list) {
            for (const auto& a : target.args)
                bind(*a, how);
            return;
        }
        for (const auto& a : target.args) // obj.attr = ..., seq[i] = ...: their parts are read
            expr(*a, {});
    }

    void stmt(const Stmt& s) {
        switch (s.kind) {
        case StmtKind::assign:
            expr(*s.value, "assigned to another name");
            for (const auto& t : s.targets) {
                // Only `name = [...]` (a new list) leaves the name the list's only holder.
                if (t->kind == ExprKind::name && is_new_list(*s.value)) continue;
                bind(*t, "bound to something other than a new list");
            }
            return;
        case StmtKind::aug:
            bind(*s.targets[0], "changed by an augmented assignment");
            expr(*s.value, {});
            return;
        case StmtKind::for_:
            iterable(*s.value);
            bind(*s.targets[0], "a for-loop variable");
            break;
        case StmtKind::with:
            for (const auto& item : s.items) {
                if (item.context) expr(*item.context, "used by a with statement");
                if (!item.name.empty()) escape(item.name, s.pos, "bound by with ... as");
            }
            break;
        case StmtKind::global:
            for (const auto& [name, alias] : s.names)
                escape(name, s.pos, "declared global");
            return;
        case StmtKind::def:
        case StmtKind::class_:
            // Another scope; only what the definition itself evaluates is read here.
            for (const auto& d : s.defaults) {
                if (d) expr(*d, "a parameter's default value");
            }
            for (const auto& t : s.targets)
                expr(*t, {});
            return;
        case StmtKind::import:
        case StmtKind::from:
        case StmtKind::pass:
        case StmtKind::brk:
        case StmtKind::cont:
            return;
        case StmtKind::expr:
        case StmtKind::ret:
        case StmtKind::assert_:
        case StmtKind::raise:
        case StmtKind::if_:
        case StmtKind::while_:
        case StmtKind::try_:
            // A returned list goes to the caller as the function ends: no later append here.
            if (s.value) expr(*s.value, {});
            break;
        }
        body(s.body);
        body(s.orelse);
        for (const auto& h : s.handlers) {
            if (h.type) expr(*h.type, {});
            if (!h.name.empty()) escape(h.name, h.pos, "bound by except ... as");
            body(h.body);
        }
        body(s.finalbody);
    }

    const std::set<std::string>& user_methods_;
    std::map<std::string, ListEscape>& escapes_;
};

void names_in_expr(const Expr& e, std::map<std::string, Pos>& out) {
    if (e.kind == ExprKind::name) out.try_emplace(e.text, e.pos);
    if (e.kind == ExprKind::list_comp && !e.target.empty()) out.try_emplace(e.target, e.pos);
    if (e.target_tuple) names_in_expr(*e.target_tuple, out);
    for (const auto& a : e.args) {
        if (a) names_in_expr(*a, out);
    }
    for (const auto& k : e.keywords) {
        if (k.value) names_in_expr(*k.value, out);
    }
}

void names_in_body(const Body& b, std::map<std::string, Pos>& out) {
    for (const auto& s : b) {
        if (s->value) names_in_expr(*s->value, out);
        for (const auto& t : s->targets)
            names_in_expr(*t, out);
        for (const auto& d : s->defaults) {
            if (d) names_in_expr(*d, out);
        }
        if (s->kind == StmtKind::global) {
            for (const auto& [name, alias] : s->names)
                out.try_emplace(name, s->pos);
        }
        for (const auto& item : s->items) {
            if (item.context) names_in_expr(*item.context, out);
        }
        for (const auto& h : s->handlers) {
            if (h.type) names_in_expr(*h.type, out);
            names_in_body(h.body, out);
        }
        names_in_body(s->body, out);
        names_in_body(s->orelse, out);
        names_in_body(s->finalbody, out);
    }
}

} // namespace

std::map<std::string, ListEscape> list_escapes(const Body& body,
                                               const std::vector<std::string>& params,
                                               const std::set<std::string>& user_methods) {
    std::map<std::string, ListEscape> escapes;
    EscapeWalker walker(user_methods, escapes);
    for (const auto& p : params)
        walker.escape(p, Pos{}, "a parameter (the caller's list)");
    walker.body(body);
    return escapes;
}

std::map<std::string, Pos> names_in_functions(const Module& module) {
    std::map<std::string, Pos> out;
    for (const auto& s : module.body) {
        if (s->kind == StmtKind::def || s->kind == StmtKind::class_) names_in_body(s->body, out);
    }
    return out;
}

std::set<std::string> user_method_names(const Module& module) {
    std::set<std::string> out;
    for (const auto& s : module.body) {
        if (s->kind != StmtKind::class_) continue;
        for (const auto& m : s->body) {
            if (m->kind == StmtKind::def) out.insert(m->text);
        }
    }
    return out;
}

} // namespace mpcheck::frontend
