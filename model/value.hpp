#pragma once

#include "model/ids.hpp"

#include <cstdint>

namespace mpcheck::model {

/// Python exception types the model can raise (spec: the exceptions CPython raises there).
enum class ExcType : std::uint8_t {
#define MPCHECK_EXC(name, python_name, base) name,
#include "model/exc_types.def"
#undef MPCHECK_EXC
};

/// Number of ExcType enumerators.
inline constexpr int kNumExcTypes = 0
#define MPCHECK_EXC(name, python_name, base) +1
#include "model/exc_types.def"
#undef MPCHECK_EXC
    ;

/// CPython's name for an exception type, e.g. "queue.Empty".
const char* python_name(ExcType type);

/// Whether `type` is `base` or derives from it (what `except base:` catches), following
/// CPython's class hierarchy: BrokenPipeError is an OSError, BrokenBarrierError a RuntimeError,
/// every type but SystemExit an Exception.
bool is_subclass(ExcType type, ExcType base);

/// A small Python value held in a local or global variable, a queue buffer or a pipe.
/// Packed into 32 bits (4-bit tag, 28-bit payload) because it is part of the state vector.
class Value {
public:
    enum class Tag : std::uint8_t {
        none,
        boolean,
        integer,
        str,
        bytes,
        object,
        exception,
        absent,
        sequence, ///< a tuple or list built at run time (SequenceTable id)
    };

    static constexpr std::int32_t kMaxInt = (1 << 27) - 1;
    static constexpr std::int32_t kMinInt = -(1 << 27);

    constexpr Value() = default;
    static constexpr Value none() { return Value{}; }
    /// A slot that holds no value yet (an unbound local, or a name missing in a spawn child).
    static constexpr Value absent() { return make(Tag::absent, 0); }
    static constexpr Value boolean(bool b) { return make(Tag::boolean, b ? 1u : 0u); }
    /// Only ints in [kMinInt, kMaxInt] are representable; callers check fits_int first.
    static constexpr Value integer(std::int32_t i) {
        return make(Tag::integer, static_cast<std::uint32_t>(i) & kPayloadMask);
    }
    static constexpr Value str(BlobId blob) { return make(Tag::str, blob); }
    static constexpr Value bytes(BlobId blob) { return make(Tag::bytes, blob); }
    /// A multiprocessing object (queue, lock, process handle, ...) by its creation index.
    static constexpr Value object(std::uint32_t index) { return make(Tag::object, index); }
    /// A tuple or list built at run time, by its SequenceTable id.
    static constexpr Value sequence(std::uint32_t id) { return make(Tag::sequence, id); }
    static constexpr Value exception(ExcType type) {
        return make(Tag::exception, static_cast<std::uint32_t>(type));
    }
    static constexpr Value from_bits(std::uint32_t bits) {
        Value v;
        v.bits_ = bits;
        return v;
    }
    static constexpr bool fits_int(std::int64_t i) { return i >= kMinInt && i <= kMaxInt; }

    constexpr Tag tag() const { return static_cast<Tag>(bits_ >> kPayloadBits); }
    constexpr std::uint32_t payload() const { return bits_ & kPayloadMask; }
    constexpr std::uint32_t bits() const { return bits_; }

    constexpr bool is_none() const { return tag() == Tag::none; }
    constexpr bool is_absent() const { return tag() == Tag::absent; }
    constexpr bool as_bool() const { return payload() != 0; }
    constexpr std::int32_t as_int() const {
        // Sign-extend the 28-bit payload.
        const std::uint32_t p = payload();
        return (p & kSignBit) != 0 ? static_cast<std::int32_t>(p | ~kPayloadMask)
                                   : static_cast<std::int32_t>(p);
    }
    /// An int or a bool (Python's bool is an int subclass).
    constexpr bool is_number() const { return tag() == Tag::integer || tag() == Tag::boolean; }
    /// The int value of an int or a bool.
    constexpr std::int32_t as_number() const {
        return tag() == Tag::integer ? as_int() : (as_bool() ? 1 : 0);
    }
    constexpr std::uint32_t as_object() const { return payload(); }
    constexpr BlobId as_blob() const { return payload(); }
    constexpr std::uint32_t as_sequence() const { return payload(); }
    constexpr ExcType as_exception() const { return static_cast<ExcType>(payload()); }

    friend constexpr bool operator==(Value, Value) = default;

private:
    static constexpr unsigned kPayloadBits = 28;
    static constexpr std::uint32_t kPayloadMask = (1u << kPayloadBits) - 1;
    static constexpr std::uint32_t kSignBit = 1u << (kPayloadBits - 1);

    static constexpr Value make(Tag tag, std::uint32_t payload) {
        Value v;
        v.bits_ = (static_cast<std::uint32_t>(tag) << kPayloadBits) | (payload & kPayloadMask);
        return v;
    }
    std::uint32_t bits_ = 0;
};

} // namespace mpcheck::model
