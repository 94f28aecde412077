#include "model/semantics_sequence.hpp"

#include <algorithm>
#include <optional>

/// Tuples, lists and dicts built at run time. The state holds interned ids (SequenceTable), so a
/// tuple put on a queue costs one word wherever it travels, and its pickled size (what decides
/// whether the feeder blocks on the pipe) is computed from its items.
namespace mpcheck::model::detail {

namespace {

bool is_sequence(Value v) {
    return v.tag() == Value::Tag::sequence;
}

bool is_dict(const Exec& x, Value v) {
    return is_sequence(v) && x.sequences->content(v.as_sequence()).is_dict();
}

// Whether v can be a dict key: not a list or dict, nor a tuple holding one (TypeError:
// unhashable type).
bool hashable(const Exec& x, Value v) {
    if (!is_sequence(v)) return true;
    const SeqContent& c = x.sequences->content(v.as_sequence());
    if (!c.is_tuple()) return false;
    return std::all_of(c.items.begin(), c.items.end(),
                       [&](std::uint32_t item) { return hashable(x, Value::from_bits(item)); });
}

// Where key is among dict c's keys (as Python compares them: 1 == True), or nullopt.
std::optional<std::size_t> find_key(const Exec& x, const SeqContent& c, Value key) {
    for (std::size_t i = 0; i < c.length(); ++i) {
        if (python_equal(x, Value::from_bits(c.iteration_item(i)), key)) return i;
    }
    return std::nullopt;
}

// The dict that d.get(), d.keys(), d.values() or d.items() is called on (register a); nullptr,
// with `status` set, for any other value: AttributeError for a value the model knows, a model
// limit (`limit` says what) for a multiprocessing object, whose own get() this is not.
const SeqContent* dict_receiver(Exec& x, const Instr& in, const char* limit, ValueOutcome& status) {
    const Value d = x.reg(in.a);
    if (d.tag() == Value::Tag::object) {
        value_limit(x, in.dst, limit);
        status = ValueOutcome::done;
        return nullptr;
    }
    if (!is_dict(x, d)) {
        status = raise(x, ExcType::attribute_error);
        return nullptr;
    }
    return &x.sequences->content(d.as_sequence());
}

ValueOutcome make_sequence(Exec& x, const Instr& in) {
    SeqContent c;
    c.kind = static_cast<SeqKind>(in.imm);
    for (Reg r = 0; r < in.b; ++r)
        c.items.push_back(x.reg(static_cast<Reg>(in.a + r)).bits());
    return set_sequence(x, in.dst, c);
}

// d[key]: KeyError when absent, TypeError for an unhashable key.
ValueOutcome dict_item(Exec& x, const Instr& in, const SeqContent& c) {
    const Value key = x.reg(in.b);
    if (!hashable(x, key)) return raise(x, ExcType::type_error);
    const auto i = find_key(x, c, key);
    if (!i) return raise(x, ExcType::key_error);
    x.set_reg(in.dst, Value::from_bits(c.dict_value(*i)));
    return ValueOutcome::done;
}

ValueOutcome item(Exec& x, const Instr& in) {
    const Value seq = x.reg(in.a);
    if (!is_sequence(seq)) {
        // str and bytes index by character; None, ints, objects are not subscriptable.
        const ValueOutcome o = string_item(x, in);
        return o == ValueOutcome::not_handled ? raise(x, ExcType::type_error) : o;
    }
    const SeqContent& c = x.sequences->content(seq.as_sequence());
    const bool iterating = in.imm == kSeqGetIteration;
    if (c.is_dict() && !iterating) return dict_item(x, in, c);
    const Value index = x.reg(in.b);
    if (!index.is_number()) return raise(x, ExcType::type_error);
    const auto n = static_cast<std::int64_t>(c.length());
    const std::int64_t k = index.as_number() < 0 ? n + index.as_number() : index.as_number();
    if (k < 0 || k >= n) return raise(x, ExcType::index_error);
    x.set_reg(in.dst, Value::from_bits(c.iteration_item(static_cast<std::size_t>(k))));
    return ValueOutcome::done;
}

// d.get(key, default): the value or the default.
ValueOutcome dict_get(Exec& x, const Instr& in) {
    ValueOutcome status = ValueOutcome::done;
    const SeqContent* c = dict_receiver(x, in, "get(key) on a value that may be a queue", status);
    if (c == nullptr) return status;
    const Value key = x.reg(in.b);
    if (!hashable(x, key)) return raise(x, ExcType::type_error);
    const auto i = find_key(x, *c, key);
    x.set_reg(in.dst, i ? Value::from_bits(c->dict_value(*i)) : x.reg(in.c));
    return ValueOutcome::done;
}

// `a, b = v`: ValueError for the wrong number of values ("too many values to unpack",
// "not enough values to unpack"), TypeError for a value that is not iterable.
ValueOutcome check_unpack(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    std::uint64_t n = 0;
    if (is_sequence(v)) {
        n = x.sequences->content(v.as_sequence()).length();
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
    const bool tuple = is_sequence(v) && x.sequences->content(v.as_sequence()).is_tuple();
    if (!tuple) {
        // A dict is a mapping: its keys need not be used ('%s' % d formats it whole).
        if (in.imm != 1 && !(in.imm == 0 && is_dict(x, v))) return raise(x, ExcType::type_error);
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
        if (l.kind != r.kind || l.items.size() != r.items.size()) return false;
        if (l.is_dict()) {
            // Equal keys with equal values, in any order.
            for (std::size_t i = 0; i < l.length(); ++i) {
                const auto j = find_key(x, r, Value::from_bits(l.iteration_item(i)));
                if (!j || !python_equal(x, Value::from_bits(l.dict_value(i)),
                                        Value::from_bits(r.dict_value(*j))))
                    return false;
            }
            return true;
        }
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
    if (c.is_dict()) { // sorted(d): its keys
        SeqContent keys;
        for (std::size_t i = 0; i < c.length(); ++i)
            keys.items.push_back(c.iteration_item(i));
        c = std::move(keys);
    }
    c.kind = SeqKind::list;
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

namespace {

// The items a for loop over d.keys(), d.values() or d.items() visits, as a list (the front end
// lets such a view be nothing but a loop's iterable, where a list behaves alike).
ValueOutcome dict_view(Exec& x, const Instr& in) {
    ValueOutcome status = ValueOutcome::done;
    const SeqContent* c =
        dict_receiver(x, in, "keys(), values() or items() of a value that may be a queue", status);
    if (c == nullptr) return status;
    SeqContent list;
    list.kind = SeqKind::list;
    for (std::size_t i = 0; i < c->length(); ++i) {
        const std::uint32_t key = c->iteration_item(i);
        const std::uint32_t value = c->dict_value(i);
        switch (static_cast<DictView>(in.imm)) {
        case DictView::keys:
            list.items.push_back(key);
            break;
        case DictView::values:
            list.items.push_back(value);
            break;
        case DictView::items: {
            const auto pair = x.sequences->intern(SeqContent{SeqKind::tuple, {key, value}});
            if (!pair) // the table is full: set_sequence reports the model limit
                return set_sequence(x, in.dst, SeqContent{SeqKind::tuple, {key, value}});
            list.items.push_back(Value::sequence(*pair).bits());
            break;
        }
        }
    }
    return set_sequence(x, in.dst, list);
}

} // namespace

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
    case Op::dict_get:
        return dict_get(x, in);
    case Op::dict_view:
        return dict_view(x, in);
    case Op::percent_args:
        return percent_operand(x, in);
    case Op::len: {
        const Value v = x.reg(in.a);
        if (!is_sequence(v)) return ValueOutcome::not_handled;
        const auto n = x.sequences->content(v.as_sequence()).length();
        x.set_reg(in.dst, Value::integer(static_cast<std::int32_t>(n)));
        return ValueOutcome::done;
    }
    case Op::str_contains: {
        const Value hay = x.reg(in.a);
        if (!is_sequence(hay)) return ValueOutcome::not_handled;
        const SeqContent& c = x.sequences->content(hay.as_sequence());
        const Value needle = x.reg(in.b);
        if (c.is_dict()) { // `key in d`
            if (!hashable(x, needle)) return raise(x, ExcType::type_error);
            x.set_reg(in.dst, Value::boolean(find_key(x, c, needle).has_value()));
            return ValueOutcome::done;
        }
        bool found = false;
        for (const std::uint32_t it : c.items)
            found = found || python_equal(x, Value::from_bits(it), needle);
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
    // Dicts neither add, order nor repeat (TypeError); | (3.9's merge) is not an operator here.
    if (is_dict(x, l) || is_dict(x, r)) return raise(x, ExcType::type_error);
    switch (static_cast<BinaryOp>(in.imm)) {
    case BinaryOp::add: {
        if (!is_sequence(l) || !is_sequence(r)) return raise(x, ExcType::type_error);
        const SeqContent& a = x.sequences->content(l.as_sequence());
        const SeqContent& b = x.sequences->content(r.as_sequence());
        if (a.kind != b.kind) return raise(x, ExcType::type_error);
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
