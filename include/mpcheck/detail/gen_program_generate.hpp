#pragma once

// Normalization and the rapidcheck generators.
// Part of mpcheck/rapidcheck.hpp (which includes it after declaring the types it uses).

#include <rapidcheck.h>

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "mpcheck/detail/gen_program_text.hpp"
#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::gen {
namespace detail {

/// The position of a resource step within its own group.
inline std::size_t position_in_group(StepKind kind) {
    for (const auto k : kCoveringKinds) {
        const auto group = group_of(k);
        for (std::size_t i = 0; i < group.size(); ++i) {
            if (group[i] == kind) return i;
        }
    }
    return 0;
}

/// A resource step made to fit the program's resources (requires at least one).
inline GenStep fit_resource_step(GenStep step, const std::vector<ResourceKind>& resources) {
    step.target %= static_cast<std::uint32_t>(resources.size());
    const auto group = group_of(resources[step.target]);
    step.kind = group[position_in_group(step.kind) % group.size()];
    if (!carries_payload(step.kind)) step.payload = Payload::small;
    if (step.payload == Payload::write_end && sent_pipe(resources, step) == resources.size())
        step.payload = Payload::small; // no other pipe's end to send
    return step;
}

/// One of `items`, uniformly (repeat an item to weight it); shrinks towards the first.
template <class T> rc::Gen<T> shrinking_element(std::vector<T> items) {
    const auto count = items.size();
    return rc::gen::map(rc::gen::inRange<std::size_t>(0, count),
                        [items = std::move(items)](std::size_t i) { return items[i]; });
}

/// A worker body made to fit: resource steps fitted, process steps dropped.
inline std::vector<GenStep> fit_worker(const std::vector<GenStep>& steps,
                                       const std::vector<ResourceKind>& resources) {
    std::vector<GenStep> out;
    for (const GenStep& s : steps) {
        if (!is_process_step(s.kind) && !resources.empty())
            out.push_back(fit_resource_step(s, resources));
    }
    return out;
}

} // namespace detail

inline GenProgram normalized(GenProgram program) {
    GenProgram out;
    out.resources = program.resources;
    out.start_method = program.start_method;
    out.main_in_function = program.main_in_function;
    for (const auto& w : program.workers)
        out.workers.push_back(detail::fit_worker(w, out.resources));
    // A worker main never starts explicitly is started at the front, so every step of main
    // comes after that start and may join, terminate or kill it.
    std::vector<bool> started(out.workers.size(), true);
    for (const GenStep& s : program.main) {
        if (s.kind == StepKind::start && !out.workers.empty())
            started[s.target % out.workers.size()] = false;
    }
    const std::vector<bool> started_at_front = started;
    std::vector<GenStep> main;
    for (GenStep s : program.main) {
        if (!detail::is_process_step(s.kind)) {
            if (!out.resources.empty()) main.push_back(detail::fit_resource_step(s, out.resources));
            continue;
        }
        if (out.workers.empty()) continue;
        s.target %= static_cast<std::uint32_t>(out.workers.size());
        s.payload = Payload::small;
        if (s.kind == StepKind::start) {
            if (started[s.target]) continue; // starting twice is a different program's bug
            started[s.target] = true;
        } else if (!started[s.target]) {
            continue;
        }
        main.push_back(s);
    }
    for (std::uint32_t w = 0; w < out.workers.size(); ++w) {
        if (started_at_front[w]) out.main.push_back(GenStep{StepKind::start, w, Payload::small});
    }
    out.daemon = program.daemon;
    out.daemon.resize(out.workers.size(), false);
    out.main.insert(out.main.end(), main.begin(), main.end());
    return out;
}

inline rc::Gen<GenProgram> arbitrary_program(GenOptions options) {
    namespace g = rc::gen;
    // Element generators run at a fixed size, so that ranges are used in full whatever the
    // test's size; container lengths are drawn uniformly from 0 to the option's bound.
    constexpr int kFullSize = 100;
    const std::uint32_t max_target = 8; // taken modulo the resources or workers
    std::vector<StepKind> resource_kinds;
    for (const auto k : detail::kCoveringKinds) {
        for (const auto s : detail::group_of(k))
            resource_kinds.push_back(s);
    }
    using P = Payload;
    std::vector<P> payload_choices{P::small,    P::small,    P::small,   P::small,
                                   P::sentinel, P::sentinel, P::sentinel};
    if (options.large_payloads)
        payload_choices.insert(payload_choices.end(),
                               {P::large, P::large, P::fills_pipe, P::overflows_pipe, P::huge});
    if (options.send_write_ends)
        payload_choices.insert(payload_choices.end(), {P::write_end, P::write_end, P::write_end,
                                                       P::write_end, P::write_end});
    const auto payloads = detail::shrinking_element<P>(std::move(payload_choices));
    auto make = [](StepKind k, std::uint32_t t, Payload p) { return GenStep{k, t, p}; };
    const auto resource_step =
        g::resize(kFullSize, g::apply(make, detail::shrinking_element(resource_kinds),
                                      g::inRange<std::uint32_t>(0, max_target), payloads));
    using S = StepKind;
    const auto process_kinds =
        detail::shrinking_element<S>({S::join, S::join, S::join, S::join, S::terminate,
                                      S::terminate, S::kill, S::join_timeout, S::start});
    const auto process_step =
        g::resize(kFullSize, g::apply(make, process_kinds, g::inRange<std::uint32_t>(0, max_target),
                                      g::just(Payload::small)));
    // weightedOneOf draws its choice with inRange too, so it runs at full size as well.
    const auto main_step =
        g::resize(kFullSize, g::weightedOneOf<GenStep>({{2, resource_step}, {1, process_step}}));
    auto bounded = [](std::uint32_t max, auto gen) {
        return g::resize(static_cast<int>(max), std::move(gen));
    };
    // The elements of the bounded containers below run at full size again: `bounded` sets the
    // size that the container's length is drawn from, and inRange scales with it, so without
    // this every resource would be of the first kind.
    const auto resource_kind = g::resize(kFullSize, detail::shrinking_element(options.kinds));
    const auto resources = g::nonEmpty(
        bounded(options.max_resources, g::container<std::vector<ResourceKind>>(resource_kind)));
    const auto worker =
        bounded(options.max_worker_steps, g::container<std::vector<GenStep>>(resource_step));
    const auto workers =
        bounded(options.max_workers, g::container<std::vector<std::vector<GenStep>>>(worker));
    const auto main_steps =
        bounded(options.max_main_steps, g::container<std::vector<GenStep>>(main_step));
    const auto method = g::resize(kFullSize, detail::shrinking_element(options.start_methods));
    // One worker in four is a daemon; the flags shrink towards none.
    const auto daemon_flag =
        options.daemon_workers
            ? g::resize(kFullSize, detail::shrinking_element<bool>({false, false, false, true}))
            : g::just(false);
    const auto daemon = bounded(options.max_workers, g::container<std::vector<bool>>(daemon_flag));
    const auto in_function =
        options.main_in_function
            ? g::resize(kFullSize, detail::shrinking_element<bool>({false, true}))
            : g::just(false);
    return g::map(g::tuple(resources, workers, main_steps, method, daemon, in_function),
                  [](const auto& parts) {
                      return normalized(GenProgram{std::get<0>(parts), std::get<1>(parts),
                                                   std::get<2>(parts), std::get<3>(parts),
                                                   std::get<4>(parts), std::get<5>(parts)});
                  });
}

} // namespace mpcheck::gen
