#include "properties/fact_property.hpp"

#include "model/state.hpp"
#include "properties/trace_location.hpp"

#include <sstream>

namespace mpcheck::properties {

using model::FactKind;

FactProperty::FactProperty(const model::Model& model, std::string_view id, FactKind kind)
    : model_(model), id_(id), kind_(kind) {}

void FactProperty::on_initial(const model::State& state, std::span<const model::Fact> facts) {
    for (const auto& f : facts) {
        if (f.kind == kind_ && !found_) found_ = Found{true, 0, {}, f, state};
    }
}

void FactProperty::on_facts(explorer::StateId from, const model::Action& action, explorer::StateId,
                            const model::State& next, std::span<const model::Fact> facts) {
    if (found_) return;
    for (const auto& f : facts) {
        if (f.kind == kind_) {
            found_ = Found{false, from, action, f, next};
            return;
        }
    }
}

std::string FactProperty::message(const Found& found) const {
    // Built with a stream: GCC 12 warns spuriously (-Wrestrict) on long operator+ chains.
    const model::Fact& f = found.fact;
    const std::string proc = model_.process_name(found.state, f.proc);
    const bool has_obj = f.obj != model::State::kNone && f.obj < found.state.num_objects();
    std::string obj;
    if (has_obj) {
        obj = "'";
        obj += model_.object_name(found.state, f.obj);
        obj += "'";
    }
    std::ostringstream out;
    switch (f.kind) {
    case FactKind::assertion_failed:
        out << "assertion fails in " << proc;
        break;
    case FactKind::uncaught_exception:
        out << proc << " ends with an uncaught " << f.what;
        if (has_obj) out << " (" << obj << ")";
        break;
    case FactKind::api_misuse:
        out << proc << ": " << f.what;
        if (has_obj) out << " (" << obj << ")";
        break;
    case FactKind::abandoned_lock:
        out << obj << " " << f.what << " " << proc << ", which has ended";
        break;
    case FactKind::broken_queue:
        out << obj << " is left unusable: " << proc << " " << f.what;
        break;
    case FactKind::lost_data:
        out << f.detail << " item(s) put on " << obj << " by " << proc << " are never received: it "
            << f.what;
        break;
    case FactKind::unshared_resource:
        if (has_obj) {
            out << obj << " " << f.what << " (" << proc << ")";
        } else {
            out << proc << " " << f.what;
        }
        break;
    case FactKind::duplicated_output:
        out << "buffered data of " << obj
            << " is written more than once (inherited across fork, flushed again by " << proc
            << ")";
        break;
    case FactKind::model_limit:
        out << proc << ": " << f.what;
        break;
    }
    return out.str();
}

std::optional<Violation> FactProperty::violation(const explorer::Explorer& explorer) const {
    if (!found_) return std::nullopt;
    Violation v;
    v.property = std::string(id_);
    v.message = message(*found_);
    v.loc = found_->fact.loc;
    if (found_->initial) {
        v.trace.initial = explorer.model().initial_state();
    } else {
        v.trace = explorer.trace_through(found_->from, found_->action);
    }
    // Raised while the process ended (no line of its own is running): where it last was.
    if (v.loc.line == 0) v.loc = last_line_of(v.trace, found_->fact.proc);
    return v;
}

} // namespace mpcheck::properties
