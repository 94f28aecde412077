#pragma once

// Internal to the front end: the state shared by lower.cpp (statements, expressions) and
// lower_mp.cpp (the multiprocessing API).

#include "frontend/ast.hpp"
#include "frontend/error.hpp"
#include "frontend/list_escapes.hpp"
#include "frontend/module_constants.hpp"
#include "model/program_builder.hpp"

#include <map>
#include <memory>
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
    shared_value, ///< multiprocessing.Value / RawValue
    conn,
    file,
    context,  ///< multiprocessing module or a context from get_context()
    module,   ///< another imported module (time, os, sys, queue)
    function, ///< a user function
    list,     ///< a compile-time list (unrolled)
    str,      ///< a str computed by the program (f-string, str(), a literal)
    instance, ///< an instance of a plain user class (a static record of attributes)
};

struct Val;

/// A compile-time aggregate: a list, tuple or dict of values (dict keys are constants), or an
/// instance of a user class (named attributes). Its leaves live in hidden variables
/// "name[i]" / "name.attr", so a static aggregate costs nothing beyond its leaves.
struct Static {
    enum class Shape : std::uint8_t { list, tuple, dict, instance };
    /// A constant dict key.
    struct Key {
        bool is_str = false;
        std::int64_t number = 0;
        std::string text;
        friend bool operator==(const Key&, const Key&) = default;
    };
    Shape shape = Shape::list;
    std::vector<Val> items;
    std::vector<Key> keys;          ///< dict: one per item
    std::vector<std::string> attrs; ///< instance: one attribute name per item
    std::string cls;                ///< instance: its class
    bool handle = false; ///< instance of a Process subclass: the Val's reg is its process handle
};

/// A value produced by an expression: its register and static kind, or a static aggregate.
struct Val {
    Val() = default;
    Val(model::Reg r, Kind k = Kind::unknown, std::shared_ptr<const Static> a = nullptr)
        : reg(r), kind(k), agg(std::move(a)) {}
    model::Reg reg = 0;
    Kind kind = Kind::unknown;
    std::shared_ptr<const Static> agg; ///< set for compile-time aggregates
    /// Whether the value has no register of its own (a list, dict or plain instance).
    bool is_aggregate() const { return agg != nullptr && !agg->handle; }
};

/// What the lowering learnt about a function's parameters from its call sites.
struct ParamInfo {
    std::vector<Kind> kinds;
    /// The shape of each parameter that receives a static aggregate (null: a single value).
    std::vector<std::shared_ptr<const Static>> shapes;
};

struct FunctionInfo {
    const Stmt* def = nullptr;
    model::FuncId id = 0;
    std::vector<Kind> param_kinds;
    std::vector<std::shared_ptr<const Static>> param_shapes;
    /// The parameter names (a method's `self` is replaced by its attributes).
    std::vector<std::string> params;
    /// Method of a class: the class, and whether it receives `self` as its attributes.
    std::string cls;
    bool lowered = false;
};

/// A user class: its methods and the attributes its __init__ assigns.
struct ClassInfo {
    const Stmt* def = nullptr;
    bool is_process = false;        ///< a multiprocessing.Process subclass
    const Stmt* init = nullptr;     ///< __init__, if defined
    std::vector<std::string> attrs; ///< attributes assigned in __init__, in order
    std::map<std::string, const Stmt*> methods;
};

/// Per-function lowering context.
struct Scope {
    model::FuncId id = 0;
    bool is_module = false;
    std::set<std::string> locals;
    std::set<std::string> globals;
    std::map<std::string, Kind> kinds;
    /// Names holding static aggregates, with their shape.
    std::map<std::string, std::shared_ptr<const Static>> statics;
    /// Inside a method: the class of `self`.
    std::string self_class;
    /// Names whose list another name may see, so append() must not grow it (list_escapes).
    std::map<std::string, ListEscape> list_escapes;
    /// Each list variable's region (see Lowerer::regions_) where it was last bound.
    std::map<std::string, std::uint32_t> list_regions;
};

/// The hidden variable of item i of an aggregate of `shape` stored as `name`.
std::string hidden_name(const std::string& name, const Static& shape, std::size_t i);

/// Whether `b` holds a break or continue of the loop whose body it is (not of loops inside it).
bool has_own_jump(const Body& b);

/// Whether two aggregate shapes (or two single values, null) are alike.
bool shapes_match(const std::shared_ptr<const Static>& a, const std::shared_ptr<const Static>& b);
/// A deep copy of an expression (to build calls the source does not spell out).
ExprPtr clone(const Expr& e);

class Lowerer {
public:
    /// Parameter kinds of each function, as learnt from Process(...) and call sites.
    using ParamKinds = std::map<std::string, ParamInfo>;

    /// `seed`: parameter kinds learnt by an earlier pass. `lenient`: a method call on a receiver
    /// of unknown kind is skipped instead of refused (used by the passes that learn kinds).
    /// `runtime_lists`: lists an earlier pass found growing where their length is decided at
    /// run time (see runtime_lists()).
    Lowerer(const Module& module, std::string_view source, ParamKinds seed = {},
            bool lenient = false, std::set<std::string> runtime_lists = {})
        : module_(module), module_constants_(module_constants(module)), source_(source),
          seed_(std::move(seed)), lenient_(lenient), runtime_lists_(std::move(runtime_lists)),
          names_in_functions_(names_in_functions(module)),
          user_methods_(user_method_names(module)) {}
    model::Program run();
    ParamKinds param_kinds() const;
    /// The lists (list_key) that grow where their length is known only at run time: a
    /// learning pass notes each such append instead of refusing it, and the passes after it
    /// lower the list as one run-time value from its binding on.
    const std::set<std::string>& runtime_lists() const { return runtime_lists_; }

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
    /// Registers a function (or a method "Class.name") and its parameter registers.
    void register_function(const std::string& name, const Stmt& def, const std::string& cls);
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
    /// The value of `e`, which must be a single value (not a list, dict or plain instance).
    Val expr(const Expr& e, std::string_view text = {});
    /// The value of `e`, static aggregates included.
    Val value(const Expr& e, std::string_view text = {});
    model::Reg constant(model::Value v);
    /// An int known when lowering: literals, `+ - *` and module constants.
    std::optional<std::int64_t> fold_int(const Expr& e) const;
    Val condition(const Expr& e);
    model::ExcType exc_type(const Expr& e) const;
    std::optional<model::ExcType> exc_type_opt(const Expr& e) const;
    std::string const_str(const Expr& e) const;

    // ---- lower_static.cpp: compile-time lists, tuples, dicts ----
    /// Stores a value (an aggregate into its hidden leaf variables) under `name`.
    void store_value(const std::string& name, const Val& v);
    /// Loads `name`, rebuilding a static aggregate from its leaves.
    Val load_value(const std::string& name, const Pos& p);
    /// The shape recorded for `name` in the scope that owns it, or null.
    std::shared_ptr<const Static> shape_of(const std::string& name) const;
    /// The elements of an iterable known at lowering time (evaluated now, in order).
    std::vector<Val> sequence(const Expr& e);
    /// The elements of the already evaluated aggregate `v` (the keys of a dict).
    std::vector<Val> elements(const Val& v, const Expr& e);
    /// Binds a for/comprehension target (a name or a tuple of targets) to `v`.
    void bind_target(const Expr& target, const Val& v);
    void bind_name(const std::string& name, const Val& v);
    Val display(const Expr& e);
    Val comprehension(const Expr& e);
    Val dict_display(const Expr& e);
    Val subscript(const Expr& e);
    /// d.items(), d.keys(), d.values() of a static dict: a static list.
    Val dict_view(const Val& dict, const std::string& name, const Expr& e);
    /// Builtins over static aggregates: len, sum, enumerate, zip, list, tuple, range, sorted.
    std::optional<Val> static_builtin(const std::string& name, const Expr& e);
    /// `x in seq` / `x not in seq`.
    Val membership(const Expr& e);
    /// Leaves of `v` in parameter order (how aggregates are passed to functions).
    void flatten(const Val& v, std::vector<Val>& out) const;
    /// `for target in iter(callable, sentinel):`.
    void sentinel_loop(const Stmt& s);
    Val key_value(const Static::Key& k);
    Static::Key const_key(const Expr& e) const;

    // ---- lower_sequence.cpp: tuples, lists and dicts as run-time values ----
    /// Builds the static tuple, list or dict `v` (the value of `e`) as one run-time value.
    Val materialize(const Val& v, const Expr& e);
    /// seq[index] of a value known only at run time; with `iteration`, the index-th item a loop
    /// over it visits (a dict's index-th key).
    Val runtime_item(model::Reg seq, model::Reg index, const Expr& e, bool iteration = false);
    /// `d.get(key)`, `d.get(key, default)` of a value known only at run time (a dict then).
    Val runtime_dict_get(const Val& d, const Expr& e);
    /// The run-time list a for loop over `d.keys()`, `d.values()` or `d.items()` visits, for a
    /// d known only at run time; nullopt when `it` is not such a call.
    std::optional<Val> runtime_dict_view(const Expr& it);
    /// `a, b = v` for a value known only at run time (checked then).
    void runtime_unpack(const Expr& target, const Val& v);
    /// The head of a loop over the items a run-time value holds: `item` is the next one, `exit`
    /// the jump taken once there is none, `head` where each iteration starts over.
    struct RuntimeIteration {
        Val item;
        std::uint32_t head = 0;
        std::uint32_t exit = 0;
    };
    /// Emits that head for `seq_val`, the value of `e` (len() and indexing are reported at `e`,
    /// the test for another item at `loop`).
    RuntimeIteration begin_runtime_iteration(const Val& seq_val, const Expr& e, const Pos& loop);
    /// `for target in v:` for a value known only at run time.
    void runtime_for(const Stmt& s, const Val& seq);
    /// sum(v, start) for a value known only at run time: a loop over its items.
    Val runtime_sum(const Val& seq_val, model::Reg start, const Expr& e);

    // ---- lower_string.cpp: strings built at run time ----
    Val string_literal(const Expr& e);
    /// A register holding the str `text`.
    model::Reg str_constant(std::string_view text);
    Val fstring(const Expr& e);
    /// Concatenates literal pieces and formatted fields (f-strings, %, str.format).
    Val build_string(const std::vector<std::string>& pieces, const std::vector<Val>& fields,
                     const std::vector<std::string>& specs, const Pos& p);
    Val percent_format(const Expr& e);
    Val format_method(const Expr& literal, const Expr& call);
    Val string_method(const Val& obj, const std::string& name, const Expr& e);
    /// Emits an op `dst = op(a)` with immediate `imm`.
    Val unary_op(model::Op op, model::Reg a, std::int32_t imm = 0, Kind kind = Kind::unknown);

    // ---- lower_append.cpp: lists that grow ----
    /// `name.append(...)` as a statement (`call`): from here on `name` is one item longer.
    void list_append(const std::string& name, const Expr& call);
    /// `name = name + [item]` for a list lowered as one run-time value.
    void runtime_append(const std::string& name, const Expr& call);
    /// The key of list `name` of the current scope in runtime_lists_.
    std::string list_key(const std::string& name) const;
    /// Lowers `b` as code that runs on some paths only, decided at run time (a branch, a loop
    /// body): a list bound outside it may not grow inside it.
    void region_body(const Body& b);
    /// Whether `b` (and the blocks in it) holds a statement `L.append(...)` for a list L.
    bool appends_to_list(const Body& b) const;
    /// Whether list `name` of `owner` can change length here as the lowered code says: `owner`
    /// is the current scope, no try statement of it encloses this point, and this is the
    /// region of the list's last binding.
    bool in_list_region(const std::string& name, const Scope& owner) const;
    /// Whether `name` (a list of `owner`, the current scope) may be rebound to a list of
    /// another length here: in the region of its last binding, outside try statements, and
    /// read by no function if it is the module's.
    bool may_reshape(const std::string& name, const Scope& owner, const Static& previous,
                     const Static& next) const;
    /// Unbinds the hidden variables of items `from`.. of `shape` stored as `name` (a rebinding
    /// to a shorter list drops them, and with them the objects only they held).
    void drop_items(const std::string& name, const Static& shape, std::size_t from);
    /// `for i in range(...)` with constant bounds and no break or continue of its own, unrolled
    /// (so that appends in it happen a known number of times); false when it cannot be.
    bool unrolled_range(const Stmt& s);

    // ---- lower_class.cpp: user classes ----
    void register_class(const Stmt& s);
    Val instantiate(const std::string& cls, const Expr& e, std::string_view text);
    Val method_call(const Val& obj, const std::string& name, const Expr& e, std::string_view text);

    // ---- lower_mp.cpp ----
    Val call(const Expr& e, std::string_view text);
    Val user_call(const std::string& name, const Expr& e, std::string_view text);
    /// print(...) and logging.info(...): no effect on the model beyond evaluating arguments.
    Val print_call(const Expr& e, std::string_view text);
    /// The values of a user function's parameters: `vals` (already evaluated, e.g. `self`),
    /// then e.args[first_arg..], then defaults; records what they teach about the parameters.
    std::vector<Val> bind_params(FunctionInfo& info, const std::string& name, const Expr& e,
                                 std::size_t first_arg, std::vector<Val> vals);
    void learn_params(FunctionInfo& info, const std::string& name, const std::vector<Val>& vals,
                      const Pos& p);
    /// Emits the call of `info` with the flattened arguments.
    Val emit_call(const FunctionInfo& info, const std::vector<Val>& flat, const Expr& e,
                  std::string_view text);
    Val constructor(const std::string& what, const Expr& e, std::string_view text);
    /// process_new for `info` with the given arguments (aggregates flattened).
    Val new_process(const FunctionInfo& info, const std::vector<Val>& vals, const Expr* daemon,
                    const Expr& e, std::string_view text,
                    std::optional<model::Reg> daemon_reg = std::nullopt,
                    std::optional<model::Reg> name = std::nullopt);
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
    /// The context a multiprocessing call goes through (Instr::context): 0 for the module and
    /// get_context(), StartMethod + 1 for a name bound to get_context(m).
    std::uint8_t context_of(const Expr& callee) const;
    /// set_start_method(...) and get_context(...).
    Val context_call(const std::string& what, const Expr& e);
    /// Value(typecode, init=0, lock=True) or RawValue(typecode, init=0) of an integer type.
    Val shared_value(bool raw, const Expr& e, std::string_view text);
    std::string module_of(const Expr& e) const;

    const Module& module_;
    Constants module_constants_; // folded where a value must be known when lowering
    std::string_view source_;
    ParamKinds seed_;
    bool lenient_ = false;
    std::set<std::string> runtime_lists_;
    model::ProgramBuilder b_;
    std::map<std::string, FunctionInfo> functions_;
    std::map<std::string, ClassInfo> classes_;
    std::vector<std::string> function_order_;
    std::map<std::string, Pos> referenced_functions_;
    /// Names bound by imports: alias -> "multiprocessing", "time", "multiprocessing.Queue", ...
    std::map<std::string, std::string> imports_;
    Scope module_scope_;
    Scope* scope_ = nullptr;
    model::SourceLoc loc_{1, 1}; ///< location given to the next emitted instruction
    std::string var_; ///< the variable the current statement assigns (names created objects)
    /// `w` while `r, w = Pipe()` is lowered: the name of the second end.
    std::string second_var_;
    /// Names bound to contexts: 0 for the default context (the module, get_context()),
    /// StartMethod + 1 for get_context(m).
    std::map<std::string, std::uint8_t> contexts_;
    /// The context of the object or Process being created (see Instr::context).
    std::uint8_t creation_context_ = 0;

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
    /// While a constructor's __init__ is interpreted: its parameters and `self`. Other names
    /// then denote globals (as in the method), never the caller's locals.
    std::vector<std::map<std::string, Val>> overlays_;

    // Where a list may grow: the current scope's regions, innermost last (a new one for every
    // branch and run-time loop body), the number of enclosing try statements of the scope
    // (an exception between appends could be caught with the list shorter than lowered), the
    // lists that enclosing unrolled loops iterate, and the statement-level call being lowered.
    std::vector<std::uint32_t> regions_;
    std::uint32_t regions_made_ = 0;
    int try_depth_ = 0;
    std::vector<std::string> iterated_lists_;
    const Expr* statement_call_ = nullptr;
    std::map<std::string, Pos> names_in_functions_; // module names that functions mention
    std::set<std::string> user_methods_;            // method names of the module's classes
};

} // namespace mpcheck::frontend
