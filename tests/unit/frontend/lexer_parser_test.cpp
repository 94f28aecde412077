#include "frontend/error.hpp"
#include "frontend/lexer.hpp"
#include "frontend/parser.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

TEST(Lexer, IndentDedentAndPositions) {
    const auto toks = tokenize("def f(q):\n    q.put(1)\n\nx = 2\n");
    std::vector<Tok> kinds;
    for (const auto& t : toks)
        kinds.push_back(t.kind);
    const std::vector<Tok> want = {
        Tok::name,    Tok::name,   Tok::op,   Tok::name, Tok::op,     Tok::op,      Tok::newline,
        Tok::indent,  Tok::name,   Tok::op,   Tok::name, Tok::op,     Tok::number,  Tok::op,
        Tok::newline, Tok::dedent, Tok::name, Tok::op,   Tok::number, Tok::newline, Tok::end};
    EXPECT_EQ(kinds, want);
    EXPECT_EQ(toks[8].line, 2u);
    EXPECT_EQ(toks[8].column, 5u);
}

TEST(Lexer, StringsBytesAndBrackets) {
    const auto toks = tokenize("x = (b'ab\\n',\n     'c' # comment\n)\ny = f'z'\n");
    ASSERT_EQ(toks[3].kind, Tok::string);
    EXPECT_TRUE(toks[3].is_bytes);
    EXPECT_EQ(toks[3].text, "ab\n");
    EXPECT_EQ(toks[5].text, "c");
    EXPECT_EQ(toks[5].line, 2u);
    // No NEWLINE inside brackets.
    EXPECT_EQ(toks[6].text, ")");
    EXPECT_EQ(toks[7].kind, Tok::newline);
    EXPECT_TRUE(toks[10].is_fstring);
}

TEST(Lexer, TripleQuotedString) {
    const auto toks = tokenize("'''a\nb'''\nx = 1\n");
    ASSERT_EQ(toks[0].kind, Tok::string);
    EXPECT_EQ(toks[0].text, "a\nb");
    EXPECT_EQ(toks[2].line, 3u);
}

TEST(Parser, StatementsAndExpressions) {
    const Module m = parse("import multiprocessing as mp\n"
                           "def f(a, b=2):\n"
                           "    if a < b and not a:\n"
                           "        return a + b * 3\n"
                           "    elif a:\n"
                           "        pass\n"
                           "    else:\n"
                           "        a += 1\n"
                           "r, w = mp.Pipe()\n"
                           "try:\n"
                           "    x = 1\n"
                           "except ValueError as e:\n"
                           "    raise\n"
                           "finally:\n"
                           "    pass\n");
    ASSERT_EQ(m.body.size(), 4u);
    EXPECT_EQ(m.body[0]->kind, StmtKind::import);
    EXPECT_EQ(m.body[1]->kind, StmtKind::def);
    EXPECT_EQ(m.body[1]->params.size(), 2u);
    EXPECT_EQ(m.body[1]->defaults.size(), 1u);
    const Stmt& iff = *m.body[1]->body[0];
    EXPECT_EQ(iff.kind, StmtKind::if_);
    EXPECT_EQ(iff.value->kind, ExprKind::boolop);
    EXPECT_EQ(iff.orelse[0]->kind, StmtKind::if_);
    EXPECT_EQ(m.body[2]->kind, StmtKind::assign);
    EXPECT_EQ(m.body[2]->targets[0]->kind, ExprKind::tuple);
    EXPECT_EQ(m.body[3]->handlers.size(), 1u);
    EXPECT_EQ(m.body[3]->handlers[0].name, "e");
    EXPECT_EQ(m.body[3]->finalbody.size(), 1u);
}

TEST(Parser, CallWithKeywordsAndComprehension) {
    const Module m = parse("ps = [Process(target=w, args=(q, i)) for i in range(3)]\n");
    const Expr& v = *m.body[0]->value;
    EXPECT_EQ(v.kind, ExprKind::list_comp);
    EXPECT_EQ(v.target, "i");
    EXPECT_EQ(v.args[0]->keywords.size(), 2u);
}

TEST(Parser, SyntaxErrorPosition) {
    try {
        (void)parse("x = (1,\ny = 2\n");
        FAIL();
    } catch (const FrontendError& e) {
        EXPECT_TRUE(e.diagnostic.message.starts_with("syntax error"));
    }
    try {
        (void)parse("if x\n    y = 1\n");
        FAIL();
    } catch (const FrontendError& e) {
        EXPECT_EQ(e.diagnostic.line, 1u);
        EXPECT_EQ(e.diagnostic.column, 5u);
    }
}

} // namespace
} // namespace mpcheck::frontend
