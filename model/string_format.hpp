#pragma once

#include "model/strings.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Internal: Python's format-spec mini-language and repr() of strings, on plain text.
namespace mpcheck::model::detail {

/// A parsed format_spec: [[fill]align][sign][#][0][width][,|_][.precision][type].
struct FormatSpec {
    std::string fill = " "; ///< one character (UTF-8)
    char align = 0;         ///< '<', '>', '^', '=' or 0 (the type's default)
    char sign = '-';
    bool alternate = false;
    bool zero = false;
    std::uint64_t width = 0;
    char grouping = 0; ///< ',' or '_' or 0
    std::optional<std::uint64_t> precision;
    char type = 0; ///< presentation type or 0
    /// A printf-style conversion ('%5d'): wrong types raise TypeError, not ValueError.
    bool printf = false;
};

/// Parses a format_spec ("" is valid); a leading '%' marks a printf-style conversion whose
/// last character is the conversion ('%-5s' -> align '<', width 5, type 's'). nullopt: the
/// spec is malformed or uses a feature the model does not implement.
std::optional<FormatSpec> parse_spec(std::string_view spec);
/// format(v, spec) for an int; nullopt when the presentation type is not one for ints.
std::optional<std::string> format_int(std::int64_t v, const FormatSpec& spec);
/// Pads `text` to the spec's width with its fill; `default_align` when the spec gives none.
StrContent pad(StrContent text, const FormatSpec& spec, char default_align);
/// repr() of a str or bytes content: quotes chosen as CPython does, characters escaped.
StrContent repr_of(const StrContent& text);
/// int(text) for base 10 as CPython parses it (whitespace, sign, single underscores between
/// digits); nullopt: ValueError. Values beyond int64 saturate (the caller range-checks).
std::optional<std::int64_t> parse_int(std::string_view text);

} // namespace mpcheck::model::detail
