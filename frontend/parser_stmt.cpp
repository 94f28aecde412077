// Statements: blocks, compound statements (def, class, if, while, for, try, with), simple ones.
#include "frontend/parser.hpp"
#include "frontend/parser_impl.hpp"

namespace mpcheck::frontend {

Module parse(std::string_view source) {
    return Parser(tokenize(source)).module();
}

Module Parser::module() {
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

Body Parser::block() {
    expect_op(":");
    const Deeper deeper(*this);
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

StmtPtr Parser::make(StmtKind k, const Token& t) {
    auto s = std::make_unique<Stmt>();
    s->kind = k;
    s->pos = pos_of(t);
    return s;
}

void Parser::statement(Body& out) {
    const Token& t = peek();
    if (t.kind == Tok::indent) fail("unexpected indent");
    if (t.kind == Tok::name) {
        static constexpr std::string_view kRefused[] = {"lambda",   "yield", "async", "await",
                                                        "nonlocal", "del",   "match"};
        for (const auto r : kRefused) {
            if (t.text == r && !(r == "match" && peek(1).kind == Tok::op)) {
                unsupported("'" + t.text + "'", t.line, t.column);
            }
        }
        if (t.text == "def") return out.push_back(def());
        if (t.text == "class") return out.push_back(class_def());
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

void Parser::simple_statement(Body& out) {
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

StmtPtr Parser::small_statement() {
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
        if (t.text == "import") return import_statement();
        if (t.text == "from") return from_statement();
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

StmtPtr Parser::import_statement() {
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

StmtPtr Parser::from_statement() {
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

std::string Parser::dotted() {
    std::string n = expect_name();
    while (is_op(".")) {
        next();
        n += '.';
        n += expect_name();
    }
    return n;
}

StmtPtr Parser::def() {
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

StmtPtr Parser::class_def() {
    auto s = make(StmtKind::class_, next());
    s->text = expect_name();
    if (is_op("(")) {
        next();
        while (!is_op(")")) {
            if (peek().kind == Tok::name && is_op("=", 1))
                unsupported("class keyword arguments", peek().line, peek().column);
            s->targets.push_back(expression());
            if (!is_op(",")) break;
            next();
        }
        expect_op(")");
    }
    s->body = block();
    return s;
}

StmtPtr Parser::if_stmt() {
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

StmtPtr Parser::try_stmt() {
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

} // namespace mpcheck::frontend
