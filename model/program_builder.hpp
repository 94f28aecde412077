#pragma once

#include "model/program.hpp"

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::model {

class ProgramBuilder;

/// Builds one function's code. Registers are named locals; `reg("q")` returns the same
/// register for the same name. Every emitted instruction gets the current source location
/// (`at(line, column)`) and a description for traces.
class FunctionBuilder {
public:
    FunctionBuilder& at(std::uint32_t line, std::uint32_t column = 1);
    Reg reg(std::string_view name);
    /// A fresh unnamed temporary register.
    Reg temp();
    /// Copies `args` into fresh consecutive temporaries (how calls pass arguments); returns
    /// the first.
    Reg consecutive(std::initializer_list<Reg> args);
    Reg consecutive(std::span<const Reg> args);
    std::uint32_t pc() const { return static_cast<std::uint32_t>(fn().code.size()); }

    /// Emits an instruction; `text` describes it in traces (defaults to the op name).
    std::uint32_t emit(Instr instr, std::string_view text = {});

    // ---- locals and control flow ----
    Reg constant(Reg dst, Value v);
    Reg integer(Reg dst, std::int32_t i) { return constant(dst, Value::integer(i)); }
    Reg none(Reg dst) { return constant(dst, Value::none()); }
    Reg str(Reg dst, std::string_view text);
    /// A str of `size` characters described as `description` (e.g. "'X' * 1000000").
    Reg sized_str(Reg dst, std::uint64_t size, std::string_view description);
    void binary(Reg dst, Reg a, BinaryOp op, Reg b);
    void move(Reg dst, Reg src);
    std::uint32_t jump(std::uint32_t target = 0);
    std::uint32_t jump_if_false(Reg cond, std::uint32_t target = 0);
    std::uint32_t jump_if_true(Reg cond, std::uint32_t target = 0);
    /// Points a previously emitted jump at `target`.
    void patch(std::uint32_t jump_pc, std::uint32_t target);
    void load_global(Reg dst, std::string_view name);
    void store_global(std::string_view name, Reg src);
    void call(Reg dst, std::string_view function, std::initializer_list<Reg> args);
    void ret(Reg value);
    void ret_none();
    void assert_true(Reg cond, std::string_view text = "assert");
    void raise(ExcType type);
    void choose(Reg dst);

    // ---- multiprocessing operations (one line of Python each) ----
    Reg process(Reg dst, std::string_view target, std::initializer_list<Reg> args,
                std::string_view text = {});
    Reg daemon_process(Reg dst, std::string_view target, std::initializer_list<Reg> args,
                       std::string_view text = {});
    void start(Reg p);
    void join(Reg p, Wait wait = Wait::forever);
    void terminate(Reg p);
    void kill(Reg p);
    Reg queue(Reg dst, QueueKind kind = QueueKind::queue, std::int32_t maxsize = 0);
    void put(Reg q, Reg item, Wait wait = Wait::forever);
    void get(Reg dst, Reg q, Wait wait = Wait::forever);
    void op(Op op, Reg a, Reg dst = 0, Reg b = 0, Wait wait = Wait::forever, std::int32_t imm = 0);
    Reg lock(Reg dst, SemKind kind = SemKind::lock, std::int32_t value = 1);
    void acquire(Reg lock, Wait wait = Wait::forever, Reg dst = 0);
    void release(Reg lock);
    void pipe(Reg first, Reg second, bool duplex);

    /// Wraps [begin, end) in a try whose handler (at `handler`) receives the exception in `exc`.
    void handler(std::uint32_t begin, std::uint32_t end, std::uint32_t handler, Reg exc);

private:
    friend class ProgramBuilder;
    FunctionBuilder(ProgramBuilder& owner, FuncId id) : owner_(&owner), id_(id) {}
    Function& fn();
    const Function& fn() const;
    std::string describe(std::string_view text, const Instr& in) const;

    ProgramBuilder* owner_;
    FuncId id_;
    SourceLoc loc_{1, 1};
};

/// Builds a Program directly from C++ (the Python front end lowers into the same IR).
/// Functions may be referred to by name before they are defined.
class ProgramBuilder {
public:
    ProgramBuilder();
    /// The module body (MainProcess runs it as __main__).
    FunctionBuilder module();
    /// A function with the given parameter names.
    FunctionBuilder function(std::string_view name, std::initializer_list<std::string_view> params);
    void set_start_method(StartMethod method);
    /// Finishes the program: checks every call target exists and every register is in range.
    Program build();

    FuncId function_id(std::string_view name);
    TextId text(std::string_view text);
    BlobId blob(bool is_bytes, std::uint64_t size, std::string_view text);
    std::uint32_t global(std::string_view name);
    Program& program() { return program_; }

private:
    Program program_;
    std::vector<bool> defined_;
};

} // namespace mpcheck::model
