#pragma once

#include "model/check.hpp"
#include "model/fact.hpp"
#include "model/layout.hpp"
#include "model/pickle_size.hpp"
#include "model/program.hpp"
#include "model/runtime_values.hpp"
#include "model/state.hpp"
#include "model/value.hpp"

#include <cstdint>
#include <vector>

/// Internal: the context in which one step of one actor executes. Shared by the semantics_*.cpp
/// files, each of which implements the operations of one kind of object.
namespace mpcheck::model::detail {

/// Result of trying to execute one visible operation (or one phase of it).
enum class Outcome : std::uint8_t {
    blocked, ///< not enabled in this state (the actor waits)
    done,    ///< the operation completed; the pc moved on
    stay,    ///< a phase completed; the actor stays on the same instruction
    raised,  ///< the operation raised a Python exception (already unwound)
};

class Exec {
public:
    Exec(const Program& program, StartMethod default_method, State& state,
         std::vector<Fact>& fact_out, std::uint32_t acting, std::uint32_t alternative,
         RuntimeValues* runtime)
        : prog(program), method(default_method), s(state), facts(fact_out), proc(acting),
          alt(alternative), values(runtime), strings(&runtime->strings),
          sequences(&runtime->sequences) {}

    const Program& prog;
    StartMethod method; ///< the default start method when the program does not fix one
    /// The acting process's default context's start method: the one its set_start_method()
    /// (or its parent's) chose, else the program's.
    StartMethod default_start_method() const {
        const std::uint32_t bits =
            (pword(layout::proc::kFlags) & layout::proc::kDefaultMethodMask) >>
            layout::proc::kDefaultMethodShift;
        if (bits != 0) return static_cast<StartMethod>(bits - 1);
        return prog.start_method_fixed ? prog.start_method : method;
    }
    State& s;
    std::vector<Fact>& facts;
    const std::uint32_t proc; ///< the acting process
    std::uint32_t alt;        ///< which nondeterministic alternative to take
    RuntimeValues* values;    ///< strings and sequences built at run time (owned by the Model)
    StringTable* strings;     ///< values->strings
    SequenceTable* sequences; ///< values->sequences
    /// Set by an operation when alternatives beyond `alt` exist (timeouts, choices).
    bool more_alts = false;

    // ---- process record ----------------------------------------------------------------
    std::uint32_t poff() const { return s.process_offset(proc); }
    std::uint32_t pword(std::uint32_t field) const { return s.word(poff() + field); }
    void set_pword(std::uint32_t field, std::uint32_t v) { s.set_word(poff() + field, v); }
    std::uint32_t pword_of(std::uint32_t p, std::uint32_t field) const {
        return s.word(s.process_offset(p) + field);
    }
    void set_pword_of(std::uint32_t p, std::uint32_t field, std::uint32_t v) {
        s.set_word(s.process_offset(p) + field, v);
    }

    // ---- frames of the acting process --------------------------------------------------
    std::uint32_t depth() const { return pword(layout::proc::kDepth); }
    /// Offset of the top frame (depth must be > 0).
    std::uint32_t frame() const {
        if (s.layout_version() == frame_layout_) return frame_at_;
        return find_frame(depth());
    }
    const Function& function() const {
        return prog.functions[s.word(frame() + layout::frame::kFunc)];
    }
    const Instr& instr() const {
        const std::uint32_t f = frame();
        return prog.functions[s.word(f + layout::frame::kFunc)]
            .code[s.word(f + layout::frame::kPc)];
    }
    std::uint32_t pc() const { return s.word(frame() + layout::frame::kPc); }
    std::uint32_t phase() const { return s.word(frame() + layout::frame::kPhase); }
    void set_phase(std::uint32_t v) { s.set_word(frame() + layout::frame::kPhase, v); }
    std::uint32_t scratch() const { return s.word(frame() + layout::frame::kScratch); }
    void set_scratch(std::uint32_t v) { s.set_word(frame() + layout::frame::kScratch, v); }
    Value reg(Reg r) const { return Value::from_bits(s.word(frame() + layout::frame::kRegs + r)); }
    void set_reg(Reg r, Value v) { s.set_word(frame() + layout::frame::kRegs + r, v.bits()); }
    /// Moves to the next instruction (phase and scratch reset).
    void advance();
    void jump(std::uint32_t pc);
    /// Pushes a frame for `fn` with the given arguments (the caller's pc stays on the call).
    void push_frame(FuncId fn, const Value* args, std::uint32_t nargs);

    // ---- globals ------------------------------------------------------------------------
    Value global(std::uint32_t index) const {
        return Value::from_bits(pword(layout::proc::kGlobals + index));
    }
    void set_global(std::uint32_t index, Value v) {
        set_pword(layout::proc::kGlobals + index, v.bits());
    }

    // ---- exceptions and facts -----------------------------------------------------------
    /// Raises `type` at the current instruction: unwinds to a handler or ends the process.
    /// `reported` marks exceptions already reported by another fact (api-misuse, assertion),
    /// so that an uncaught one is not reported twice.
    Outcome raise(ExcType type, bool reported = false);
    /// Raises an api-misuse error: records the fact, then raises `type` (as CPython does).
    Outcome misuse(ExcType type, const char* what, std::uint32_t obj = State::kNone);
    void fact(FactKind kind, const char* what, std::uint32_t obj = State::kNone,
              std::uint32_t detail = 0);
    void fact_for(std::uint32_t p, FactKind kind, const char* what, std::uint32_t obj,
                  SourceLoc loc, std::uint32_t detail = 0);

    // ---- objects ------------------------------------------------------------------------
    std::uint32_t ooff(std::uint32_t obj) const { return s.object_offset(obj); }
    std::uint32_t oword(std::uint32_t obj, std::uint32_t field) const {
        return s.word(ooff(obj) + field);
    }
    void set_oword(std::uint32_t obj, std::uint32_t field, std::uint32_t v) {
        s.set_word(ooff(obj) + field, v);
    }
    ObjKind kind_of(std::uint32_t obj) const {
        return static_cast<ObjKind>(oword(obj, layout::obj::kKind));
    }
    /// The object a register refers to, if it is of `kind`; otherwise raises TypeError
    /// (or AttributeError for None, as CPython would) and returns kNone.
    std::uint32_t object_arg(Reg r, ObjKind kind) {
        const Value v = reg(r);
        if (v.tag() == Value::Tag::object && kind_of(v.as_object()) == kind) return v.as_object();
        return wrong_object_arg(v);
    }
    /// Creates an object record named after the instruction's text.
    std::uint32_t new_object(ObjKind kind, std::uint32_t size);
    /// Process index for a process-handle object.
    std::uint32_t handle_proc(std::uint32_t handle) const {
        return oword(handle, layout::handle::kProc);
    }
    /// The bit of process p in per-process bit sets (its slot; 0 before it started).
    std::uint32_t bit(std::uint32_t p) const {
        const std::uint32_t slot = (pword_of(p, layout::proc::kFlags) & layout::proc::kSlotMask) >>
                                   layout::proc::kSlotShift;
        return slot == 0 ? 0 : 1u << (slot - 1);
    }

    // ---- views: a process's private part of an object -----------------------------------
    /// View of (proc, obj), created empty with `flags` if missing; returns its offset.
    std::uint32_t view(std::uint32_t p, std::uint32_t obj);
    std::uint32_t find_view_offset(std::uint32_t p, std::uint32_t obj) const;

    // ---- pickling -------------------------------------------------------------------------
    /// Size in bytes of pickle.dumps(v) with protocol 4 (spec §13.4), or kUnpicklable.
    std::uint64_t pickled_size(Value v) const {
        // Most items sent are None, bools and ints: their size needs no walk of the value.
        switch (v.tag()) {
        case Value::Tag::none:
        case Value::Tag::boolean:
            return scalar_pickle_size(1); // NONE, NEWTRUE, NEWFALSE
        case Value::Tag::integer:
            return scalar_pickle_size(int_pickle_opcodes(v.as_int()));
        default:
            return pickled_size_of_any(v);
        }
    }
    static constexpr std::uint64_t kUnpicklable = ~std::uint64_t{0};
    /// Whether v can be pickled at all (multiprocessing objects cannot, except Connections).
    bool picklable(Value v) const { return pickled_size(v) != kUnpicklable; }
    /// Marks the step a model limit when v, about to be pickled for `via` (a queue or a
    /// connection), holds a Connection. CPython then duplicates the descriptor into the
    /// sender's resource_sharer thread until a receiver unpickles it (which fails once the
    /// sender has ended), and the receiver's copy closes when its object is garbage-collected:
    /// descriptor lifetimes the model does not follow, and EOF depends on them.
    void limit_if_connection_sent(Value v, std::uint32_t via);

    /// len() of a str or bytes value (`utf8`: its encoded size instead), program constant or
    /// built at run time.
    std::uint64_t text_size(Value v, bool utf8) const;

    /// Truthiness of a value, as Python's bool().
    bool truthy(Value v) const;

private:
    /// jump() in the top frame, at offset f.
    void jump_frame(std::uint32_t f, std::uint32_t target);
    /// pickled_size() of any value (nested ones included).
    std::uint64_t pickled_size_of_any(Value v) const;
    /// object_arg() of a value that is not an object of the wanted kind.
    std::uint32_t wrong_object_arg(Value v);
    /// Whether a frame of the acting process has a handler around where it is.
    bool handled_somewhere() const;
    /// Walks the `depth` frames of the acting process to the top one and remembers it.
    std::uint32_t find_frame(std::uint32_t depth) const;

    // Where find_frame() last found the top frame, and for which state layout: a step asks for
    // its frame many times, and the answer only changes when a frame is pushed or popped or a
    // record moves, all of which insert or erase words and so change the layout.
    mutable std::uint32_t frame_at_ = 0;
    mutable std::uint64_t frame_layout_ = ~std::uint64_t{0}; ///< none found yet
};

} // namespace mpcheck::model::detail
