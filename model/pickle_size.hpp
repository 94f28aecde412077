#pragma once

#include <cstdint>

namespace mpcheck::model {

/// Counts the bytes of `ForkingPickler.dumps(obj)` (protocol 4, CPython's C pickler) from the
/// opcodes a save would write, without writing them (spec §13.4). Protocol 4 groups opcodes in
/// frames: a frame is closed once it holds 64 KiB or more (checked before each object is
/// saved) and gets a 9-byte FRAME header only when it holds at least 4 bytes; a str or bytes
/// payload of 64 KiB or more is written outside any frame. Checked against CPython 3.11 on
/// scalars, strings around the 64 KiB boundary, and nested tuples and lists.
class PickleSize {
public:
    /// Before saving one object (and each nested one).
    constexpr void begin_object() {
        if (frame_ >= kFrameTarget) commit();
    }
    /// n bytes of opcodes and arguments.
    constexpr void opcodes(std::uint64_t n) { frame_ += n; }
    /// A str or bytes of n encoded bytes, with its memo entry.
    constexpr void text(std::uint64_t n) {
        const std::uint64_t header = n < 256 ? 2 : (n < (std::uint64_t{1} << 32) ? 5 : 9);
        if (n >= kFrameTarget) {
            commit();
            total_ += header + n;
        } else {
            frame_ += header + n;
        }
        frame_ += 1; // MEMOIZE
    }
    /// The whole pickle's size: PROTO, the frames, STOP.
    constexpr std::uint64_t finish() {
        frame_ += 1; // STOP
        commit();
        return total_ + 2;
    }

private:
    static constexpr std::uint64_t kFrameTarget = 65536;
    constexpr void commit() {
        total_ += frame_ + (frame_ >= 4 ? 9 : 0);
        frame_ = 0;
    }
    std::uint64_t frame_ = 0;
    std::uint64_t total_ = 0;
};

/// Bytes of the opcodes that pickle the int i: BININT1, BININT2 or BININT and their argument.
constexpr std::uint64_t int_pickle_opcodes(std::int32_t i) {
    return i >= 0 && i <= 255 ? 2 : (i >= 0 && i <= 65535 ? 3 : 5);
}

/// The whole pickle's size for a value saved as `n` bytes of opcodes (None, a bool, an int).
constexpr std::uint64_t scalar_pickle_size(std::uint64_t n) {
    PickleSize p;
    p.begin_object();
    p.opcodes(n);
    return p.finish();
}

} // namespace mpcheck::model
