// mpcheck: the command line (../shared contract: cli-contract.md). A thin adapter: argv ->
// CheckOptions -> api::check_file -> report on stdout -> exit status. No verdict logic here.
#include "api/check.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>

namespace {

constexpr int kInputError = 2;

const std::map<std::string, mpcheck::model::StartMethod> kMethods{
    {"fork", mpcheck::model::StartMethod::fork},
    {"spawn", mpcheck::model::StartMethod::spawn},
    {"forkserver", mpcheck::model::StartMethod::forkserver}};

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"mpcheck: a model checker for Python multiprocessing programs.\n"
                 "Explores every interleaving of the program's processes, queue feeder threads,\n"
                 "pipes and locks, and reports each violated property with its shortest trace."};
    app.require_subcommand(1);
    CLI::App* check = app.add_subcommand(
        "check", "Check FILE.py. Exit status: 0 ok, 1 violation, 2 input error, 3 inconclusive "
                 "(a bound stopped the search before it finished).");
    std::string file;
    std::string format = "text";
    std::string method = "fork";
    std::optional<std::uint64_t> max_states;
    std::optional<double> max_seconds;
    std::string trace_dir;
    bool progress = false;
    check->add_option("FILE", file, "the Python program to check")->required();
    check->add_option("--format", format, "report format on stdout")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    check
        ->add_option("--start-method", method,
                     "start method to model when the script does not set one")
        ->check(CLI::IsMember({"fork", "spawn", "forkserver"}))
        ->capture_default_str();
    check
        ->add_option("--max-states", max_states,
                     "stop after N distinct states (verdict inconclusive if unfinished)")
        ->check(CLI::PositiveNumber);
    check
        ->add_option("--max-seconds", max_seconds,
                     "stop after S seconds of exploration (verdict inconclusive if unfinished)")
        ->check(CLI::PositiveNumber);
    check->add_option("--trace-dir", trace_dir,
                      "write each counterexample to DIR as text and JSON");
    check->add_flag("--progress", progress, "print progress to stderr every few seconds");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int status = app.exit(e);
        return status == 0 ? 0 : kInputError; // --help is not an error; bad options are
    }

    mpcheck::api::CheckOptions options;
    options.start_method = kMethods.at(method);
    options.limits.max_states = max_states;
    options.limits.max_seconds = max_seconds;
    if (progress) {
        options.progress.callback = [](const mpcheck::explorer::Stats& s) {
            std::fprintf(stderr, "mpcheck: %llu states, %.0f s, %.0f states/s\n",
                         static_cast<unsigned long long>(s.states), s.seconds,
                         s.states_per_second());
        };
    }
    const auto report = mpcheck::api::check_file(file, options);
    std::cout << (format == "json" ? mpcheck::api::to_json(report) : mpcheck::api::to_text(report));
    if (!trace_dir.empty()) {
        std::string error;
        if (!mpcheck::api::write_trace_dir(report, trace_dir, error)) {
            std::cerr << "mpcheck: " << error << "\n";
            return kInputError;
        }
    }
    return mpcheck::api::exit_code(report);
}
