// Model::successors tries every step on one reused working copy of the state. Each successor it
// reports must be what Model::apply computes from a fresh copy, in every reachable state of
// programs that move records around (frames pushed and popped, views and messages added and
// removed, processes ending), take alternatives and reveal facts.
#include "bench/workers_family.hpp"
#include "model/layout.hpp"
#include "model/model.hpp"
#include "model/program_builder.hpp"
#include "tests/support/programs.hpp"
#include "tests/unit/model/record_offsets.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace mpcheck::model {
namespace {

using Words = std::vector<std::uint32_t>;

struct Step {
    Action action;
    Words next;
    std::vector<std::uint32_t> offsets;
    std::vector<Fact> facts;
};

Step step_of(const Action& action, const State& next, std::span<const Fact> facts) {
    return {action, Words(next.words().begin(), next.words().end()), record_offsets(next),
            std::vector<Fact>(facts.begin(), facts.end())};
}

class Collect final : public SuccessorSink {
public:
    std::vector<Step> steps;
    void on_successor(const Action& action, const State& next,
                      std::span<const Fact> facts) override {
        steps.push_back(step_of(action, next, facts));
    }
};

// Asks for the successors of every successor while it is being reported.
class Nested final : public SuccessorSink {
public:
    explicit Nested(const Model& model) : model_(model) {}
    std::vector<Step> steps;
    std::size_t inner = 0;
    void on_successor(const Action& action, const State& next,
                      std::span<const Fact> facts) override {
        Collect c;
        model_.successors(next, c);
        inner += c.steps.size();
        steps.push_back(step_of(action, next, facts));
    }

private:
    const Model& model_;
};

bool same_facts(const std::vector<Fact>& a, const std::vector<Fact>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].proc != b[i].proc || a[i].obj != b[i].obj ||
            !(a[i].loc == b[i].loc) || std::string(a[i].what) != b[i].what ||
            a[i].detail != b[i].detail)
            return false;
    }
    return true;
}

bool same_steps(const std::vector<Step>& a, const std::vector<Step>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!(a[i].action == b[i].action) || a[i].next != b[i].next ||
            a[i].offsets != b[i].offsets || !same_facts(a[i].facts, b[i].facts))
            return false;
    }
    return true;
}

// Visits the reachable states breadth-first (at most `limit`): calls visit(state), which returns
// the state's successors; returns the number of states visited.
template <class Visit>
std::size_t for_each_reachable(const Model& model, std::size_t limit, Visit&& visit) {
    std::set<Words> seen;
    std::deque<Words> queue;
    const State initial = model.initial_state();
    queue.emplace_back(initial.words().begin(), initial.words().end());
    seen.insert(queue.back());
    State state;
    std::size_t visited = 0;
    while (!queue.empty() && visited < limit) {
        state.load(queue.front());
        queue.pop_front();
        ++visited;
        for (const Step& s : visit(state)) {
            if (seen.insert(s.next).second) queue.push_back(s.next);
        }
    }
    return visited;
}

// Checks each successor of every reachable state (at most `limit`) against apply(); returns the
// number of states visited and counts the facts seen.
std::size_t check_against_apply(const Model& model, std::size_t limit, std::size_t& facts_seen) {
    State next;
    std::vector<Fact> facts;
    return for_each_reachable(model, limit, [&](const State& state) {
        Collect c;
        model.successors(state, c);
        for (const Step& s : c.steps) {
            EXPECT_TRUE(model.apply(state, s.action, next, facts));
            const Step fresh = step_of(s.action, next, facts);
            EXPECT_TRUE(same_steps({s}, {fresh}))
                << "actor " << s.action.actor << " alt " << s.action.alt;
            facts_seen += s.facts.size();
        }
        return c.steps;
    });
}

// worker(lock, q): helper(lock, q) takes the lock and puts (a call, so frames are pushed and
// popped); then either raises with the lock held (a choice) or releases it. The parent gets
// with a timeout, joins, then starts a second worker and terminates it.
Program varied_program() {
    ProgramBuilder b;
    auto helper = b.function("helper", {"lock", "q"});
    helper.at(2).acquire(helper.reg("lock"));
    const auto one = helper.reg("one");
    helper.integer(one, 1);
    helper.at(3).put(helper.reg("q"), one);
    helper.ret_none();

    auto w = b.function("worker", {"lock", "q"});
    w.at(6).call(w.reg("r"), "helper", {w.reg("lock"), w.reg("q")});
    const auto fail = w.reg("fail");
    w.at(7).choose(fail);
    const auto skip = w.jump_if_false(fail);
    w.at(8).raise(ExcType::value_error);
    w.patch(skip, w.pc());
    w.at(9).release(w.reg("lock"));

    auto m = b.module();
    const auto lock = m.reg("lock");
    const auto q = m.reg("q");
    const auto p = m.reg("p");
    const auto p2 = m.reg("p2");
    m.at(12).lock(lock);
    m.queue(q);
    m.at(13).process(p, "worker", {lock, q});
    m.start(p);
    m.at(14).get(m.reg("item"), q, Wait::timeout);
    m.at(15).join(p);
    m.at(16).process(p2, "worker", {lock, q});
    m.start(p2);
    m.at(17).terminate(p2);
    m.join(p2);
    return b.build();
}

// victim(q): q.get() (waits forever). killer(p, q): p.terminate(), then computes and puts. The
// killer was created after its victim, so erasing the victim's frames moves the killer's record
// in the middle of the killer's step.
Program sibling_terminate_program() {
    ProgramBuilder b;
    auto v = b.function("victim", {"q"});
    v.at(2).get(v.reg("item"), v.reg("q"));

    auto k = b.function("killer", {"p", "q"});
    k.at(5).terminate(k.reg("p"));
    const auto one = k.reg("one");
    const auto two = k.reg("two");
    k.at(6).integer(one, 1);
    k.binary(two, one, BinaryOp::add, one);
    k.at(7).put(k.reg("q"), two);

    auto m = b.module();
    const auto q = m.reg("q");
    const auto p1 = m.reg("p1");
    const auto p2 = m.reg("p2");
    m.at(10).queue(q);
    m.at(11).process(p1, "victim", {q});
    m.start(p1);
    m.at(12).process(p2, "killer", {p1, q});
    m.start(p2);
    m.at(13).join(p2);
    m.at(14).get(m.reg("r"), q);
    m.join(p1);
    return b.build();
}

// worker(q, n): a value parameter it never reads; a put, then under try: compute, put and raise
// with a temporary set; the handler puts the exception and waits for a choice. Registers are
// set by locals, visible operations, arguments and the handler, and die at different places.
Program handler_program() {
    ProgramBuilder b;
    auto w = b.function("worker", {"q", "unused"});
    const auto q = w.reg("q");
    const auto one = w.reg("one");
    const auto two = w.reg("two");
    const auto exc = w.reg("exc");
    w.at(2).integer(one, 1);
    w.put(q, one);
    const std::uint32_t begin = w.pc();
    w.at(3).binary(two, one, BinaryOp::add, one);
    w.put(q, two);
    w.at(4).raise(ExcType::value_error);
    const std::uint32_t end = w.pc();
    w.at(6).put(q, exc);
    w.choose(w.reg("again"));
    w.handler(begin, end, end, exc);

    auto m = b.module();
    const auto mq = m.reg("q");
    const auto p = m.reg("p");
    const auto seven = m.reg("seven");
    m.at(9).queue(mq);
    m.integer(seven, 7);
    m.at(10).process(p, "worker", {mq, seven});
    m.start(p);
    m.at(11).get(m.reg("a"), mq);
    m.at(12).get(m.reg("b"), mq, Wait::timeout);
    m.at(13).join(p);
    return b.build();
}

// Offset of the top frame of process p (whose depth is > 0).
std::uint32_t top_frame(const Model& model, const State& s, std::uint32_t p) {
    const Program& prog = model.program();
    std::uint32_t at = s.process_offset(p) + layout::proc::kGlobals +
                       static_cast<std::uint32_t>(prog.globals.size());
    const std::uint32_t depth = s.word(s.process_offset(p) + layout::proc::kDepth);
    for (std::uint32_t i = 1; i < depth; ++i)
        at += layout::frame::kRegs + prog.functions[s.word(at + layout::frame::kFunc)].num_regs;
    return at;
}

// Every action that apply() enables, with its first alternative, is among the successors.
void expect_every_enabled_action(const Model& model, std::size_t limit) {
    State next;
    std::vector<Fact> facts;
    std::size_t enabled = 0;
    for_each_reachable(model, limit, [&](const State& state) {
        Collect c;
        model.successors(state, c);
        const std::uint32_t actors = state.num_processes() + state.num_views();
        for (std::uint32_t actor = 0; actor < actors; ++actor) {
            if (!model.apply(state, {actor, 0}, next, facts)) continue;
            ++enabled;
            bool found = false;
            for (const Step& s : c.steps)
                found = found || s.action == Action{actor, 0};
            EXPECT_TRUE(found) << "actor " << actor;
        }
        return c.steps;
    });
    EXPECT_GT(enabled, 0u);
}

// When a step ends, every register that is dead where a running process stands is absent,
// though each step only looks at the dead registers that may hold a value (a frame that has
// not run yet still holds its arguments).
void expect_dead_registers_absent(const Model& model, std::size_t limit) {
    std::size_t checked = 0;
    for_each_reachable(model, limit, [&](const State& state) {
        for (std::uint32_t p = 0; p < state.num_processes(); ++p) {
            const std::uint32_t base = state.process_offset(p);
            const auto status = static_cast<ProcStatus>(state.word(base + layout::proc::kStatus));
            if (status != ProcStatus::running || state.word(base + layout::proc::kDepth) == 0)
                continue;
            const std::uint32_t f = top_frame(model, state, p);
            const Function& fn = model.program().functions[state.word(f + layout::frame::kFunc)];
            const std::uint32_t pc = state.word(f + layout::frame::kPc);
            if (pc == 0) continue;
            for (std::uint32_t r = 0; r < fn.num_regs; ++r) {
                if (fn.live_in[pc][r]) continue;
                ++checked;
                EXPECT_EQ(state.word(f + layout::frame::kRegs + r), Value::absent().bits())
                    << fn.name << " pc " << pc << " register " << r;
            }
        }
        Collect c;
        model.successors(state, c);
        return c.steps;
    });
    EXPECT_GT(checked, 0u);
}

TEST(Successors, IncludeEveryActionThatApplyEnables) {
    expect_every_enabled_action(Model(bench::workers_family(2), StartMethod::fork), 20000);
    expect_every_enabled_action(Model(varied_program(), StartMethod::fork), 20000);
    expect_every_enabled_action(Model(handler_program(), StartMethod::spawn), 20000);
}

TEST(Successors, LeaveEveryDeadRegisterAbsentWhenAStepEnds) {
    expect_dead_registers_absent(Model(bench::workers_family(2), StartMethod::fork), 20000);
    for (const StartMethod method : {StartMethod::fork, StartMethod::spawn}) {
        expect_dead_registers_absent(Model(varied_program(), method), 20000);
        expect_dead_registers_absent(Model(handler_program(), method), 20000);
    }
}

TEST(Successors, AgreeWithApplyThroughExceptionHandlers) {
    for (const StartMethod method : {StartMethod::fork, StartMethod::spawn}) {
        const Model model(handler_program(), method);
        std::size_t facts = 0;
        EXPECT_GT(check_against_apply(model, 20000, facts), 10u);
    }
}

TEST(Successors, AgreeWithApplyOnTheWorkersBenchmark) {
    const Model model(bench::workers_family(2), StartMethod::fork);
    std::size_t facts = 0;
    EXPECT_EQ(check_against_apply(model, 20000, facts), 14555u);
}

TEST(Successors, AgreeWithApplyWhenLargeMessagesAreWrittenInParts) {
    auto b = testing::seed_program(1'000'000, true);
    const Model model(b.build(), StartMethod::fork);
    std::size_t facts = 0;
    EXPECT_GT(check_against_apply(model, 20000, facts), 5u);
}

TEST(Successors, AgreeWithApplyThroughCallsChoicesExceptionsAndTermination) {
    for (const StartMethod method : {StartMethod::fork, StartMethod::spawn}) {
        const Model model(varied_program(), method);
        std::size_t facts = 0;
        EXPECT_GT(check_against_apply(model, 20000, facts), 20u);
        EXPECT_GT(facts, 0u);
    }
}

TEST(Successors, AgreeWithApplyWhenAProcessTerminatesAnOlderSibling) {
    const Model model(sibling_terminate_program(), StartMethod::fork);
    std::size_t facts = 0;
    EXPECT_GT(check_against_apply(model, 20000, facts), 10u);
}

TEST(Successors, AreTheSameWhenTheSinkAsksForSuccessorsAgain) {
    const Model model(varied_program(), StartMethod::fork);
    std::size_t inner = 0;
    for_each_reachable(model, std::numeric_limits<std::size_t>::max(), [&](const State& state) {
        Collect plain;
        model.successors(state, plain);
        Nested nested(model);
        model.successors(state, nested);
        EXPECT_TRUE(same_steps(plain.steps, nested.steps));
        inner += nested.inner;
        return plain.steps;
    });
    EXPECT_GT(inner, 0u);
}

} // namespace
} // namespace mpcheck::model
