#include "model/semantics_sequence.hpp"

/// Tuples and lists built at run time. The state holds interned ids (SequenceTable), so a
/// tuple put on a queue costs one word wherever it travels, and its pickled size (what decides
/// whether the feeder blocks on the pipe) is computed from its items.
namespace mpcheck::model::detail {

namespace {

bool is_sequence(Value v) {
    return v.tag() == Value::Tag::sequence;
}

ValueOutcome make_sequence(Exec& x, const Instr& in) {
    SeqContent c;
    c.is_list = in.imm != 0;
    for (Reg r = 0; r < in.b; ++r)
        c.items.push_back(x.reg(static_cast<Reg>(in.a + r)).bits());
    return set_sequence(x, in.dst, c);
}

ValueOutcome item(Exec& x, const Instr& in) {
    const Value seq = x.reg(in.a);
    if (!is_sequence(seq)) {
        // str and bytes index by character; None, ints, objects are not subscriptable.
        const ValueOutcome o = string_item(x, in);
        return o == ValueOutcome::not_handled ? raise(x, ExcType::type_error) : o;
    }
    const Value index = x.reg(in.b);
    if (!index.is_number()) return raise(x, ExcType::type_error);
    const SeqContent& c = x.sequences->content(seq.as_sequence());
    const auto n = static_cast<std::int64_t>(c.items.size());
    const std::int64_t k = index.as_number() < 0 ? n + index.as_number() : index.as_number();
    if (k < 0 || k >= n) return raise(x, ExcType::index_error);
    x.set_reg(in.dst, Value::from_bits(c.items[static_cast<std::size_t>(k)]));
    return ValueOutcome::done;
}

// `a, b = v`: ValueError for the wrong number of values ("too many values to unpack",
// "not enough values to unpack"), TypeError for a value that is not iterable.
ValueOutcome check_unpack(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    std::uint64_t n = 0;
    if (is_sequence(v)) {
        n = x.sequences->content(v.as_sequence()).items.size();
    } else if (v.tag() == Value::Tag::str || v.tag() == Value::Tag::bytes) {
        n = x.text_size(v, false);
    } else {
        return raise(x, ExcType::type_error);
    }
    if (n != static_cast<std::uint64_t>(in.imm)) return raise(x, ExcType::value_error);
    return ValueOutcome::done;
}

// `fmt % v` with imm conversions: a tuple supplies one value per conversion, anything else is
// one value ("not enough arguments for format string", "not all arguments converted": TypeError).
ValueOutcome percent_operand(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    const bool tuple = is_sequence(v) && !x.sequences->content(v.as_sequence()).is_list;
    if (!tuple) {
        if (in.imm != 1) return raise(x, ExcType::type_error);
        x.set_reg(in.dst, v);
        return ValueOutcome::done;
    }
    const SeqContent& c = x.sequences->content(v.as_sequence());
    if (c.items.size() != static_cast<std::size_t>(in.imm)) return raise(x, ExcType::type_error);
    x.set_reg(in.dst, in.imm == 1 ? Value::from_bits(c.items[0]) : v);
    return ValueOutcome::done;
}

} // namespace

ValueOutcome set_sequence(Exec& x, Reg dst, const SeqContent& c) {
    const auto id = x.sequences->intern(c);
    if (!id) {
        value_limit(x, dst, "more distinct tuples and lists than the model holds (2**20)");
        return ValueOutcome::done;
    }
    x.set_reg(dst, Value::sequence(*id));
    return ValueOutcome::done;
}

bool python_equal(const Exec& x, Value a, Value b) {
    if (a.is_number() && b.is_number()) return a.as_number() == b.as_number();
    if (is_sequence(a) && is_sequence(b) && a != b) {
        const SeqContent& l = x.sequences->content(a.as_sequence());
        const SeqContent& r = x.sequences->content(b.as_sequence());
        if (l.is_list != r.is_list || l.items.size() != r.items.size()) return false;
        for (std::size_t i = 0; i < l.items.size(); ++i) {
            if (!python_equal(x, Value::from_bits(l.items[i]), Value::from_bits(r.items[i])))
                return false;
        }
        return true;
    }
    return a == b;
}

// sorted(v): a new list of v's items in order, as Python's stable sort orders ints (and bools)
// or strs; TypeError for items that do not compare (mixed kinds, None, objects) or a value
// that is not iterable. Ordering tuples and iterating a str are model limits.
ValueOutcome sorted_list(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    if (v.tag() == Value::Tag::str || v.tag() == Value::Tag::bytes) {
        value_limit(x, in.dst, "sorted() of a str or bytes");
        return ValueOutcome::done;
    }
    if (!is_sequence(v)) return raise(x, ExcType::type_error);
    SeqContent c = x.sequences->content(v.as_sequence());
    c.is_list = true;
    if (c.items.size() < 2) return set_sequence(x, in.dst, c); // nothing is compared
    const Value first = Value::from_bits(c.items[0]);
    const bool numbers = first.is_number();
    const bool texts = first.tag() == Value::Tag::str || first.tag() == Value::Tag::bytes;
    for (const std::uint32_t bits : c.items) {
        const Value item = Value::from_bits(bits);
        if (is_sequence(item)) {
            value_limit(x, in.dst, "ordering or repeating tuples and lists is not modelled");
            return ValueOutcome::done;
        }
        const bool same = numbers ? item.is_number() : texts && item.tag() == first.tag();
        if (!same) return raise(x, ExcType::type_error);
    }
    bool too_long = false;
    std::stable_sort(c.items.begin(), c.items.end(), [&](std::uint32_t a, std::uint32_t b) {
        const Value l = Value::from_bits(a);
        const Value r = Value::from_bits(b);
        if (numbers) return l.as_number() < r.as_number();
        const auto order = compare_text(x, l, r);
        too_long = too_long || !order;
        return order && *order < 0;
    });
    if (too_long) {
        value_limit(x, in.dst, "ordering of very long strings");
        return ValueOutcome::done;
    }
    return set_sequence(x, in.dst, c);
}

ValueOutcome exec_sequence_op(Exec& x, const Instr& in) {
    switch (in.op) {
    case Op::make_seq:
        return make_sequence(x, in);
    case Op::seq_get:
        return item(x, in);
    case Op::seq_unpack:
        return check_unpack(x, in);
    case Op::seq_sorted:
        return sorted_list(x, in);
    case Op::percent_args:
        return percent_operand(x, in);
    case Op::len: {
        const Value v = x.reg(in.a);
        if (!is_sequence(v)) return ValueOutcome::not_handled;
        const auto n = x.sequences->content(v.as_sequence()).items.size();
        x.set_reg(in.dst, Value::integer(static_cast<std::int32_t>(n)));
        return ValueOutcome::done;
    }
    case Op::str_contains: {
        const Value hay = x.reg(in.a);
        if (!is_sequence(hay)) return ValueOutcome::not_handled;
        bool found = false;
        for (const std::uint32_t it : x.sequences->content(hay.as_sequence()).items)
            found = found || python_equal(x, Value::from_bits(it), x.reg(in.b));
        x.set_reg(in.dst, Value::boolean(found));
        return ValueOutcome::done;
    }
    default:
        return ValueOutcome::not_handled;
    }
}

ValueOutcome sequence_binary(Exec& x, const Instr& in) {
    const Value l = x.reg(in.a);
    const Value r = x.reg(in.b);
    if (!is_sequence(l) && !is_sequence(r)) return ValueOutcome::not_handled;
    switch (static_cast<BinaryOp>(in.imm)) {
    case BinaryOp::add: {
        if (!is_sequence(l) || !is_sequence(r)) return raise(x, ExcType::type_error);
        const SeqContent& a = x.sequences->content(l.as_sequence());
        const SeqContent& b = x.sequences->content(r.as_sequence());
        if (a.is_list != b.is_list) return raise(x, ExcType::type_error);
        SeqContent c = a;
        c.items.insert(c.items.end(), b.items.begin(), b.items.end());
        return set_sequence(x, in.dst, c);
    }
    case BinaryOp::lt:
    case BinaryOp::le:
    case BinaryOp::gt:
    case BinaryOp::ge:
    case BinaryOp::mul:
        value_limit(x, in.dst, "ordering or repeating tuples and lists is not modelled");
        return ValueOutcome::done;
    default:
        return raise(x, ExcType::type_error);
    }
}

} // namespace mpcheck::model::detail
