#include "model/semantics_string.hpp"

#include "model/process_name.hpp"
#include "model/semantics_sequence.hpp"
#include "model/string_format.hpp"

#include <algorithm>
#include <string_view>

/// Strings built at run time. Values hold interned ids (StringTable); the operations compute the
/// real content, so payload sizes (pickled size of a queue item) are exact.
namespace mpcheck::model::detail {

namespace lp = layout::proc;

void value_limit(Exec& x, Reg dst, const char* what) {
    x.fact(FactKind::model_limit, what);
    x.set_reg(dst, Value::none());
}

namespace {

// Strings larger than this are not built (a model limit, like ints beyond 2**27).
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 40;
// Content operations (split, int(), in, ordering) expand strings up to this size.
constexpr std::uint64_t kExpandLimit = std::uint64_t{1} << 20;

bool is_text(Value v) {
    return v.tag() == Value::Tag::str || v.tag() == Value::Tag::bytes;
}

// The content of a str/bytes value. Program blobs built with a description instead of their
// text (ProgramBuilder::sized_str) have unknown characters: they count as '?'s of their size.
StrContent content_of(const Exec& x, Value v) {
    const bool bytes = v.tag() == Value::Tag::bytes;
    if (StringTable::is_runtime(v.as_blob())) return x.strings->content(v.as_blob());
    const Blob& b = x.prog.blobs[v.as_blob()];
    if (b.text.size() == b.size && b.utf8_size == 0) return StrContent::of(b.text, bytes);
    StrContent c;
    c.is_bytes = bytes;
    c.runs.push_back(StrRun{"?", b.size});
    return normalize(std::move(c));
}

// Interns `c` into dst; a model limit when it is too large or the table is full.
void set_text(Exec& x, Reg dst, const StrContent& c) {
    MPCHECK_ASSERT(x.strings != nullptr);
    if (c.byte_size() > kMaxBytes) return value_limit(x, dst, "a string larger than 2**40 bytes");
    const auto id = x.strings->intern(c);
    if (!id) return value_limit(x, dst, "more distinct strings than the model holds (2**20)");
    x.set_reg(dst, c.is_bytes ? Value::bytes(*id) : Value::str(*id));
}

void set_int(Exec& x, Reg dst, std::int64_t v) {
    if (!Value::fits_int(v))
        return value_limit(x, dst, "an integer outside the modelled range (|n| < 2**27)");
    x.set_reg(dst, Value::integer(static_cast<std::int32_t>(v)));
}

std::optional<StrContent> repr_value(const Exec& x, Value v);

// repr() of a tuple, list or dict: the repr of each item, as Python writes it ("(1,)" for one
// item, "{'a': 1}" for a dict).
std::optional<StrContent> sequence_repr(const Exec& x, Value v) {
    const SeqContent& c = x.sequences->content(v.as_sequence());
    const char* const open = c.is_list() ? "[" : (c.is_dict() ? "{" : "(");
    const char* const close = c.is_list() ? "]" : (c.is_dict() ? "}" : ")");
    StrContent out = StrContent::of(open);
    for (std::size_t i = 0; i < c.items.size(); ++i) {
        if (i > 0) out = concat(out, StrContent::of(c.is_dict() && i % 2 == 1 ? ": " : ", "));
        const auto item = repr_value(x, Value::from_bits(c.items[i]));
        if (!item) return std::nullopt;
        out = concat(out, *item);
    }
    if (c.is_tuple() && c.items.size() == 1) out = concat(out, StrContent::of(","));
    return concat(out, StrContent::of(close));
}

// str(v) for the values whose text the model knows.
std::optional<StrContent> str_of(const Exec& x, Value v) {
    switch (v.tag()) {
    case Value::Tag::none:
        return StrContent::of("None");
    case Value::Tag::boolean:
        return StrContent::of(v.as_bool() ? "True" : "False");
    case Value::Tag::integer:
        return StrContent::of(std::to_string(v.as_int()));
    case Value::Tag::str:
        return content_of(x, v);
    case Value::Tag::bytes:
        return repr_of(content_of(x, v));
    case Value::Tag::sequence:
        return sequence_repr(x, v);
    default:
        return std::nullopt; // objects print their address, exceptions their message
    }
}

std::optional<StrContent> repr_value(const Exec& x, Value v) {
    return is_text(v) ? std::optional<StrContent>(repr_of(content_of(x, v))) : str_of(x, v);
}

// Pads (and, with a precision, truncates) a text result of format().
ValueOutcome finish_text(Exec& x, const Instr& in, std::optional<StrContent> text,
                         const FormatSpec& spec) {
    if (!text) {
        value_limit(x, in.dst, "str() of an object or exception (its text is not modelled)");
        return ValueOutcome::done;
    }
    if (spec.precision && text->length() > *spec.precision) {
        const auto flat = text->flat(kExpandLimit);
        if (!flat) {
            value_limit(x, in.dst, "truncating a very long string");
            return ValueOutcome::done;
        }
        std::string cut;
        std::uint64_t chars = 0;
        for (const char c : *flat) {
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && chars++ == *spec.precision) break;
            cut += c;
        }
        text = StrContent::of(cut);
    }
    set_text(x, in.dst, pad(std::move(*text), spec, '<'));
    return ValueOutcome::done;
}

ValueOutcome exec_format(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    const auto spec = parse_spec(x.prog.text(static_cast<TextId>(in.imm)));
    if (!spec) {
        value_limit(x, in.dst, "a format specification the model does not implement");
        return ValueOutcome::done;
    }
    const bool numeric = v.is_number();
    const std::int64_t n = numeric ? v.as_number() : 0;
    auto number = [&](ExcType wrong) {
        const auto text = format_int(n, *spec);
        if (!text) return raise(x, wrong);
        set_text(x, in.dst, StrContent::of(*text));
        return ValueOutcome::done;
    };
    if (spec->printf) {
        // '%s' % v, '%r' % v, '%5d' % v: a number conversion of a non-number is a TypeError.
        if (spec->type == 's') return finish_text(x, in, str_of(x, v), *spec);
        if (spec->type == 'r' || spec->type == 'a')
            return finish_text(x, in, repr_value(x, v), *spec);
        if (!numeric) return raise(x, ExcType::type_error);
        return number(ExcType::value_error);
    }
    const bool plain = spec->type == 0 && spec->width == 0 && !spec->precision &&
                       spec->sign == '-' && !spec->alternate && spec->grouping == 0 &&
                       spec->align == 0;
    if (numeric && !(plain && v.tag() == Value::Tag::boolean)) return number(ExcType::value_error);
    if (v.tag() == Value::Tag::str) {
        if ((spec->type != 0 && spec->type != 's') || spec->sign != '-' || spec->alternate ||
            spec->grouping != 0 || spec->align == '=')
            return raise(x, ExcType::value_error);
        return finish_text(x, in, content_of(x, v), *spec);
    }
    // None, bytes, objects: object.__format__ refuses any non-empty spec.
    if (!plain) return raise(x, ExcType::type_error);
    return finish_text(x, in, str_of(x, v), *spec);
}

ValueOutcome exec_to_int(Exec& x, const Instr& in) {
    const Value v = x.reg(in.a);
    if (v.is_number()) {
        x.set_reg(in.dst, Value::integer(v.as_number()));
        return ValueOutcome::done;
    }
    if (!is_text(v)) {
        x.raise(ExcType::type_error);
        return ValueOutcome::raised;
    }
    const auto flat = content_of(x, v).flat(kExpandLimit);
    if (!flat) {
        value_limit(x, in.dst, "int() of a very long string");
        return ValueOutcome::done;
    }
    const auto n = parse_int(*flat);
    if (!n) {
        x.raise(ExcType::value_error);
        return ValueOutcome::raised;
    }
    set_int(x, in.dst, *n);
    return ValueOutcome::done;
}

// The parts of str.split(sep, maxsplit); nullopt when it raised or hit a limit (`status`).
std::optional<std::vector<std::string>> split(Exec& x, const Instr& in, ValueOutcome& status) {
    status = ValueOutcome::raised;
    const Value s = x.reg(in.a);
    const Value sep = x.reg(in.b);
    const Value max = x.reg(in.c);
    if (!is_text(s) || !(sep.is_none() || sep.tag() == s.tag()) ||
        max.tag() != Value::Tag::integer) {
        x.raise(ExcType::type_error);
        return std::nullopt;
    }
    const auto text = content_of(x, s).flat(kExpandLimit);
    const auto delim =
        sep.is_none() ? std::optional<std::string>("") : content_of(x, sep).flat(kExpandLimit);
    if (!text || !delim) {
        value_limit(x, in.dst, "split() of a very long string");
        status = ValueOutcome::done;
        return std::nullopt;
    }
    if (!sep.is_none() && delim->empty()) {
        x.raise(ExcType::value_error);
        return std::nullopt;
    }
    std::int64_t left = max.as_int() < 0 ? -1 : max.as_int();
    std::vector<std::string> parts;
    std::string_view rest = *text;
    if (sep.is_none()) {
        auto space = [](char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
        };
        for (;;) {
            while (!rest.empty() && space(rest.front()))
                rest.remove_prefix(1);
            if (rest.empty()) break;
            if (left == 0) {
                while (!rest.empty() && space(rest.back()))
                    rest.remove_suffix(1);
                parts.emplace_back(rest);
                break;
            }
            std::size_t end = 0;
            while (end < rest.size() && !space(rest[end]))
                ++end;
            parts.emplace_back(rest.substr(0, end));
            rest.remove_prefix(end);
            if (left > 0) --left;
        }
        return parts;
    }
    for (;;) {
        const std::size_t at = left == 0 ? std::string_view::npos : rest.find(*delim);
        if (at == std::string_view::npos) {
            parts.emplace_back(rest);
            return parts;
        }
        parts.emplace_back(rest.substr(0, at));
        rest.remove_prefix(at + delim->size());
        if (left > 0) --left;
    }
}

ValueOutcome exec_contains(Exec& x, const Instr& in) {
    const Value hay = x.reg(in.a);
    const Value needle = x.reg(in.b);
    if (!is_text(hay) || needle.tag() != hay.tag()) {
        x.raise(ExcType::type_error);
        return ValueOutcome::raised;
    }
    const auto h = content_of(x, hay).flat(kExpandLimit);
    const auto n = content_of(x, needle).flat(kExpandLimit);
    if (!h || !n) {
        value_limit(x, in.dst, "'in' on a very long string");
        return ValueOutcome::done;
    }
    x.set_reg(in.dst, Value::boolean(h->find(*n) != std::string::npos));
    return ValueOutcome::done;
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
}

// Whitespace as str.strip()/bytes.strip() see it, for ASCII characters.
bool is_space(char c, bool bytes) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (!bytes && c >= '\x1c' && c <= '\x1f');
}

// The number of characters (code points; bytes of a bytes) in the first `n` bytes of s.
std::int64_t char_count(std::string_view s, std::size_t n, bool bytes) {
    if (bytes) return static_cast<std::int64_t>(n);
    std::int64_t chars = 0;
    for (std::size_t i = 0; i < n; ++i)
        chars += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 ? 1 : 0;
    return chars;
}

// str.split(sep, maxsplit) as a list built at run time.
ValueOutcome split_list(Exec& x, const Instr& in) {
    ValueOutcome status = ValueOutcome::done;
    const auto parts = split(x, in, status);
    if (!parts) return status;
    SeqContent list;
    list.kind = SeqKind::list;
    const bool bytes = x.reg(in.a).tag() == Value::Tag::bytes;
    for (const std::string& part : *parts) {
        set_text(x, in.dst, StrContent::of(part, bytes));
        list.items.push_back(x.reg(in.dst).bits());
    }
    return set_sequence(x, in.dst, list);
}

ValueOutcome exec_str_method(Exec& x, const Instr& in) {
    const Value self = x.reg(in.a);
    if (!is_text(self)) return raise(x, ExcType::attribute_error);
    const auto method = static_cast<StrMethod>(in.imm);
    if (method == StrMethod::split) return split_list(x, in);
    const bool bytes = self.tag() == Value::Tag::bytes;
    const auto text = content_of(x, self).flat(kExpandLimit);
    if (!text) {
        value_limit(x, in.dst, "a method of a very long string");
        return ValueOutcome::done;
    }
    // The argument b (and c for replace) as text of the same type; None where allowed.
    auto text_arg = [&](Reg r, bool none_ok) -> std::optional<std::optional<std::string>> {
        const Value v = x.reg(r);
        if (none_ok && v.is_none()) return std::optional<std::string>{};
        if (v.tag() != self.tag()) return std::nullopt;
        auto flat = content_of(x, v).flat(kExpandLimit);
        if (!flat) return std::nullopt;
        return std::optional<std::string>{std::move(*flat)};
    };
    std::string out;
    switch (method) {
    case StrMethod::upper:
    case StrMethod::lower:
        if (!bytes && !is_ascii(*text)) {
            value_limit(x, in.dst, "upper()/lower() of non-ASCII text (Unicode case mapping)");
            return ValueOutcome::done;
        }
        for (const char c : *text)
            out += method == StrMethod::upper && c >= 'a' && c <= 'z'   ? static_cast<char>(c - 32)
                   : method == StrMethod::lower && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32)
                                                                        : c;
        break;
    case StrMethod::strip:
    case StrMethod::lstrip:
    case StrMethod::rstrip: {
        const auto chars = text_arg(in.b, true);
        if (!chars) return raise(x, ExcType::type_error);
        if (!is_ascii(*text) || (*chars && !is_ascii(**chars))) {
            value_limit(x, in.dst, "strip() of non-ASCII text (Unicode whitespace)");
            return ValueOutcome::done;
        }
        auto strip = [&](char c) {
            return *chars ? (*chars)->find(c) != std::string::npos : is_space(c, bytes);
        };
        std::size_t begin = 0;
        std::size_t end = text->size();
        if (method != StrMethod::rstrip)
            while (begin < end && strip((*text)[begin]))
                ++begin;
        if (method != StrMethod::lstrip)
            while (end > begin && strip((*text)[end - 1]))
                --end;
        out = text->substr(begin, end - begin);
        break;
    }
    case StrMethod::startswith:
    case StrMethod::endswith: {
        const auto affix = text_arg(in.b, false);
        if (!affix) return raise(x, ExcType::type_error);
        const std::string& a = **affix;
        const bool yes = a.size() <= text->size() &&
                         (method == StrMethod::startswith
                              ? text->compare(0, a.size(), a) == 0
                              : text->compare(text->size() - a.size(), a.size(), a) == 0);
        x.set_reg(in.dst, Value::boolean(yes));
        return ValueOutcome::done;
    }
    case StrMethod::replace: {
        const auto old = text_arg(in.b, false);
        const auto with = text_arg(in.c, false);
        if (!old || !with) return raise(x, ExcType::type_error);
        if ((*old)->empty()) {
            value_limit(x, in.dst, "replace() of the empty string");
            return ValueOutcome::done;
        }
        std::size_t at = 0;
        for (std::size_t hit; (hit = text->find(**old, at)) != std::string::npos;
             at = hit + (*old)->size()) {
            out += text->substr(at, hit - at);
            out += **with;
        }
        out += text->substr(at);
        break;
    }
    case StrMethod::find:
    case StrMethod::count: {
        const auto needle = text_arg(in.b, false);
        if (!needle) return raise(x, ExcType::type_error);
        const std::string& n = **needle;
        if (method == StrMethod::find) {
            const std::size_t hit = text->find(n);
            set_int(x, in.dst, hit == std::string::npos ? -1 : char_count(*text, hit, bytes));
            return ValueOutcome::done;
        }
        std::int64_t count = 0;
        if (n.empty()) {
            count = char_count(*text, text->size(), bytes) + 1;
        } else {
            for (std::size_t at = text->find(n); at != std::string::npos;
                 at = text->find(n, at + n.size()))
                ++count;
        }
        set_int(x, in.dst, count);
        return ValueOutcome::done;
    }
    case StrMethod::isdigit:
        if (!bytes && !is_ascii(*text)) {
            value_limit(x, in.dst, "isdigit() of non-ASCII text");
            return ValueOutcome::done;
        }
        x.set_reg(in.dst, Value::boolean(!text->empty() &&
                                         std::all_of(text->begin(), text->end(),
                                                     [](char c) { return c >= '0' && c <= '9'; })));
        return ValueOutcome::done;
    case StrMethod::split:
        break;
    }
    set_text(x, in.dst, StrContent::of(out, bytes));
    return ValueOutcome::done;
}

ValueOutcome exec_process_name(Exec& x, const Instr& in) {
    const Value given = Value::from_bits(x.pword(lp::kName));
    if (!given.is_none()) {
        x.set_reg(in.dst, given);
        return ValueOutcome::done;
    }
    set_text(x, in.dst, StrContent::of(process_name(x.prog, *x.strings, x.s, x.proc)));
    return ValueOutcome::done;
}

} // namespace

ValueOutcome exec_string_op(Exec& x, const Instr& in) {
    switch (in.op) {
    case Op::str_const:
    case Op::bytes_const:
        set_text(
            x, in.dst,
            StrContent::of(x.prog.text(static_cast<TextId>(in.imm)), in.op == Op::bytes_const));
        return ValueOutcome::done;
    case Op::format:
        return exec_format(x, in);
    case Op::repr: {
        const auto text = repr_value(x, x.reg(in.a));
        if (!text)
            value_limit(x, in.dst, "repr() of an object or exception (its text is not modelled)");
        else
            set_text(x, in.dst, *text);
        return ValueOutcome::done;
    }
    case Op::to_int:
        return exec_to_int(x, in);
    case Op::len: {
        const Value v = x.reg(in.a);
        if (!is_text(v)) {
            x.raise(ExcType::type_error);
            return ValueOutcome::raised;
        }
        set_int(x, in.dst, static_cast<std::int64_t>(x.text_size(v, false)));
        return ValueOutcome::done;
    }
    case Op::str_contains:
        return exec_contains(x, in);
    case Op::getpid:
        // Distinct per process and stable, which is all a program may rely on.
        x.set_reg(in.dst, Value::integer(static_cast<std::int32_t>(1000 + x.proc)));
        return ValueOutcome::done;
    case Op::process_name:
        return exec_process_name(x, in);
    case Op::str_method:
        return exec_str_method(x, in);
    default:
        return ValueOutcome::not_handled;
    }
}

ValueOutcome string_item(Exec& x, const Instr& in) {
    const Value text = x.reg(in.a);
    if (!is_text(text)) return ValueOutcome::not_handled;
    const Value index = x.reg(in.b);
    if (!index.is_number()) return raise(x, ExcType::type_error);
    const auto flat = content_of(x, text).flat(kExpandLimit);
    if (!flat) {
        value_limit(x, in.dst, "indexing a very long string");
        return ValueOutcome::done;
    }
    // The byte offset where each character starts (every byte, for bytes).
    const bool bytes = text.tag() == Value::Tag::bytes;
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < flat->size(); ++i) {
        if (bytes || (static_cast<unsigned char>((*flat)[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    const auto n = static_cast<std::int64_t>(starts.size());
    const std::int64_t k0 = index.as_number();
    const std::int64_t k = k0 < 0 ? n + k0 : k0;
    if (k < 0 || k >= n) return raise(x, ExcType::index_error);
    const std::size_t at = starts[static_cast<std::size_t>(k)];
    if (bytes) {
        x.set_reg(in.dst, Value::integer(static_cast<unsigned char>((*flat)[at])));
        return ValueOutcome::done;
    }
    const std::size_t end = k + 1 < n ? starts[static_cast<std::size_t>(k + 1)] : flat->size();
    set_text(x, in.dst, StrContent::of(flat->substr(at, end - at)));
    return ValueOutcome::done;
}

ValueOutcome string_binary(Exec& x, const Instr& in) {
    const Value l = x.reg(in.a);
    const Value r = x.reg(in.b);
    if (!is_text(l) && !is_text(r)) return ValueOutcome::not_handled;
    const auto op = static_cast<BinaryOp>(in.imm);
    auto type_error = [&] {
        x.raise(ExcType::type_error);
        return ValueOutcome::raised;
    };
    auto count = [](Value v) -> std::optional<std::int64_t> {
        if (v.is_number()) return v.as_number();
        return std::nullopt;
    };
    switch (op) {
    case BinaryOp::add:
        if (l.tag() != r.tag()) return type_error();
        set_text(x, in.dst, concat(content_of(x, l), content_of(x, r)));
        return ValueOutcome::done;
    case BinaryOp::mul: {
        const Value text = is_text(l) ? l : r;
        const auto n = count(is_text(l) ? r : l);
        if (!n) return type_error();
        const StrContent c = content_of(x, text);
        const std::uint64_t times = *n > 0 ? static_cast<std::uint64_t>(*n) : 0;
        if (times > 0 && c.byte_size() > kMaxBytes / times) {
            value_limit(x, in.dst, "a string larger than 2**40 bytes");
            return ValueOutcome::done;
        }
        if (times > 64 && c.runs.size() > 1 && !c.flat(std::uint64_t{1} << 16)) {
            value_limit(x, in.dst, "repeating a long string of mixed content");
            return ValueOutcome::done;
        }
        set_text(x, in.dst, repeat(c, *n));
        return ValueOutcome::done;
    }
    case BinaryOp::mod:
        if (!is_text(l)) return type_error();
        value_limit(x, in.dst, "'%' formatting with a format string not known before the run");
        return ValueOutcome::done;
    case BinaryOp::lt:
    case BinaryOp::le:
    case BinaryOp::gt:
    case BinaryOp::ge: {
        if (l.tag() != r.tag()) return type_error();
        const auto order = compare_text(x, l, r);
        if (!order) {
            value_limit(x, in.dst, "ordering of very long strings");
            return ValueOutcome::done;
        }
        const int c = *order;
        const bool result = op == BinaryOp::lt   ? c < 0
                            : op == BinaryOp::le ? c <= 0
                            : op == BinaryOp::gt ? c > 0
                                                 : c >= 0;
        x.set_reg(in.dst, Value::boolean(result));
        return ValueOutcome::done;
    }
    default:
        return ValueOutcome::not_handled; // ==, is: by id; -, //: TypeError by the caller
    }
}

std::optional<int> compare_text(const Exec& x, Value a, Value b) {
    const auto fa = content_of(x, a).flat(kExpandLimit);
    const auto fb = content_of(x, b).flat(kExpandLimit);
    if (!fa || !fb) return std::nullopt;
    return fa->compare(*fb); // UTF-8 byte order is code point order
}

} // namespace mpcheck::model::detail
