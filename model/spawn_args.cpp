#include "model/spawn_args.hpp"

#include "model/lifecycle.hpp"
#include "model/references.hpp"

#include <algorithm>

namespace mpcheck::model::detail {

namespace lp = layout::proc;
namespace lo = layout::obj;

namespace {

void mark_unlinked(Exec& x, std::uint32_t obj) {
    x.set_oword(obj, lo::kOrigin, x.oword(obj, lo::kOrigin) | lo::kOriginUnlinked);
}

// Whether the names of obj's SemLocks are gone: unlinked by its creator's exit or a kill after
// it dropped obj, or dropped by a creator still running (the finalizer ran then).
bool is_unlinked(const Exec& x, std::uint32_t obj) {
    if ((x.oword(obj, lo::kOrigin) & lo::kOriginUnlinked) != 0) return true;
    const std::uint32_t creator = creator_of(x, obj);
    if (has_ended(x.s, creator)) return false;
    return !still_referenced(x, creator, obj);
}

} // namespace

bool args_pending(const Exec& x) {
    for (std::uint32_t q = 0; q < x.s.num_processes(); ++q) {
        if ((x.pword_of(q, lp::kFlags) & lp::kFlagLoadsArgs) != 0 && !has_ended(x.s, q))
            return true;
    }
    return false;
}

void semlocks_awaited(const Exec& x, std::vector<std::uint32_t>& out) {
    out.clear();
    for (std::uint32_t q = 0; q < x.s.num_processes(); ++q) {
        if (q == x.proc || (x.pword_of(q, lp::kFlags) & lp::kFlagLoadsArgs) == 0 ||
            has_ended(x.s, q))
            continue;
        // The child's args are in its bottom frame, under the module it may still be running;
        // what that module makes is the child's own, so only objects of the acting process count.
        Reach held(x);
        held.add_process(q);
        for (std::uint32_t o = 0; o < held.size(); ++o) {
            if (held.marked(o) && is_named(x, o) && creator_of(x, o) == x.proc &&
                !is_unlinked(x, o) && std::find(out.begin(), out.end(), o) == out.end())
                out.push_back(o);
        }
    }
}

bool any_unlinked(const Exec& x, std::span<const std::uint32_t> objs) {
    return std::any_of(objs.begin(), objs.end(),
                       [&](std::uint32_t o) { return is_unlinked(x, o); });
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
        const auto creator = static_cast<ProcStatus>(x.pword_of(creator_of(x, o), lp::kStatus));
        const bool exited = creator == ProcStatus::exiting || creator == ProcStatus::exited;
        x.fact_for(x.proc, FactKind::uncaught_exception,
                   exited ? "FileNotFoundError: it unpickled its args after their creator began "
                            "to exit, which unlinks their named semaphores"
                          : "FileNotFoundError: it unpickled its args after their creator had "
                            "dropped its last reference to them, which unlinks their named "
                            "semaphores",
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

} // namespace mpcheck::model::detail
