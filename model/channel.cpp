#include "model/channel.hpp"

#include "model/check.hpp"
#include "model/layout.hpp"
#include "model/word_list.hpp"

#include <algorithm>

namespace mpcheck::model::detail::channel {

namespace lc = layout::channel;

namespace {

Kind kind(const State& s, std::uint32_t at) {
    return static_cast<Kind>(s.word(at + lc::kKind));
}

std::uint32_t pages(const State& s, std::uint32_t at) {
    return s.word(at + lc::kPages);
}
std::uint32_t messages_at(std::uint32_t at) {
    return at + lc::kHeader + kMaxPages;
}

// Linux AF_UNIX stream sockets (spec §2.2). unix_stream_sendmsg cuts each send into buffers
// (skbs) of at most kSkbMaxSize bytes and queues the next one while what the sender has
// charged is below the budget, however large it is (sock_alloc_send_pskb). Each buffer is
// charged its truesize until the reader has consumed all of it: a partly read buffer stays
// charged in full. skb_truesize reproduces the kernel's charge exactly: the table of §2.2 and
// nonblocking fills of 38 send sizes from 1 byte to 1 MB agree with it on Linux 6.
constexpr std::uint64_t kSkbMaxHead = 4096 - 320;          // SKB_MAX_HEAD(0)
constexpr std::uint64_t kSkbMaxSize = kSkbMaxHead + 32768; // + UNIX_SKB_FRAGS_SZ

constexpr std::uint64_t round_up(std::uint64_t n, std::uint64_t to) {
    return (n + to - 1) / to * to;
}

// The kmalloc slab a buffer's linear head comes from: it holds 320 to 4096 bytes (at most
// kSkbMaxHead of data and skb_shared_info).
constexpr std::uint64_t kmalloc_size(std::uint64_t n) {
    std::uint64_t slab = 512;
    while (slab < n)
        slab *= 2;
    return slab;
}

// Truesize of one buffer of `size` bytes: a linear head of what is not in page fragments
// (kmalloc'd with skb_shared_info, 320 bytes) plus the sk_buff (256), plus whole pages for the
// fragments.
constexpr std::uint64_t skb_truesize(std::uint64_t size) {
    const std::uint64_t in_pages =
        size > kSkbMaxHead ? std::min(size, round_up(size - kSkbMaxHead, 4096)) : 0;
    const std::uint64_t linear = size - in_pages;
    return kmalloc_size(round_up(linear, 64) + 320) + 256 + round_up(in_pages, 4096);
}
static_assert(skb_truesize(1) == 768 && skb_truesize(kSkbMaxSize) == 37120);

// Payload size above which multiprocessing.connection writes header and payload separately.
constexpr std::uint64_t kSingleWriteMax = 16384;

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

// End of the buffer that begins at byte t of a message of `wire` bytes: each write(2) (see
// current_syscall) is cut into buffers from its start.
std::uint64_t skb_end(std::uint64_t wire, std::uint64_t t) {
    return std::min(current_syscall(wire, t).end, t + kSkbMaxSize);
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
        const std::uint64_t written = i + 1 == n ? s.word(at + lc::kTailWritten) : wire;
        const std::uint64_t consumed = i == 0 ? s.word(at + lc::kHeadConsumed) : 0;
        for (std::uint64_t b = 0, e = 0; b < written; b = e) {
            e = skb_end(wire, b);
            if (e > consumed) used += skb_truesize(e - b);
        }
    }
    return used;
}

// One buffer of the last message, if the charge is below the budget.
bool write_socket(Ref ch, const Sizer& sizer, std::uint64_t wire) {
    State& s = ch.s;
    const std::uint64_t t = s.word(ch.at + lc::kTailWritten);
    if (t >= wire || socket_used(s, ch.at, sizer) >= kSocketBudget) return false;
    s.set_word(ch.at + lc::kTailWritten, static_cast<std::uint32_t>(skb_end(wire, t)));
    return true;
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
    return kind(s, at) == Kind::socket && socket_used(s, at, sizer) >= kSocketBudget;
}

bool socket_wakes_writer(const State& s, std::uint32_t at, const Sizer& sizer) {
    if (kind(s, at) != Kind::socket) return true;
    // unix_writable counts the socket's own reference in sk_wmem_alloc.
    return (s.word(at + lc::kFlags) & lc::kWriterWoken) != 0 ||
           4 * (socket_used(s, at, sizer) + 1) <= kSocketBudget;
}

void socket_wake_spent(Ref ch) {
    ch.s.set_word(ch.at + lc::kFlags, ch.s.word(ch.at + lc::kFlags) & ~lc::kWriterWoken);
}

void socket_data_arrived(Ref reverse, const Sizer& sizer) {
    if (kind(reverse.s, reverse.at) != Kind::socket ||
        socket_used(reverse.s, reverse.at, sizer) >= kSocketBudget)
        return;
    reverse.s.set_word(reverse.at + lc::kFlags,
                       reverse.s.word(reverse.at + lc::kFlags) | lc::kWriterWoken);
}

bool header_write_next(const State& s, std::uint32_t at, const Sizer& sizer) {
    const std::uint32_t n = message_count(s, at);
    if (kind(s, at) != Kind::pipe || n == 0 || s.word(at + lc::kTailWritten) != 0) return false;
    const std::uint64_t wire = sizer.wire(message(s, at, n - 1));
    return current_syscall(wire, 0).end < wire; // the first write(2) is not the whole message
}

bool write_some(Ref ch, const Sizer& sizer) {
    const State& s = ch.s;
    const std::uint32_t n = message_count(s, ch.at);
    MPCHECK_ASSERT(n > 0);
    const std::uint64_t wire = sizer.wire(message(s, ch.at, n - 1));
    MPCHECK_ASSERT(wire < (std::uint64_t{1} << 32));
    if (kind(s, ch.at) == Kind::pipe) return write_pipe(ch, wire);
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
    if (kind(s, ch.at) == Kind::pipe) {
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
