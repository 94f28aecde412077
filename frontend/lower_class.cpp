// User classes, lowered statically: an instance is a fixed record of its attributes (hidden
// variables "obj.attr"), built by interpreting __init__ at the construction site; methods are
// functions that receive `self` as its attributes. A Process subclass instance is also a
// process handle whose child runs `run(self)` on a copy of the attributes, as fork and spawn
// both give the child a copy of the Process object.
#include "frontend/lowerer.hpp"

#include <algorithm>
#include <utility>

namespace mpcheck::frontend {

using model::Reg;
using model::Value;

namespace {
bool is_docstring(const Stmt& s) {
    return s.kind == StmtKind::pass ||
           (s.kind == StmtKind::expr &&
            (s.value->kind == ExprKind::string || s.value->kind == ExprKind::constant));
}

bool is_self_attribute(const Expr& e) {
    return e.kind == ExprKind::attribute && e.args[0]->kind == ExprKind::name &&
           e.args[0]->text == "self";
}

// super().__init__(...) or Base.__init__(self, ...).
bool is_super_init(const Stmt& s) {
    if (s.kind != StmtKind::expr || s.value->kind != ExprKind::call) return false;
    const Expr& callee = *s.value->args[0];
    if (callee.kind != ExprKind::attribute || callee.text != "__init__") return false;
    const Expr& base = *callee.args[0];
    return (base.kind == ExprKind::call && base.args[0]->kind == ExprKind::name &&
            base.args[0]->text == "super") ||
           base.kind == ExprKind::name || base.kind == ExprKind::attribute;
}
} // namespace

void Lowerer::register_class(const Stmt& s) {
    if (classes_.count(s.text) != 0 || functions_.count(s.text) != 0)
        unsupported("redefinition of '" + s.text + "'", s.pos.line, s.pos.column);
    if (s.targets.size() > 1)
        unsupported("class with several base classes", s.pos.line, s.pos.column);
    ClassInfo c;
    c.def = &s;
    for (const auto& m : s.body) {
        if (is_docstring(*m)) continue;
        if (m->kind != StmtKind::def)
            unsupported("class body other than methods", m->pos.line, m->pos.column);
        if (m->params.empty() || m->params[0] != "self")
            unsupported("method whose first parameter is not 'self'", m->pos.line, m->pos.column);
        if (m->text == "__init__") {
            c.init = m.get();
            for (const auto& st : m->body) {
                if (st->kind == StmtKind::assign && st->targets.size() == 1 &&
                    is_self_attribute(*st->targets[0]) &&
                    std::find(c.attrs.begin(), c.attrs.end(), st->targets[0]->text) ==
                        c.attrs.end())
                    c.attrs.push_back(st->targets[0]->text);
            }
            continue;
        }
        if (m->text.starts_with("__"))
            unsupported("special method '" + m->text + "'", m->pos.line, m->pos.column);
        c.methods[m->text] = m.get();
        register_function(s.text + "." + m->text, *m, s.text);
    }
    classes_[s.text] = std::move(c);
}

Val Lowerer::instantiate(const std::string& cls, const Expr& e, std::string_view text) {
    const ClassInfo& c = classes_.at(cls);
    bool is_process = false;
    if (!c.def->targets.empty()) {
        const Expr& base = *c.def->targets[0];
        is_process = mp_name(base).value_or("") == "Process";
        if (!is_process && !(base.kind == ExprKind::name && base.text == "object"))
            unsupported("class '" + cls + "' derived from " + src(base.pos) +
                            " (only object and multiprocessing.Process)",
                        base.pos.line, base.pos.column);
    }
    // The constructor's arguments, bound to __init__'s parameters.
    std::map<std::string, Val> env;
    if (c.init != nullptr) {
        const auto& params = c.init->params;
        const std::size_t required = params.size() - c.init->defaults.size();
        if (e.args.size() > params.size())
            unsupported("too many arguments for " + cls + "()", e.pos.line, e.pos.column);
        // An object made in the arguments is called by its own text, not by the variable the
        // statement assigns the instance to.
        const std::string var = std::exchange(var_, std::string{});
        for (std::size_t i = 1; i < e.args.size(); ++i)
            env[params[i]] = value(*e.args[i]);
        for (const auto& k : e.keywords) {
            if (std::find(params.begin() + 1, params.end(), k.name) == params.end() ||
                env.count(k.name) != 0)
                unsupported("keyword argument '" + k.name + "' of " + cls + "()", e.pos.line,
                            e.pos.column);
            env[k.name] = value(*k.value);
        }
        var_ = var;
        for (std::size_t i = 1; i < params.size(); ++i) {
            if (env.count(params[i]) != 0) continue;
            if (i < required)
                unsupported(cls + "() without argument '" + params[i] + "'", e.pos.line,
                            e.pos.column);
            env[params[i]] = value(*c.init->defaults[i - required]);
        }
    } else if (e.args.size() > 1 || !e.keywords.empty()) {
        unsupported(cls + "() with arguments but no __init__", e.pos.line, e.pos.column);
    }
    // Interpret __init__: each `self.attr = value` fills a slot of the record.
    auto inst = std::make_shared<Static>();
    inst->shape = Static::Shape::instance;
    inst->cls = cls;
    std::optional<Reg> daemon;
    std::optional<Reg> name;
    const std::string base_name = var_.empty() ? cls : var_;
    if (c.init != nullptr) {
        overlays_.push_back(std::move(env));
        for (const auto& st : c.init->body) {
            at(st->pos);
            if (is_docstring(*st)) continue;
            if (is_super_init(*st)) {
                const Expr& call = *st->value;
                for (const auto& k : call.keywords) {
                    if (is_process && k.name == "daemon")
                        daemon = expr(*k.value).reg;
                    else if (is_process && k.name == "name")
                        name = expr(*k.value).reg;
                    else
                        unsupported("argument '" + k.name + "' of the base __init__", st->pos.line,
                                    st->pos.column);
                }
                const std::size_t self_args = call.args[0]->args[0]->kind == ExprKind::call ? 1 : 2;
                if (call.args.size() > self_args)
                    unsupported("positional arguments of the base __init__", st->pos.line,
                                st->pos.column);
                continue;
            }
            if (st->kind != StmtKind::assign || st->targets.size() != 1 ||
                !is_self_attribute(*st->targets[0]))
                unsupported("statement in __init__ (only self.attr = value, super().__init__() "
                            "and docstrings are modelled)",
                            st->pos.line, st->pos.column);
            const std::string& attr = st->targets[0]->text;
            overlays_.back()["self"] = Val{0, Kind::instance, inst};
            var_ = base_name + "." + attr;
            const Val v = value(*st->value, src(st->pos));
            var_.clear();
            if (is_process && attr == "daemon") {
                daemon = v.reg;
                continue;
            }
            auto next = std::make_shared<Static>(*inst);
            const auto it = std::find(next->attrs.begin(), next->attrs.end(), attr);
            if (it == next->attrs.end()) {
                next->attrs.push_back(attr);
                next->items.push_back(v);
            } else {
                next->items[static_cast<std::size_t>(it - next->attrs.begin())] = v;
            }
            inst = std::move(next);
        }
        overlays_.pop_back();
    }
    var_ = base_name == cls ? std::string{} : base_name;
    const Val self{0, Kind::instance, inst};
    if (!is_process) return self;
    const std::string run_name = cls + ".run";
    if (functions_.count(run_name) == 0)
        unsupported("Process subclass '" + cls + "' without run()", e.pos.line, e.pos.column);
    FunctionInfo& run = functions_[run_name];
    if (run.params.size() != 1)
        unsupported("run() with parameters besides self", run.def->pos.line, run.def->pos.column);
    learn_params(run, run_name, {self}, e.pos);
    const Val handle = new_process(run, {self}, nullptr, e, text, daemon, name);
    auto with_handle = std::make_shared<Static>(*inst);
    with_handle->handle = true;
    return Val{handle.reg, Kind::process, with_handle};
}

Val Lowerer::method_call(const Val& obj, const std::string& name, const Expr& e,
                         std::string_view text) {
    const std::string fn = obj.agg->cls + "." + name;
    FunctionInfo& info = functions_.at(fn);
    Val self = obj;
    if (obj.agg->handle) {
        // The method sees the attributes; the handle stays with the parent.
        auto attrs = std::make_shared<Static>(*obj.agg);
        attrs->handle = false;
        self = Val{0, Kind::instance, attrs};
    }
    const std::vector<Val> vals = bind_params(info, fn, e, 1, {self});
    std::vector<Val> flat;
    for (const Val& v : vals)
        flatten(v, flat);
    return emit_call(info, flat, e, text);
}

} // namespace mpcheck::frontend
