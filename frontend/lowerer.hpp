#pragma once

// Internal to the front end: the state shared by lower.cpp (statements, expressions) and
// lower_mp.cpp (the multiprocessing API).

#include "frontend/ast.hpp"
#include "frontend/error.hpp"
#include "model/program_builder.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::frontend {

/// What a name is known to hold, for dispatching method calls statically.
enum class Kind : std::uint8_t {
    unknown,
    process,
    queue,
    joinable_queue,
    simple_queue,
    lock,
    condition,
    event,
    barrier,
    conn,
    file,
    context,  ///< multiprocessing module or a context from get_context()
    module,   ///< another imported module (time, os, sys, queue)
    function, ///< a user function
    list,     ///< a compile-time list (unrolled)
};

/// A value produced by an expression: its register and static kind.
struct Val {
    model::Reg reg = 0;
    Kind kind = Kind::unknown;
};

/// A compile-time list: its elements live in hidden variables "name[i]".
struct ListInfo {
    std::size_t size = 0;
};

struct FunctionInfo {
    const Stmt* def = nullptr;
    model::FuncId id = 0;
    std::vector<Kind> param_kinds;
    bool lowered = false;
};

/// Per-function lowering context.
struct Scope {
    model::FuncId id = 0;
    bool is_module = false;
    std::set<std::string> locals;
    std::set<std::string> globals;
    std::map<std::string, Kind> kinds;
    std::map<std::string, ListInfo> lists;
};

class Lowerer {
public:
    /// Parameter kinds of each function, as learnt from Process(...) and call sites.
    using ParamKinds = std::map<std::string, std::vector<Kind>>;

    /// `seed`: parameter kinds learnt by an earlier pass. `lenient`: a method call on a receiver
    /// of unknown kind is skipped instead of refused (used by the passes that learn kinds).
    Lowerer(const Module& module, std::string_view source, ParamKinds seed = {},
            bool lenient = false)
        : module_(module), source_(source), seed_(std::move(seed)), lenient_(lenient) {}
    model::Program run();
    ParamKinds param_kinds() const;

private:
    // ---- lower.cpp ----
    model::FunctionBuilder fb() {
        auto f = fb_for(scope_->id);
        f.at(loc_.line, loc_.column);
        return f;
    }
    model::FunctionBuilder fb_for(model::FuncId id);
    void at(const Pos& p);
    std::string src(const Pos& p) const;
    void lower_function(FunctionInfo& info);
    void collect_locals(const Body& body, Scope& scope);
    void body(const Body& b);
    void stmt(const Stmt& s);
    void assign(const Expr& target, const Expr& value, const Stmt& s);
    void store(const std::string& name, model::Reg value, Kind kind);
    Val load(const std::string& name, const Pos& p);
    bool is_local(const std::string& name) const;
    Kind kind_of_name(const std::string& name) const;
    void if_stmt(const Stmt& s);
    void while_stmt(const Stmt& s);
    void for_stmt(const Stmt& s);
    /// Ends the innermost loop: its exit jump and breaks go to `end`, continues to `next`.
    void close_loop(std::uint32_t exit_jump, std::uint32_t end, std::uint32_t next);
    /// Copies argument values into fresh consecutive registers (calls and Process args).
    model::Reg pass_args(const std::vector<Val>& vals);
    void try_stmt(const Stmt& s);
    void with_stmt(const Stmt& s);
    void jump_out(const Stmt& s, bool is_break);
    void run_cleanups(std::size_t down_to);
    Val expr(const Expr& e, std::string_view text = {});
    model::Reg constant(model::Value v);
    std::optional<std::int64_t> fold_int(const Expr& e) const;
    bool fold_str(const Expr& e, std::uint64_t& size, bool& is_bytes) const;
    Val condition(const Expr& e);
    model::ExcType exc_type(const Expr& e) const;
    std::optional<model::ExcType> exc_type_opt(const Expr& e) const;
    std::string const_str(const Expr& e) const;

    // ---- lower_mp.cpp ----
    Val call(const Expr& e, std::string_view text);
    Val user_call(const std::string& name, const Expr& e, std::string_view text);
    Val constructor(const std::string& what, const Expr& e, std::string_view text);
    Val method(const Val& obj, const std::string& name, const Expr& e, std::string_view text);
    Val attribute(const Expr& e, std::string_view text);
    model::Wait wait_mode(const Expr& e, std::size_t block_index, std::size_t timeout_index,
                          bool default_no_block = false);
    const Expr* arg(const Expr& e, std::size_t index, std::string_view keyword) const;
    void check_args(const Expr& e, std::size_t max_positional,
                    std::initializer_list<std::string_view> keywords) const;
    /// Emits a visible op and names the object it creates after `var` (if any).
    std::uint32_t emit(model::Instr in, std::string_view text);
    std::optional<std::string> mp_name(const Expr& callee) const;
    std::string module_of(const Expr& e) const;

    const Module& module_;
    std::string_view source_;
    ParamKinds seed_;
    bool lenient_ = false;
    model::ProgramBuilder b_;
    std::map<std::string, FunctionInfo> functions_;
    std::vector<std::string> function_order_;
    std::map<std::string, Pos> referenced_functions_;
    /// Names bound by imports: alias -> "multiprocessing", "time", "multiprocessing.Queue", ...
    std::map<std::string, std::string> imports_;
    Scope module_scope_;
    Scope* scope_ = nullptr;
    model::SourceLoc loc_{1, 1}; ///< location given to the next emitted instruction
    std::string var_; ///< the variable the current statement assigns (names created objects)

    struct Loop {
        std::uint32_t continue_target = 0;
        std::vector<std::uint32_t> breaks;
        std::vector<std::uint32_t> continues;
        std::size_t cleanup_depth = 0;
    };
    std::vector<Loop> loops_;
    /// Code to run when break/continue/return leaves a with or finally block.
    struct Cleanup {
        const Stmt* finally = nullptr; ///< try/finally
        model::Op op = model::Op::nop; ///< with: release or close of `reg`
        model::Reg reg = 0;
        std::string text;
        Pos pos;
    };
    std::vector<Cleanup> cleanups_;
    std::vector<model::Reg> current_exc_;
};

} // namespace mpcheck::frontend
