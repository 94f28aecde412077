// Property 5: differential testing against the real CPython. Generated programs, printed as
// Python, run several times under `timeout`:
//  - a program the model finds free of deadlock, api-misuse, uncaught exceptions and failed
//    assertions in every interleaving must end by itself every time, with status 0 and no
//    traceback from any process;
//  - a program free of deadlock but not of the others must still end by itself every time;
//  - a program none of whose interleavings can finish (its initial state is doomed) must hang
//    every time.
// Programs that deadlock in some interleavings only and the rare program whose search hits the
// state bound are not judged.
//
// Cost is bounded: MPCHECK_DIFF_CASES programs (default 32), MPCHECK_DIFF_RUNS runs each
// (default 3), a fixed seed, all runs of a batch of programs at once. A hang costs its timeout.
#include "frontend/frontend.hpp"
#include "tests/prop/prop_support.hpp"
#include "tests/prop/python_runner.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::prop {
namespace {

/// How long a program the model calls doomed must keep running to count as hung.
constexpr double kHangSeconds = 3;
/// How long a clean program may take (only a failing program waits this long).
constexpr double kFinishSeconds = 10;
/// Programs per rapidcheck case: the batch length is drawn from 0 to this, so 8 on average.
constexpr int kMaxBatch = 16;

enum class Expectation { finishes_cleanly, finishes, hangs, not_judged };

/// The model of a generated program: built, or (main in a function, which to_model does not
/// build) lowered from its Python text by the front end.
model::Program model_of(const gen::GenProgram& p) {
    if (!p.main_in_function) return gen::to_model(p);
    auto lowered = frontend::lower_python(gen::to_python(p), "generated.py");
    if (const auto* d = std::get_if<frontend::Diagnostic>(&lowered)) {
        RC_FAIL("the front end refused a generated program: " + d->message + " at line " +
                std::to_string(d->line) + "\n" + gen::to_python(p));
    }
    return std::get<model::Program>(std::move(lowered));
}

Expectation expectation(const Checked& checked) {
    if (checked.every_run_deadlocks) return Expectation::hangs;
    if (violates(checked.result, "deadlock")) return Expectation::not_judged;
    for (const char* id : {"api-misuse", "uncaught-exception", "assertion"}) {
        if (violates(checked.result, id)) return Expectation::finishes;
    }
    return Expectation::finishes_cleanly;
}

/// Whether a run shows what the model predicts.
bool agrees(Expectation expected, const PythonRun& run) {
    switch (expected) {
    case Expectation::finishes_cleanly:
        return run.clean();
    case Expectation::finishes:
        return !run.timed_out;
    case Expectation::hangs:
        return run.timed_out;
    case Expectation::not_judged:
        break;
    }
    return true;
}

const char* prediction(Expectation expected) {
    switch (expected) {
    case Expectation::finishes_cleanly:
        return "no interleaving deadlocks, misuses the API or raises";
    case Expectation::finishes:
        return "no interleaving deadlocks";
    case Expectation::hangs:
        return "every interleaving deadlocks";
    case Expectation::not_judged:
        break;
    }
    return "not judged";
}

/// The failure report: the program, the model's verdict and what CPython did.
std::string discrepancy(const gen::GenProgram& program, const Checked& checked,
                        Expectation expected, const PythonRun& run, std::size_t run_index) {
    std::string out = "\n--- program ---\n";
    out += gen::to_python(program);
    out += "--- model ---\n";
    out += prediction(expected);
    out += "; violated:";
    for (const auto& id : violated_ids(checked.result)) {
        out += " ";
        out += id;
    }
    out += "\n--- CPython, run ";
    out += std::to_string(run_index + 1);
    out += " ---\n";
    out += run.timed_out ? "still running at the timeout" : "ended with exit status ";
    if (!run.timed_out) out += std::to_string(run.exit_status);
    out += "\n";
    out += run.stderr_text;
    return out;
}

TEST(CPythonDifferential, ModelVerdictsHoldOnCPython) {
    const std::uint32_t programs = env_count("MPCHECK_DIFF_CASES", 32);
    const std::uint32_t runs = env_count("MPCHECK_DIFF_RUNS", 3);
    std::uint32_t judged_hangs = 0;
    std::uint32_t judged_finishing = 0;
    std::uint32_t not_judged = 0;
    std::uint32_t in_function = 0; // judged programs whose main's body is a function
    BoundTally bounds;
    const std::uint32_t cases = (programs * 2 + kMaxBatch - 1) / kMaxBatch;
    check_property(cases, [&] {
        // Half the programs run main's body in a function main(), whose objects die when it
        // returns: a Connection's descriptor closes, a spawn SemLock's name is unlinked.
        gen::GenOptions options = prop_options();
        options.main_in_function = true;
        const auto batch = *rc::gen::resize(
            kMaxBatch,
            rc::gen::container<std::vector<gen::GenProgram>>(gen::arbitrary_program(options)));
        std::vector<PythonJob> jobs;
        std::vector<std::size_t> program_of_job;
        std::vector<Checked> checks;
        std::vector<Expectation> expected;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const model::Model m(model_of(batch[i]), model::StartMethod::fork);
            checks.push_back(check_fully(m, explorer::SearchOrder::breadth_first));
            const bool within_bound = bounds.admit(checks.back().result);
            expected.push_back(within_bound ? expectation(checks.back()) : Expectation::not_judged);
            if (expected.back() == Expectation::not_judged) {
                ++not_judged;
                continue;
            }
            const bool hangs = expected.back() == Expectation::hangs;
            jobs.push_back({gen::to_python(batch[i]), runs, hangs ? kHangSeconds : kFinishSeconds});
            program_of_job.push_back(i);
        }
        const auto results = run_python(jobs);
        for (std::size_t j = 0; j < jobs.size(); ++j) {
            const std::size_t i = program_of_job[j];
            const bool hangs = expected[i] == Expectation::hangs;
            (hangs ? judged_hangs : judged_finishing) += 1;
            if (batch[i].main_in_function) ++in_function;
            for (std::size_t r = 0; r < results[j].size(); ++r) {
                if (!agrees(expected[i], results[j][r]))
                    RC_FAIL(discrepancy(batch[i], checks[i], expected[i], results[j][r], r));
            }
        }
    });
    std::cout << "programs run on CPython: " << judged_hangs << " must hang, " << judged_finishing
              << " must finish (" << in_function << " with main() a function); " << not_judged
              << " not judged (shrinking counts again)" << std::endl;
    // The property must have judged programs of both kinds, or it tested nothing.
    EXPECT_GT(judged_hangs, 0u);
    EXPECT_GT(judged_finishing, 0u);
    EXPECT_GT(in_function, 0u);
    bounds.expect_rare();
}

} // namespace
} // namespace mpcheck::prop
