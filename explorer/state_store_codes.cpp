// StateStore's code for state strings: how a state's local numbers are written as bytes and
// read back (the part of state_store.cpp that is about the byte code alone).

#include "explorer/state_store.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mpcheck::explorer {

// A state's string holds each segment's local number at its position in a byte-aligned code
// that favours the small numbers: most positions see fewer than 240 distinct segments.
//   0 .. 239         one byte: the number
//   240 .. 4079      two bytes: 240 + (n - 240) / 256, then (n - 240) % 256
//   4080 ..          five bytes: 255, then n in four bytes, low byte first
// Each number has exactly one code, so equal states have equal strings.
namespace {

constexpr std::uint32_t kOneByte = 240;
constexpr std::uint32_t kTwoBytes = kOneByte + 15 * 256;
constexpr std::uint8_t kFiveBytes = 255;

} // namespace

std::uint64_t StateStore::narrow_locals(std::uint8_t* bytes) const noexcept {
    // Eight locals at a time: packed to bytes (saturating) and stored, and compared with the
    // largest one-byte and two-byte numbers (their sign bits too: numbers of 2^31 and more
    // compare as negative). The last eight overlap the ones before when the count is not a
    // multiple of eight.
#if defined(__SSE2__)
    const std::size_t m = locals_.size();
    const std::uint32_t* const locals = locals_.data();
    const __m128i one_byte = _mm_set1_epi32(static_cast<int>(kOneByte - 1));
    const __m128i two_bytes = _mm_set1_epi32(static_cast<int>(kTwoBytes - 1));
    const __m128i zero = _mm_setzero_si128();
    __m128i too_wide = zero;
    std::uint64_t wide = 0;
    const auto narrow8 = [&](std::size_t k) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(locals + k));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(locals + k + 4));
        const __m128i sign = _mm_or_si128(_mm_srai_epi32(a, 31), _mm_srai_epi32(b, 31));
        too_wide = _mm_or_si128(too_wide, _mm_or_si128(sign, _mm_cmpgt_epi32(a, two_bytes)));
        too_wide = _mm_or_si128(too_wide, _mm_cmpgt_epi32(b, two_bytes));
        const __m128i over = _mm_packs_epi32(_mm_or_si128(_mm_cmpgt_epi32(a, one_byte), sign),
                                             _mm_cmpgt_epi32(b, one_byte));
        wide |= std::uint64_t{static_cast<std::uint32_t>(
                    _mm_movemask_epi8(_mm_packs_epi16(over, zero)))}
                << k;
        _mm_storel_epi64(reinterpret_cast<__m128i*>(bytes + k),
                         _mm_packus_epi16(_mm_packs_epi32(a, b), zero));
    };
    std::size_t k = 0;
    for (; k + 8 <= m; k += 8)
        narrow8(k);
    if (k < m) narrow8(m - 8);
    return _mm_movemask_epi8(too_wide) == 0 ? wide : kTooWide;
#else
    static_cast<void>(bytes);
    return kTooWide;
#endif
}

void StateStore::encode_locals() {
    const std::size_t at = batch_used_;
    const std::size_t m = locals_.size();
    // No code is longer than 5 bytes; 16 bytes more for the 16-byte copies below. The buffer
    // only grows (it never shrinks or zero-fills per state).
    const std::size_t most = at + 5 * m + 16;
    if (batch_bytes_.size() < most) batch_bytes_.resize(std::max(most, 2 * batch_bytes_.size()));
    std::uint8_t* out = batch_bytes_.data() + at;
    // Usually all numbers are below 240 but for a few (a position that has seen hundreds of
    // segments): the string is then the numbers as bytes with a two-byte code put in for each
    // of those few, copied 16 bytes at a time (no branch per number, whose outcome would vary
    // from state to state).
    if (m >= 8 && m <= 64) {
        if (narrow_.size() < m + 16) narrow_.resize(m + 16);
        const std::uint8_t* const narrow = narrow_.data();
        std::uint64_t wide = narrow_locals(narrow_.data());
        if (wide != kTooWide) {
            const auto copy = [&out](const std::uint8_t* from, std::size_t count) {
                for (std::size_t i = 0; i < count; i += 16)
                    std::memcpy(out + i, from + i, 16);
                out += count;
            };
            std::size_t from = 0;
            for (; wide != 0; wide &= wide - 1) {
                const auto k = static_cast<std::size_t>(std::countr_zero(wide));
                copy(narrow + from, k - from);
                const std::uint32_t excess = locals_[k] - kOneByte;
                out[0] = static_cast<std::uint8_t>(kOneByte + (excess >> 8));
                out[1] = static_cast<std::uint8_t>(excess);
                out += 2;
                from = k + 1;
            }
            copy(narrow + from, m - from);
            batch_used_ = static_cast<std::size_t>(out - batch_bytes_.data());
            return;
        }
    }
    for (const std::uint32_t local : locals_) {
        if (local < kOneByte) {
            *out++ = static_cast<std::uint8_t>(local);
        } else if (local < kTwoBytes) {
            *out++ = static_cast<std::uint8_t>(kOneByte + ((local - kOneByte) >> 8));
            *out++ = static_cast<std::uint8_t>(local - kOneByte);
        } else {
            *out++ = kFiveBytes;
            for (unsigned shift = 0; shift < 32; shift += 8)
                *out++ = static_cast<std::uint8_t>(local >> shift);
        }
    }
    batch_used_ = static_cast<std::size_t>(out - batch_bytes_.data());
}

void StateStore::decode(StateId id, std::vector<std::uint32_t>& locals) const {
    MPCHECK_ASSERT(id < size());
    const std::span<const std::uint8_t> bytes = records_.string(id);
    // At most one segment per byte: sized once, trimmed at the end.
    locals.resize(bytes.size());
    std::size_t count = 0;
    for (std::size_t at = 0; at < bytes.size(); ++count) {
        const std::uint8_t first = bytes[at];
        std::uint32_t local = first;
        if (first == kFiveBytes) [[unlikely]] {
            local = 0;
            for (unsigned shift = 0; shift < 32; shift += 8)
                local |= std::uint32_t{bytes[at + 1 + shift / 8]} << shift;
            at += 5;
        } else {
            // As in encode_locals: one or two bytes without a branch (reading the second byte
            // as the first again when there is none).
            const bool wide = first >= kOneByte;
            const std::uint8_t second = bytes[at + static_cast<std::size_t>(wide)];
            local = wide ? kOneByte + ((std::uint32_t{first} - kOneByte) << 8) + second : first;
            at += 1 + static_cast<std::size_t>(wide);
        }
        locals[count] = local;
    }
    locals.resize(count);
}

} // namespace mpcheck::explorer
