// Property 6: bad input gets a clear error, never a crash. Example and generated programs,
// damaged by a few random edits (spans deleted, tokens inserted, lines duplicated or moved,
// characters replaced), are read by the front end, which must either refuse them with a message
// at a line and column inside the text, or lower them into a program the checker then explores
// without failing (a bounded search, whose verdict is only `ok` when it finished).
#include "frontend/frontend.hpp"
#include "tests/prop/prop_support.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace mpcheck::prop {
namespace {

std::vector<std::string> corpus() {
    std::vector<std::string> out;
    const std::filesystem::path dir = std::filesystem::path(MPCHECK_SOURCE_DIR) / "examples/python";
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".py") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end()); // the same corpus order on every machine
    for (const auto& f : files) {
        std::ifstream in(f);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

// Fragments that are likely to reach deep into the lexer, parser and lowering.
constexpr const char* kTokens[] = {
    "(",     ")",     "[",        "]",       "{",          "}",      ":",      ",",       ".",
    "'",     "\"",    "\"\"\"",   "\\",      "#",          "\n",     "    ",   "\t",      "=",
    "==",    "**",    "*",        "-",       "+=",         "lambda", "yield",  "async ",  "await ",
    "@",     "del x", "global ",  "None",    "0x",         "1e9",    "10**40", "-1",      "'X' * ",
    "q.put", "q.get", ".start()", ".join()", "mp.Queue()", "if ",    "else:",  "while ",  "for ",
    " in ",  "try:",  "except ",  "with ",   "return",     "def f(", "class ", "import ", "é",
};

std::string mutate(std::string text, unsigned kind, double at, double span, std::size_t token) {
    if (text.empty()) return std::string(kTokens[token % std::size(kTokens)]);
    const auto pos = static_cast<std::size_t>(at * static_cast<double>(text.size()));
    const std::size_t p = std::min(pos, text.size() - 1);
    switch (kind % 5) {
    case 0: { // delete a span
        const auto n = static_cast<std::size_t>(span * 40) + 1;
        text.erase(p, std::min(n, text.size() - p));
        break;
    }
    case 1: // insert a token
        text.insert(p, kTokens[token % std::size(kTokens)]);
        break;
    case 2: { // duplicate the line around p
        const std::size_t b =
            text.rfind('\n', p) == std::string::npos ? 0 : text.rfind('\n', p) + 1;
        const std::size_t e = std::min(text.find('\n', p), text.size());
        text.insert(b, text.substr(b, e - b) + "\n");
        break;
    }
    case 3: { // move the line around p elsewhere
        const std::size_t b =
            text.rfind('\n', p) == std::string::npos ? 0 : text.rfind('\n', p) + 1;
        const std::size_t e = std::min(text.find('\n', p) + 1, text.size());
        const std::string line = text.substr(b, e - b);
        text.erase(b, e - b);
        const auto to = std::min(static_cast<std::size_t>(span * static_cast<double>(text.size())),
                                 text.size());
        text.insert(to, line);
        break;
    }
    default: // replace one character
        text[p] = kTokens[token % std::size(kTokens)][0];
        break;
    }
    return text;
}

// A number drawn uniformly from [lo, hi) at every size: rapidcheck scales inRange with the size,
// which would keep the early cases on the first program and its first lines.
template <typename T> T uniform(T lo, T hi) {
    return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(lo, hi));
}

// Generated programs to damage: also with main's body in a function (printed only).
gen::GenOptions fuzz_options() {
    gen::GenOptions options = prop_options();
    options.main_in_function = true;
    return options;
}

std::size_t lines_of(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

TEST(FrontEndFuzz, DamagedProgramsAreRefusedClearlyOrChecked) {
    static const std::vector<std::string> programs = corpus();
    ASSERT_FALSE(programs.empty());
    std::uint32_t refused = 0;
    std::uint32_t checked = 0;
    check_property(env_count("MPCHECK_FUZZ_CASES", 2000), [&] {
        // Half the time a generated program: denser in multiprocessing calls than the examples.
        std::string text = uniform(0, 2) == 0
                               ? programs[uniform<std::size_t>(0, programs.size())]
                               : gen::to_python(*gen::arbitrary_program(fuzz_options()));
        const auto edits = uniform(1, 4);
        for (int i = 0; i < edits; ++i) {
            const auto kind = uniform(0u, 5u);
            const auto at = uniform(0, 10000) / 10000.0;
            const auto span = uniform(0, 10000) / 10000.0;
            const auto token = uniform<std::size_t>(0, std::size(kTokens));
            text = mutate(std::move(text), kind, at, span, token);
        }
        RC_LOG() << text;
        // A crash ends the process before rapidcheck can print the case: MPCHECK_FUZZ_DUMP=FILE
        // keeps the last program read in FILE.
        if (const char* dump = std::getenv("MPCHECK_FUZZ_DUMP")) std::ofstream(dump) << text;
        auto lowered = frontend::lower_python(text, "fuzz.py");
        if (const auto* d = std::get_if<frontend::Diagnostic>(&lowered)) {
            ++refused;
            RC_ASSERT(!d->message.empty());
            RC_ASSERT(d->line >= 1u);
            RC_ASSERT(d->line <= lines_of(text) + 1);
            RC_ASSERT(d->column >= 1u);
            return;
        }
        ++checked;
        const model::Model m(std::get<model::Program>(std::move(lowered)),
                             model::StartMethod::fork);
        explorer::Limits limits;
        limits.max_states = 20'000;
        limits.max_seconds = 5;
        const auto r = properties::check_model(m, limits);
        if (r.verdict == properties::Verdict::ok)
            RC_ASSERT(r.completion == explorer::Completion::finished);
    });
    std::cout << "damaged programs: " << refused << " refused, " << checked << " checked"
              << std::endl;
    // Both outcomes must occur, or the edits tested only one side.
    EXPECT_GT(refused, 0u);
    EXPECT_GT(checked, 0u);
}

} // namespace
} // namespace mpcheck::prop
