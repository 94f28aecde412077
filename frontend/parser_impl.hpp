#pragma once

// Internal to the front end: the recursive-descent parser, split over parser_stmt.cpp
// (statements) and parser_expr.cpp (expressions, f-strings).

#include "frontend/ast.hpp"
#include "frontend/error.hpp"
#include "frontend/lexer.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::frontend {

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

    /// The whole module.
    Module module();
    /// One expression followed by the end of input (an f-string field).
    ExprPtr lone_expression();

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
    /// Counts nesting so that a pathological input gives a diagnostic, not a stack overflow.
    struct Deeper {
        explicit Deeper(Parser& p) : p_(p) {
            if (++p_.depth_ > kMaxDepth)
                unsupported("nesting too deep", p_.peek().line, p_.peek().column);
        }
        ~Deeper() { --p_.depth_; }
        Deeper(const Deeper&) = delete;
        Deeper& operator=(const Deeper&) = delete;

    private:
        Parser& p_;
    };

    // ---- parser_stmt.cpp ----
    Body block();
    StmtPtr make(StmtKind k, const Token& t);
    void statement(Body& out);
    void simple_statement(Body& out);
    StmtPtr small_statement();
    StmtPtr import_statement();
    StmtPtr from_statement();
    std::string dotted();
    StmtPtr def();
    StmtPtr class_def();
    StmtPtr if_stmt();
    StmtPtr try_stmt();

    // ---- parser_expr.cpp ----
    ExprPtr node(ExprKind k, const Token& t);
    ExprPtr wrap(ExprKind k, std::string text, ExprPtr left);
    ExprPtr target_list();
    ExprPtr expression_list();
    ExprPtr expression();
    ExprPtr boolean(std::string_view op);
    ExprPtr not_expr();
    ExprPtr comparison();
    ExprPtr or_expr() { return arith(0); }
    ExprPtr arith(int level);
    ExprPtr unary();
    ExprPtr postfix();
    ExprPtr call_args(ExprPtr callee);
    ExprPtr atom();
    ExprPtr number_atom();
    ExprPtr string_atom();
    ExprPtr paren_atom();
    ExprPtr list_atom();
    ExprPtr dict_atom();
    /// Splits an f-string's text into literal pieces and parsed fields of `e`.
    void fstring_part(Expr& e, const Token& t);

    static constexpr int kMaxDepth = 100;
    std::vector<Token> toks_;
    std::size_t i_ = 0;
    int depth_ = 0;
};

} // namespace mpcheck::frontend
