#pragma once

#include "model/ids.hpp"
#include "model/value.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::model {

/// Every IR operation (see op_kinds.def for operands and meaning).
enum class Op : std::uint8_t {
#define MPCHECK_OP(name, kind, text) name,
#include "model/op_kinds.def"
#undef MPCHECK_OP
};

/// Whether each operation is local, by its enumerator's value (read by is_local).
inline constexpr bool kOpIsLocal[] = {
#define MPCHECK_OP(name, kind, text) std::string_view(#kind) == "local",
#include "model/op_kinds.def"
#undef MPCHECK_OP
};

/// True for operations that only touch the executing process's own memory.
inline bool is_local(Op op) {
    return kOpIsLocal[static_cast<std::uint8_t>(op)];
}
/// The operation's short name, e.g. "put".
const char* op_name(Op op);

/// The str/bytes methods of Op::str_method (what the model computes exactly; see
/// semantics_string.cpp for where it stops at a model limit instead).
enum class StrMethod : std::uint8_t {
    upper,
    lower,
    strip,
    lstrip,
    rstrip,
    startswith,
    endswith,
    replace,
    split,
    find,
    count,
    isdigit,
};

enum class BinaryOp : std::uint8_t {
    add,
    sub,
    mul,
    floordiv,
    mod,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    is,
    is_not
};
enum class UnaryOp : std::uint8_t { not_, neg, is_none };
enum class QueueKind : std::uint8_t { queue, joinable, simple };
enum class SemKind : std::uint8_t { lock, rlock, semaphore, bounded };

/// One IR instruction. `text` describes the user-level call for traces ("q.put(item)").
/// pipe_new's imm: the duplex flag, and the TextId naming the second end (`w` of `r, w =
/// Pipe()`; kNoText: both ends are named by the instruction's name).
constexpr std::int32_t pipe_imm(bool duplex, TextId second_name) {
    return static_cast<std::int32_t>((second_name << 1) | (duplex ? 1u : 0u));
}

/// seq_get's imm for the items of an iteration (`for k in v`, unpacking): by position, a
/// dict's keys; any other imm subscripts (`v[b]`: a dict by key).
inline constexpr std::int32_t kSeqGetIteration = 1;

/// What a tuple, list or dict built at run time is (make_seq's imm, model/sequences.hpp).
enum class SeqKind : std::uint8_t { tuple, list, dict };

/// dict_view's imm: which of a dict's views a for loop iterates.
enum class DictView : std::uint8_t { keys, values, items };

struct Instr {
    Op op = Op::nop;
    Wait wait = Wait::forever;
    Reg dst = 0;
    Reg a = 0;
    Reg b = 0;
    Reg c = 0;
    std::int32_t imm = 0;
    TextId text = kNoText;
    SourceLoc loc{};
    /// For instructions that create an object: the variable it is assigned to ("q"), used to
    /// name the object in messages. kNoText: the object is named by `text`.
    TextId name = kNoText;
    /// For instructions that create an object or a Process: the context it is created through,
    /// 0 for the default context (`mp.Queue()`), else StartMethod + 1 of `get_context(m)`.
    std::uint8_t context = 0;
};

/// A `try` region: an exception raised at pc in [begin, end) jumps to `handler` with the
/// exception value stored in register `exc` (the handler re-raises what it does not catch).
struct Handler {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    std::uint32_t handler = 0;
    Reg exc = 0;
};

/// Whether a register name is a temporary's ("$N", FunctionBuilder::temp) rather than a
/// variable's.
inline bool is_temporary(std::string_view reg_name) {
    return reg_name.starts_with('$');
}

/// A function: parameters occupy registers 0..num_params-1.
struct Function {
    std::string name;
    std::uint16_t num_params = 0;
    std::uint16_t num_regs = 0;
    std::vector<Instr> code;
    std::vector<Handler> handlers; ///< innermost first
    std::vector<std::string> reg_names;
    SourceLoc loc;
    /// Derived (compute_liveness): live_in[pc][r] when register r may be read at or after pc.
    std::vector<std::vector<bool>> live_in;
    /// Derived (compute_liveness): dead_at[pc] lists the registers not live at pc that may hold
    /// a value there (the others are absent already), in order.
    std::vector<std::vector<Reg>> dead_at;
    /// Derived (compute_liveness): whether register r is a variable, not a temporary. A dead
    /// variable that references named SemLocks keeps them until rebound (spawn_args.hpp).
    std::vector<bool> variables;
};

/// A string or bytes constant. Payloads are abstracted by their size; `text` is the literal
/// when short, or a description such as "'X' * 1000000".
struct Blob {
    bool is_bytes = false;
    std::uint64_t size = 0; ///< characters (str, ASCII assumed unless utf8_size given) or bytes
    std::uint64_t utf8_size = 0;
    std::string text;
};

/// A lowered program: what the model executes. Built by ProgramBuilder or the Python front end.
struct Program {
    std::vector<Function> functions;
    /// The module body, run by MainProcess as `__main__` and re-run by every spawn and
    /// forkserver child as `__mp_main__` (so `name_is_main` is false there).
    FuncId module = 0;
    std::vector<std::string> globals;
    std::vector<Blob> blobs;
    std::vector<std::string> texts{std::string{}};
    /// Start method fixed by the program (set_start_method / get_context), if any.
    bool start_method_fixed = false;
    StartMethod start_method = StartMethod::fork;
    /// Whether the program makes a Pipe anywhere (set by Model from the instructions): without
    /// one, no step needs to watch for a Connection closed by a drop.
    bool makes_pipes = false;

    std::string_view text(TextId id) const { return texts[id]; }
};

} // namespace mpcheck::model
