#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace mpcheck::testing {

/// How one run of a Python script on the real interpreter ended.
struct PythonRun {
    bool timed_out = false;  ///< still running at the deadline (its process group was killed)
    int exit_status = -1;    ///< exit status, or -signal when it died from a signal
    std::string stderr_text; ///< everything it wrote to stderr
};

/// Runs `copies` instances of `python script` at the same time, each in a fresh temporary
/// directory and its own process group, with PYTHONUNBUFFERED removed from the environment
/// (buffering is part of the behaviour under test). A run still going after `limit` is
/// killed with its whole process group, so no multiprocessing child survives the test.
std::vector<PythonRun> run_python(const std::string& python, const std::filesystem::path& script,
                                  int copies, std::chrono::milliseconds limit);

} // namespace mpcheck::testing
