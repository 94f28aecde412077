// Expressions: precedence climbing, calls and subscripts, displays, literals, f-strings.
#include "frontend/parser_impl.hpp"

#include <charconv>

namespace mpcheck::frontend {

namespace {
// Gives every node of an f-string field the position of the string it came from.
void relocate(Expr& e, const Pos& p) {
    e.pos = p;
    for (auto& a : e.args)
        relocate(*a, p);
    for (auto& k : e.keywords)
        relocate(*k.value, p);
    if (e.target_tuple) relocate(*e.target_tuple, p);
}
} // namespace

ExprPtr Parser::lone_expression() {
    ExprPtr e = expression_list();
    if (peek().kind == Tok::newline) next();
    if (peek().kind != Tok::end) fail("invalid syntax");
    return e;
}

ExprPtr Parser::node(ExprKind k, const Token& t) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = pos_of(t);
    return e;
}

ExprPtr Parser::wrap(ExprKind k, std::string text, ExprPtr left) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = left->pos;
    e->text = std::move(text);
    e->args.push_back(std::move(left));
    return e;
}

ExprPtr Parser::target_list() {
    const Token& t = peek();
    ExprPtr first = or_expr();
    if (!is_op(",")) return first;
    auto tup = node(ExprKind::tuple, t);
    tup->args.push_back(std::move(first));
    while (is_op(",")) {
        next();
        if (is_kw("in")) break;
        tup->args.push_back(or_expr());
    }
    close(tup->pos);
    return tup;
}

ExprPtr Parser::expression_list() {
    const Token& t = peek();
    ExprPtr first = expression();
    if (!is_op(",")) return first;
    auto tup = node(ExprKind::tuple, t);
    tup->args.push_back(std::move(first));
    while (is_op(",")) {
        next();
        if (peek().kind == Tok::newline || peek().kind == Tok::end || is_op("=") || is_op(")"))
            break;
        tup->args.push_back(expression());
    }
    close(tup->pos);
    return tup;
}

ExprPtr Parser::expression() {
    const Token& t = peek();
    const Deeper deeper(*this);
    if (t.kind == Tok::name && (t.text == "lambda" || t.text == "yield" || t.text == "await"))
        unsupported("'" + t.text + "'", t.line, t.column);
    ExprPtr e = boolean("or");
    if (is_kw("if")) unsupported("conditional expression", peek().line, peek().column);
    if (is_op(":=")) unsupported("':='", peek().line, peek().column);
    return e;
}

ExprPtr Parser::boolean(std::string_view op) {
    ExprPtr left = op == "or" ? boolean("and") : not_expr();
    while (is_kw(op)) {
        next();
        ExprPtr right = op == "or" ? boolean("and") : not_expr();
        left = wrap(ExprKind::boolop, std::string(op), std::move(left));
        left->args.push_back(std::move(right));
        close(left->pos);
    }
    return left;
}

ExprPtr Parser::not_expr() {
    if (is_kw("not")) {
        auto e = node(ExprKind::unary, next());
        e->text = "not";
        e->args.push_back(not_expr());
        close(e->pos);
        return e;
    }
    return comparison();
}

ExprPtr Parser::comparison() {
    ExprPtr left = or_expr();
    for (;;) {
        std::string op;
        if (peek().kind == Tok::op &&
            (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
             peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
            op = next().text;
        } else if (is_kw("is")) {
            next();
            op = "is";
            if (is_kw("not")) {
                next();
                op = "is not";
            }
        } else if (is_kw("in")) {
            next();
            op = "in";
        } else if (is_kw("not") && peek(1).kind == Tok::name && peek(1).text == "in") {
            next();
            next();
            op = "not in";
        } else {
            return left;
        }
        if (left->kind == ExprKind::compare)
            unsupported("chained comparison", left->pos.line, left->pos.column);
        left = wrap(ExprKind::compare, op, std::move(left));
        left->args.push_back(or_expr());
        close(left->pos);
    }
}

// Precedence levels: 0 = | ^ & << >> (refused), 1 = + -, 2 = * / // %, then unary.
ExprPtr Parser::arith(int level) {
    if (level == 3) return unary();
    ExprPtr left = arith(level + 1);
    for (;;) {
        const Token& t = peek();
        if (t.kind != Tok::op) return left;
        const std::string& s = t.text;
        const bool match =
            (level == 0 && (s == "|" || s == "^" || s == "&" || s == "<<" || s == ">>")) ||
            (level == 1 && (s == "+" || s == "-")) ||
            (level == 2 && (s == "*" || s == "/" || s == "//" || s == "%" || s == "@"));
        if (!match) return left;
        next();
        left = wrap(ExprKind::binary, s, std::move(left));
        left->args.push_back(arith(level + 1));
        close(left->pos);
    }
}

ExprPtr Parser::unary() {
    if (is_op("-") || is_op("+") || is_op("~")) {
        auto e = node(ExprKind::unary, next());
        e->text = e->pos.begin < toks_[i_ - 1].end ? toks_[i_ - 1].text : "-";
        e->args.push_back(unary());
        close(e->pos);
        return e;
    }
    ExprPtr base = postfix();
    if (is_op("**")) unsupported("'**'", peek().line, peek().column);
    return base;
}

ExprPtr Parser::postfix() {
    ExprPtr e = atom();
    for (;;) {
        if (is_op(".")) {
            next();
            e = wrap(ExprKind::attribute, expect_name(), std::move(e));
            close(e->pos);
        } else if (is_op("(")) {
            e = call_args(std::move(e));
        } else if (is_op("[")) {
            next();
            if (is_op(":")) unsupported("slice", peek().line, peek().column);
            e = wrap(ExprKind::subscript, "", std::move(e));
            e->args.push_back(expression_list());
            if (is_op(":")) unsupported("slice", peek().line, peek().column);
            expect_op("]");
            close(e->pos);
        } else {
            return e;
        }
    }
}

ExprPtr Parser::call_args(ExprPtr callee) {
    next();
    ExprPtr e = wrap(ExprKind::call, "", std::move(callee));
    while (!is_op(")")) {
        if (is_op("*") || is_op("**"))
            unsupported("argument unpacking", peek().line, peek().column);
        if (peek().kind == Tok::name && is_op("=", 1)) {
            Keyword k;
            k.name = next().text;
            next();
            k.value = expression();
            e->keywords.push_back(std::move(k));
        } else {
            if (!e->keywords.empty()) fail("positional argument follows keyword argument");
            e->args.push_back(expression());
            if (is_kw("for")) unsupported("generator expression", peek().line, peek().column);
        }
        if (!is_op(",")) break;
        next();
    }
    expect_op(")");
    close(e->pos);
    return e;
}

ExprPtr Parser::atom() {
    const Token& t = peek();
    switch (t.kind) {
    case Tok::name: {
        static constexpr std::string_view kKeywords[] = {
            "if",   "else", "elif",  "while",    "for",    "in",    "def",    "return", "and",
            "or",   "not",  "is",    "import",   "from",   "as",    "try",    "except", "finally",
            "with", "pass", "break", "continue", "global", "raise", "assert", "class"};
        for (const auto k : kKeywords) {
            if (t.text == k) fail("invalid syntax");
        }
        if (t.text == "lambda" || t.text == "yield" || t.text == "await")
            unsupported("'" + t.text + "'", t.line, t.column);
        const bool constant = t.text == "None" || t.text == "True" || t.text == "False";
        auto e = node(constant ? ExprKind::constant : ExprKind::name, next());
        e->text = t.text;
        return e;
    }
    case Tok::number:
        return number_atom();
    case Tok::string:
        return string_atom();
    case Tok::op:
        if (t.text == "(") return paren_atom();
        if (t.text == "[") return list_atom();
        if (t.text == "{") return dict_atom();
        if (t.text == "...") unsupported("'...'", t.line, t.column);
        break;
    default:
        break;
    }
    fail("invalid syntax");
}

ExprPtr Parser::number_atom() {
    const Token& t = peek();
    auto e = node(ExprKind::integer, next());
    std::string digits;
    for (const char c : t.text) {
        if (c != '_') digits += c;
    }
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), e->number);
    if (ec != std::errc{} || p != digits.data() + digits.size()) {
        if (digits.find_first_of(".eE") != std::string::npos &&
            digits.find_first_of("xX") == std::string::npos) {
            e->is_float = true;
            e->number = 0;
            e->text = t.text;
            return e;
        }
        unsupported("number literal '" + t.text + "'", t.line, t.column);
    }
    e->text = t.text;
    return e;
}

ExprPtr Parser::string_atom() {
    const Token& first = peek();
    auto e = node(ExprKind::string, first);
    e->is_bytes = first.is_bytes;
    std::vector<Token> parts;
    while (peek().kind == Tok::string) { // implicit concatenation
        if (peek().is_bytes != e->is_bytes) fail("cannot mix bytes and str literals");
        e->is_fstring = e->is_fstring || peek().is_fstring;
        parts.push_back(next());
    }
    close(e->pos);
    if (!e->is_fstring) {
        for (const Token& t : parts)
            e->text += t.text;
        return e;
    }
    e->pieces.emplace_back();
    for (const Token& t : parts) {
        if (t.is_fstring)
            fstring_part(*e, t);
        else
            e->pieces.back() += t.text;
    }
    if (e->args.empty()) {
        e->text = e->pieces[0]; // an f-string without fields is a plain literal
        e->pieces.clear();
    } else {
        e->kind = ExprKind::fstring;
    }
    return e;
}

void Parser::fstring_part(Expr& e, const Token& t) {
    const std::string& s = t.text;
    auto bad = [&](const std::string& what) {
        syntax_error("f-string: " + what, t.line, t.column);
    };
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (c == '}') {
            if (i + 1 >= s.size() || s[i + 1] != '}') bad("single '}' is not allowed");
            e.pieces.back() += '}';
            i += 2;
            continue;
        }
        if (c != '{') {
            e.pieces.back() += c;
            ++i;
            continue;
        }
        if (i + 1 < s.size() && s[i + 1] == '{') {
            e.pieces.back() += '{';
            i += 2;
            continue;
        }
        // A field: the expression ends at a top-level '!', ':' or '}'.
        std::size_t j = i + 1;
        int depth = 0;
        char quote = 0;
        for (; j < s.size(); ++j) {
            const char ch = s[j];
            if (quote != 0) {
                if (ch == quote) quote = 0;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (ch == '(' || ch == '[' || ch == '{') {
                ++depth;
            } else if ((ch == ')' || ch == ']' || ch == '}') && depth > 0) {
                --depth;
            } else if (depth == 0 && (ch == '}' || ch == ':' ||
                                      (ch == '!' && (j + 1 >= s.size() || s[j + 1] != '=')))) {
                break;
            }
        }
        std::string text = s.substr(i + 1, j - i - 1);
        while (!text.empty() && text.back() == ' ')
            text.pop_back();
        if (!text.empty() && text.back() == '=' &&
            (text.size() < 2 ||
             std::string_view("=!<>").find(text[text.size() - 2]) == std::string_view::npos))
            unsupported("f-string '=' specifier", t.line, t.column);
        std::string spec = "-";
        if (j < s.size() && s[j] == '!') {
            if (j + 1 >= s.size() ||
                std::string_view("rsa").find(s[j + 1]) == std::string_view::npos)
                bad("invalid conversion character");
            spec[0] = s[j + 1];
            j += 2;
        }
        if (j < s.size() && s[j] == ':') {
            for (++j; j < s.size() && s[j] != '}'; ++j) {
                if (s[j] == '{')
                    unsupported("f-string with a nested replacement field in its format spec",
                                t.line, t.column);
                spec += s[j];
            }
        }
        if (j >= s.size() || s[j] != '}') bad("expecting '}'");
        if (text.empty()) bad("empty expression not allowed");
        ExprPtr field;
        try {
            field = Parser(tokenize(text)).lone_expression();
        } catch (const FrontendError& err) {
            throw FrontendError{Diagnostic{err.diagnostic.message, t.line, t.column}};
        }
        relocate(*field, pos_of(t));
        e.args.push_back(std::move(field));
        e.specs.push_back(std::move(spec));
        e.pieces.emplace_back();
        i = j + 1;
    }
}

ExprPtr Parser::paren_atom() {
    auto start = next();
    if (is_op(")")) {
        next();
        auto e = node(ExprKind::tuple, start);
        close(e->pos);
        return e;
    }
    ExprPtr inner = expression();
    if (is_kw("for")) unsupported("generator expression", peek().line, peek().column);
    if (is_op(",")) {
        auto tup = node(ExprKind::tuple, start);
        tup->args.push_back(std::move(inner));
        while (is_op(",")) {
            next();
            if (is_op(")")) break;
            tup->args.push_back(expression());
        }
        expect_op(")");
        close(tup->pos);
        return tup;
    }
    expect_op(")");
    return inner;
}

ExprPtr Parser::list_atom() {
    auto e = node(ExprKind::list, next());
    while (!is_op("]")) {
        e->args.push_back(expression());
        if (is_kw("for")) {
            next();
            e->kind = ExprKind::list_comp;
            ExprPtr target = target_list();
            if (target->kind == ExprKind::name)
                e->target = target->text;
            else
                e->target_tuple = std::move(target);
            if (!is_kw("in")) fail("expected 'in'");
            next();
            e->args.push_back(or_expr());
            if (is_kw("if") || is_kw("for"))
                unsupported("list comprehension with several clauses", peek().line, peek().column);
            break;
        }
        if (!is_op(",")) break;
        next();
    }
    expect_op("]");
    close(e->pos);
    return e;
}

ExprPtr Parser::dict_atom() {
    auto e = node(ExprKind::dict, next());
    while (!is_op("}")) {
        if (is_op("**")) unsupported("dict unpacking", peek().line, peek().column);
        e->args.push_back(expression());
        if (!is_op(":")) unsupported("set display", e->pos.line, e->pos.column);
        next();
        e->args.push_back(expression());
        if (is_kw("for")) unsupported("dict comprehension", peek().line, peek().column);
        if (!is_op(",")) break;
        next();
    }
    expect_op("}");
    close(e->pos);
    return e;
}

} // namespace mpcheck::frontend
