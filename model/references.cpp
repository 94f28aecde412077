#include "model/references.hpp"

#include "model/lifecycle.hpp"
#include "model/semantics.hpp"
#include "model/sequences.hpp"

#include <algorithm>

namespace mpcheck::model::detail {

namespace lp = layout::proc;
namespace lf = layout::frame;
namespace lo = layout::obj;

namespace {

// Calls f(part) for each object that `obj` holds a reference to: a Condition's lock, the
// Condition inside an Event, a Barrier or a JoinableQueue, the lock of a Value.
template <typename F> void for_each_part(const Exec& x, std::uint32_t obj, F&& f) {
    switch (x.kind_of(obj)) {
    case ObjKind::cond:
        f(x.oword(obj, layout::cond::kLock));
        break;
    case ObjKind::event:
        f(x.oword(obj, layout::event::kCond));
        break;
    case ObjKind::barrier:
        f(x.oword(obj, layout::barrier::kCond));
        break;
    case ObjKind::shared_value:
        if (x.oword(obj, layout::shared_value::kLock) != State::kNone)
            f(x.oword(obj, layout::shared_value::kLock));
        break;
    case ObjKind::queue:
        if (x.oword(obj, layout::queue::kQueueKind) ==
            static_cast<std::uint32_t>(QueueKind::joinable))
            f(x.oword(obj, layout::queue::kCond));
        break;
    default:
        break;
    }
}

// Whether v is, or holds, an object that `tracked` accepts.
template <typename F> bool holds(const Exec& x, Value v, F&& tracked) {
    if (v.tag() == Value::Tag::sequence) {
        for (const std::uint32_t item : x.sequences->content(v.as_sequence()).items) {
            if (holds(x, Value::from_bits(item), tracked)) return true;
        }
        return false;
    }
    if (v.tag() != Value::Tag::object || v.as_object() >= x.s.num_objects()) return false;
    if (tracked(v.as_object())) return true;
    bool found = false;
    for_each_part(x, v.as_object(), [&](std::uint32_t part) {
        found = found || holds(x, Value::object(part), tracked);
    });
    return found;
}

} // namespace

std::uint32_t creator_of(const Exec& x, std::uint32_t obj) {
    return (x.oword(obj, lo::kOrigin) >> lo::kOriginCreatorShift) - 1;
}

bool is_named(const Exec& x, std::uint32_t obj) {
    return (x.oword(obj, lo::kOrigin) & lo::kOriginNamed) != 0;
}

void Reach::add(Value v) {
    if (v.tag() == Value::Tag::sequence) {
        for (const std::uint32_t item : x_.sequences->content(v.as_sequence()).items)
            add(Value::from_bits(item));
    } else if (v.tag() == Value::Tag::object) {
        add_object(v.as_object());
    }
}

namespace {

// Calls visit(v) for each register of the `frames` frames that start at word `at`, until one
// returns true; whether one did.
template <typename F>
bool any_register(const Exec& x, std::uint32_t at, std::uint32_t frames, F&& visit) {
    for (std::uint32_t i = 0; i < frames; ++i) {
        const std::uint32_t regs = x.prog.functions[x.s.word(at + lf::kFunc)].num_regs;
        for (std::uint32_t r = 0; r < regs; ++r)
            if (visit(Value::from_bits(x.s.word(at + lf::kRegs + r)))) return true;
        at += lf::kRegs + regs;
    }
    return false;
}

// Calls visit(v) for each value process p references (its globals, the registers of its
// frames, the args of the Process objects it has created and not started yet), until one
// returns true; whether one did.
template <typename F> bool any_root(const Exec& x, std::uint32_t p, F&& visit) {
    const auto globals = static_cast<std::uint32_t>(x.prog.globals.size());
    const std::uint32_t base = x.s.process_offset(p);
    for (std::uint32_t g = 0; g < globals; ++g)
        if (visit(Value::from_bits(x.s.word(base + lp::kGlobals + g)))) return true;
    if (any_register(x, base + lp::kGlobals + globals, x.s.word(base + lp::kDepth), visit))
        return true;
    for (std::uint32_t c = 0; c < x.s.num_processes(); ++c) {
        const std::uint32_t child = x.s.process_offset(c);
        if (x.s.word(child + lp::kParent) == p + 1 &&
            x.s.word(child + lp::kStatus) == static_cast<std::uint32_t>(ProcStatus::not_started) &&
            any_register(x, child + lp::kGlobals + globals, x.s.word(child + lp::kDepth), visit))
            return true;
    }
    return false;
}

} // namespace

void Reach::add_process(std::uint32_t p) {
    any_root(x_, p, [this](Value v) {
        add(v);
        return false;
    });
}

void Reach::add_object(std::uint32_t obj) {
    if (obj >= marked_.size() || marked_[obj]) return;
    marked_[obj] = true;
    for_each_part(x_, obj, [&](std::uint32_t part) { add_object(part); });
}

bool still_referenced(const Exec& x, std::uint32_t p, std::uint32_t obj) {
    // Stops at the first reference: a Connection end is usually a global or in the first frame.
    return any_root(
        x, p, [&](Value v) { return holds(x, v, [obj](std::uint32_t o) { return o == obj; }); });
}

bool holds_named_semlocks(const Exec& x, Value v) {
    return holds(x, v, [&](std::uint32_t o) { return is_named(x, o); });
}

bool open_here(const Exec& x, std::uint32_t c) {
    return (x.oword(c, layout::conn::kOpen) & x.bit(x.proc)) != 0;
}

bool holds_fork_context_semlocks(const Exec& x, Value v) {
    return holds(x, v, [&](std::uint32_t o) {
        return (x.oword(o, lo::kOrigin) & lo::kOriginForkContext) != 0;
    });
}

bool holds_connection_closed_here(const Exec& x, Value v) {
    return holds(x, v, [&](std::uint32_t o) {
        if (x.kind_of(o) == ObjKind::conn) return !open_here(x, o);
        return x.kind_of(o) == ObjKind::queue && simple_queue_closed_here(x, o);
    });
}

bool holds_connection(const Exec& x, Value v) {
    return holds(x, v, [&](std::uint32_t o) { return x.kind_of(o) == ObjKind::conn; });
}

bool keeps_reference(const Exec& x, Value v) {
    return holds(x, v, [&](std::uint32_t o) {
        return is_named(x, o) || (x.kind_of(o) == ObjKind::conn && creator_of(x, o) == x.proc);
    });
}

namespace {
// Whether Connection end c's creator still has its descriptor open. An ended creator's
// descriptors were closed then; its slot may be another process's now.
bool open_at_creator(const Exec& x, std::uint32_t c) {
    const std::uint32_t creator = creator_of(x, c);
    return !has_ended(x.s, creator) && (x.oword(c, layout::conn::kOpen) & x.bit(creator)) != 0;
}
} // namespace

std::uint32_t dropped_by_creator(const Exec& x, std::uint32_t c) {
    if (!open_at_creator(x, c)) return 0;
    const std::uint32_t creator = creator_of(x, c);
    return still_referenced(x, creator, c) ? 0 : x.bit(creator);
}

void connections_watched(const Exec& x, std::vector<std::uint32_t>& out) {
    out.clear();
    if (!x.prog.makes_pipes) return;
    const std::uint32_t me = x.bit(x.proc);
    for (std::uint32_t c = 0; c < x.s.num_objects(); ++c) {
        if (x.kind_of(c) != ObjKind::conn || creator_of(x, c) != x.proc || !open_here(x, c))
            continue;
        const std::uint32_t other_end = x.oword(c, layout::conn::kPeer);
        if ((x.oword(other_end, layout::conn::kOpen) & ~me) != 0) out.push_back(c);
    }
}

void forget_dropped(const Exec& x, std::vector<std::uint32_t>& conns) {
    std::erase_if(conns, [&](std::uint32_t c) { return !still_referenced(x, x.proc, c); });
}

bool any_dropped(const Exec& x, std::span<const std::uint32_t> conns) {
    // As dropped_by_creator for each; the acting process made them (connections_watched).
    return std::ranges::any_of(conns, [&](std::uint32_t c) {
        return open_at_creator(x, c) && !still_referenced(x, x.proc, c);
    });
}

} // namespace mpcheck::model::detail
