// Scaling benchmark of the explorer: N workers reading tasks from one queue until a sentinel,
// results on a second queue, the parent joins all (bench/workers_family.hpp).
//
//   workers_bench [N_MIN [N_MAX]] [--max-seconds S]
//
// Prints one line per N with states, transitions, seconds, states/s and bytes per stored
// state (the visited-state store; graph and parent links reported separately).
#include "bench/workers_family.hpp"
#include "properties/check.hpp"
#include "traces/render.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
    int lo = 1;
    int hi = 8;
    double max_seconds = 120;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
            max_seconds = std::atof(argv[++i]);
        } else if (positional == 0) {
            lo = hi = std::atoi(argv[i]);
            ++positional;
        } else {
            hi = std::atoi(argv[i]);
        }
    }
    for (int n = lo; n <= hi; ++n) {
        const mpcheck::model::Model model(mpcheck::bench::workers_family(n),
                                          mpcheck::model::StartMethod::fork);
        mpcheck::explorer::Limits limits;
        limits.max_seconds = max_seconds;
        mpcheck::explorer::ProgressReport progress;
        progress.callback = [n](const mpcheck::explorer::Stats& st) {
            std::fprintf(stderr, "  N=%d: %llu states, %.0f s, %.0f states/s\n", n,
                         static_cast<unsigned long long>(st.states), st.seconds,
                         st.states_per_second());
        };
        const auto r = mpcheck::properties::check_model(model, limits, progress);
        const auto& s = r.stats;
        std::printf("mpcheck N=%d verdict=%s states=%llu transitions=%llu depth=%u seconds=%.3f "
                    "states_per_s=%.0f bytes_per_state=%.1f graph_bytes_per_state=%.1f\n",
                    n, std::string(mpcheck::traces::verdict_name(r.verdict)).c_str(),
                    static_cast<unsigned long long>(s.states),
                    static_cast<unsigned long long>(s.transitions), s.max_depth, s.seconds,
                    s.states_per_second(), s.bytes_per_state(),
                    s.states > 0 ? double(s.graph_bytes) / double(s.states) : 0.0);
        std::fflush(stdout);
        if (r.verdict == mpcheck::properties::Verdict::inconclusive) break;
    }
    return 0;
}
