#pragma once

// Runs Python programs under the real CPython, many at once, each under `timeout`: what the
// differential property compares the model's verdicts with.

#include <cstdint>
#include <string>
#include <vector>

namespace mpcheck::prop {

/// One program to run, how often, and for how long at most.
struct PythonJob {
    std::string source;
    std::uint32_t runs = 1;
    double timeout_seconds = 3;
};

/// The outcome of one run.
struct PythonRun {
    bool timed_out = false; ///< still running at the timeout (killed, with its children)
    int exit_status = 0;    ///< the interpreter's exit status when it ended by itself
    std::string stderr_text;
    /// Whether the run ended by itself, with status 0 and no traceback from any process.
    [[nodiscard]] bool clean() const;
};

/// Runs every job's program `runs` times with `env -u PYTHONUNBUFFERED timeout T python3`,
/// at most `parallel` interpreters at once; result [i][r] is run r of job i. A run that cannot
/// be started at all is reported as exit status 127.
std::vector<std::vector<PythonRun>> run_python(const std::vector<PythonJob>& jobs,
                                               std::uint32_t parallel = 24);

} // namespace mpcheck::prop
