#include "frontend/lexer.hpp"

#include "frontend/error.hpp"

#include <cctype>

namespace mpcheck::frontend {
namespace {

bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

class Lexer {
public:
    explicit Lexer(std::string_view src) : src_(src) {}

    std::vector<Token> run() {
        indents_.push_back(0);
        while (pos_ < src_.size()) {
            if (at_line_start_) {
                if (!line_start()) continue;
            }
            const char c = src_[pos_];
            if (c == '#') {
                while (pos_ < src_.size() && src_[pos_] != '\n')
                    ++pos_;
            } else if (c == '\n') {
                if (depth_ == 0) push(Tok::newline, "\n", pos_, pos_ + 1);
                advance_line();
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                ++pos_;
            } else if (c == '\\' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') {
                pos_ += 1;
                advance_line();
                at_line_start_ = false;
            } else if (is_name_start(c)) {
                name_or_string();
            } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
                       (c == '.' && pos_ + 1 < src_.size() &&
                        std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])) != 0)) {
                number();
            } else if (c == '\'' || c == '"') {
                string(pos_, false, false, false);
            } else {
                op();
            }
        }
        if (!tokens_.empty() && tokens_.back().kind != Tok::newline &&
            tokens_.back().kind != Tok::dedent)
            push(Tok::newline, "\n", pos_, pos_);
        if (depth_ > 0) syntax_error("unexpected end of file inside brackets", line_, col());
        while (indents_.size() > 1) {
            indents_.pop_back();
            push(Tok::dedent, "", pos_, pos_);
        }
        push(Tok::end, "", pos_, pos_);
        return std::move(tokens_);
    }

private:
    std::uint32_t col() const { return static_cast<std::uint32_t>(pos_ - line_begin_ + 1); }
    std::uint32_t col_of(std::size_t p) const {
        return static_cast<std::uint32_t>(p - line_begin_ + 1);
    }

    void push(Tok kind, std::string text, std::size_t begin, std::size_t end) {
        Token t;
        t.kind = kind;
        t.text = std::move(text);
        t.line = line_;
        t.column = begin >= line_begin_ ? col_of(begin) : 1;
        t.begin = begin;
        t.end = end;
        tokens_.push_back(std::move(t));
    }

    void advance_line() {
        ++pos_;
        ++line_;
        line_begin_ = pos_;
        if (depth_ == 0) at_line_start_ = true;
    }

    /// Measures indentation; returns false when the line is blank or a comment.
    bool line_start() {
        std::size_t width = 0;
        std::size_t p = pos_;
        while (p < src_.size() && (src_[p] == ' ' || src_[p] == '\t')) {
            width = src_[p] == '\t' ? (width / 8 + 1) * 8 : width + 1;
            ++p;
        }
        if (p >= src_.size()) {
            pos_ = p;
            return false;
        }
        if (src_[p] == '\n' || src_[p] == '#' || src_[p] == '\r') {
            pos_ = p;
            while (pos_ < src_.size() && src_[pos_] != '\n')
                ++pos_;
            if (pos_ < src_.size()) advance_line();
            return false;
        }
        pos_ = p;
        at_line_start_ = false;
        if (width > indents_.back()) {
            indents_.push_back(width);
            push(Tok::indent, "", pos_, pos_);
        } else {
            while (width < indents_.back()) {
                indents_.pop_back();
                push(Tok::dedent, "", pos_, pos_);
            }
            if (width != indents_.back()) syntax_error("inconsistent dedent", line_, col());
        }
        return true;
    }

    void name_or_string() {
        const std::size_t begin = pos_;
        while (pos_ < src_.size() && is_name_char(src_[pos_]))
            ++pos_;
        const std::string word(src_.substr(begin, pos_ - begin));
        if (pos_ < src_.size() && (src_[pos_] == '\'' || src_[pos_] == '"') && word.size() <= 2) {
            bool bytes = false, fstr = false, raw = false, ok = true;
            for (const char ch : word) {
                const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (l == 'b')
                    bytes = true;
                else if (l == 'f')
                    fstr = true;
                else if (l == 'r')
                    raw = true;
                else if (l != 'u')
                    ok = false;
            }
            if (ok) {
                string(begin, bytes, fstr, raw);
                return;
            }
        }
        push(Tok::name, word, begin, pos_);
    }

    void number() {
        const std::size_t begin = pos_;
        while (pos_ < src_.size() && (is_name_char(src_[pos_]) || src_[pos_] == '.'))
            ++pos_;
        push(Tok::number, std::string(src_.substr(begin, pos_ - begin)), begin, pos_);
    }

    void string(std::size_t begin, bool bytes, bool fstr, bool raw) {
        const std::uint32_t line = line_;
        const std::size_t line_begin = line_begin_;
        const char q = src_[pos_];
        const bool triple = pos_ + 2 < src_.size() && src_[pos_ + 1] == q && src_[pos_ + 2] == q;
        pos_ += triple ? 3 : 1;
        std::string payload;
        for (;;) {
            if (pos_ >= src_.size())
                syntax_error("unterminated string literal", line, col_of(begin));
            const char c = src_[pos_];
            if (c == q && (!triple || (pos_ + 2 < src_.size() && src_[pos_ + 1] == q &&
                                       src_[pos_ + 2] == q))) {
                pos_ += triple ? 3 : 1;
                break;
            }
            if (c == '\n') {
                if (!triple) syntax_error("unterminated string literal", line, col_of(begin));
                payload += c;
                ++pos_;
                ++line_;
                line_begin_ = pos_;
                continue;
            }
            if (c == '\\' && !raw && pos_ + 1 < src_.size()) {
                const char e = src_[pos_ + 1];
                pos_ += 2;
                if (e == '\n') {
                    ++line_;
                    line_begin_ = pos_;
                    continue;
                }
                escape(e, bytes, payload);
                continue;
            }
            payload += c;
            ++pos_;
        }
        Token t;
        t.kind = Tok::string;
        t.text = std::move(payload);
        t.line = line;
        t.column = static_cast<std::uint32_t>(begin - line_begin + 1);
        t.begin = begin;
        t.end = pos_;
        t.is_bytes = bytes;
        t.is_fstring = fstr;
        tokens_.push_back(std::move(t));
    }

    /// Decodes the escape sequence `\\e...` (pos_ is after `e`) into payload, as CPython does.
    void escape(char e, bool bytes, std::string& payload) {
        static constexpr std::string_view kSimple = "n\nt\tr\ra\ab\bf\fv\v\\\\''\"\"";
        for (std::size_t i = 0; i < kSimple.size(); i += 2) {
            if (kSimple[i] == e) {
                payload += kSimple[i + 1];
                return;
            }
        }
        auto hex = [&](std::size_t digits) {
            std::uint32_t v = 0;
            for (std::size_t k = 0; k < digits; ++k, ++pos_) {
                const char h = pos_ < src_.size() ? src_[pos_] : ' ';
                if (std::isxdigit(static_cast<unsigned char>(h)) == 0)
                    syntax_error("truncated escape sequence", line_, col());
                v = v * 16 + static_cast<std::uint32_t>(
                                 std::isdigit(static_cast<unsigned char>(h)) != 0
                                     ? h - '0'
                                     : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
            }
            return v;
        };
        if (e >= '0' && e <= '7') {
            std::uint32_t v = static_cast<std::uint32_t>(e - '0');
            for (int k = 0; k < 2 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
                 ++k)
                v = v * 8 + static_cast<std::uint32_t>(src_[pos_++] - '0');
            return code_point(v, bytes, payload);
        }
        if (e == 'x') return code_point(hex(2), bytes, payload);
        if (!bytes && e == 'u') return code_point(hex(4), bytes, payload);
        if (!bytes && e == 'U') return code_point(hex(8), bytes, payload);
        if (!bytes && e == 'N') unsupported("\\N{...} escape", line_, col());
        payload += '\\'; // unknown escapes keep their backslash
        payload += e;
    }

    /// Appends code point v (a byte in bytes literals) to payload, UTF-8 encoded.
    static void code_point(std::uint32_t v, bool bytes, std::string& payload) {
        if (bytes || v < 0x80) {
            payload += static_cast<char>(v & 0xFF);
        } else if (v < 0x800) {
            payload += static_cast<char>(0xC0 | (v >> 6));
            payload += static_cast<char>(0x80 | (v & 0x3F));
        } else if (v < 0x10000) {
            payload += static_cast<char>(0xE0 | (v >> 12));
            payload += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
            payload += static_cast<char>(0x80 | (v & 0x3F));
        } else {
            payload += static_cast<char>(0xF0 | ((v >> 18) & 0x07));
            payload += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
            payload += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
            payload += static_cast<char>(0x80 | (v & 0x3F));
        }
    }

    void op() {
        static constexpr std::string_view kThree[] = {"**=", "//=", ">>=", "<<=", "..."};
        static constexpr std::string_view kTwo[] = {
            "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "//",
            "**", "->", ":=", "<<", ">>", "&=", "|=", "^=", "@="};
        const std::size_t begin = pos_;
        const std::string_view rest = src_.substr(pos_);
        for (const auto t : kThree) {
            if (rest.starts_with(t)) {
                pos_ += 3;
                push(Tok::op, std::string(t), begin, pos_);
                return;
            }
        }
        for (const auto t : kTwo) {
            if (rest.starts_with(t)) {
                pos_ += 2;
                push(Tok::op, std::string(t), begin, pos_);
                return;
            }
        }
        const char c = src_[pos_];
        static constexpr std::string_view kOne = "()[]{}:,;.+-*/%<>=|&^~@";
        if (kOne.find(c) == std::string_view::npos) {
            syntax_error(std::string("invalid character '") + c + "'", line_, col());
        }
        if (c == '(' || c == '[' || c == '{') ++depth_;
        if ((c == ')' || c == ']' || c == '}') && depth_ > 0) --depth_;
        ++pos_;
        push(Tok::op, std::string(1, c), begin, pos_);
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    std::size_t line_begin_ = 0;
    std::uint32_t line_ = 1;
    int depth_ = 0;
    bool at_line_start_ = true;
    std::vector<std::size_t> indents_;
    std::vector<Token> tokens_;
};

} // namespace

std::vector<Token> tokenize(std::string_view source) {
    return Lexer(source).run();
}

} // namespace mpcheck::frontend
