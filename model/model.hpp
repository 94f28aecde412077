#pragma once

#include "model/fact.hpp"
#include "model/ids.hpp"
#include "model/program.hpp"
#include "model/runtime_values.hpp"
#include "model/state.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace mpcheck::model {

/// One atomic step: which actor moves, and which of its nondeterministic alternatives it takes
/// (alt 0 is "the awaited condition happened", alt 1 "the timeout expired", ...). Actors of a
/// state are numbered: 0..P-1 the main threads of processes 0..P-1, then one per queue feeder
/// thread in view order. Indices are relative to the state; traces replay them from the start.
struct Action {
    std::uint32_t actor = 0;
    std::uint32_t alt = 0;
    friend bool operator==(const Action&, const Action&) = default;
};

/// Receives the successors of a state.
class SuccessorSink {
public:
    virtual ~SuccessorSink() = default;
    virtual void on_successor(const Action& action, const State& next,
                              std::span<const Fact> facts) = 0;
};

/// What a step did, for traces: the actor, the source location and a readable action.
struct StepInfo {
    std::uint32_t proc = 0;
    bool feeder = false;   ///< the queue feeder thread of `proc` moved
    std::uint32_t obj = 0; ///< feeder: its queue object
    SourceLoc loc;
    std::string action; ///< e.g. "q.put('X' * 1000000)" or "feeder writes 1000013 bytes"
};

/// The transition system of a program: pure functions of the state (stateright's Model and
/// LTSmin's PINS role). Deterministic: successors are produced in actor order, then alt order.
class Model {
public:
    Model(Program program, StartMethod default_start_method);

    const Program& program() const { return program_; }
    StartMethod start_method() const { return start_method_; }
    /// The strings the program built at run time (ids in states refer to it).
    const StringTable& strings() const { return values_->strings; }
    /// The tuples and lists the program built at run time.
    const SequenceTable& sequences() const { return values_->sequences; }

    /// MainProcess about to run the module body (its local prefix already executed); the
    /// facts that prefix revealed (e.g. a failing assert) go to `facts` if given.
    State initial_state(std::vector<Fact>* facts = nullptr) const;
    /// Every enabled step, in a fixed order.
    void successors(const State& state, SuccessorSink& sink) const;
    /// Applies one step; returns false if that action is not enabled in `state`.
    bool apply(const State& state, const Action& action, State& next,
               std::vector<Fact>& facts) const;
    /// Every started process has ended (the program finished).
    bool is_final(const State& state) const;
    /// Describes the step `action` takes from `state` (call before applying it).
    StepInfo describe(const State& state, const Action& action) const;
    /// Why an unfinished process cannot move, e.g. "blocked in p.join() at line 9".
    std::string blocked_reason(const State& state, std::uint32_t proc) const;
    /// Where process `proc` currently is in the source.
    SourceLoc location(const State& state, std::uint32_t proc) const;
    /// "MainProcess", "Process-1", "Process-1:2", ...
    std::string process_name(const State& state, std::uint32_t proc) const;
    /// A short name for an object in messages: the variable it was created into, e.g. "q".
    std::string object_name(const State& state, std::uint32_t obj) const;
    /// Human-readable dump of the whole state, for debugging and trace details.
    std::string dump(const State& state) const;

private:
    /// successors() with the given working copy of the state and fact buffer.
    void successors_in(const State& state, SuccessorSink& sink, State& scratch,
                       std::vector<Fact>& facts) const;

    Program program_;
    StartMethod start_method_;
    /// Shared, not copied, between copies of this Model: states of one hold ids into it.
    std::shared_ptr<RuntimeValues> values_ = std::make_shared<RuntimeValues>();
};

} // namespace mpcheck::model
