#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mpcheck::frontend {

/// Position and source span of a node (span used as the trace description).
struct Pos {
    std::uint32_t line = 0, column = 0;
    std::size_t begin = 0, end = 0;
};

enum class ExprKind : std::uint8_t {
    name,      ///< text
    integer,   ///< number
    string,    ///< text = payload, is_bytes
    constant,  ///< text = "None" / "True" / "False"
    binary,    ///< text = operator, args[0] op args[1]
    unary,     ///< text = "not" / "-", args[0]
    compare,   ///< text = operator ("is not", "not in", ...), args[0] op args[1]
    boolop,    ///< text = "and" / "or", args
    call,      ///< args[0] = callee, args[1..] positional; keywords
    attribute, ///< args[0].text
    tuple,     ///< args
    list,      ///< args
    list_comp, ///< args[0] element, target, args[1] iterable
    fstring,   ///< pieces[0] args[0] pieces[1] ...: literal pieces around formatted fields
    subscript, ///< args[0][args[1]]
    dict,      ///< args: key0, value0, key1, value1, ...
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Keyword {
    std::string name;
    ExprPtr value;
};

struct Expr {
    ExprKind kind = ExprKind::name;
    Pos pos;
    std::string text;
    std::int64_t number = 0;
    bool is_bytes = false;
    bool is_fstring = false;
    bool is_float = false; ///< a float literal: accepted only as a timeout or sleep argument
    std::vector<ExprPtr> args;
    std::vector<Keyword> keywords;
    std::string target;   ///< list_comp loop variable (a name; see targets for a tuple)
    ExprPtr target_tuple; ///< list_comp loop target when it is a tuple (`for i, x in ...`)
    std::vector<std::string> pieces; ///< fstring: the literal text around the fields
    /// fstring: per field, its conversion (first char: '-' none, 'r', 's', 'a') then its spec
    std::vector<std::string> specs;
};

enum class StmtKind : std::uint8_t {
    expr,   ///< value
    assign, ///< targets (chain a = b = v), value
    aug,    ///< targets[0] text= value
    pass,
    brk,
    cont,
    ret,     ///< value (may be null)
    def,     ///< name, params, defaults, body
    import,  ///< names: (module, alias)
    from,    ///< module, names: (name, alias)
    global,  ///< names
    assert_, ///< value
    raise,   ///< value (may be null)
    if_,     ///< value, body, orelse
    while_,  ///< value, body
    for_,    ///< targets[0], value (iterable), body
    try_,    ///< body, handlers, finalbody
    with,    ///< items, body
    class_,  ///< text = name, targets = bases, body (methods)
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct ExceptClause {
    Pos pos;
    ExprPtr type; ///< null: bare except
    std::string name;
    Body body;
};

struct WithItem {
    ExprPtr context;
    std::string name; ///< `as` name, empty if none
};

struct Stmt {
    StmtKind kind = StmtKind::pass;
    Pos pos;
    std::string text; ///< aug operator, def name, from module
    ExprPtr value;
    std::vector<ExprPtr> targets;
    std::vector<std::pair<std::string, std::string>> names;
    std::vector<std::string> params;
    std::vector<ExprPtr> defaults;
    Body body, orelse, finalbody;
    std::vector<ExceptClause> handlers;
    std::vector<WithItem> items;
};

/// A parsed module.
struct Module {
    Body body;
};

} // namespace mpcheck::frontend
