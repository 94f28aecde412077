#include "tests/prop/python_runner.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ; // NOLINT: POSIX declares it nowhere else; posix_spawn passes it on

namespace mpcheck::prop {
namespace {

namespace fs = std::filesystem;

/// A private scratch directory, removed with its contents when done.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "mpcheck-prop-XXXXXX").string();
        if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ignored;
        if (!path_.empty()) fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// "p<job>" followed by `suffix`: the names of a job's files in the scratch directory.
std::string job_file(std::size_t job, const char* suffix) {
    std::string name = "p";
    name += std::to_string(job);
    name += suffix;
    return name;
}

std::string seconds_text(double seconds) {
    std::ostringstream out;
    out << seconds;
    return out.str();
}

/// Starts `sh -c command`; returns its pid, or -1.
pid_t spawn_shell(const std::string& command) {
    std::string shell = "/bin/sh";
    std::string flag = "-c";
    std::string text = command;
    char* argv[] = {shell.data(), flag.data(), text.data(), nullptr};
    pid_t pid = -1;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, environ) != 0) return -1;
    return pid;
}

} // namespace

bool PythonRun::clean() const {
    return !timed_out && exit_status == 0 && stderr_text.find("Traceback") == std::string::npos;
}

std::vector<std::vector<PythonRun>> run_python(const std::vector<PythonJob>& jobs,
                                               std::uint32_t parallel) {
    std::vector<std::vector<PythonRun>> results(jobs.size());
    const ScratchDir dir;
    struct Pending {
        std::size_t job;
        std::uint32_t run;
        fs::path err;
    };
    std::vector<Pending> queue;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const fs::path script = dir.path() / job_file(j, ".py");
        std::ofstream(script) << jobs[j].source;
        results[j].resize(jobs[j].runs);
        for (std::uint32_t r = 0; r < jobs[j].runs; ++r) {
            std::string err = "-";
            err += std::to_string(r);
            err += ".err";
            queue.push_back({j, r, dir.path() / job_file(j, err.c_str())});
        }
    }
    // timeout(1) runs python in a process group of its own and signals the whole group, so a
    // hung program's children go too; -k sends SIGKILL if SIGTERM is not enough.
    std::map<pid_t, Pending> running;
    auto reap_one = [&] {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        const auto it = running.find(pid);
        if (it == running.end()) return; // not one of ours
        PythonRun& out = results[it->second.job][it->second.run];
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        out.timed_out = code == 124 || code == 137; // timeout(1): TERM, or KILL after -k
        out.exit_status = code;
        out.stderr_text = read_file(it->second.err);
        running.erase(it);
    };
    for (const Pending& p : queue) {
        while (running.size() >= parallel)
            reap_one();
        std::string command = "exec env -u PYTHONUNBUFFERED timeout -k 1 ";
        command += seconds_text(jobs[p.job].timeout_seconds);
        command += " python3 '";
        command += (dir.path() / job_file(p.job, ".py")).string();
        command += "' > /dev/null 2> '";
        command += p.err.string();
        command += "'";
        const pid_t pid = spawn_shell(command);
        if (pid < 0) {
            results[p.job][p.run].exit_status = 127;
            continue;
        }
        running.emplace(pid, p);
    }
    while (!running.empty())
        reap_one();
    return results;
}

} // namespace mpcheck::prop
