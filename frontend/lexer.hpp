#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpcheck::frontend {

enum class Tok : std::uint8_t { name, number, string, op, newline, indent, dedent, end };

/// One token. For strings `text` is the decoded payload size source and `is_bytes`/`is_fstring`
/// describe the prefix; `begin`/`end` are offsets into the source (for trace descriptions).
struct Token {
    Tok kind = Tok::end;
    std::string text;
    std::uint32_t line = 0, column = 0;
    std::size_t begin = 0, end = 0;
    bool is_bytes = false;
    bool is_fstring = false;
};

/// Splits Python source into tokens with INDENT/DEDENT; throws FrontendError on bad input.
std::vector<Token> tokenize(std::string_view source);

} // namespace mpcheck::frontend
