#include "frontend/parser.hpp"

#include "frontend/error.hpp"
#include "frontend/lexer.hpp"

#include <charconv>

namespace mpcheck::frontend {
namespace {

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

    Module module() {
        Module m;
        while (peek().kind != Tok::end) {
            if (peek().kind == Tok::newline) {
                ++i_;
                continue;
            }
            statement(m.body);
        }
        return m;
    }

private:
    const Token& peek(std::size_t k = 0) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
    bool is_op(std::string_view s, std::size_t k = 0) const {
        return peek(k).kind == Tok::op && peek(k).text == s;
    }
    bool is_kw(std::string_view s) const { return peek().kind == Tok::name && peek().text == s; }
    const Token& next() {
        const Token& t = peek();
        if (i_ < toks_.size() - 1) ++i_;
        return t;
    }
    [[noreturn]] void fail(const std::string& what) const {
        const Token& t = peek();
        if (t.kind == Tok::indent) syntax_error("unexpected indent", t.line, t.column);
        syntax_error(what, t.line, t.column);
    }
    void expect_op(std::string_view s) {
        if (!is_op(s)) fail("expected '" + std::string(s) + "'");
        next();
    }
    std::string expect_name() {
        if (peek().kind != Tok::name) fail("expected a name");
        return next().text;
    }
    Pos pos_of(const Token& t) const { return Pos{t.line, t.column, t.begin, t.end}; }
    void close(Pos& p) const { p.end = toks_[i_ > 0 ? i_ - 1 : 0].end; }
    void end_statement() {
        if (is_op(";")) fail("expected a newline");
        if (peek().kind != Tok::newline && peek().kind != Tok::end) fail("invalid syntax");
        next();
    }

    Body block() {
        expect_op(":");
        if (++depth_ > kMaxDepth) unsupported("nesting too deep", peek().line, peek().column);
        struct Leave {
            int& d;
            ~Leave() { --d; }
        } leave{depth_};
        Body body;
        if (peek().kind != Tok::newline) {
            statement(body); // simple statement on the same line
            return body;
        }
        next();
        if (peek().kind != Tok::indent) fail("expected an indented block");
        next();
        while (peek().kind != Tok::dedent && peek().kind != Tok::end)
            statement(body);
        next();
        return body;
    }

    StmtPtr make(StmtKind k, const Token& t) {
        auto s = std::make_unique<Stmt>();
        s->kind = k;
        s->pos = pos_of(t);
        return s;
    }

    void statement(Body& out) {
        const Token& t = peek();
        if (t.kind == Tok::indent) fail("unexpected indent");
        if (t.kind == Tok::name) {
            static constexpr std::string_view kRefused[] = {"class", "lambda",   "yield", "async",
                                                            "await", "nonlocal", "del",   "match"};
            for (const auto r : kRefused) {
                if (t.text == r && !(r == "match" && peek(1).kind == Tok::op)) {
                    unsupported("'" + t.text + "'", t.line, t.column);
                }
            }
            if (t.text == "def") return out.push_back(def());
            if (t.text == "if") return out.push_back(if_stmt());
            if (t.text == "while") {
                auto s = make(StmtKind::while_, next());
                s->value = expression();
                s->body = block();
                if (is_kw("else")) unsupported("while/else", peek().line, peek().column);
                close(s->pos);
                return out.push_back(std::move(s));
            }
            if (t.text == "for") {
                auto s = make(StmtKind::for_, next());
                s->targets.push_back(target_list());
                if (!is_kw("in")) fail("expected 'in'");
                next();
                s->value = expression_list();
                s->body = block();
                if (is_kw("else")) unsupported("for/else", peek().line, peek().column);
                return out.push_back(std::move(s));
            }
            if (t.text == "try") return out.push_back(try_stmt());
            if (t.text == "with") {
                auto s = make(StmtKind::with, next());
                do {
                    WithItem item;
                    item.context = expression();
                    if (is_kw("as")) {
                        next();
                        item.name = expect_name();
                    }
                    s->items.push_back(std::move(item));
                } while (is_op(",") && next().kind == Tok::op);
                s->body = block();
                return out.push_back(std::move(s));
            }
        }
        if (t.kind == Tok::op && t.text == "@") unsupported("decorators", t.line, t.column);
        simple_statement(out);
    }

    void simple_statement(Body& out) {
        for (;;) {
            out.push_back(small_statement());
            if (is_op(";")) {
                next();
                if (peek().kind == Tok::newline) break;
                continue;
            }
            break;
        }
        end_statement();
    }

    StmtPtr small_statement() {
        const Token& t = peek();
        if (t.kind == Tok::name) {
            if (t.text == "pass") return make(StmtKind::pass, next());
            if (t.text == "break") return make(StmtKind::brk, next());
            if (t.text == "continue") return make(StmtKind::cont, next());
            if (t.text == "return") {
                auto s = make(StmtKind::ret, next());
                if (peek().kind != Tok::newline && !is_op(";")) s->value = expression_list();
                return s;
            }
            if (t.text == "raise") {
                auto s = make(StmtKind::raise, next());
                if (peek().kind != Tok::newline && !is_op(";")) s->value = expression();
                if (is_kw("from")) unsupported("raise ... from", peek().line, peek().column);
                return s;
            }
            if (t.text == "assert") {
                auto s = make(StmtKind::assert_, next());
                s->value = expression();
                if (is_op(",")) {
                    next();
                    s->targets.push_back(expression());
                }
                close(s->pos);
                return s;
            }
            if (t.text == "global") {
                auto s = make(StmtKind::global, next());
                do
                    s->names.emplace_back(expect_name(), "");
                while (is_op(",") && next().kind == Tok::op);
                return s;
            }
            if (t.text == "import") {
                auto s = make(StmtKind::import, next());
                do {
                    std::string mod = dotted();
                    std::string alias;
                    if (is_kw("as")) {
                        next();
                        alias = expect_name();
                    }
                    s->names.emplace_back(mod, alias);
                } while (is_op(",") && next().kind == Tok::op);
                return s;
            }
            if (t.text == "from") {
                auto s = make(StmtKind::from, next());
                s->text = dotted();
                if (!is_kw("import")) fail("expected 'import'");
                next();
                const bool paren = is_op("(");
                if (paren) next();
                if (is_op("*")) unsupported("import *", peek().line, peek().column);
                do {
                    if (paren && is_op(")")) break;
                    std::string n = expect_name();
                    std::string alias;
                    if (is_kw("as")) {
                        next();
                        alias = expect_name();
                    }
                    s->names.emplace_back(n, alias);
                } while (is_op(",") && next().kind == Tok::op);
                if (paren) expect_op(")");
                return s;
            }
        }
        auto s = make(StmtKind::expr, t);
        ExprPtr first = expression_list();
        if (is_op("=")) {
            s->kind = StmtKind::assign;
            std::vector<ExprPtr> chain;
            chain.push_back(std::move(first));
            while (is_op("=")) {
                next();
                chain.push_back(expression_list());
            }
            s->value = std::move(chain.back());
            chain.pop_back();
            s->targets = std::move(chain);
        } else if (peek().kind == Tok::op && peek().text.size() >= 2 && peek().text.back() == '=' &&
                   peek().text != "==" && peek().text != "!=" && peek().text != "<=" &&
                   peek().text != ">=") {
            s->kind = StmtKind::aug;
            s->text = next().text;
            s->text.pop_back();
            s->targets.push_back(std::move(first));
            s->value = expression_list();
        } else if (is_op(":")) {
            unsupported("annotated assignment", peek().line, peek().column);
        } else {
            s->value = std::move(first);
        }
        close(s->pos);
        return s;
    }

    std::string dotted() {
        std::string n = expect_name();
        while (is_op(".")) {
            next();
            n += '.';
            n += expect_name();
        }
        return n;
    }

    StmtPtr def() {
        auto s = make(StmtKind::def, next());
        s->text = expect_name();
        expect_op("(");
        while (!is_op(")")) {
            if (is_op("*") || is_op("**") || is_op("/"))
                unsupported("*args, **kwargs and / parameters", peek().line, peek().column);
            s->params.push_back(expect_name());
            if (is_op(":")) unsupported("annotations", peek().line, peek().column);
            if (is_op("=")) {
                next();
                s->defaults.push_back(expression());
            } else if (!s->defaults.empty()) {
                fail("non-default argument follows default argument");
            }
            if (!is_op(",")) break;
            next();
        }
        expect_op(")");
        if (is_op("->")) unsupported("annotations", peek().line, peek().column);
        s->body = block();
        return s;
    }

    StmtPtr if_stmt() {
        auto s = make(StmtKind::if_, next());
        s->value = expression();
        s->body = block();
        if (is_kw("elif")) {
            s->orelse.push_back(if_stmt());
        } else if (is_kw("else")) {
            next();
            s->orelse = block();
        }
        return s;
    }

    StmtPtr try_stmt() {
        auto s = make(StmtKind::try_, next());
        s->body = block();
        while (is_kw("except")) {
            ExceptClause c;
            c.pos = pos_of(next());
            if (is_op("*")) unsupported("except*", peek().line, peek().column);
            if (!is_op(":")) {
                c.type = expression();
                if (is_kw("as")) {
                    next();
                    c.name = expect_name();
                }
            }
            c.body = block();
            s->handlers.push_back(std::move(c));
        }
        if (is_kw("else")) unsupported("try/else", peek().line, peek().column);
        if (is_kw("finally")) {
            next();
            s->finalbody = block();
        }
        if (s->handlers.empty() && s->finalbody.empty()) fail("expected 'except' or 'finally'");
        return s;
    }

    ExprPtr node(ExprKind k, const Token& t) {
        auto e = std::make_unique<Expr>();
        e->kind = k;
        e->pos = pos_of(t);
        return e;
    }
    ExprPtr wrap(ExprKind k, std::string text, ExprPtr left) {
        auto e = std::make_unique<Expr>();
        e->kind = k;
        e->pos = left->pos;
        e->text = std::move(text);
        e->args.push_back(std::move(left));
        return e;
    }

    ExprPtr target_list() {
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

    ExprPtr expression_list() {
        const Token& t = peek();
        ExprPtr first = expression();
        if (!is_op(",")) return first;
        auto tup = node(ExprKind::tuple, t);
        tup->args.push_back(std::move(first));
        while (is_op(",")) {
            next();
            if (peek().kind == Tok::newline || is_op("=") || is_op(")")) break;
            tup->args.push_back(expression());
        }
        close(tup->pos);
        return tup;
    }

    ExprPtr expression() {
        const Token& t = peek();
        // Bounded recursion: a pathological input must give a diagnostic, not a stack overflow.
        if (++depth_ > kMaxDepth) unsupported("nesting too deep", t.line, t.column);
        struct Leave {
            int& d;
            ~Leave() { --d; }
        } leave{depth_};
        if (t.kind == Tok::name && (t.text == "lambda" || t.text == "yield" || t.text == "await"))
            unsupported("'" + t.text + "'", t.line, t.column);
        ExprPtr e = boolean("or");
        if (is_kw("if")) unsupported("conditional expression", peek().line, peek().column);
        if (is_op(":=")) unsupported("':='", peek().line, peek().column);
        return e;
    }

    ExprPtr boolean(std::string_view op) {
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

    ExprPtr not_expr() {
        if (is_kw("not")) {
            auto e = node(ExprKind::unary, next());
            e->text = "not";
            e->args.push_back(not_expr());
            close(e->pos);
            return e;
        }
        return comparison();
    }

    ExprPtr comparison() {
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

    ExprPtr or_expr() { return arith(0); }

    // Precedence levels: 0 = | ^ & << >> (refused), 1 = + -, 2 = * / // %, then unary.
    ExprPtr arith(int level) {
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

    ExprPtr unary() {
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

    ExprPtr postfix() {
        ExprPtr e = atom();
        for (;;) {
            if (is_op(".")) {
                next();
                e = wrap(ExprKind::attribute, expect_name(), std::move(e));
                close(e->pos);
            } else if (is_op("(")) {
                next();
                e = wrap(ExprKind::call, "", std::move(e));
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
                        if (!e->keywords.empty())
                            fail("positional argument follows keyword argument");
                        e->args.push_back(expression());
                        if (is_kw("for"))
                            unsupported("generator expression", peek().line, peek().column);
                    }
                    if (!is_op(",")) break;
                    next();
                }
                expect_op(")");
                close(e->pos);
            } else if (is_op("[")) {
                unsupported("subscript", peek().line, peek().column);
            } else {
                return e;
            }
        }
    }

    ExprPtr atom() {
        const Token& t = peek();
        switch (t.kind) {
        case Tok::name: {
            static constexpr std::string_view kKeywords[] = {
                "if",       "else",   "elif",   "while",   "for",  "in",     "def",
                "return",   "and",    "or",     "not",     "is",   "import", "from",
                "as",       "try",    "except", "finally", "with", "pass",   "break",
                "continue", "global", "raise",  "assert"};
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
        case Tok::number: {
            auto e = node(ExprKind::integer, next());
            std::string digits;
            for (const char c : t.text) {
                if (c != '_') digits += c;
            }
            const auto [p, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), e->number);
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
        case Tok::string: {
            auto e = node(ExprKind::string, next());
            e->text = t.text;
            e->is_bytes = t.is_bytes;
            e->is_fstring = t.is_fstring;
            while (peek().kind == Tok::string) { // implicit concatenation
                if (peek().is_bytes != e->is_bytes) fail("cannot mix bytes and str literals");
                e->is_fstring = e->is_fstring || peek().is_fstring;
                e->text += next().text;
            }
            close(e->pos);
            return e;
        }
        case Tok::op:
            if (t.text == "(") {
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
            if (t.text == "[") {
                auto e = node(ExprKind::list, next());
                while (!is_op("]")) {
                    e->args.push_back(expression());
                    if (is_kw("for")) {
                        next();
                        e->kind = ExprKind::list_comp;
                        e->target = expect_name();
                        if (!is_kw("in")) fail("expected 'in'");
                        next();
                        e->args.push_back(or_expr());
                        if (is_kw("if") || is_kw("for"))
                            unsupported("list comprehension with several clauses", peek().line,
                                        peek().column);
                        break;
                    }
                    if (!is_op(",")) break;
                    next();
                }
                expect_op("]");
                close(e->pos);
                return e;
            }
            if (t.text == "{") unsupported("dict and set displays", t.line, t.column);
            if (t.text == "...") unsupported("'...'", t.line, t.column);
            break;
        default:
            break;
        }
        fail("invalid syntax");
    }

    static constexpr int kMaxDepth = 100;
    std::vector<Token> toks_;
    std::size_t i_ = 0;
    int depth_ = 0;
};

} // namespace

Module parse(std::string_view source) {
    return Parser(tokenize(source)).module();
}

} // namespace mpcheck::frontend
