#include "model/string_format.hpp"

#include <algorithm>
#include <limits>

namespace mpcheck::model::detail {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Length in bytes of the UTF-8 sequence that starts with `lead`.
std::size_t utf8_len(char lead) {
    const auto c = static_cast<unsigned char>(lead);
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) return 2;
    if ((c >> 4) == 0xE) return 3;
    return 4;
}

std::string to_base(std::uint64_t v, unsigned base, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[v % base]);
        v /= base;
    } while (v != 0);
    return out;
}

std::string group(const std::string& digits, char sep, std::size_t every) {
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % every == 0) out += sep;
        out += digits[i];
    }
    return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string escape(std::string_view unit, char quote, bool is_bytes) {
    std::string out;
    for (const char ch : unit) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '\\' || ch == quote) {
            out += '\\';
            out += ch;
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch == '\r') {
            out += "\\r";
        } else if (ch == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F || (is_bytes && c >= 0x80)) {
            out += "\\x";
            out += to_base(c / 16, 16, false);
            out += to_base(c % 16, 16, false);
        } else {
            out += ch;
        }
    }
    return out;
}

} // namespace

std::optional<FormatSpec> parse_spec(std::string_view spec) {
    FormatSpec f;
    std::size_t i = 0;
    if (!spec.empty() && spec[0] == '%') {
        // printf-style: flags, width, precision, conversion.
        f.printf = true;
        spec.remove_prefix(1);
        if (spec.empty()) return std::nullopt;
        f.type = spec.back();
        spec.remove_suffix(1);
        for (; i < spec.size() && (spec[i] == '-' || spec[i] == '+' || spec[i] == ' ' ||
                                   spec[i] == '0' || spec[i] == '#');
             ++i) {
            if (spec[i] == '-') f.align = '<';
            if (spec[i] == '+' || spec[i] == ' ') f.sign = spec[i];
            if (spec[i] == '0') f.zero = true;
            if (spec[i] == '#') f.alternate = true;
        }
    } else {
        const std::size_t k = spec.empty() ? 0 : utf8_len(spec[0]);
        if (spec.size() > k && std::string_view("<>^=").find(spec[k]) != std::string_view::npos) {
            f.fill = std::string(spec.substr(0, k));
            i = k;
            f.align = spec[i++];
        } else if (!spec.empty() &&
                   (spec[0] == '<' || spec[0] == '>' || spec[0] == '^' || spec[0] == '=')) {
            f.align = spec[i++];
        }
        if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' '))
            f.sign = spec[i++];
        if (i < spec.size() && spec[i] == '#') {
            f.alternate = true;
            ++i;
        }
        if (i < spec.size() && spec[i] == '0') {
            f.zero = true;
            ++i;
        }
    }
    for (; i < spec.size() && is_digit(spec[i]); ++i) {
        f.width = f.width * 10 + static_cast<std::uint64_t>(spec[i] - '0');
        if (f.width > (std::uint64_t{1} << 30)) return std::nullopt;
    }
    if (!f.printf && i < spec.size() && (spec[i] == ',' || spec[i] == '_')) f.grouping = spec[i++];
    if (i < spec.size() && spec[i] == '.') {
        ++i;
        std::uint64_t p = 0;
        const std::size_t digits_begin = i;
        for (; i < spec.size() && is_digit(spec[i]); ++i) {
            p = p * 10 + static_cast<std::uint64_t>(spec[i] - '0');
            if (p > 1000) return std::nullopt;
        }
        if (i == digits_begin) return std::nullopt;
        f.precision = p;
    }
    if (!f.printf && i < spec.size()) f.type = spec[i++];
    if (i != spec.size()) return std::nullopt;
    // Types whose result needs floating point (or locale) are not modelled.
    if (std::string_view("eEgG%").find(f.type) != std::string_view::npos && f.type != 0)
        return std::nullopt;
    if (f.zero && f.align == 0) {
        f.fill.assign(1, '0');
        f.align = '=';
    }
    return f;
}

std::optional<std::string> format_int(std::int64_t v, const FormatSpec& spec) {
    const bool negative = v < 0;
    const std::uint64_t mag =
        negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    std::string prefix;
    std::string digits;
    switch (spec.type) {
    case 0:
    case 'd':
    case 'i':
    case 'u':
    case 'n':
        if (spec.precision && !spec.printf) return std::nullopt;
        digits = to_base(mag, 10, false);
        if (spec.grouping != 0) digits = group(digits, spec.grouping, 3);
        break;
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
        const unsigned base = spec.type == 'o' ? 8 : spec.type == 'b' ? 2 : 16;
        digits = to_base(mag, base, spec.type == 'X');
        if (spec.grouping == '_') digits = group(digits, '_', 4);
        if (spec.alternate) prefix = std::string("0") + spec.type;
        break;
    }
    case 'f':
    case 'F':
        digits = to_base(mag, 10, false);
        if (spec.grouping != 0) digits = group(digits, spec.grouping, 3);
        if (spec.precision.value_or(6) > 0) {
            digits += '.';
            digits.append(spec.precision.value_or(6), '0');
        }
        break;
    case 'c':
        if (negative || mag > 0x10FFFF) return std::nullopt;
        append_utf8(digits, static_cast<std::uint32_t>(mag));
        return pad(StrContent::of(digits), spec, '<')
            .flat(std::numeric_limits<std::uint64_t>::max());
    default:
        return std::nullopt;
    }
    if (spec.printf && spec.precision && digits.size() < *spec.precision)
        digits.insert(0, *spec.precision - digits.size(), '0');
    std::string sign;
    if (negative)
        sign = "-";
    else if (spec.sign == '+' || spec.sign == ' ')
        sign = std::string(1, spec.sign);
    const std::uint64_t used = sign.size() + prefix.size() + digits.size();
    if (spec.align == '=' && spec.width > used) {
        std::string fill;
        for (std::uint64_t k = used; k < spec.width; ++k)
            fill += spec.fill;
        return sign + prefix + fill + digits;
    }
    return pad(StrContent::of(sign + prefix + digits), spec, '>')
        .flat(std::numeric_limits<std::uint64_t>::max());
}

StrContent pad(StrContent text, const FormatSpec& spec, char default_align) {
    const std::uint64_t length = text.length();
    if (spec.width <= length) return text;
    const std::uint64_t n = spec.width - length;
    const char align = spec.align == 0 || spec.align == '=' ? default_align : spec.align;
    const std::uint64_t left = align == '>' ? n : align == '^' ? n / 2 : 0;
    StrContent out;
    out.is_bytes = text.is_bytes;
    if (left > 0) out.runs.push_back(StrRun{spec.fill, left});
    out.runs.insert(out.runs.end(), text.runs.begin(), text.runs.end());
    if (n - left > 0) out.runs.push_back(StrRun{spec.fill, n - left});
    return normalize(std::move(out));
}

StrContent repr_of(const StrContent& text) {
    bool single = false, dbl = false;
    for (const StrRun& r : text.runs) {
        single = single || r.unit.find('\'') != std::string::npos;
        dbl = dbl || r.unit.find('"') != std::string::npos;
    }
    const char quote = single && !dbl ? '"' : '\'';
    std::string open = text.is_bytes ? "b" : "";
    open += quote;
    StrContent out = StrContent::of(open);
    for (const StrRun& r : text.runs)
        out.runs.push_back(StrRun{escape(r.unit, quote, text.is_bytes), r.count});
    out.runs.push_back(StrRun{std::string(1, quote), 1});
    return normalize(std::move(out));
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    bool negative = false;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    if (text.empty() || !is_digit(text.front()) || !is_digit(text.back())) return std::nullopt;
    constexpr std::int64_t kSaturated = std::int64_t{1} << 62;
    std::int64_t v = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '_') {
            if (!is_digit(text[i + 1])) return std::nullopt; // "1__0"; the last char is a digit
            continue;
        }
        if (!is_digit(text[i])) return std::nullopt;
        v = v > kSaturated / 10 ? kSaturated : std::min(kSaturated, v * 10 + (text[i] - '0'));
    }
    return negative ? -v : v;
}

} // namespace mpcheck::model::detail
