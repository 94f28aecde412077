#pragma once

// Shared by the property suites: running a rapidcheck property with a fixed seed and a case
// count, checking a model in either search order, and reading the answers.

#include "explorer/explorer.hpp"
#include "explorer/graph_analysis.hpp"
#include "model/fact.hpp"
#include "model/model.hpp"
#include "properties/check.hpp"
#include "properties/property.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {

/// The seed every property uses unless RC_PARAMS names one, so CI runs are repeatable.
inline constexpr std::uint64_t kDefaultSeed = 20240601;

#ifndef MPCHECK_PROP_CASE_DIVISOR
#define MPCHECK_PROP_CASE_DIVISOR 1 // sanitizer builds divide every default case count
#endif

/// A positive count from the environment variable `name`, or `fallback`.
inline std::uint32_t env_count(const char* name, std::uint32_t fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr) return fallback;
    const long value = std::strtol(text, nullptr, 10);
    return value > 0 ? static_cast<std::uint32_t>(value) : fallback;
}

/// Runs `testable` as the current GoogleTest test, like RC_GTEST_PROP, but with `cases` cases
/// (divided in sanitizer builds) and the fixed seed kDefaultSeed. RC_PARAMS still wins: its
/// seed=, max_success= and reproduce= apply as usual.
template <class Testable> void check_property(std::uint32_t cases, Testable&& testable) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    rc::detail::TestMetadata metadata;
    metadata.id = info->test_suite_name();
    metadata.id += "/";
    metadata.id += info->name();
    metadata.description = info->name();
    rc::detail::TestParams params = rc::detail::configuration().testParams;
    const char* given_text = std::getenv("RC_PARAMS");
    const std::string given = given_text != nullptr ? given_text : "";
    if (given.find("seed=") == std::string::npos) params.seed = kDefaultSeed;
    if (given.find("max_success=") == std::string::npos) {
        const std::uint32_t scaled = cases / MPCHECK_PROP_CASE_DIVISOR;
        params.maxSuccess = static_cast<int>(scaled > 0 ? scaled : 1);
    }
    // rapidcheck's own "Using configuration" line shows its default seed, not this one.
    std::cout << "property seed=" << params.seed << " max_success=" << params.maxSuccess
              << " (RC_PARAMS may set both)" << std::endl;
    const auto result =
        rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
    if (result.template is<rc::detail::SuccessResult>()) {
        const auto success = result.template get<rc::detail::SuccessResult>();
        if (!success.distribution.empty()) {
            rc::detail::printResultMessage(result, std::cout);
            std::cout << std::endl;
        }
    } else {
        std::ostringstream message;
        rc::detail::printResultMessage(result, message);
        FAIL() << message.str();
    }
}

/// The programs the properties draw: the generator's defaults, with half of them started by
/// spawn or forkserver (3.11 re-runs the module in those children).
inline gen::GenOptions prop_options() {
    gen::GenOptions options;
    using model::StartMethod;
    options.start_methods = {StartMethod::fork, StartMethod::fork, StartMethod::spawn,
                             StartMethod::forkserver};
    return options;
}

/// Programs small enough for the reference enumerator (which has no visited set, so its cost
/// is the number of interleavings, not of states).
inline gen::GenOptions tiny_options() {
    gen::GenOptions options = prop_options();
    options.max_resources = 2;
    options.max_workers = 2;
    options.max_worker_steps = 2;
    options.max_main_steps = 2;
    return options;
}

/// A bound far above the few thousand states most generated programs have. A state bound,
/// unlike a time bound, stops every run at the same point.
inline explorer::Limits prop_limits() {
    explorer::Limits limits;
    limits.max_states = 200'000;
    return limits;
}

/// Counts the programs a property skips because their search hit prop_limits(). A rare large
/// program is skipped; many are a bug (a runaway spawn, a state that never repeats), so the
/// test fails when more than 1 in 50 were skipped.
class BoundTally {
public:
    /// Whether the search finished (the program is judged); counts it either way.
    bool admit(const properties::CheckResult& result) {
        ++tried_;
        if (result.completion == explorer::Completion::finished) return true;
        ++skipped_;
        return false;
    }
    /// Fails the current test if too many programs were skipped.
    void expect_rare() const {
        EXPECT_LE(skipped_ * 50, tried_)
            << skipped_ << " of " << tried_ << " generated programs hit the state bound";
    }

private:
    std::uint32_t tried_ = 0;
    std::uint32_t skipped_ = 0;
};

/// A check together with what the state graph says about the program as a whole.
struct Checked {
    properties::CheckResult result;
    /// No final state is reachable from the initial state: every interleaving deadlocks.
    bool every_run_deadlocks = false;
};

/// properties::check_model with a choice of search order (check_model always searches
/// breadth-first; the search-order property compares the two), plus a look at the graph.
inline Checked check_fully(const model::Model& model, explorer::SearchOrder order,
                           const explorer::Limits& limits = prop_limits()) {
    auto props = properties::default_properties(model);
    std::vector<explorer::Observer*> observers;
    for (auto& p : props)
        observers.push_back(p.get());
    explorer::Explorer explorer(model, limits, {}, order);
    Checked out;
    properties::CheckResult& result = out.result;
    result.completion = explorer.run(observers);
    result.stats = explorer.stats();
    for (const auto& p : props) {
        if (auto v = p->violation(explorer)) result.violations.push_back(std::move(*v));
    }
    if (!result.violations.empty()) {
        result.verdict = properties::Verdict::violation;
    } else if (result.completion != explorer::Completion::finished) {
        result.verdict = properties::Verdict::inconclusive;
    }
    out.every_run_deadlocks = explorer::first_doomed_state(explorer.graph()) == 0;
    return out;
}

/// check_fully's verdict alone.
inline properties::CheckResult check_in_order(const model::Model& model,
                                              explorer::SearchOrder order,
                                              const explorer::Limits& limits = prop_limits()) {
    return check_fully(model, order, limits).result;
}

/// The violated property ids, in contract order.
inline std::vector<std::string> violated_ids(const properties::CheckResult& result) {
    std::vector<std::string> ids;
    for (const auto& v : result.violations)
        ids.push_back(v.property);
    return ids;
}

/// Whether `id` is among the violated properties.
inline bool violates(const properties::CheckResult& result, std::string_view id) {
    for (const auto& v : result.violations) {
        if (v.property == id) return true;
    }
    return false;
}

/// The fact kind behind a property id (the contract's table, from properties/).
using properties::fact_kind_of;

} // namespace mpcheck::prop

// rapidcheck prints a failed RC_ASSERT's operands through showValue (found by ADL).
namespace mpcheck::explorer {
inline void showValue(Completion how, std::ostream& os) {
    static const char* const kNames[] = {"finished", "state_limit", "time_limit", "memory_limit",
                                         "model_limit"};
    os << kNames[static_cast<std::size_t>(how)];
}
} // namespace mpcheck::explorer

namespace mpcheck::properties {
inline void showValue(Verdict verdict, std::ostream& os) {
    static const char* const kNames[] = {"ok", "violation", "inconclusive"};
    os << kNames[static_cast<std::size_t>(verdict)];
}
} // namespace mpcheck::properties
