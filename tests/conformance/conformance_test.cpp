// The model against CPython: every example program is run on the machine's python3 and must
// behave as the model's verdict says it certainly does.
//   - ok: exits with status 0, in every run;
//   - no deadlock found: terminates (whatever its status), in every run;
//   - no interleaving can finish (the initial state is doomed): hangs, in every run;
//   - api-misuse: the exception the model raises for it appears on stderr, in every run.
// Nothing is claimed where the outcome depends on the interleaving (e.g. a deadlock that only
// some schedules reach), so an example with no certain claim has no test here. Examples with a
// `# known-gap:` line are known to disagree with CPython; the golden test holds them as
// expected failures, and they join this suite when the gap is fixed.
#include "model/value.hpp"
#include "tests/conformance/python_runner.hpp"
#include "tests/golden/example_catalog.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sys/types.h>
#include <thread>
#include <unistd.h>

#ifndef MPCHECK_PYTHON3
#error "MPCHECK_PYTHON3 must name the python3 interpreter"
#endif

namespace mpcheck::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kRuns = 3;
/// Long enough for any of these programs to finish on a loaded machine.
constexpr auto kFinishLimit = 60s;
/// A program that has not finished after this long is taken to hang.
constexpr auto kHangLimit = 3s;

/// What the model says for certain about one example's behaviour on CPython.
struct Claims {
    bool exits_zero = false;         ///< verdict ok
    bool terminates = false;         ///< no reachable state from which it cannot finish
    bool hangs = false;              ///< no interleaving finishes
    std::vector<std::string> raises; ///< exceptions of its api-misuse violations
    bool any() const { return exits_zero || terminates || hangs || !raises.empty(); }
};

struct Case {
    std::string stem;
    std::filesystem::path path;
    std::string verdict; ///< the model's text report, for failure messages
    Claims claims;
};

void PrintTo(const Case& c, std::ostream* out) {
    *out << c.path.filename().string();
}

/// The exception type CPython raises for an api-misuse violation, from the fact its last step
/// revealed; nothing when the trace does not show it.
std::optional<std::string> misuse_exception(const properties::Violation& v) {
    if (v.trace.steps.empty()) return std::nullopt;
    for (const model::Fact& f : v.trace.steps.back().facts) {
        if (f.kind != model::FactKind::api_misuse) continue;
        std::string name = model::python_name(static_cast<model::ExcType>(f.detail));
        // CPython prints the defining module's name ("_queue.Empty"); match the class name.
        if (const auto dot = name.rfind('.'); dot != std::string::npos) name.erase(0, dot + 1);
        return name;
    }
    return std::nullopt;
}

Claims claims_of(const api::Report& report) {
    Claims c;
    if (report.error || report.result.completion != explorer::Completion::finished) return c;
    const auto ids = violated(report);
    const bool deadlock = std::find(ids.begin(), ids.end(), "deadlock") != ids.end();
    c.exits_zero = ids.empty();
    c.terminates = !deadlock;
    c.hangs = !report.result.can_finish;
    for (const auto& v : report.result.violations) {
        if (v.property != "api-misuse") continue;
        if (auto name = misuse_exception(v)) c.raises.push_back(*name);
    }
    return c;
}

const std::vector<Case>& cases() {
    static const std::vector<Case> all = [] {
        std::vector<Case> out;
        for (const Example& e : load_examples()) {
            if (e.known_gap) continue;
            const api::Report report = check_example(e);
            Case c{e.stem, source_dir() / e.relative, api::to_text(report), claims_of(report)};
            if (c.claims.any()) out.push_back(std::move(c));
        }
        return out;
    }();
    return all;
}

std::string describe(const PythonRun& run) {
    std::string out = run.timed_out ? "still running at the deadline"
                                    : "exited with status " + std::to_string(run.exit_status);
    out += "; stderr:\n";
    out += run.stderr_text;
    return out;
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, CPythonBehavesAsTheModelClaims) {
    const Case& c = GetParam();
    const Claims& claim = c.claims;
    const auto limit = claim.terminates ? std::chrono::milliseconds(kFinishLimit)
                                        : std::chrono::milliseconds(kHangLimit);
    const auto runs = run_python(MPCHECK_PYTHON3, c.path, kRuns, limit);
    ASSERT_EQ(runs.size(), static_cast<std::size_t>(kRuns));
    for (const PythonRun& run : runs) {
        if (claim.hangs) {
            EXPECT_TRUE(run.timed_out)
                << "the model finds no interleaving that finishes, but CPython " << describe(run)
                << "\nmodel:\n"
                << c.verdict;
        }
        if (claim.terminates) {
            EXPECT_FALSE(run.timed_out)
                << "the model finds no deadlock, but CPython " << describe(run) << "\nmodel:\n"
                << c.verdict;
        }
        if (claim.exits_zero) {
            EXPECT_EQ(run.exit_status, 0)
                << "the model finds no violation, but CPython " << describe(run) << "\nmodel:\n"
                << c.verdict;
        }
        for (const auto& exception : claim.raises) {
            EXPECT_NE(run.stderr_text.find(exception), std::string::npos)
                << "the model reports api-misuse raising " << exception << ", but CPython "
                << describe(run) << "\nmodel:\n"
                << c.verdict;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Examples, Conformance, ::testing::ValuesIn(cases()));

/// Whether `pid` is a live process (a zombie waiting to be reaped counts as gone).
bool alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

TEST(PythonRunner, ATimeoutKillsEveryProcessTheScriptStarted) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("mpcheck-runner-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto script = dir / "hang.py";
    std::ofstream(script) << "import sys, time\n"
                             "from multiprocessing import Process\n"
                             "if __name__ == '__main__':\n"
                             "    p = Process(target=time.sleep, args=(1000,))\n"
                             "    p.start()\n"
                             "    print(p.pid, file=sys.stderr, flush=True)\n"
                             "    p.join()\n";
    const auto runs = run_python(MPCHECK_PYTHON3, script, 1, kHangLimit);
    std::filesystem::remove_all(dir);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_TRUE(runs[0].timed_out) << describe(runs[0]);
    const pid_t child = static_cast<pid_t>(std::strtol(runs[0].stderr_text.c_str(), nullptr, 10));
    ASSERT_GT(child, 0) << "the script did not report its child: " << describe(runs[0]);
    // The killed child is reparented and reaped by init; give that a moment.
    for (int i = 0; i < 100 && alive(child); ++i)
        std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(alive(child)) << "the script's child " << child << " survived the timeout";
}

} // namespace
} // namespace mpcheck::testing
