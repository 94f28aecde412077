#include "model/channel.hpp"

#include "model/check.hpp"
#include "model/layout.hpp"
#include "model/word_list.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace mpcheck::model::detail::channel {

namespace lc = layout::channel;

namespace {

std::uint32_t pages(const State& s, std::uint32_t at) {
    return s.word(at + lc::kPages);
}
std::uint32_t messages_at(std::uint32_t at) {
    return at + lc::kHeader + kMaxPages;
}

// Payload size above which multiprocessing.connection writes header and payload separately.
constexpr std::uint64_t kSingleWriteMax = 16384;

// Measured socketpair capacity (spec §2.2): payload bytes -> messages that fit in one
// direction. The kernel charges each message its skb "truesize" and queues a new one while
// what is charged is below 212992 (sock_alloc_send_pskb), however large the new one: a
// truesize of 212992 / count, rounded up, lets exactly `count` equal messages in, and lets
// messages of different sizes in as the kernel does (the CPython comparison, seed 599: one of
// 100,000 bytes and two of 65,532 fit together).
constexpr std::array<std::pair<std::uint64_t, std::uint64_t>, 11> kSocketTable{{{100, 278},
                                                                                {700, 167},
                                                                                {1000, 93},
                                                                                {3000, 49},
                                                                                {4000, 44},
                                                                                {8000, 24},
                                                                                {16380, 13},
                                                                                {30000, 7},
                                                                                {65532, 3},
                                                                                {100000, 2},
                                                                                {200000, 1}}};

// unix_stream_sendmsg's largest buffer: sk_sndbuf / 2 - 64 bytes.
constexpr std::uint64_t kSocketChunk = kSocketBudget / 2 - 64;

// Cost of one socket message, interpolated linearly between the measured points.
std::uint64_t socket_cost(std::uint64_t wire) {
    const std::uint64_t payload = wire >= 4 ? wire - 4 : 0;
    auto cost_at = [](std::size_t i) {
        return (kSocketBudget + kSocketTable[i].second - 1) / kSocketTable[i].second;
    };
    if (payload <= kSocketTable[0].first) return cost_at(0);
    for (std::size_t i = 1; i < kSocketTable.size(); ++i) {
        if (payload <= kSocketTable[i].first) {
            const auto [m0, n0] = kSocketTable[i - 1];
            const auto m1 = kSocketTable[i].first;
            const std::uint64_t c0 = cost_at(i - 1);
            const std::uint64_t c1 = cost_at(i);
            (void)n0;
            return c0 + (c1 - c0) * (payload - m0) / (m1 - m0);
        }
    }
    return wire; // beyond the table: only partial progress (see write_some)
}

struct Syscall {
    std::uint64_t begin;
    std::uint64_t end;
};

// The write(2) call that the next unwritten byte t of a message belongs to.
Syscall current_syscall(std::uint64_t wire, std::uint64_t t) {
    const std::uint64_t payload = wire - 4;
    if (payload <= kSingleWriteMax) return {0, wire};
    return t < 4 ? Syscall{0, 4} : Syscall{4, wire};
}

// One step of the writer: what one write(2) of the message takes now. A large message's header
// is a write(2) of its own (Connection._send_bytes), so a reader may take it before the
// payload's write begins, which then finds the pipe empty and merges nothing into its last page
// (CPython hangs on that layout where the merged one fits).
bool write_pipe(Ref ch, std::uint64_t wire) {
    State& s = ch.s;
    std::uint64_t t = s.word(ch.at + lc::kTailWritten);
    if (t >= wire) return false;
    const std::uint64_t before = t;
    const Syscall call = current_syscall(wire, t);
    std::uint32_t npages = pages(s, ch.at);
    if (t == call.begin) {
        const std::uint64_t n = call.end - call.begin;
        const std::uint64_t chars = n % kPageSize;
        const std::uint32_t last = ch.at + lc::kHeader + npages - 1;
        const bool can_merge = chars != 0 && npages > 0 && s.word(last) + chars <= kPageSize;
        if (n <= kPageSize) {
            // PIPE_BUF atomicity: all or nothing.
            if (can_merge) {
                s.set_word(last, static_cast<std::uint32_t>(s.word(last) + chars));
            } else if (npages < kMaxPages) {
                s.set_word(ch.at + lc::kHeader + npages, static_cast<std::uint32_t>(n));
                s.set_word(ch.at + lc::kPages, npages + 1);
            } else {
                return false;
            }
            s.set_word(ch.at + lc::kTailWritten, static_cast<std::uint32_t>(call.end));
            return true;
        }
        if (can_merge) {
            s.set_word(last, static_cast<std::uint32_t>(s.word(last) + chars));
            t += chars;
        }
    }
    // Fill fresh pages with what remains of this write(2); short of them, the writer blocks
    // mid-write.
    npages = pages(s, ch.at);
    while (t < call.end && npages < kMaxPages) {
        const std::uint64_t chunk = std::min<std::uint64_t>(kPageSize, call.end - t);
        s.set_word(ch.at + lc::kHeader + npages, static_cast<std::uint32_t>(chunk));
        ++npages;
        s.set_word(ch.at + lc::kPages, npages);
        t += chunk;
    }
    s.set_word(ch.at + lc::kTailWritten, static_cast<std::uint32_t>(t));
    return t > before;
}

std::uint64_t socket_used(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    std::uint64_t used = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint64_t wire = sizer.wire(message(s, at, i));
        const bool last = i + 1 == n;
        const std::uint64_t written = last ? s.word(at + lc::kTailWritten) : wire;
        const std::uint64_t consumed = i == 0 ? s.word(at + lc::kHeadConsumed) : 0;
        const std::uint64_t cost = socket_cost(wire);
        // A partly written or partly read message is charged in proportion.
        used += cost * (written - consumed) / wire;
    }
    return used;
}

bool write_socket(Ref ch, const Sizer& sizer, std::uint64_t wire) {
    State& s = ch.s;
    std::uint64_t t = s.word(ch.at + lc::kTailWritten);
    std::uint64_t used = socket_used(s, ch.at, sizer);
    const std::uint64_t cost = socket_cost(wire);
    if (cost <= kSocketBudget) {
        // unix_stream_sendmsg queues a buffer of at most kSocketChunk bytes while what is
        // charged is below the budget, however large the buffer: a message of one buffer goes
        // in whole or not at all, a larger one may go in part and block.
        const std::uint64_t before = t;
        while (t < wire && used < kSocketBudget) {
            const std::uint64_t take = std::min(kSocketChunk, wire - t);
            used += cost * take / wire;
            t += take;
        }
        s.set_word(ch.at + lc::kTailWritten, static_cast<std::uint32_t>(t));
        return t > before;
    }
    // Messages too large to ever fit are streamed: write what the budget allows.
    if (used >= kSocketBudget) return false;
    const std::uint64_t room = kSocketBudget - used;
    const std::uint64_t take = std::min(room, wire - t);
    s.set_word(ch.at + lc::kTailWritten, static_cast<std::uint32_t>(t + take));
    return take > 0;
}

} // namespace

void init(Ref ch, Kind kind) {
    ch.s.set_word(ch.at + lc::kKind, static_cast<std::uint32_t>(kind));
}

std::uint32_t message_count(const State& s, std::uint32_t at) {
    return s.word(at + lc::kMessages);
}

Value message(const State& s, std::uint32_t at, std::uint32_t index) {
    return Value::from_bits(s.word(messages_at(at) + index));
}

bool corrupt(const State& s, std::uint32_t at) {
    return (s.word(at + lc::kFlags) & lc::kCorrupt) != 0;
}

void mark_corrupt(Ref ch) {
    ch.s.set_word(ch.at + lc::kFlags, ch.s.word(ch.at + lc::kFlags) | lc::kCorrupt);
}

std::uint64_t readable_bytes(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        const bool last = i + 1 == n;
        total += last ? s.word(at + lc::kTailWritten) : sizer.wire(message(s, at, i));
    }
    return total - s.word(at + lc::kHeadConsumed);
}

bool tail_partial(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    return n > 0 && s.word(at + lc::kTailWritten) < sizer.wire(message(s, at, n - 1));
}

std::uint32_t tail_written(const State& s, std::uint32_t at) {
    return s.word(at + lc::kTailWritten);
}

void begin_message(Ref ch, Value v) {
    State& s = ch.s;
    const std::uint32_t n = message_count(s, ch.at);
    word_list::push_back(s, ch.record, messages_at(ch.at), n, v.bits());
    s.set_word(ch.at + lc::kMessages, n + 1);
    s.set_word(ch.at + lc::kTailWritten, 0);
}

bool socket_full(const State& s, std::uint32_t at, const Sizer& sizer) {
    return static_cast<Kind>(s.word(at + lc::kKind)) == Kind::socket &&
           socket_used(s, at, sizer) >= kSocketBudget;
}

bool socket_wakes_writer(const State& s, std::uint32_t at, const Sizer& sizer) {
    return static_cast<Kind>(s.word(at + lc::kKind)) != Kind::socket ||
           4 * socket_used(s, at, sizer) <= kSocketBudget;
}

bool header_write_next(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    if (static_cast<Kind>(s.word(at + lc::kKind)) != Kind::pipe || n == 0 ||
        s.word(at + lc::kTailWritten) != 0)
        return false;
    const std::uint64_t wire = sizer.wire(message(s, at, n - 1));
    return current_syscall(wire, 0).end < wire; // the first write(2) is not the whole message
}

bool write_some(Ref ch, const Sizer& sizer) {
    const State& s = ch.s;
    const std::uint32_t n = message_count(s, ch.at);
    MPCHECK_ASSERT(n > 0);
    const std::uint64_t wire = sizer.wire(message(s, ch.at, n - 1));
    MPCHECK_ASSERT(wire < (std::uint64_t{1} << 32));
    if (static_cast<Kind>(s.word(ch.at + lc::kKind)) == Kind::pipe) return write_pipe(ch, wire);
    return write_socket(ch, sizer, wire);
}

std::uint64_t head_available(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    if (n == 0) return 0;
    const std::uint64_t written =
        n == 1 ? s.word(at + lc::kTailWritten) : sizer.wire(message(s, at, 0));
    return written - s.word(at + lc::kHeadConsumed);
}

bool head_complete(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    if (n == 0) return false;
    return n > 1 || s.word(at + lc::kTailWritten) == sizer.wire(message(s, at, 0));
}

std::uint64_t one_read(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint64_t available = head_available(s, at, sizer);
    if (available == 0) return 0;
    constexpr std::uint64_t kHeaderBytes = 4; // wire_size()
    const std::uint64_t consumed = s.word(at + lc::kHeadConsumed);
    const std::uint64_t asked = consumed < kHeaderBytes ? kHeaderBytes - consumed
                                                        : sizer.wire(message(s, at, 0)) - consumed;
    return std::min(available, asked);
}

bool head_begun(const State& s, std::uint32_t at) {
    return s.word(at + lc::kHeadConsumed) > 0;
}

bool read_some(Ref ch, const Sizer& sizer, Value& out, std::uint64_t max_bytes) {
    State& s = ch.s;
    const std::uint64_t take = std::min(head_available(s, ch.at, sizer), max_bytes);
    const Value head = message(s, ch.at, 0);
    const std::uint64_t wire = sizer.wire(head);
    const std::uint64_t consumed = s.word(ch.at + lc::kHeadConsumed) + take;
    if (static_cast<Kind>(s.word(ch.at + lc::kKind)) == Kind::pipe) {
        // Consume from the front pages; a page is freed once fully read.
        std::uint64_t left = take;
        while (left > 0) {
            MPCHECK_ASSERT(pages(s, ch.at) > 0);
            const std::uint32_t front = ch.at + lc::kHeader;
            const std::uint64_t in_page = s.word(front) - s.word(ch.at + lc::kFrontOffset);
            if (left >= in_page) {
                left -= in_page;
                // Drop the front page: shift the others down inside the fixed page slots.
                const std::uint32_t used = pages(s, ch.at);
                for (std::uint32_t i = 1; i < used; ++i)
                    s.set_word(front + i - 1, s.word(front + i));
                s.set_word(front + used - 1, 0);
                s.set_word(ch.at + lc::kPages, pages(s, ch.at) - 1);
                s.set_word(ch.at + lc::kFrontOffset, 0);
            } else {
                s.set_word(ch.at + lc::kFrontOffset,
                           static_cast<std::uint32_t>(s.word(ch.at + lc::kFrontOffset) + left));
                left = 0;
            }
        }
    }
    if (consumed < wire) {
        s.set_word(ch.at + lc::kHeadConsumed, static_cast<std::uint32_t>(consumed));
        return false;
    }
    const std::uint32_t n = message_count(s, ch.at);
    word_list::erase(s, ch.record, messages_at(ch.at), n, 0);
    s.set_word(ch.at + lc::kMessages, n - 1);
    s.set_word(ch.at + lc::kHeadConsumed, 0);
    if (n == 1) s.set_word(ch.at + lc::kTailWritten, 0);
    out = head;
    return true;
}

} // namespace mpcheck::model::detail::channel
