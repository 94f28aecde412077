#include "model/exec.hpp"

#include "model/lifecycle.hpp"
#include "model/references.hpp"
#include "model/word_list.hpp"

namespace mpcheck::model::detail {

namespace lp = layout::proc;
namespace lf = layout::frame;

std::uint32_t Exec::find_frame(std::uint32_t n) const {
    // Frames follow the globals; each is a fixed header plus its function's registers.
    std::uint32_t at = poff() + lp::kGlobals + static_cast<std::uint32_t>(prog.globals.size());
    MPCHECK_ASSERT(n > 0);
    for (std::uint32_t i = 1; i < n; ++i) {
        at += lf::kRegs + prog.functions[s.word(at + lf::kFunc)].num_regs;
    }
    frame_at_ = at;
    frame_layout_ = s.layout_version();
    return at;
}

void Exec::advance() {
    const std::uint32_t f = frame();
    jump_frame(f, s.word(f + lf::kPc) + 1);
}

void Exec::jump(std::uint32_t target) {
    jump_frame(frame(), target);
}

void Exec::jump_frame(std::uint32_t f, std::uint32_t target) {
    s.set_word(f + lf::kPc, target);
    // Phase and scratch are mostly 0 already: words left as they are need no undoing and no
    // comparing.
    if (s.word(f + lf::kPhase) != 0) s.set_word(f + lf::kPhase, 0);
    if (s.word(f + lf::kScratch) != 0) s.set_word(f + lf::kScratch, 0);
}

void Exec::push_frame(FuncId fn, const Value* args, std::uint32_t nargs) {
    const Function& callee = prog.functions[fn];
    const std::uint32_t size = lf::kRegs + callee.num_regs;
    const std::uint32_t at = poff() + s.word(poff()); // frames end where the record ends
    s.insert_words(poff(), at, size);
    s.set_word(at + lf::kFunc, fn);
    for (std::uint32_t r = 0; r < callee.num_regs; ++r) {
        const Value v = r < nargs ? args[r] : Value::absent();
        s.set_word(at + lf::kRegs + r, v.bits());
    }
    set_pword(lp::kDepth, depth() + 1);
}

bool Exec::handled_somewhere() const {
    // The frames from the bottom up; a frame's pc is the instruction it is at (for a caller,
    // its call), as the unwinding in raise() reads it.
    std::uint32_t at = poff() + lp::kGlobals + static_cast<std::uint32_t>(prog.globals.size());
    const std::uint32_t n = depth();
    for (std::uint32_t d = 1; d <= n; ++d) {
        const Function& fn = prog.functions[s.word(at + lf::kFunc)];
        const std::uint32_t pc = s.word(at + lf::kPc);
        for (const Handler& h : fn.handlers) {
            if (pc >= h.begin && pc < h.end) return true;
        }
        at += lf::kRegs + fn.num_regs;
    }
    return false;
}

Outcome Exec::raise(ExcType type, bool reported) {
    Value exc = Value::exception(type);
    // Bit 8 of the payload marks an exception already reported by another property.
    if (reported) exc = Value::from_bits(exc.bits() | 0x100u);
    const SourceLoc where = instr().loc;
    const std::uint32_t flags = pword(lp::kFlags);
    // Uncaught, the exception's traceback keeps every frame, and so every object their
    // variables hold, alive until the process ends: a child's _exit_function (which joins its
    // children) runs while the exception is in flight, and the main process keeps it in
    // sys.last_traceback past atexit. Only the main process's SystemExit is dropped before. (A
    // spawn child that fails re-running the module never had its args: unwound as before.)
    const bool keeps_frames = (flags & lp::kFlagRunsModule) == 0 &&
                              !(type == ExcType::system_exit && (flags & lp::kFlagIsMain) != 0);
    if (keeps_frames && !handled_somewhere()) {
        end_by_exception(*this, exc, where);
        return Outcome::raised;
    }
    while (depth() > 0) {
        const Function& fn = function();
        const std::uint32_t at = pc();
        for (const Handler& h : fn.handlers) {
            if (at >= h.begin && at < h.end) {
                set_reg(h.exc, exc);
                jump(h.handler);
                return Outcome::raised;
            }
        }
        pop_frame(*this);
        const std::uint32_t now = pword(layout::proc::kFlags);
        if ((now & layout::proc::kFlagRunsModule) != 0 && depth() == 1) {
            // Raised while a spawn child re-imported the main module: run() never starts.
            set_pword(layout::proc::kFlags, now & ~layout::proc::kFlagRunsModule);
            pop_frame(*this);
        }
    }
    end_by_exception(*this, exc, where);
    return Outcome::raised;
}

Outcome Exec::misuse(ExcType type, const char* what, std::uint32_t obj) {
    // The exception type travels in `detail`, so a comparison with CPython can check it.
    fact(FactKind::api_misuse, what, obj, static_cast<std::uint32_t>(type));
    return raise(type, true);
}

void Exec::fact(FactKind kind, const char* what, std::uint32_t obj, std::uint32_t detail) {
    fact_for(proc, kind, what, obj, depth() > 0 ? instr().loc : SourceLoc{}, detail);
}

void Exec::fact_for(std::uint32_t p, FactKind kind, const char* what, std::uint32_t obj,
                    SourceLoc loc, std::uint32_t detail) {
    facts.push_back(Fact{kind, p, obj, loc, what, detail});
}

std::uint32_t Exec::wrong_object_arg(Value v) {
    if (v.is_none()) {
        raise(ExcType::attribute_error);
    } else {
        raise(ExcType::type_error);
    }
    return State::kNone;
}

std::uint32_t Exec::new_object(ObjKind kind, std::uint32_t size) {
    const std::uint32_t obj = s.add_object(kind, size);
    if (depth() > 0) {
        const Instr& in = instr();
        set_oword(obj, layout::obj::kName, in.name != kNoText ? in.name : in.text);
    }
    // Created while a spawn/forkserver child re-imports the main module: a copy that the
    // child's parent does not share (spec §1.3, §9).
    if ((pword(layout::proc::kFlags) & layout::proc::kFlagRunsModule) != 0) {
        set_oword(obj, layout::obj::kOrigin, layout::obj::kOriginModuleCopy);
    }
    // A Connection's descriptor closes, and a named SemLock's name is unlinked, when its
    // creator drops the object (references.hpp).
    const std::uint32_t creator = (proc + 1) << layout::obj::kOriginCreatorShift;
    if (kind == ObjKind::conn)
        set_oword(obj, layout::obj::kOrigin, oword(obj, layout::obj::kOrigin) | creator);
    // Queues and synchronisation objects are built on SemLocks made through a context
    // (context.py: `ctx=self.get_context()`): the default one fixes this process's default
    // context, and a fork context marks the SemLocks as unpicklable for spawned children.
    const bool semlocks = kind == ObjKind::queue || kind == ObjKind::sem || kind == ObjKind::cond ||
                          kind == ObjKind::event || kind == ObjKind::barrier;
    if (semlocks && depth() > 0) {
        const std::uint8_t context = instr().context;
        if (context == 0) set_pword(lp::kFlags, pword(lp::kFlags) | lp::kFlagContextSet);
        const StartMethod m =
            context == 0 ? default_start_method() : static_cast<StartMethod>(context - 1);
        // Elsewhere they are named semaphores, unlinked by this process (see spawn_args.hpp).
        const std::uint32_t origin = m == StartMethod::fork ? layout::obj::kOriginForkContext
                                                            : layout::obj::kOriginNamed | creator;
        set_oword(obj, layout::obj::kOrigin, oword(obj, layout::obj::kOrigin) | origin);
    }
    return obj;
}

std::uint32_t Exec::find_view_offset(std::uint32_t p, std::uint32_t obj) const {
    const std::uint32_t index = s.find_view(p, obj);
    return index == State::kNone ? State::kNone : s.view_offset(index);
}

std::uint32_t Exec::view(std::uint32_t p, std::uint32_t obj) {
    std::uint32_t index = s.find_view(p, obj);
    if (index == State::kNone) {
        index = s.add_view(p, obj, layout::view::kItems + word_list::capacity(0));
    }
    return s.view_offset(index);
}

namespace {

bool save(const Exec& x, Value v, PickleSize& p);

// The C pickler's save_dict and batch_dict_exact: EMPTY_DICT and MEMOIZE; one item is followed
// by SETITEM; more go in batches of up to 1000 between MARK and SETITEMS, and a dict of a
// multiple of 1000 items ends with an empty batch (the loop runs again after a full one).
bool save_dict(const Exec& x, const SeqContent& c, PickleSize& p) {
    constexpr std::size_t kBatch = 1000;
    const std::size_t n = c.length();
    const auto save_item = [&](std::size_t i) {
        return save(x, Value::from_bits(c.iteration_item(i)), p) &&
               save(x, Value::from_bits(c.dict_value(i)), p);
    };
    p.opcodes(2); // EMPTY_DICT, MEMOIZE
    if (n == 0) return true;
    if (n == 1) {
        if (!save_item(0)) return false;
        p.opcodes(1); // SETITEM
        return true;
    }
    std::size_t i = 0;
    std::size_t in_batch = 0;
    do {
        p.opcodes(1); // MARK
        for (in_batch = 0; in_batch < kBatch && i < n; ++in_batch, ++i) {
            if (!save_item(i)) return false;
        }
        p.opcodes(1); // SETITEMS
    } while (in_batch == kBatch);
    return true;
}

// Adds the opcodes that pickling v writes; false when v cannot be pickled.
bool save(const Exec& x, Value v, PickleSize& p) {
    p.begin_object();
    switch (v.tag()) {
    case Value::Tag::none:
    case Value::Tag::boolean:
        p.opcodes(1); // NONE, NEWTRUE, NEWFALSE
        return true;
    case Value::Tag::integer: {
        p.opcodes(int_pickle_opcodes(v.as_int()));
        return true;
    }
    case Value::Tag::str:
    case Value::Tag::bytes:
        p.text(x.text_size(v, true));
        return true;
    case Value::Tag::exception:
        p.opcodes(48); // pickle.dumps(ValueError()) is about 60 bytes in all
        return true;
    case Value::Tag::object:
        // Connections pickle (resource_sharer hands the fd over; about 120 bytes in all); every
        // other multiprocessing object refuses: "... should only be shared between processes
        // through inheritance".
        if (x.kind_of(v.as_object()) != ObjKind::conn) return false;
        p.opcodes(108);
        return true;
    case Value::Tag::sequence: {
        const SeqContent& c = x.sequences->content(v.as_sequence());
        if (c.is_dict()) return save_dict(x, c, p);
        const std::size_t n = c.items.size();
        if (c.is_tuple() && n == 0) {
            p.opcodes(1); // EMPTY_TUPLE, not memoized
            return true;
        }
        if (c.is_list()) p.opcodes(2);                 // EMPTY_LIST, MEMOIZE
        if (c.is_list() ? n > 1 : n > 3) p.opcodes(1); // MARK
        for (const std::uint32_t item : c.items) {
            if (!save(x, Value::from_bits(item), p)) return false;
        }
        // tuples: TUPLE1..3 or TUPLE, then MEMOIZE; lists: APPEND or APPENDS (none when empty)
        p.opcodes(c.is_list() ? (n > 0 ? 1 : 0) : 2);
        return true;
    }
    case Value::Tag::absent:
        break;
    }
    return false;
}

} // namespace

void Exec::limit_if_connection_sent(Value v, std::uint32_t via) {
    if (holds_connection(*this, v))
        fact(FactKind::model_limit, "a Connection sent through a queue or pipe", via);
}

std::uint64_t Exec::pickled_size_of_any(Value v) const {
    PickleSize p;
    if (!save(*this, v, p)) return kUnpicklable;
    return p.finish();
}

std::uint64_t Exec::text_size(Value v, bool utf8) const {
    MPCHECK_ASSERT(v.tag() == Value::Tag::str || v.tag() == Value::Tag::bytes);
    if (StringTable::is_runtime(v.as_blob())) {
        MPCHECK_ASSERT(strings != nullptr);
        const StrContent& c = strings->content(v.as_blob());
        return utf8 ? c.byte_size() : c.length();
    }
    const Blob& b = prog.blobs[v.as_blob()];
    return utf8 && b.utf8_size != 0 ? b.utf8_size : b.size;
}

bool Exec::truthy(Value v) const {
    switch (v.tag()) {
    case Value::Tag::none:
    case Value::Tag::absent:
        return false;
    case Value::Tag::boolean:
    case Value::Tag::integer:
        return v.payload() != 0;
    case Value::Tag::str:
    case Value::Tag::bytes:
        return text_size(v, false) != 0;
    case Value::Tag::object:
    case Value::Tag::exception:
        return true;
    case Value::Tag::sequence:
        return !sequences->content(v.as_sequence()).items.empty();
    }
    return false;
}

} // namespace mpcheck::model::detail
