#include "tests/conformance/python_runner.hpp"

#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace mpcheck::testing {
namespace {

struct Child {
    pid_t pid = -1;
    std::filesystem::path dir;
    bool done = false;
    PythonRun run;
};

std::filesystem::path make_temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mpcheck-conformance-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return {};
    return pattern;
}

/// The current environment without PYTHONUNBUFFERED, built before fork so that the child only
/// makes async-signal-safe calls until exec.
std::vector<std::string> environment_without_unbuffered() {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::strncmp(*e, "PYTHONUNBUFFERED=", 17) != 0) env.emplace_back(*e);
    }
    return env;
}

[[noreturn]] void exec_in(const std::string& dir, char* const argv[], char* const envp[]) {
    // Its own process group, so that a timeout can kill every process the script started.
    setpgid(0, 0);
    if (chdir(dir.c_str()) != 0) _exit(126);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv, envp);
    _exit(127);
}

int decode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::vector<PythonRun> run_python(const std::string& python, const std::filesystem::path& script,
                                  int copies, std::chrono::milliseconds limit) {
    std::vector<std::string> env = environment_without_unbuffered();
    std::vector<char*> envp;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string python_arg = python;
    std::string script_arg = script.string();
    char* argv[] = {python_arg.data(), script_arg.data(), nullptr};

    std::vector<Child> children(static_cast<std::size_t>(copies));
    for (Child& c : children) {
        c.dir = make_temp_dir();
        if (c.dir.empty()) {
            c.done = true;
            c.run.stderr_text = "cannot create a temporary directory";
            continue;
        }
        c.pid = fork();
        if (c.pid == 0) exec_in(c.dir.string(), argv, envp.data());
        if (c.pid < 0) {
            c.done = true;
            c.run.stderr_text = "fork failed";
            continue;
        }
        setpgid(c.pid, c.pid); // also from this side: no window in which a kill would miss it
    }

    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto pending = [&] {
        for (const Child& c : children)
            if (!c.done) return true;
        return false;
    };
    while (pending() && std::chrono::steady_clock::now() < deadline) {
        for (Child& c : children) {
            int status = 0;
            if (!c.done && waitpid(c.pid, &status, WNOHANG) == c.pid) {
                c.done = true;
                c.run.exit_status = decode(status);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    std::vector<PythonRun> runs;
    for (Child& c : children) {
        if (c.pid > 0) {
            if (!c.done) {
                kill(-c.pid, SIGKILL);
                int status = 0;
                waitpid(c.pid, &status, 0);
                c.run.timed_out = true;
                c.run.exit_status = decode(status);
            }
            // Children the script left behind (e.g. orphans of a parent that died) go too.
            kill(-c.pid, SIGKILL);
        }
        if (!c.dir.empty()) {
            c.run.stderr_text += read_all(c.dir / "stderr.txt");
            std::error_code ignored;
            std::filesystem::remove_all(c.dir, ignored);
        }
        runs.push_back(std::move(c.run));
    }
    return runs;
}

} // namespace mpcheck::testing
