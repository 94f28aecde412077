#pragma once

#include "model/state.hpp"
#include "model/value.hpp"

#include <cstdint>

/// Internal: a kernel byte channel holding pickled messages, embedded at the end of a queue or
/// connection record. Capacity follows what Linux really does (spec §2):
///  - os.pipe (Queue, SimpleQueue, Pipe(duplex=False)): a ring of at most 16 pages of 4096
///    bytes; a write merges its first `n mod 4096` bytes into the last page if they fit, the rest
///    goes into fresh pages; writes of at most 4096 bytes are atomic, larger ones make partial
///    progress. This is the measured page rule, not a flat 65536-byte capacity.
///  - socketpair direction (Pipe(duplex=True)): each send is cut into kernel buffers (skbs) of
///    at most 36544 bytes; the next one is queued while their "truesize" charge is below 212992
///    bytes, and a buffer stays charged until it is wholly read (spec §2.2).
/// A message is one Value (its pickled size follows from it) sent as a 4-byte length header and
/// the payload: one write(2) if the payload is at most 16384 bytes, else two (header, payload),
/// as multiprocessing.connection does.
namespace mpcheck::model::detail::channel {

enum class Kind : std::uint32_t { pipe = 0, socket = 1 };

inline constexpr std::uint32_t kPageSize = 4096;
inline constexpr std::uint32_t kMaxPages = 16;
inline constexpr std::uint64_t kSocketBudget = 212992;

/// A channel inside a record of a state (record offset and channel offset are stable only
/// until the state is edited elsewhere, so refs are made fresh for each use).
struct Ref {
    State& s;
    std::uint32_t record; ///< offset of the enclosing record
    std::uint32_t at;     ///< offset of the channel's first word
};

/// Words a fresh channel needs; initialise with `init`. The 16 page slots are always present
/// (unused ones zero), so pipe traffic does not resize the record: the state store shares
/// unchanged positions between similar states, and a resize shifts every later word.
inline constexpr std::uint32_t kFreshWords = 7 + kMaxPages + 4; // + 4 message slots
void init(Ref ch, Kind kind);

std::uint32_t message_count(const State& s, std::uint32_t at);
Value message(const State& s, std::uint32_t at, std::uint32_t index);
bool corrupt(const State& s, std::uint32_t at);
void mark_corrupt(Ref ch);
/// Sizes in bytes on the wire of a message whose pickle is `pickled` bytes long.
inline std::uint64_t wire_size(std::uint64_t pickled) {
    return pickled + 4;
}

/// How message sizes are computed (the Program's blob table lives in the model).
struct Sizer {
    std::uint64_t (*pickled)(Value v, const void* ctx);
    const void* ctx;
    std::uint64_t wire(Value v) const { return wire_size(pickled(v, ctx)); }
};

/// Unread bytes in the channel (what poll() and empty() look at).
std::uint64_t readable_bytes(const State& s, std::uint32_t at, const Sizer& sizer);
/// True for a socket whose charge is at its budget: a writer must wait (sleep) for room.
bool socket_full(const State& s, std::uint32_t at, const Sizer& sizer);

/// Whether a writer asleep for room on this channel is woken: on a socket once the charge is
/// down to a quarter of the budget (unix_write_space / unix_writable), however much room there
/// is before that, or by data that came in on its own end meanwhile (socket_data_arrived); on a
/// pipe as soon as a page is free (always true here).
bool socket_wakes_writer(const State& s, std::uint32_t at, const Sizer& sizer);
/// A writer goes to sleep for room on this channel, or wakes: an earlier wake-up is spent.
void socket_wake_spent(Ref ch);
/// A buffer was queued for the end of a socketpair whose writers write into `reverse` (so into
/// the other direction): that end's wait queue is woken, and a writer asleep there for room in
/// `reverse` goes on if the charge of `reverse` is below the budget now.
void socket_data_arrived(Ref reverse, const Sizer& sizer);

/// True when the next write(2) of the last message is its 4-byte length header alone: nothing
/// of it is written yet and its payload is large enough to be written separately.
bool header_write_next(const State& s, std::uint32_t at, const Sizer& sizer);

/// True when the last message is only partly written.
bool tail_partial(const State& s, std::uint32_t at, const Sizer& sizer);
/// Wire bytes of the last message written so far (all of them once it is complete).
std::uint32_t tail_written(const State& s, std::uint32_t at);
/// Appends a new message whose bytes are not written yet.
void begin_message(Ref ch, Value v);
/// One step of the writer of the last message: on a pipe as many bytes of its current write(2)
/// as the kernel accepts now (PIPE_BUF atomicity, pages), on a socket one buffer if the charge
/// is below the budget. Returns false if no byte could be written.
bool write_some(Ref ch, const Sizer& sizer);
/// Bytes of the first message that can be consumed now.
std::uint64_t head_available(const State& s, std::uint32_t at, const Sizer& sizer);
/// Whether the first message is complete and wholly unread-available.
bool head_complete(const State& s, std::uint32_t at, const Sizer& sizer);
/// Consumes the available bytes of the first message, at most `max_bytes` of them; returns true
/// and pops it (into `out`) when it is complete.
bool read_some(Ref ch, const Sizer& sizer, Value& out, std::uint64_t max_bytes = ~std::uint64_t{0});
/// Bytes one read(2) of multiprocessing's _recv takes now: what is there of the rest of the
/// 4-byte length header, or, once that is read, of the rest of the payload.
std::uint64_t one_read(const State& s, std::uint32_t at, const Sizer& sizer);
/// Whether some reader has consumed part of the first message.
bool head_begun(const State& s, std::uint32_t at);

} // namespace mpcheck::model::detail::channel
