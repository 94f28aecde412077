// Strings built at run time: literals, f-strings, '%' formatting, str.format, str.join,
// str.split, str() / int() / repr(). The model computes their real content (model/strings.hpp),
// so the pickled size of a queue item built this way is exact.
#include "frontend/lowerer.hpp"

namespace mpcheck::frontend {

using model::BinaryOp;
using model::ExcType;
using model::Op;
using model::Reg;
using model::Value;

Val Lowerer::unary_op(Op op, Reg a, std::int32_t imm, Kind kind) {
    const Reg t = fb().temp();
    // Unused operands name `a`, so that liveness sees no read of an unrelated register.
    fb().emit({.op = op, .dst = t, .a = a, .b = a, .c = a, .imm = imm});
    return Val{t, kind};
}

Reg Lowerer::str_constant(std::string_view text) {
    const Reg t = fb().temp();
    fb().emit({.op = Op::str_const,
               .dst = t,
               .a = t,
               .b = t,
               .c = t,
               .imm = static_cast<std::int32_t>(b_.text(text))});
    return t;
}

Val Lowerer::string_literal(const Expr& e) {
    const Reg t = fb().temp();
    at(e.pos);
    fb().emit({.op = e.is_bytes ? Op::bytes_const : Op::str_const,
               .dst = t,
               .a = t,
               .b = t,
               .c = t,
               .imm = static_cast<std::int32_t>(b_.text(e.text))});
    return Val{t, e.is_bytes ? Kind::unknown : Kind::str};
}

Val Lowerer::build_string(const std::vector<std::string>& pieces, const std::vector<Val>& fields,
                          const std::vector<std::string>& specs, const Pos& p) {
    at(p);
    std::optional<Reg> acc;
    auto append = [&](Reg r) {
        if (!acc) {
            acc = r;
            return;
        }
        const Reg t = fb().temp();
        fb().binary(t, *acc, BinaryOp::add, r);
        acc = t;
    };
    auto literal = [&](const std::string& text) { return str_constant(text); };
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!pieces[i].empty()) append(literal(pieces[i]));
        const char conv = specs[i][0];
        Reg v = fields[i].reg;
        if (conv == 'r' || conv == 'a') v = unary_op(Op::repr, v).reg;
        if (conv == 's') v = unary_op(Op::format, v, static_cast<std::int32_t>(b_.text(""))).reg;
        append(unary_op(Op::format, v, static_cast<std::int32_t>(b_.text(specs[i].substr(1)))).reg);
    }
    if (pieces.size() > fields.size() && !pieces.back().empty()) append(literal(pieces.back()));
    if (!acc) acc = literal("");
    return Val{*acc, Kind::str};
}

Val Lowerer::fstring(const Expr& e) {
    std::vector<Val> fields;
    for (const auto& f : e.args)
        fields.push_back(expr(*f));
    return build_string(e.pieces, fields, e.specs, e.pos);
}

Val Lowerer::percent_format(const Expr& e) {
    const Expr& fmt = *e.args[0];
    if (fmt.is_bytes) unsupported("'%' formatting of bytes", e.pos.line, e.pos.column);
    std::vector<std::string> pieces{""};
    std::vector<std::string> specs;
    const std::string& s = fmt.text;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            pieces.back() += s[i];
            continue;
        }
        if (i + 1 < s.size() && s[i + 1] == '%') {
            pieces.back() += '%';
            ++i;
            continue;
        }
        std::string spec = "-%";
        std::size_t j = i + 1;
        if (j < s.size() && s[j] == '(')
            unsupported("'%' formatting with a mapping key", e.pos.line, e.pos.column);
        while (j < s.size() && std::string_view("-+ 0#").find(s[j]) != std::string_view::npos)
            spec += s[j++];
        while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
            spec += s[j++];
        if (j < s.size() && s[j] == '*')
            unsupported("'%' formatting with a '*' width", e.pos.line, e.pos.column);
        if (j >= s.size() || std::string_view("sdirxXoacf").find(s[j]) == std::string_view::npos)
            unsupported("'%' conversion in " + src(fmt.pos), e.pos.line, e.pos.column);
        spec += s[j];
        specs.push_back(spec);
        pieces.emplace_back();
        i = j;
    }
    std::vector<Val> args;
    const Val right = value(*e.args[1]);
    if (right.agg && right.agg->shape == Static::Shape::tuple) {
        args = right.agg->items;
    } else if (right.is_aggregate()) {
        args.push_back(right);
    } else {
        // A value known only at run time may be a tuple that supplies every conversion.
        const Reg operand = fb().temp();
        at(e.pos);
        fb().emit({.op = Op::percent_args,
                   .dst = operand,
                   .a = right.reg,
                   .imm = static_cast<std::int32_t>(specs.size())},
                  src(e.pos));
        if (specs.size() == 1) {
            args.push_back(Val{operand, right.kind});
        } else {
            for (std::size_t i = 0; i < specs.size(); ++i)
                args.push_back(runtime_item(
                    operand, constant(Value::integer(static_cast<std::int32_t>(i))), e));
        }
    }
    for (const Val& a : args) {
        if (a.is_aggregate())
            unsupported("'%' formatting of a list, dict or object", e.pos.line, e.pos.column);
    }
    if (args.size() != specs.size()) {
        // CPython: "not enough arguments for format string" / "not all arguments converted".
        at(e.pos);
        fb().emit({.op = Op::raise, .a = constant(Value::exception(ExcType::type_error))},
                  src(e.pos));
        return Val{constant(Value::none())};
    }
    // The specs above are "-%...": no conversion, then a printf-style spec.
    return build_string(pieces, args, specs, e.pos);
}

Val Lowerer::format_method(const Expr& literal, const Expr& call) {
    std::vector<Val> positional;
    for (std::size_t i = 1; i < call.args.size(); ++i)
        positional.push_back(expr(*call.args[i]));
    std::map<std::string, Val> named;
    for (const auto& k : call.keywords)
        named[k.name] = expr(*k.value);
    std::vector<std::string> pieces{""};
    std::vector<std::string> specs;
    std::vector<Val> fields;
    const std::string& s = literal.text;
    std::size_t automatic = 0;
    bool manual = false;
    auto fail = [&](const std::string& what) {
        unsupported("str.format() " + what, call.pos.line, call.pos.column);
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((s[i] == '{' || s[i] == '}') && i + 1 < s.size() && s[i + 1] == s[i]) {
            pieces.back() += s[i++];
            continue;
        }
        if (s[i] == '}') fail("with a single '}'");
        if (s[i] != '{') {
            pieces.back() += s[i];
            continue;
        }
        const std::size_t close = s.find('}', i);
        if (close == std::string::npos) fail("with an unclosed '{'");
        const std::string field = s.substr(i + 1, close - i - 1);
        const std::size_t cut = field.find_first_of("!:");
        const std::string name = field.substr(0, cut);
        std::string spec = "-";
        if (cut != std::string::npos && field[cut] == '!') {
            if (cut + 1 >= field.size()) fail("with an empty conversion");
            spec[0] = field[cut + 1];
            if (cut + 2 < field.size() && field[cut + 2] == ':') spec += field.substr(cut + 3);
        } else if (cut != std::string::npos) {
            spec += field.substr(cut + 1);
        }
        if (name.find_first_of(".[{") != std::string::npos)
            fail("with attribute, index or nested fields");
        if (!name.empty() && automatic > 0 &&
            name.find_first_not_of("0123456789") == std::string::npos)
            fail("mixing automatic and manual field numbering");
        if (name.empty()) {
            if (manual) fail("mixing automatic and manual field numbering");
            if (automatic >= positional.size()) fail("with more fields than arguments");
            fields.push_back(positional[automatic++]);
        } else if (name.find_first_not_of("0123456789") == std::string::npos) {
            manual = true;
            const std::size_t k = std::stoul(name);
            if (k >= positional.size()) fail("field index beyond its arguments");
            fields.push_back(positional[k]);
        } else {
            const auto it = named.find(name);
            if (it == named.end()) fail("field '" + name + "' without its keyword argument");
            fields.push_back(it->second);
        }
        specs.push_back(spec);
        pieces.emplace_back();
        i = close;
    }
    return build_string(pieces, fields, specs, call.pos);
}

Val Lowerer::string_method(const Val& obj, const std::string& name, const Expr& e) {
    if (name == "join") {
        check_args(e, 1, {});
        if (e.args.size() != 2) unsupported("join() without an iterable", e.pos.line, e.pos.column);
        const std::vector<Val> items = sequence(*e.args[1]);
        at(e.pos);
        // '' + first checks that the first element is a str, as join() does.
        Reg acc = str_constant("");
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (items[i].agg) unsupported("join() of aggregates", e.pos.line, e.pos.column);
            if (i > 0) {
                const Reg t = fb().temp();
                fb().binary(t, acc, BinaryOp::add, obj.reg);
                acc = t;
            }
            const Reg t = fb().temp();
            fb().binary(t, acc, BinaryOp::add, items[i].reg);
            acc = t;
        }
        return Val{acc, Kind::str};
    }
    static const std::map<std::string, std::pair<model::StrMethod, std::size_t>> kMethods = {
        {"upper", {model::StrMethod::upper, 0}},
        {"lower", {model::StrMethod::lower, 0}},
        {"strip", {model::StrMethod::strip, 1}},
        {"lstrip", {model::StrMethod::lstrip, 1}},
        {"rstrip", {model::StrMethod::rstrip, 1}},
        {"startswith", {model::StrMethod::startswith, 1}},
        {"endswith", {model::StrMethod::endswith, 1}},
        {"replace", {model::StrMethod::replace, 2}},
        {"split", {model::StrMethod::split, 2}},
        {"find", {model::StrMethod::find, 1}},
        {"count", {model::StrMethod::count, 1}},
        {"isdigit", {model::StrMethod::isdigit, 0}}};
    if (const auto it = kMethods.find(name); it != kMethods.end()) {
        const auto [method, max_args] = it->second;
        const bool split = method == model::StrMethod::split;
        if (split)
            check_args(e, 2, {"sep", "maxsplit"});
        else
            check_args(e, max_args, {});
        const std::size_t given = e.args.size() - 1;
        const bool optional = split || method == model::StrMethod::strip ||
                              method == model::StrMethod::lstrip ||
                              method == model::StrMethod::rstrip;
        if (!optional && given != max_args)
            unsupported(name + "() with " + std::to_string(given) + " argument(s)", e.pos.line,
                        e.pos.column);
        const Expr* first = split ? arg(e, 0, "sep") : (given > 0 ? e.args[1].get() : nullptr);
        const Expr* second =
            split ? arg(e, 1, "maxsplit") : (given > 1 ? e.args[2].get() : nullptr);
        if (first != nullptr && first->kind == ExprKind::tuple)
            unsupported(name + "() with a tuple of alternatives", first->pos.line,
                        first->pos.column);
        const Reg b = first != nullptr ? expr(*first).reg : constant(Value::none());
        const Reg c =
            second != nullptr ? expr(*second).reg : (split ? constant(Value::integer(-1)) : b);
        const Reg t = fb().temp();
        at(e.pos);
        fb().emit({.op = Op::str_method,
                   .dst = t,
                   .a = obj.reg,
                   .b = b,
                   .c = c,
                   .imm = static_cast<std::int32_t>(method)},
                  src(e.pos));
        const bool text = method <= model::StrMethod::rstrip || method == model::StrMethod::replace;
        return Val{t, text ? Kind::str : Kind::unknown};
    }
    if (name == "format")
        unsupported("format() on a string that is not a literal", e.pos.line, e.pos.column);
    unsupported("str method '" + name + "'", e.pos.line, e.pos.column);
}

} // namespace mpcheck::frontend
