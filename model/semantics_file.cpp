#include "model/semantics.hpp"
#include "model/word_list.hpp"

/// Buffered file objects across fork (spec §10). A file object's user-space buffer is private
/// to each process: it lives in the process's view of the file record, as a list of data
/// tokens, and fork copies it (buffer and all) into the child. What reached the file is the
/// file record's token list. A token identifies one write() call of one process, so a token
/// that reaches the file twice is data that a parent and its fork child both flushed from the
/// same inherited buffer: duplicated output.
namespace mpcheck::model::detail {

namespace lf = layout::file;
namespace lv = layout::view;

namespace {

// A file view uses the view record's words that only queue views need otherwise.
constexpr std::uint32_t kBufferedBytes = lv::kFeederPhase; ///< bytes in the buffer
constexpr std::uint32_t kNextSerial = lv::kFeederItem;     ///< next write() number here

// io.DEFAULT_BUFFER_SIZE: a write that takes the buffer beyond it flushes.
constexpr std::uint64_t kBufferSize = 8192;

// Tokens are (process << 16) | serial; serials beyond 16 bits would alias.
constexpr std::uint32_t kSerialLimit = 1u << 16;

// Characters that write() adds to the buffer. A str is encoded (UTF-8); anything else is
// accepted as what print(value, file=f) would write, sized by its pickle as an approximation
// of its text (CPython's f.write() itself only takes str in text mode).
std::uint64_t written_size(const Exec& x, Value v) {
    if (v.tag() == Value::Tag::str || v.tag() == Value::Tag::bytes) return x.text_size(v, true);
    const std::uint64_t pickled = x.pickled_size(v);
    return pickled == Exec::kUnpicklable ? 64 : pickled; // an object's repr
}

// This process's open copy of the file object, or kNone if it is closed here.
std::uint32_t open_view(const Exec& x, std::uint32_t f) {
    const std::uint32_t v = x.find_view_offset(x.proc, f);
    if (v == State::kNone || (x.s.word(v + lv::kFlags) & lv::kFileOpen) == 0) return State::kNone;
    return v;
}

Outcome finish(Exec& x) {
    x.advance();
    return Outcome::done;
}

// open(path, 'w'): a new file object, open (with an empty buffer) in this process only.
Outcome file_open(Exec& x, const Instr& in) {
    const std::uint32_t f = x.new_object(ObjKind::file, lf::kTokens);
    x.set_oword(f, lf::kName, static_cast<std::uint32_t>(in.imm));
    const std::uint32_t v = x.view(x.proc, f);
    x.s.set_word(v + lv::kFlags, lv::kFileOpen);
    x.set_reg(in.dst, Value::object(f));
    return finish(x);
}

// f.write(data): buffered; a write that takes the buffer beyond its size flushes it all.
Outcome file_write(Exec& x, const Instr& in) {
    const std::uint32_t f = x.object_arg(in.a, ObjKind::file);
    if (f == State::kNone) return Outcome::raised;
    const std::uint32_t v = open_view(x, f);
    if (v == State::kNone) {
        return x.misuse(ExcType::value_error, "write() to a closed file", f);
    }
    const std::uint32_t serial = x.s.word(v + kNextSerial);
    if (serial + 1 == kSerialLimit) {
        x.fact(FactKind::model_limit, "too many writes to one file to tell them apart", f);
    }
    const std::uint32_t token = (x.proc << 16) | (serial % kSerialLimit);
    x.s.set_word(v + kNextSerial, serial + 1);
    const std::uint32_t count = x.s.word(v + lv::kCount);
    word_list::push_back(x.s, v, v + lv::kItems, count, token);
    x.s.set_word(v + lv::kCount, count + 1);
    const std::uint64_t buffered = x.s.word(v + kBufferedBytes) + written_size(x, x.reg(in.b));
    if (buffered > kBufferSize) {
        flush_file_view(x, x.s.find_view(x.proc, f));
    } else {
        x.s.set_word(v + kBufferedBytes, static_cast<std::uint32_t>(buffered));
    }
    return finish(x);
}

// f.flush()
Outcome file_flush(Exec& x, const Instr& in) {
    const std::uint32_t f = x.object_arg(in.a, ObjKind::file);
    if (f == State::kNone) return Outcome::raised;
    if (open_view(x, f) == State::kNone) {
        return x.misuse(ExcType::value_error, "flush() of a closed file", f);
    }
    flush_file_view(x, x.s.find_view(x.proc, f));
    return finish(x);
}

// f.close(): flushes, then this process's copy is closed (its view goes away; a closed file
// object holds nothing). Closing a closed file does nothing.
Outcome file_close(Exec& x, const Instr& in) {
    const std::uint32_t f = x.object_arg(in.a, ObjKind::file);
    if (f == State::kNone) return Outcome::raised;
    if (open_view(x, f) != State::kNone) {
        const std::uint32_t index = x.s.find_view(x.proc, f);
        flush_file_view(x, index);
        x.s.remove_view(index);
    }
    return finish(x);
}

} // namespace

void flush_file_view(Exec& x, std::uint32_t view_index) {
    const std::uint32_t v = x.s.view_offset(view_index);
    const std::uint32_t p = x.s.word(v + lv::kProc);
    const std::uint32_t f = x.s.word(v + lv::kObj);
    const std::uint32_t n = x.s.word(v + lv::kCount);
    bool duplicated = false;
    for (std::uint32_t i = 0; i < n; ++i) {
        // Offsets move as the file record grows: look them up again for every token.
        const std::uint32_t token = x.s.word(x.s.view_offset(view_index) + lv::kItems + i);
        const std::uint32_t fo = x.ooff(f);
        const std::uint32_t written = x.s.word(fo + lf::kCount);
        for (std::uint32_t j = 0; j < written && !duplicated; ++j) {
            duplicated = x.s.word(fo + lf::kTokens + j) == token;
        }
        x.s.insert_words(fo, fo + lf::kTokens + written, 1);
        x.s.set_word(fo + lf::kTokens + written, token);
        x.s.set_word(fo + lf::kCount, written + 1);
    }
    const std::uint32_t vo = x.s.view_offset(view_index);
    word_list::clear(x.s, vo, vo + lv::kItems, n);
    x.s.set_word(vo + lv::kCount, 0);
    x.s.set_word(vo + kBufferedBytes, 0);
    if (duplicated) {
        const SourceLoc loc = x.proc == p && x.depth() > 0 ? x.instr().loc : SourceLoc{};
        x.fact_for(p, FactKind::duplicated_output,
                   "wrote buffered data that another process also wrote (a buffer copied by fork)",
                   f, loc);
    }
}

Outcome exec_file_op(Exec& x) {
    const Instr& in = x.instr();
    switch (in.op) {
    case Op::file_open:
        return file_open(x, in);
    case Op::file_write:
        return file_write(x, in);
    case Op::file_flush:
        return file_flush(x, in);
    case Op::file_close:
        return file_close(x, in);
    default:
        MPCHECK_UNREACHABLE("exec_file_op: not a file operation");
    }
}

} // namespace mpcheck::model::detail
