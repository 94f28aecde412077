#include "model/lifecycle.hpp"
#include "model/semantics_sequence.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

/// Local instructions: arithmetic, control flow, calls, exceptions. They only touch the
/// acting process's frames and globals.
namespace mpcheck::model::detail {

namespace lp = layout::proc;

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Sets dst to an int result, or reports that the model cannot represent it.
void set_int(Exec& x, Reg dst, std::int64_t r) {
    if (!Value::fits_int(r)) {
        x.fact(FactKind::model_limit, "an integer outside the modelled range (|n| < 2**27)");
        x.set_reg(dst, Value::integer(0));
        return;
    }
    x.set_reg(dst, Value::integer(static_cast<std::int32_t>(r)));
}

bool exec_binary(Exec& x, const Instr& in) {
    const Value l = x.reg(in.a);
    const Value r = x.reg(in.b);
    const auto op = static_cast<BinaryOp>(in.imm);
    switch (op) {
    case BinaryOp::eq:
        x.set_reg(in.dst, Value::boolean(python_equal(x, l, r)));
        return true;
    case BinaryOp::ne:
        x.set_reg(in.dst, Value::boolean(!python_equal(x, l, r)));
        return true;
    case BinaryOp::is:
        x.set_reg(in.dst, Value::boolean(l == r));
        return true;
    case BinaryOp::is_not:
        x.set_reg(in.dst, Value::boolean(l != r));
        return true;
    default:
        break;
    }
    if (const ValueOutcome o = string_binary(x, in); o != ValueOutcome::not_handled)
        return o == ValueOutcome::done;
    if (const ValueOutcome o = sequence_binary(x, in); o != ValueOutcome::not_handled)
        return o == ValueOutcome::done;
    if (!l.is_number() || !r.is_number()) {
        x.raise(ExcType::type_error);
        return false;
    }
    const std::int64_t a = l.as_number();
    const std::int64_t b = r.as_number();
    switch (op) {
    case BinaryOp::add:
        set_int(x, in.dst, a + b);
        return true;
    case BinaryOp::sub:
        set_int(x, in.dst, a - b);
        return true;
    case BinaryOp::mul:
        set_int(x, in.dst, a * b);
        return true;
    case BinaryOp::floordiv:
    case BinaryOp::mod:
        if (b == 0) {
            x.raise(ExcType::zero_division_error);
            return false;
        }
        set_int(x, in.dst, op == BinaryOp::floordiv ? floor_div(a, b) : a - b * floor_div(a, b));
        return true;
    case BinaryOp::lt:
        x.set_reg(in.dst, Value::boolean(a < b));
        return true;
    case BinaryOp::le:
        x.set_reg(in.dst, Value::boolean(a <= b));
        return true;
    case BinaryOp::gt:
        x.set_reg(in.dst, Value::boolean(a > b));
        return true;
    case BinaryOp::ge:
        x.set_reg(in.dst, Value::boolean(a >= b));
        return true;
    default:
        break;
    }
    MPCHECK_UNREACHABLE("unknown binary operator");
}

void exec_return(Exec& x, Value result) {
    pop_frame(x);
    if (x.depth() == 0) {
        begin_exit(x, Value::integer(0)); // run() returned: exit code 0
        return;
    }
    const std::uint32_t flags = x.pword(lp::kFlags);
    if ((flags & lp::kFlagRunsModule) != 0 && x.depth() == 1) {
        // A spawn child finished re-importing the main module; now run() calls the target.
        x.set_pword(lp::kFlags, flags & ~lp::kFlagRunsModule);
        return;
    }
    x.set_reg(x.instr().dst, result);
    x.advance();
}

} // namespace

void exec_local(Exec& x, const Instr& in) {
    switch (in.op) {
    case Op::nop:
    case Op::print:
    case Op::sleep:
        break;
    case Op::load_const:
        x.set_reg(in.dst, Value::from_bits(static_cast<std::uint32_t>(in.imm)));
        break;
    case Op::move:
        x.set_reg(in.dst, x.reg(in.a));
        break;
    case Op::binary:
        if (!exec_binary(x, in)) return;
        break;
    case Op::unary: {
        const Value v = x.reg(in.a);
        switch (static_cast<UnaryOp>(in.imm)) {
        case UnaryOp::not_:
            x.set_reg(in.dst, Value::boolean(!x.truthy(v)));
            break;
        case UnaryOp::is_none:
            x.set_reg(in.dst, Value::boolean(v.is_none()));
            break;
        case UnaryOp::neg:
            if (!v.is_number()) {
                x.raise(ExcType::type_error);
                return;
            }
            set_int(x, in.dst, -v.as_number());
            break;
        }
        break;
    }
    case Op::jump:
        x.jump(static_cast<std::uint32_t>(in.imm));
        return;
    case Op::jump_if_false:
    case Op::jump_if_true:
        if (x.truthy(x.reg(in.a)) == (in.op == Op::jump_if_true)) {
            x.jump(static_cast<std::uint32_t>(in.imm));
            return;
        }
        break;
    case Op::load_global: {
        const Value v = x.global(static_cast<std::uint32_t>(in.imm));
        if (v.is_absent()) {
            // Under spawn a name bound only under the __main__ guard does not exist in the
            // child (spec §1.3, §9): NameError, exit code 1.
            if ((x.pword(lp::kFlags) & lp::kFlagSpawned) != 0) {
                x.fact(FactKind::unshared_resource,
                       "refers to a name that is only defined under if __name__ == '__main__'");
                x.raise(ExcType::name_error, true);
            } else {
                x.raise(ExcType::name_error);
            }
            return;
        }
        x.set_reg(in.dst, v);
        break;
    }
    case Op::store_global:
        x.set_global(static_cast<std::uint32_t>(in.imm), x.reg(in.a));
        break;
    case Op::call: {
        std::array<Value, 64> args{};
        MPCHECK_ASSERT(in.b <= args.size());
        for (Reg i = 0; i < in.b; ++i)
            args[i] = x.reg(static_cast<Reg>(in.a + i));
        x.push_frame(static_cast<FuncId>(in.imm), args.data(), in.b);
        return; // the caller's pc stays on the call until the callee returns
    }
    case Op::ret:
        exec_return(x, x.reg(in.a));
        return;
    case Op::raise: {
        const Value v = x.reg(in.a);
        if (v.tag() != Value::Tag::exception) {
            x.raise(ExcType::type_error);
            return;
        }
        x.raise(static_cast<ExcType>(v.payload() & 0xffu), (v.payload() & 0x100u) != 0);
        return;
    }
    case Op::exc_matches: {
        const Value v = x.reg(in.a);
        const auto want = static_cast<ExcType>(in.imm);
        const auto got = static_cast<ExcType>(v.payload() & 0xffu);
        const bool match = v.tag() == Value::Tag::exception && is_subclass(got, want);
        x.set_reg(in.dst, Value::boolean(match));
        break;
    }
    case Op::assert_true:
        if (!x.truthy(x.reg(in.a))) {
            x.fact(FactKind::assertion_failed, "assert failed");
            x.raise(ExcType::assertion_error, true);
            return;
        }
        break;
    case Op::sys_exit:
        x.set_pword(lp::kExitCode, x.reg(in.a).bits());
        x.raise(ExcType::system_exit, true);
        return;
    case Op::fix_context: {
        const std::uint32_t flags = x.pword(lp::kFlags);
        const std::int32_t what = in.imm & 0xf;
        if (what == 1 && (flags & lp::kFlagContextSet) != 0) {
            x.fact(FactKind::api_misuse,
                   "set_start_method() after the default context was fixed by an earlier use "
                   "(RuntimeError: context has already been set)",
                   State::kNone, static_cast<std::uint32_t>(ExcType::runtime_error));
            x.raise(ExcType::runtime_error, true);
            return;
        }
        const auto method = static_cast<std::uint32_t>(in.imm >> 4); // StartMethod + 1
        x.set_pword(lp::kFlags, what == 0
                                    ? flags | lp::kFlagContextSet
                                    : (flags & ~lp::kDefaultMethodMask) | lp::kFlagContextSet |
                                          (method << lp::kDefaultMethodShift));
        break;
    }
    case Op::process_set_name: {
        // process.py: `self._name = name or type(self).__name__ + '-' + ...`.
        const Value handle = x.reg(in.a);
        const Value name = x.reg(in.b);
        if (handle.tag() == Value::Tag::object &&
            x.kind_of(handle.as_object()) == ObjKind::process_handle && x.truthy(name))
            x.set_pword_of(x.handle_proc(handle.as_object()), lp::kName, name.bits());
        break;
    }
    case Op::name_is_main:
        x.set_reg(in.dst, Value::boolean((x.pword(lp::kFlags) & lp::kFlagIsMain) != 0));
        break;
    case Op::str_const:
    case Op::bytes_const:
    case Op::format:
    case Op::repr:
    case Op::to_int:
    case Op::len:
    case Op::str_contains:
    case Op::getpid:
    case Op::process_name:
    case Op::str_method:
    case Op::make_seq:
    case Op::seq_get:
    case Op::dict_get:
    case Op::dict_view:
    case Op::seq_unpack:
    case Op::seq_sorted:
    case Op::percent_args: {
        ValueOutcome o = exec_sequence_op(x, in);
        if (o == ValueOutcome::not_handled) o = exec_string_op(x, in);
        if (o == ValueOutcome::raised) return;
        break;
    }
    default:
        MPCHECK_UNREACHABLE("exec_local on a visible operation");
    }
    x.advance();
}

} // namespace mpcheck::model::detail
