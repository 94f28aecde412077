#pragma once

#include <cstdint>

namespace mpcheck::model {

/// A position in the checked program's source (1-based; 0 means unknown).
struct SourceLoc {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

using FuncId = std::uint16_t; ///< index into Program::functions
using BlobId = std::uint32_t; ///< index into Program::blobs (string/bytes constants)
using TextId = std::uint32_t; ///< index into Program::texts (names, descriptions)
using Reg = std::uint16_t;    ///< local variable slot of a function frame

inline constexpr TextId kNoText = 0; // texts[0] is always the empty string

/// How a blocking call waits (CPython's block/timeout parameters).
enum class Wait : std::uint8_t {
    forever,  ///< block=True, timeout=None
    timeout,  ///< a finite timeout: modelled as a nondeterministic "times out now" branch
    no_block, ///< block=False (or timeout=0)
};

/// The start method that creates child processes (spec §1.3).
enum class StartMethod : std::uint8_t { fork, spawn, forkserver };

} // namespace mpcheck::model
