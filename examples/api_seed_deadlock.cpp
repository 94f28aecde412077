// The seed example of mpcheck, built through the C++ API:
//
//   def child(q):
//       q.put('X' * 1000000)
//
//   if __name__ == '__main__':
//       q = Queue()
//       p = Process(target=child, args=(q,))
//       p.start()
//       p.join()        # hangs: the child cannot exit until its feeder flushed the item
//       item = q.get()
//
// It prints the text report (a deadlock with its shortest trace), then checks the fixed
// program (get before join) and prints its verdict.
#include "model/model.hpp"
#include "model/program_builder.hpp"
#include "properties/check.hpp"
#include "traces/render.hpp"

#include <iostream>

namespace {

mpcheck::model::Program seed(bool join_first) {
    mpcheck::model::ProgramBuilder b;
    auto child = b.function("child", {"q"});
    child.at(2, 5).sized_str(child.reg("item"), 1'000'000, "'X' * 1000000");
    child.put(child.reg("q"), child.reg("item"), mpcheck::model::Wait::forever);
    auto main = b.module();
    const auto q = main.reg("q");
    const auto p = main.reg("p");
    main.at(5, 5).queue(q);
    main.at(6, 5).process(p, "child", {q});
    main.at(7, 5).start(p);
    if (join_first) {
        main.at(8, 5).join(p);
        main.at(9, 5).get(main.reg("item"), q);
    } else {
        main.at(8, 5).get(main.reg("item"), q);
        main.at(9, 5).join(p);
    }
    return b.build();
}

} // namespace

int main() {
    using namespace mpcheck;
    for (const bool buggy : {true, false}) {
        const model::Model m(seed(buggy), model::StartMethod::fork);
        const auto result = properties::check_model(m, {});
        std::cout << (buggy ? "== seed.py (join before get) ==\n"
                            : "== seed_fixed.py (get before join) ==\n");
        std::cout << traces::to_text(result, m, buggy ? "seed.py" : "seed_fixed.py") << "\n";
    }
    return 0;
}
