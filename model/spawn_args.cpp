#include "model/spawn_args.hpp"

#include "model/lifecycle.hpp"
#include "model/sequences.hpp"

#include <vector>

namespace mpcheck::model::detail {

namespace lp = layout::proc;
namespace lf = layout::frame;
namespace lo = layout::obj;

namespace {

bool is_named(const Exec& x, std::uint32_t obj) {
    return (x.oword(obj, lo::kOrigin) & lo::kOriginNamed) != 0;
}

// Calls f(part) for each object that `obj` holds a reference to: a Condition's lock, the
// Condition inside an Event, a Barrier or a JoinableQueue.
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
    case ObjKind::queue:
        if (x.oword(obj, layout::queue::kQueueKind) ==
            static_cast<std::uint32_t>(QueueKind::joinable))
            f(x.oword(obj, layout::queue::kCond));
        break;
    default:
        break;
    }
}

// The objects reachable from a set of values, marked as they are found.
class Reach {
public:
    explicit Reach(const Exec& x) : x_(x), marked_(x.s.num_objects()) {}

    void add(Value v) {
        if (v.tag() == Value::Tag::sequence) {
            for (const std::uint32_t item : x_.sequences->content(v.as_sequence()).items)
                add(Value::from_bits(item));
        } else if (v.tag() == Value::Tag::object) {
            add_object(v.as_object());
        }
    }

    // The registers of the `frames` frames that start at word `at`.
    void add_frames(std::uint32_t at, std::uint32_t frames) {
        for (std::uint32_t i = 0; i < frames; ++i) {
            const std::uint32_t regs = x_.prog.functions[x_.s.word(at + lf::kFunc)].num_regs;
            for (std::uint32_t r = 0; r < regs; ++r)
                add(Value::from_bits(x_.s.word(at + lf::kRegs + r)));
            at += lf::kRegs + regs;
        }
    }

    // What process p references: its globals, the registers of its frames, and the args of the
    // Process objects it has created and not started yet.
    void add_process(std::uint32_t p) {
        const auto globals = static_cast<std::uint32_t>(x_.prog.globals.size());
        const std::uint32_t base = x_.s.process_offset(p);
        for (std::uint32_t g = 0; g < globals; ++g)
            add(Value::from_bits(x_.s.word(base + lp::kGlobals + g)));
        add_frames(base + lp::kGlobals + globals, x_.s.word(base + lp::kDepth));
        for (std::uint32_t c = 0; c < x_.s.num_processes(); ++c) {
            const std::uint32_t child = x_.s.process_offset(c);
            if (x_.s.word(child + lp::kParent) == p + 1 &&
                x_.s.word(child + lp::kStatus) ==
                    static_cast<std::uint32_t>(ProcStatus::not_started))
                add_frames(child + lp::kGlobals + globals, x_.s.word(child + lp::kDepth));
        }
    }

    bool marked(std::uint32_t obj) const { return marked_[obj]; }
    std::uint32_t size() const { return static_cast<std::uint32_t>(marked_.size()); }

private:
    void add_object(std::uint32_t obj) {
        if (obj >= marked_.size() || marked_[obj]) return;
        marked_[obj] = true;
        for_each_part(x_, obj, [&](std::uint32_t part) { add_object(part); });
    }

    const Exec& x_;
    std::vector<bool> marked_;
};

std::uint32_t creator_of(const Exec& x, std::uint32_t obj) {
    return (x.oword(obj, lo::kOrigin) >> lo::kOriginCreatorShift) - 1;
}

void mark_unlinked(Exec& x, std::uint32_t obj) {
    x.set_oword(obj, lo::kOrigin, x.oword(obj, lo::kOrigin) | lo::kOriginUnlinked);
}

// Whether the names of obj's SemLocks are gone: unlinked by its creator's exit or a kill after
// it dropped obj, or dropped by a creator still running (the finalizer ran then).
bool is_unlinked(const Exec& x, std::uint32_t obj) {
    if ((x.oword(obj, lo::kOrigin) & lo::kOriginUnlinked) != 0) return true;
    const std::uint32_t creator = creator_of(x, obj);
    if (has_ended(x.s, creator)) return false;
    Reach held(x);
    held.add_process(creator);
    return !held.marked(obj);
}

} // namespace

bool holds_named_semlocks(const Exec& x, Value v) {
    if (v.tag() == Value::Tag::sequence) {
        for (const std::uint32_t item : x.sequences->content(v.as_sequence()).items) {
            if (holds_named_semlocks(x, Value::from_bits(item))) return true;
        }
        return false;
    }
    if (v.tag() != Value::Tag::object || v.as_object() >= x.s.num_objects()) return false;
    if (is_named(x, v.as_object())) return true;
    bool named = false;
    for_each_part(x, v.as_object(), [&](std::uint32_t part) {
        named = named || holds_named_semlocks(x, Value::object(part));
    });
    return named;
}

bool loads_args_next(const Exec& x) {
    return (x.pword(lp::kFlags) & (lp::kFlagLoadsArgs | lp::kFlagRunsModule)) == lp::kFlagLoadsArgs;
}

SourceLoc load_args_loc(const Exec& x) {
    const SourceLoc def = x.function().loc;
    return def.line != 0 ? def : x.instr().loc;
}

Outcome load_args(Exec& x) {
    x.set_pword(lp::kFlags, x.pword(lp::kFlags) & ~lp::kFlagLoadsArgs);
    const Function& target = x.function();
    Reach args(x);
    for (Reg r = 0; r < target.num_params; ++r)
        args.add(x.reg(r));
    for (std::uint32_t o = 0; o < args.size(); ++o) {
        if (!args.marked(o) || !is_named(x, o) || !is_unlinked(x, o)) continue;
        // spawn._main: pickle.load() -> SemLock._rebuild -> sem_open(name) fails; run() never
        // starts, so no handler of the target sees the exception.
        x.fact_for(x.proc, FactKind::uncaught_exception,
                   "FileNotFoundError: it unpickled its args after their creator had exited or "
                   "dropped them, which unlinks their named semaphores",
                   o, load_args_loc(x));
        while (x.depth() > 0)
            pop_frame(x);
        begin_exit(x, Value::integer(1));
        return Outcome::raised;
    }
    return Outcome::done;
}

void unlink_created_semlocks(Exec& x, std::uint32_t p) {
    for (std::uint32_t o = 0; o < x.s.num_objects(); ++o) {
        if (is_named(x, o) && creator_of(x, o) == p) mark_unlinked(x, o);
    }
}

void unlink_dropped_semlocks(Exec& x, std::uint32_t p) {
    Reach held(x);
    bool scanned = false;
    for (std::uint32_t o = 0; o < x.s.num_objects(); ++o) {
        if (!is_named(x, o) || creator_of(x, o) != p) continue;
        if (!scanned) {
            held.add_process(p);
            scanned = true;
        }
        if (!held.marked(o)) mark_unlinked(x, o);
    }
}

bool keeps_reference(const Exec& x, Value v) {
    return (v.tag() == Value::Tag::object || v.tag() == Value::Tag::sequence) &&
           holds_named_semlocks(x, v);
}

} // namespace mpcheck::model::detail
