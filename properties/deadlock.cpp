#include "properties/deadlock.hpp"

#include "explorer/graph_analysis.hpp"
#include "model/layout.hpp"
#include "model/state.hpp"
#include "properties/trace_location.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mpcheck::properties {

void Deadlock::on_stuck(explorer::StateId id, const model::State&) {
    if (!first_stuck_) first_stuck_ = id;
}

void Deadlock::on_finish(const explorer::StateGraph& graph, explorer::Completion) {
    // Frontier states (left by a bound) count as able to finish, so a truncated search never
    // invents a deadlock. A stuck state is always doomed, so it is found here too.
    doomed_ = explorer::first_doomed_state(graph);
}

namespace {
bool unfinished(const model::State& state, std::uint32_t p) {
    const auto status = static_cast<model::ProcStatus>(
        state.word(state.process_offset(p) + model::layout::proc::kStatus));
    return status == model::ProcStatus::running || status == model::ProcStatus::exiting;
}

/// The step each process's main thread can take in a state (feeder threads aside), if any.
class NextSteps final : public model::SuccessorSink {
public:
    NextSteps(const model::Model& model, const model::State& state)
        : model_(model), state_(state), steps_(state.num_processes()) {
        model.successors(state, *this);
    }
    void on_successor(const model::Action& action, const model::State& /*next*/,
                      std::span<const model::Fact> /*facts*/) override {
        model::StepInfo info = model_.describe(state_, action);
        if (!info.feeder && info.proc < steps_.size() && !steps_[info.proc])
            steps_[info.proc] = std::move(info);
    }
    const std::optional<model::StepInfo>& of(std::uint32_t proc) const { return steps_[proc]; }

private:
    const model::Model& model_;
    const model::State& state_;
    std::vector<std::optional<model::StepInfo>> steps_;
};
} // namespace

std::string Deadlock::describe(const model::State& state, bool looping) const {
    // In a loop that never ends, some processes still move (a polling loop): say where they
    // go round rather than calling them blocked.
    std::optional<NextSteps> next;
    if (looping) next.emplace(model_, state);
    std::string out;
    for (std::uint32_t p = 0; p < state.num_processes(); ++p) {
        if (!unfinished(state, p)) continue;
        if (!out.empty()) out += "; ";
        out += model_.process_name(state, p) + " ";
        if (next && next->of(p) && next->of(p)->loc.line != 0) {
            out += "keeps looping through " + next->of(p)->action + " at line " +
                   std::to_string(next->of(p)->loc.line);
        } else {
            out += model_.blocked_reason(state, p);
        }
    }
    return (looping ? "the program can never finish (it loops forever): "
                    : "every unfinished process is blocked forever: ") +
           out;
}

std::optional<Violation> Deadlock::violation(const explorer::Explorer& explorer) const {
    if (!doomed_) return std::nullopt;
    Violation v;
    v.property = "deadlock";
    bool looping = false;
    if (first_stuck_) {
        // An all-blocked state: BFS reached it first along a shortest path.
        v.trace = explorer.trace_to(*first_stuck_);
    } else {
        // Every doomed state leads into a bottom component that has no way out; show the
        // shortest path to the first doomed state, then into that trap and once around it.
        v.trace = explorer.trace_to(*doomed_);
        if (auto lasso = explorer::find_non_progress_cycle(explorer.graph(), *doomed_)) {
            std::vector<explorer::StateId> path;
            if (!lasso->stem.empty()) {
                path.assign(lasso->stem.begin() + 1, lasso->stem.end());
                path.push_back(lasso->entry);
            }
            for (std::size_t i = 1; i < lasso->cycle.size(); ++i)
                path.push_back(lasso->cycle[i]);
            if (!lasso->cycle.empty()) path.push_back(lasso->entry);
            explorer.extend_along(v.trace, path);
            looping = !lasso->stuck();
        }
    }
    const model::State& at = v.trace.steps.empty() ? v.trace.initial : v.trace.steps.back().after;
    v.message = describe(at, looping);
    // Report at the first unfinished process's current line (MainProcess first); when every
    // unfinished process is exiting (running no line any more), at the line the first one
    // last executed.
    for (std::uint32_t p = 0; p < at.num_processes() && v.loc.line == 0; ++p) {
        if (unfinished(at, p)) v.loc = model_.location(at, p);
    }
    for (std::uint32_t p = 0; p < at.num_processes() && v.loc.line == 0; ++p) {
        if (unfinished(at, p)) v.loc = last_line_of(v.trace, p);
    }
    return v;
}

} // namespace mpcheck::properties
