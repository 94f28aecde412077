// Expressions: constants (with folding of sized strings), arithmetic, comparisons, and/or.
#include "frontend/lowerer.hpp"

#include <cstring>

namespace mpcheck::frontend {

using model::BinaryOp;
using model::Op;
using model::Reg;
using model::Value;

std::optional<std::int64_t> Lowerer::fold_int(const Expr& e) const {
    // A module constant is bound nowhere else, so no local or comprehension variable hides it.
    return frontend::fold_int(e, module_constants_);
}

std::string Lowerer::const_str(const Expr& e) const {
    if (e.kind != ExprKind::string || e.is_fstring)
        unsupported("expected a string literal", e.pos.line, e.pos.column);
    return e.text;
}

std::optional<model::ExcType> Lowerer::exc_type_opt(const Expr& e) const {
    std::string name;
    if (e.kind == ExprKind::name) {
        name = e.text;
        if (const auto it = imports_.find(name); it != imports_.end()) {
            name = it->second;
            if (name == "multiprocessing.TimeoutError") name = "multiprocessing.TimeoutError";
        }
    } else if (e.kind == ExprKind::attribute && e.args[0]->kind == ExprKind::name) {
        const auto it = imports_.find(e.args[0]->text);
        name = (it != imports_.end() ? it->second : e.args[0]->text) + "." + e.text;
    } else {
        return std::nullopt;
    }
    for (int i = 0; i < model::kNumExcTypes; ++i) {
        const auto t = static_cast<model::ExcType>(i);
        if (name == model::python_name(t)) return t;
    }
    return std::nullopt;
}

model::ExcType Lowerer::exc_type(const Expr& e) const {
    const auto t = exc_type_opt(e);
    if (!t) unsupported("exception type '" + src(e.pos) + "'", e.pos.line, e.pos.column);
    return *t;
}

namespace {
// `__name__ == '__main__'`: the one use of __name__ the model understands.
bool is_main_check(const Expr& e) {
    return e.kind == ExprKind::compare && e.text == "==" && e.args[0]->kind == ExprKind::name &&
           e.args[0]->text == "__name__" && e.args[1]->kind == ExprKind::string &&
           e.args[1]->text == "__main__";
}
} // namespace

Val Lowerer::condition(const Expr& e) {
    if (is_main_check(e)) {
        const Reg t = fb().temp();
        at(e.pos);
        fb().emit({.op = Op::name_is_main, .dst = t}, src(e.pos));
        return Val{t, Kind::unknown};
    }
    return expr(e);
}

Val Lowerer::expr(const Expr& e, std::string_view text) {
    const Val v = value(e, text);
    return v.is_aggregate() ? materialize(v, e) : v;
}

Val Lowerer::value(const Expr& e, std::string_view text) {
    at(e.pos);
    switch (e.kind) {
    case ExprKind::name:
        return load_value(e.text, e.pos);
    case ExprKind::integer:
        if (e.is_float) unsupported("float literal", e.pos.line, e.pos.column);
        if (!Value::fits_int(e.number))
            unsupported("integer literal beyond the model's range (|n| < 2**27)", e.pos.line,
                        e.pos.column);
        return Val{constant(Value::integer(static_cast<std::int32_t>(e.number)))};
    case ExprKind::constant:
        if (e.text == "None") return Val{constant(Value::none())};
        return Val{constant(Value::boolean(e.text == "True"))};
    case ExprKind::string:
        return string_literal(e);
    case ExprKind::fstring:
        return fstring(e);
    case ExprKind::binary: {
        if (e.text == "%" &&
            (e.args[0]->kind == ExprKind::string || e.args[0]->kind == ExprKind::fstring))
            return percent_format(e);
        if (const auto v = fold_int(e); v && Value::fits_int(*v))
            return Val{constant(Value::integer(static_cast<std::int32_t>(*v)))};
        static const std::map<std::string, BinaryOp> kOps = {{"+", BinaryOp::add},
                                                             {"-", BinaryOp::sub},
                                                             {"*", BinaryOp::mul},
                                                             {"//", BinaryOp::floordiv},
                                                             {"%", BinaryOp::mod}};
        const auto it = kOps.find(e.text);
        if (it == kOps.end()) unsupported("operator '" + e.text + "'", e.pos.line, e.pos.column);
        const Val a = expr(*e.args[0]);
        const Val b = expr(*e.args[1]);
        const Reg t = fb().temp();
        at(e.pos);
        fb().binary(t, a.reg, it->second, b.reg);
        return Val{t};
    }
    case ExprKind::unary: {
        if (e.text == "+") return expr(*e.args[0]);
        if (e.text == "~") unsupported("operator '~'", e.pos.line, e.pos.column);
        if (e.text == "-") {
            if (const auto v = fold_int(e); v && Value::fits_int(*v))
                return Val{constant(Value::integer(static_cast<std::int32_t>(*v)))};
        }
        const Val a = e.text == "not" ? condition(*e.args[0]) : expr(*e.args[0]);
        const Reg t = fb().temp();
        at(e.pos);
        fb().emit({.op = Op::unary,
                   .dst = t,
                   .a = a.reg,
                   .imm = static_cast<std::int32_t>(e.text == "not" ? model::UnaryOp::not_
                                                                    : model::UnaryOp::neg)});
        return Val{t};
    }
    case ExprKind::compare: {
        if (e.text == "in" || e.text == "not in") return membership(e);
        if (is_main_check(e)) return condition(e); // any other use of __name__ is refused
        static const std::map<std::string, BinaryOp> kOps = {
            {"==", BinaryOp::eq}, {"!=", BinaryOp::ne},        {"<", BinaryOp::lt},
            {"<=", BinaryOp::le}, {">", BinaryOp::gt},         {">=", BinaryOp::ge},
            {"is", BinaryOp::is}, {"is not", BinaryOp::is_not}};
        const Val a = expr(*e.args[0]);
        const Val b = expr(*e.args[1]);
        const Reg t = fb().temp();
        at(e.pos);
        fb().binary(t, a.reg, kOps.at(e.text), b.reg);
        return Val{t};
    }
    case ExprKind::boolop: {
        const Reg t = fb().temp();
        const Val a = condition(*e.args[0]);
        fb().move(t, a.reg);
        const std::uint32_t j = e.text == "and" ? fb().jump_if_false(t) : fb().jump_if_true(t);
        const Val b = condition(*e.args[1]);
        fb().move(t, b.reg);
        fb().patch(j, fb().pc());
        return Val{t};
    }
    case ExprKind::call:
        return call(e, text.empty() ? src(e.pos) : text);
    case ExprKind::attribute:
        return attribute(e, text.empty() ? src(e.pos) : text);
    case ExprKind::tuple:
    case ExprKind::list:
        return display(e);
    case ExprKind::list_comp:
        return comprehension(e);
    case ExprKind::dict:
        return dict_display(e);
    case ExprKind::subscript:
        return subscript(e);
    }
    unsupported("expression", e.pos.line, e.pos.column);
}

} // namespace mpcheck::frontend
