#include "model/program_builder.hpp"

#include "model/check.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace mpcheck::model {

// ---- ProgramBuilder ----------------------------------------------------------------------

ProgramBuilder::ProgramBuilder() {
    Function module;
    module.name = "<module>";
    program_.functions.push_back(std::move(module));
    defined_.push_back(true);
    program_.module = 0;
}

FunctionBuilder ProgramBuilder::module() {
    return FunctionBuilder(*this, program_.module);
}

FunctionBuilder ProgramBuilder::function(std::string_view name,
                                         std::initializer_list<std::string_view> params) {
    const FuncId id = function_id(name);
    defined_[id] = true;
    Function& fn = program_.functions[id];
    fn.num_params = static_cast<std::uint16_t>(params.size());
    FunctionBuilder b(*this, id);
    for (const auto p : params)
        b.reg(p);
    return b;
}

void ProgramBuilder::set_start_method(StartMethod method) {
    program_.start_method_fixed = true;
    program_.start_method = method;
}

FuncId ProgramBuilder::function_id(std::string_view name) {
    for (std::size_t i = 0; i < program_.functions.size(); ++i) {
        if (program_.functions[i].name == name) return static_cast<FuncId>(i);
    }
    Function fn;
    fn.name = std::string(name);
    program_.functions.push_back(std::move(fn));
    defined_.push_back(false);
    return static_cast<FuncId>(program_.functions.size() - 1);
}

TextId ProgramBuilder::text(std::string_view text) {
    for (std::size_t i = 0; i < program_.texts.size(); ++i) {
        if (program_.texts[i] == text) return static_cast<TextId>(i);
    }
    program_.texts.emplace_back(text);
    return static_cast<TextId>(program_.texts.size() - 1);
}

BlobId ProgramBuilder::blob(bool is_bytes, std::uint64_t size, std::string_view text) {
    for (std::size_t i = 0; i < program_.blobs.size(); ++i) {
        const Blob& b = program_.blobs[i];
        if (b.is_bytes == is_bytes && b.size == size && b.text == text) {
            return static_cast<BlobId>(i);
        }
    }
    program_.blobs.push_back(Blob{is_bytes, size, 0, std::string(text)});
    return static_cast<BlobId>(program_.blobs.size() - 1);
}

std::uint32_t ProgramBuilder::global(std::string_view name) {
    auto& g = program_.globals;
    const auto it = std::find(g.begin(), g.end(), name);
    if (it != g.end()) return static_cast<std::uint32_t>(it - g.begin());
    g.emplace_back(name);
    return static_cast<std::uint32_t>(g.size() - 1);
}

Program ProgramBuilder::build() {
    for (std::size_t i = 0; i < program_.functions.size(); ++i) {
        if (!defined_[i]) {
            throw std::invalid_argument("call of undefined function " + program_.functions[i].name);
        }
        Function& fn = program_.functions[i];
        // Falling off the end returns None.
        if (fn.code.empty() || fn.code.back().op != Op::ret) {
            FunctionBuilder b(*this, static_cast<FuncId>(i));
            b.ret_none();
        }
        for (const Instr& in : fn.code) {
            const bool jumps =
                in.op == Op::jump || in.op == Op::jump_if_false || in.op == Op::jump_if_true;
            if (jumps && (in.imm < 0 || static_cast<std::size_t>(in.imm) >= fn.code.size())) {
                throw std::invalid_argument("jump out of range in " + fn.name);
            }
        }
    }
    return program_;
}

// ---- FunctionBuilder ---------------------------------------------------------------------

Function& FunctionBuilder::fn() {
    return owner_->program().functions[id_];
}
const Function& FunctionBuilder::fn() const {
    return owner_->program().functions[id_];
}

FunctionBuilder& FunctionBuilder::at(std::uint32_t line, std::uint32_t column) {
    loc_ = {line, column};
    return *this;
}

Reg FunctionBuilder::reg(std::string_view name) {
    Function& f = fn();
    for (std::size_t i = 0; i < f.reg_names.size(); ++i) {
        if (f.reg_names[i] == name) return static_cast<Reg>(i);
    }
    f.reg_names.emplace_back(name);
    f.num_regs = static_cast<std::uint16_t>(f.reg_names.size());
    return static_cast<Reg>(f.num_regs - 1);
}

Reg FunctionBuilder::temp() {
    Function& f = fn();
    std::string name = "$"; // built with += : GCC 12 warns spuriously on "lit" + string
    name += std::to_string(f.reg_names.size());
    f.reg_names.push_back(std::move(name));
    f.num_regs = static_cast<std::uint16_t>(f.reg_names.size());
    return static_cast<Reg>(f.num_regs - 1);
}

std::string FunctionBuilder::describe(std::string_view text, const Instr& in) const {
    if (!text.empty()) return std::string(text);
    const auto& names = fn().reg_names;
    auto name = [&](Reg r) { return r < names.size() ? names[r] : std::string("?"); };
    switch (in.op) {
    case Op::queue_put:
        return name(in.a) + ".put(" + name(in.b) + ")";
    case Op::queue_get:
        return name(in.dst) + " = " + name(in.a) + ".get()";
    case Op::process_start:
        return name(in.a) + ".start()";
    case Op::process_join:
        return name(in.a) + ".join()";
    case Op::process_terminate:
        return name(in.a) + ".terminate()";
    case Op::process_kill:
        return name(in.a) + ".kill()";
    case Op::sem_acquire:
        return name(in.a) + ".acquire()";
    case Op::sem_release:
        return name(in.a) + ".release()";
    case Op::queue_new: {
        static constexpr const char* kinds[] = {"Queue()", "JoinableQueue()", "SimpleQueue()"};
        return name(in.dst) + " = " + kinds[in.imm % 3];
    }
    case Op::sem_new: {
        static constexpr const char* kinds[] = {"Lock()", "RLock()", "Semaphore()",
                                                "BoundedSemaphore()"};
        return name(in.dst) + " = " + kinds[in.imm % 4];
    }
    case Op::process_new:
        return name(in.dst) + " = Process(target=" +
               owner_->program().functions[static_cast<std::size_t>(in.imm)].name + ")";
    case Op::cond_new:
        return name(in.dst) + " = Condition()";
    case Op::event_new:
        return name(in.dst) + " = Event()";
    default: {
        std::string s = op_name(in.op);
        if (!is_local(in.op) && in.op != Op::choose) s = name(in.a) + "." + s + "()";
        return s;
    }
    }
}

std::uint32_t FunctionBuilder::emit(Instr instr, std::string_view text) {
    instr.loc = loc_;
    instr.text = owner_->text(describe(text, instr));
    const bool creates = instr.op == Op::queue_new || instr.op == Op::sem_new ||
                         instr.op == Op::process_new || instr.op == Op::cond_new ||
                         instr.op == Op::event_new || instr.op == Op::file_open;
    // An object is named after the variable it is made into; one made into a temporary ("$N")
    // keeps the text of its call.
    if (creates && instr.dst < fn().reg_names.size() && !is_temporary(fn().reg_names[instr.dst])) {
        instr.name = owner_->text(fn().reg_names[instr.dst]);
    }
    fn().code.push_back(instr);
    return static_cast<std::uint32_t>(fn().code.size() - 1);
}

Reg FunctionBuilder::constant(Reg dst, Value v) {
    emit({.op = Op::load_const, .dst = dst, .imm = static_cast<std::int32_t>(v.bits())});
    return dst;
}

Reg FunctionBuilder::str(Reg dst, std::string_view text) {
    return constant(dst, Value::str(owner_->blob(false, text.size(), text)));
}

Reg FunctionBuilder::sized_str(Reg dst, std::uint64_t size, std::string_view description) {
    return constant(dst, Value::str(owner_->blob(false, size, description)));
}

void FunctionBuilder::binary(Reg dst, Reg a, BinaryOp op, Reg b) {
    emit({.op = Op::binary, .dst = dst, .a = a, .b = b, .imm = static_cast<std::int32_t>(op)});
}

void FunctionBuilder::move(Reg dst, Reg src) {
    emit({.op = Op::move, .dst = dst, .a = src});
}

std::uint32_t FunctionBuilder::jump(std::uint32_t target) {
    return emit({.op = Op::jump, .imm = static_cast<std::int32_t>(target)});
}

std::uint32_t FunctionBuilder::jump_if_false(Reg cond, std::uint32_t target) {
    return emit({.op = Op::jump_if_false, .a = cond, .imm = static_cast<std::int32_t>(target)});
}

std::uint32_t FunctionBuilder::jump_if_true(Reg cond, std::uint32_t target) {
    return emit({.op = Op::jump_if_true, .a = cond, .imm = static_cast<std::int32_t>(target)});
}

void FunctionBuilder::patch(std::uint32_t jump_pc, std::uint32_t target) {
    fn().code[jump_pc].imm = static_cast<std::int32_t>(target);
}

void FunctionBuilder::load_global(Reg dst, std::string_view name) {
    emit({.op = Op::load_global,
          .dst = dst,
          .imm = static_cast<std::int32_t>(owner_->global(name))});
}

void FunctionBuilder::store_global(std::string_view name, Reg src) {
    emit(
        {.op = Op::store_global, .a = src, .imm = static_cast<std::int32_t>(owner_->global(name))});
}

Reg FunctionBuilder::consecutive(std::initializer_list<Reg> args) {
    return consecutive(std::span<const Reg>(args.begin(), args.size()));
}

Reg FunctionBuilder::consecutive(std::span<const Reg> args) {
    Reg first = 0;
    bool any = false;
    for (const Reg a : args) {
        const Reg t = temp();
        if (!any) first = t;
        any = true;
        move(t, a);
    }
    return first;
}

void FunctionBuilder::call(Reg dst, std::string_view function, std::initializer_list<Reg> args) {
    const Reg first = consecutive(args);
    const auto n = static_cast<std::uint16_t>(args.size());
    emit({.op = Op::call,
          .dst = dst,
          .a = first,
          .b = n,
          .imm = static_cast<std::int32_t>(owner_->function_id(function))},
         std::string(function) + "()");
}

void FunctionBuilder::ret(Reg value) {
    emit({.op = Op::ret, .a = value}, "return");
}

void FunctionBuilder::ret_none() {
    const Reg t = temp();
    none(t);
    ret(t);
}

void FunctionBuilder::assert_true(Reg cond, std::string_view text) {
    emit({.op = Op::assert_true, .a = cond}, text);
}

void FunctionBuilder::raise(ExcType type) {
    const Reg t = temp();
    constant(t, Value::exception(type));
    emit({.op = Op::raise, .a = t}, std::string("raise ") + python_name(type));
}

void FunctionBuilder::choose(Reg dst) {
    emit({.op = Op::choose, .dst = dst}, "choice");
}

Reg FunctionBuilder::process(Reg dst, std::string_view target, std::initializer_list<Reg> args,
                             std::string_view text) {
    const Reg first = consecutive(args);
    const auto n = static_cast<std::uint16_t>(args.size());
    const Reg daemon = temp();
    none(daemon);
    emit({.op = Op::process_new,
          .dst = dst,
          .a = first,
          .b = n,
          .c = daemon,
          .imm = static_cast<std::int32_t>(owner_->function_id(target))},
         text);
    return dst;
}

Reg FunctionBuilder::daemon_process(Reg dst, std::string_view target,
                                    std::initializer_list<Reg> args, std::string_view text) {
    process(dst, target, args, text);
    Instr& in = fn().code.back();
    const Reg flag = in.c;
    // Rewrite the daemon argument constant emitted just before.
    fn().code[fn().code.size() - 2] =
        Instr{.op = Op::load_const,
              .dst = flag,
              .imm = static_cast<std::int32_t>(Value::boolean(true).bits()),
              .text = fn().code[fn().code.size() - 2].text,
              .loc = loc_};
    return dst;
}

void FunctionBuilder::start(Reg p) {
    emit({.op = Op::process_start, .a = p});
}
void FunctionBuilder::join(Reg p, Wait wait) {
    emit({.op = Op::process_join, .wait = wait, .a = p},
         wait == Wait::forever ? std::string_view{} : std::string_view{});
}
void FunctionBuilder::terminate(Reg p) {
    emit({.op = Op::process_terminate, .a = p});
}
void FunctionBuilder::kill(Reg p) {
    emit({.op = Op::process_kill, .a = p});
}

Reg FunctionBuilder::queue(Reg dst, QueueKind kind, std::int32_t maxsize) {
    const Reg m = temp();
    integer(m, maxsize);
    emit({.op = Op::queue_new, .dst = dst, .a = m, .imm = static_cast<std::int32_t>(kind)});
    return dst;
}

void FunctionBuilder::put(Reg q, Reg item, Wait wait) {
    emit({.op = Op::queue_put, .wait = wait, .a = q, .b = item});
}

void FunctionBuilder::get(Reg dst, Reg q, Wait wait) {
    emit({.op = Op::queue_get, .wait = wait, .dst = dst, .a = q});
}

void FunctionBuilder::op(Op o, Reg a, Reg dst, Reg b, Wait wait, std::int32_t imm) {
    emit({.op = o, .wait = wait, .dst = dst, .a = a, .b = b, .imm = imm});
}

Reg FunctionBuilder::lock(Reg dst, SemKind kind, std::int32_t value) {
    const Reg v = temp();
    integer(v, value);
    emit({.op = Op::sem_new, .dst = dst, .a = v, .imm = static_cast<std::int32_t>(kind)});
    return dst;
}

void FunctionBuilder::acquire(Reg lock, Wait wait, Reg dst) {
    emit({.op = Op::sem_acquire, .wait = wait, .dst = dst == 0 ? temp() : dst, .a = lock});
}

void FunctionBuilder::release(Reg lock) {
    emit({.op = Op::sem_release, .a = lock});
}

void FunctionBuilder::pipe(Reg first, Reg second, bool duplex) {
    MPCHECK_ASSERT(second == first + 1);
    const std::string& name = fn().reg_names[first];
    const std::string& second_name = fn().reg_names[second];
    // Ends made into variables are named after them; temporaries ("$N") leave the text.
    auto text_of = [&](const std::string& n) {
        return is_temporary(n) ? kNoText : owner_->text(n);
    };
    emit({.op = Op::pipe_new,
          .dst = first,
          .imm = pipe_imm(duplex, text_of(second_name)),
          .name = text_of(name)},
         name + ", " + second_name + " = Pipe()");
}

void FunctionBuilder::handler(std::uint32_t begin, std::uint32_t end, std::uint32_t handler_pc,
                              Reg exc) {
    fn().handlers.push_back(Handler{begin, end, handler_pc, exc});
}

} // namespace mpcheck::model
