#include "frontend/lower.hpp"

#include "frontend/lowerer.hpp"

#include <cstring>
#include <utility>

namespace mpcheck::frontend {

using model::BinaryOp;
using model::Instr;
using model::Op;
using model::Reg;
using model::Value;

model::Program lower(const Module& module, std::string_view source) {
    // Functions are lowered in definition order, so a worker defined before the main() that
    // starts it would not know its parameters' kinds and shapes: lenient passes learn them
    // first (each pass learns one more level of calls).
    Lowerer::ParamKinds kinds;
    std::set<std::string> runtime_lists;
    for (int pass = 0; pass < 3; ++pass) {
        Lowerer learn(module, source, kinds, true, runtime_lists);
        try {
            (void)learn.run();
        } catch (const FrontendError&) {
            // the strict pass reports it; what was learnt so far still helps
        }
        kinds = learn.param_kinds();
        runtime_lists = learn.runtime_lists();
    }
    return Lowerer(module, source, std::move(kinds), false, std::move(runtime_lists)).run();
}

Lowerer::ParamKinds Lowerer::param_kinds() const {
    ParamKinds out;
    for (const auto& [name, info] : functions_)
        out[name] = ParamInfo{info.param_kinds, info.param_shapes};
    return out;
}

namespace {
std::string child_name(const std::string& name, const Static& shape, std::size_t i) {
    if (shape.shape == Static::Shape::instance) return name + "." + shape.attrs[i];
    std::string out = name;
    out += '[';
    out += std::to_string(i);
    out += ']';
    return out;
}

// The hidden variables that hold the leaves of an aggregate of `shape` stored as `name`, in
// the order flatten() passes them.
void leaf_names(const std::string& name, const Static& shape,
                std::vector<std::pair<std::string, Kind>>& out) {
    if (shape.handle) out.emplace_back(name, Kind::process);
    for (std::size_t i = 0; i < shape.items.size(); ++i) {
        const Val& item = shape.items[i];
        const std::string child = child_name(name, shape, i);
        if (item.agg)
            leaf_names(child, *item.agg, out);
        else
            out.emplace_back(child, item.kind);
    }
}
} // namespace

std::string hidden_name(const std::string& name, const Static& shape, std::size_t i) {
    return child_name(name, shape, i);
}

void Lowerer::register_function(const std::string& name, const Stmt& def, const std::string& cls) {
    if (functions_.count(name) != 0)
        unsupported("redefinition of function '" + name + "'", def.pos.line, def.pos.column);
    FunctionInfo info;
    info.def = &def;
    info.id = b_.function_id(name);
    info.params = def.params;
    info.cls = cls;
    info.param_kinds.assign(def.params.size(), Kind::unknown);
    info.param_shapes.assign(def.params.size(), nullptr);
    if (const auto it = seed_.find(name);
        it != seed_.end() && it->second.kinds.size() == def.params.size()) {
        info.param_kinds = it->second.kinds;
        info.param_shapes = it->second.shapes;
    }
    auto f = b_.function(name, {});
    b_.program().functions[info.id].loc = {def.pos.line, def.pos.column};
    std::vector<std::pair<std::string, Kind>> leaves;
    for (std::size_t i = 0; i < def.params.size(); ++i) {
        if (info.param_shapes[i])
            leaf_names(def.params[i], *info.param_shapes[i], leaves);
        else
            leaves.emplace_back(def.params[i], info.param_kinds[i]);
    }
    for (const auto& [leaf, kind] : leaves)
        f.reg(leaf);
    b_.program().functions[info.id].num_params = static_cast<std::uint16_t>(leaves.size());
    functions_[name] = std::move(info);
    function_order_.push_back(name);
}

model::FunctionBuilder Lowerer::fb_for(model::FuncId id) {
    // FunctionBuilder's constructor is private: rebuild one from the builder's public entry.
    if (id == b_.program().module) return b_.module();
    const std::string name = b_.program().functions[id].name;
    const auto saved_params = b_.program().functions[id].num_params;
    auto f = b_.function(name, {});
    b_.program().functions[id].num_params = saved_params;
    return f;
}

void Lowerer::at(const Pos& p) {
    loc_ = {p.line, p.column};
}

std::string Lowerer::src(const Pos& p) const {
    std::string out;
    bool space = false;
    for (std::size_t i = p.begin; i < p.end && i < source_.size(); ++i) {
        const char c = source_[i];
        // A backslash is a line continuation only right before a line end; inside a string
        // literal ('a\nb') it is kept.
        const bool continuation = c == '\\' && i + 1 < source_.size() &&
                                  (source_[i + 1] == '\n' || source_[i + 1] == '\r');
        if (c == '\n' || c == '\r' || continuation) {
            space = true;
            continue;
        }
        if (space && c == ' ') continue;
        if (space && !out.empty() && out.back() != '(' && out.back() != '[') out += ' ';
        space = false;
        out += c;
    }
    return out;
}

model::Program Lowerer::run() {
    // Register every top-level function and class first, so calls may precede definitions.
    for (const auto& s : module_.body) {
        if (s->kind == StmtKind::def) register_function(s->text, *s, {});
        if (s->kind == StmtKind::class_) register_class(*s);
    }
    module_scope_.id = b_.program().module;
    module_scope_.is_module = true;
    scope_ = &module_scope_;
    module_scope_.list_escapes = list_escapes(module_.body, {}, user_methods_);
    for (const auto& [name, pos] : names_in_functions_)
        module_scope_.list_escapes.try_emplace(name, ListEscape{pos, "read by a function"});
    regions_.push_back(++regions_made_);
    body(module_.body);
    regions_.clear();
    // Functions are lowered after the module so that argument kinds seen at Process(...) and
    // call sites are known; repeat until no function is left.
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& name : function_order_) {
            FunctionInfo& info = functions_[name];
            if (info.lowered) continue;
            lower_function(info);
            changed = true;
        }
    }
    for (const auto& [name, pos] : referenced_functions_) {
        if (functions_.count(name) == 0)
            unsupported("call of unknown function '" + name + "'", pos.line, pos.column);
    }
    try {
        return b_.build();
    } catch (const std::exception& e) {
        unsupported(e.what(), 1, 1);
    }
}

void Lowerer::lower_function(FunctionInfo& info) {
    info.lowered = true;
    Scope scope;
    scope.id = info.id;
    scope.self_class = info.cls;
    for (std::size_t i = 0; i < info.params.size(); ++i) {
        const std::string& p = info.params[i];
        scope.locals.insert(p);
        scope.kinds[p] = info.param_kinds[i];
        if (info.param_shapes[i]) {
            scope.statics[p] = info.param_shapes[i];
            std::vector<std::pair<std::string, Kind>> leaves;
            leaf_names(p, *info.param_shapes[i], leaves);
            for (const auto& [leaf, kind] : leaves) {
                scope.locals.insert(leaf);
                scope.kinds[leaf] = kind;
            }
        }
    }
    Scope* saved = scope_;
    scope_ = &scope;
    if (!info.cls.empty() && !info.params.empty() && !info.param_shapes[0]) {
        // A method never called on an instance: nothing can run it.
        fb().ret(constant(model::Value::none()));
        scope_ = saved;
        return;
    }
    collect_locals(info.def->body, scope);
    for (const auto& g : scope.globals)
        scope.locals.erase(g);
    scope.list_escapes = list_escapes(info.def->body, info.params, user_methods_);
    const std::vector<std::uint32_t> saved_regions = std::exchange(regions_, {++regions_made_});
    const int saved_try_depth = std::exchange(try_depth_, 0);
    body(info.def->body);
    regions_ = saved_regions;
    try_depth_ = saved_try_depth;
    scope_ = saved;
}

namespace {
void collect_target(const Expr& t, Scope& scope) {
    if (t.kind == ExprKind::name) scope.locals.insert(t.text);
    if (t.kind == ExprKind::tuple || t.kind == ExprKind::list) {
        for (const auto& a : t.args)
            collect_target(*a, scope);
    }
}
} // namespace

void Lowerer::collect_locals(const Body& b, Scope& scope) {
    for (const auto& s : b) {
        switch (s->kind) {
        case StmtKind::assign:
        case StmtKind::aug:
        case StmtKind::for_:
            for (const auto& t : s->targets)
                collect_target(*t, scope);
            break;
        case StmtKind::global:
            for (const auto& [n, unused] : s->names)
                scope.globals.insert(n);
            break;
        case StmtKind::with:
            for (const auto& item : s->items) {
                if (!item.name.empty()) scope.locals.insert(item.name);
            }
            break;
        case StmtKind::import:
        case StmtKind::from:
            unsupported("import inside a function", s->pos.line, s->pos.column);
        case StmtKind::def:
            unsupported("nested function", s->pos.line, s->pos.column);
        case StmtKind::class_:
            unsupported("class defined inside a function", s->pos.line, s->pos.column);
        default:
            break;
        }
        for (const auto& h : s->handlers) {
            if (!h.name.empty()) scope.locals.insert(h.name);
            collect_locals(h.body, scope);
        }
        collect_locals(s->body, scope);
        collect_locals(s->orelse, scope);
        collect_locals(s->finalbody, scope);
    }
}

bool Lowerer::is_local(const std::string& name) const {
    return overlays_.empty() && !scope_->is_module && scope_->locals.count(name) != 0;
}

Kind Lowerer::kind_of_name(const std::string& name) const {
    if (const auto it = scope_->kinds.find(name); it != scope_->kinds.end()) return it->second;
    if (!is_local(name)) {
        if (const auto it = module_scope_.kinds.find(name); it != module_scope_.kinds.end())
            return it->second;
        if (functions_.count(name) != 0) return Kind::function;
    }
    return Kind::unknown;
}

void Lowerer::store(const std::string& name, Reg value, Kind kind) {
    Scope& target = is_local(name) ? *scope_ : module_scope_;
    auto& k = target.kinds[name];
    if (k == Kind::unknown)
        k = kind;
    else if (kind != Kind::unknown && kind != k)
        k = Kind::unknown;
    if (is_local(name)) {
        auto f = fb();
        const Reg r = f.reg(name);
        if (r != value) f.move(r, value);
    } else {
        fb().store_global(name, value);
    }
}

Val Lowerer::load(const std::string& name, const Pos& p) {
    at(p);
    if (name == "__name__")
        unsupported("'__name__' outside `if __name__ == '__main__'`", p.line, p.column);
    if (const auto shape = shape_of(name); shape && !shape->handle)
        unsupported("'" + name +
                        "' (a list, tuple, dict or object) used where a single value is needed",
                    p.line, p.column);
    if (imports_.count(name) != 0 && kind_of_name(name) == Kind::unknown)
        unsupported("'" + name + "' used as a value", p.line, p.column);
    if (functions_.count(name) != 0 && !is_local(name))
        unsupported("function '" + name + "' used as a value", p.line, p.column);
    if (is_local(name)) return Val{fb().reg(name), kind_of_name(name)};
    const Reg t = fb().temp();
    fb().load_global(t, name);
    return Val{t, kind_of_name(name)};
}

void Lowerer::body(const Body& b) {
    for (const auto& s : b)
        stmt(*s);
}

void Lowerer::stmt(const Stmt& s) {
    at(s.pos);
    var_.clear();
    switch (s.kind) {
    case StmtKind::pass:
    case StmtKind::global:
        return;
    case StmtKind::class_:
    case StmtKind::def: {
        bool top = false;
        for (const auto& t : module_.body)
            top = top || t.get() == &s;
        if (!top)
            unsupported(s.kind == StmtKind::def ? "function defined inside a block"
                                                : "class defined inside a block",
                        s.pos.line, s.pos.column);
        return;
    }
    case StmtKind::import:
        for (const auto& [mod, alias] : s.names) {
            static constexpr std::string_view kKnown[] = {
                "multiprocessing", "time",    "os",       "sys", "queue",
                "random",          "logging", "threading"}; // threading: for BrokenBarrierError;
                                                            // threads are refused
            bool known = false;
            for (const auto k : kKnown)
                known = known || mod == k;
            if (!known) unsupported("import of module '" + mod + "'", s.pos.line, s.pos.column);
            const std::string bound = alias.empty() ? mod : alias;
            imports_[bound] = mod;
            module_scope_.kinds[bound] = mod == "multiprocessing" ? Kind::context : Kind::module;
        }
        return;
    case StmtKind::from: {
        if (s.text != "multiprocessing" && s.text != "queue" && s.text != "time" &&
            s.text != "os" && s.text != "sys" && s.text != "threading")
            unsupported("import from module '" + s.text + "'", s.pos.line, s.pos.column);
        for (const auto& [n, alias] : s.names)
            imports_[alias.empty() ? n : alias] = s.text + "." + n;
        return;
    }
    case StmtKind::expr: {
        const Expr& e = *s.value;
        if (e.kind == ExprKind::string || e.kind == ExprKind::integer ||
            e.kind == ExprKind::constant)
            return; // docstrings and bare constants
        statement_call_ = &e;
        expr(e, src(s.pos));
        return;
    }
    case StmtKind::assign:
        for (const auto& t : s.targets)
            assign(*t, *s.value, s);
        return;
    case StmtKind::aug: {
        const Expr& t = *s.targets[0];
        const bool shared_value = t.kind == ExprKind::attribute && t.text == "value";
        if (t.kind != ExprKind::name && !shared_value)
            unsupported("augmented assignment to this target", t.pos.line, t.pos.column);
        static const std::map<std::string, BinaryOp> kOps = {{"+", BinaryOp::add},
                                                             {"-", BinaryOp::sub},
                                                             {"*", BinaryOp::mul},
                                                             {"//", BinaryOp::floordiv},
                                                             {"%", BinaryOp::mod}};
        const auto it = kOps.find(s.text);
        if (it == kOps.end()) unsupported("operator '" + s.text + "='", s.pos.line, s.pos.column);
        if (shared_value) {
            // `v.value += n`: a read and a write, each under v's lock, and not one step (the
            // lost update of an unlocked counter).
            const Val obj = expr(*t.args[0]);
            const Reg old = fb().temp();
            at(s.pos);
            emit({.op = Op::value_load, .dst = old, .a = obj.reg}, src(s.pos));
            const Val right = expr(*s.value);
            const Reg dst = fb().temp();
            at(s.pos);
            fb().binary(dst, old, it->second, right.reg);
            emit({.op = Op::value_store, .a = obj.reg, .b = dst}, src(s.pos));
            return;
        }
        const Val left = load(t.text, t.pos);
        const Val right = expr(*s.value);
        const Reg dst = fb().temp();
        at(s.pos);
        fb().binary(dst, left.reg, it->second, right.reg);
        store(t.text, dst, Kind::unknown);
        return;
    }
    case StmtKind::ret: {
        if (scope_->is_module) syntax_error("'return' outside function", s.pos.line, s.pos.column);
        Reg r = 0;
        if (s.value)
            r = expr(*s.value).reg;
        else
            r = constant(Value::none());
        run_cleanups(0);
        at(s.pos);
        fb().ret(r);
        return;
    }
    case StmtKind::brk:
    case StmtKind::cont:
        jump_out(s, s.kind == StmtKind::brk);
        return;
    case StmtKind::assert_: {
        const Val c = condition(*s.value);
        at(s.pos);
        fb().assert_true(c.reg, src(s.pos));
        return;
    }
    case StmtKind::raise: {
        Reg r = 0;
        if (!s.value) {
            if (current_exc_.empty())
                unsupported("bare 'raise' outside an except block", s.pos.line, s.pos.column);
            r = current_exc_.back();
        } else if (s.value->kind == ExprKind::name && is_local(s.value->text) &&
                   kind_of_name(s.value->text) == Kind::unknown && !exc_type_opt(*s.value)) {
            r = fb().reg(s.value->text);
        } else {
            const Expr& t = s.value->kind == ExprKind::call ? *s.value->args[0] : *s.value;
            r = constant(Value::exception(exc_type(t)));
        }
        at(s.pos);
        fb().emit({.op = Op::raise, .a = r}, src(s.pos));
        return;
    }
    case StmtKind::if_:
        if_stmt(s);
        return;
    case StmtKind::while_:
        while_stmt(s);
        return;
    case StmtKind::for_:
        for_stmt(s);
        return;
    case StmtKind::try_:
        try_stmt(s);
        return;
    case StmtKind::with:
        with_stmt(s);
        return;
    }
}

Reg Lowerer::constant(Value v) {
    const Reg t = fb().temp();
    fb().constant(t, v);
    return t;
}

void Lowerer::jump_out(const Stmt& s, bool is_break) {
    if (loops_.empty())
        syntax_error(std::string("'") + (is_break ? "break" : "continue") + "' outside loop",
                     s.pos.line, s.pos.column);
    run_cleanups(loops_.back().cleanup_depth);
    at(s.pos);
    const std::uint32_t j = fb().jump();
    (is_break ? loops_.back().breaks : loops_.back().continues).push_back(j);
}

void Lowerer::run_cleanups(std::size_t down_to) {
    // Emitted innermost first; the cleanup stack is restored afterwards.
    std::vector<Cleanup> saved = cleanups_;
    while (cleanups_.size() > down_to) {
        const Cleanup c = cleanups_.back();
        cleanups_.pop_back();
        if (c.finally != nullptr) {
            body(c.finally->finalbody);
        } else {
            at(c.pos);
            emit({.op = c.op, .dst = fb().temp(), .a = c.reg}, c.text);
        }
    }
    cleanups_ = std::move(saved);
}

} // namespace mpcheck::frontend
