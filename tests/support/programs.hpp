#pragma once

#include "model/program_builder.hpp"

#include <cstdint>
#include <string>

namespace mpcheck::testing {

/// The seed program of the semantics spec (§4.6):
///
///   def child(q):
///       q.put('X' * n)                     # line 2
///   q = Queue()                            # line 5
///   p = Process(target=child, args=(q,))   # line 6
///   p.start()                              # line 7
///   p.join(); item = q.get()               # lines 8, 9 (join_first)
///   item = q.get(); p.join()               # lines 8, 9 (otherwise)
inline model::ProgramBuilder seed_program(std::uint64_t n, bool join_first) {
    model::ProgramBuilder b;
    auto child = b.function("child", {"q"});
    std::string text = "'X' * ";
    text += std::to_string(n);
    child.at(2, 5).sized_str(child.reg("item"), n, text);
    child.put(child.reg("q"), child.reg("item"));
    auto main = b.module();
    const auto q = main.reg("q");
    const auto p = main.reg("p");
    main.at(5).queue(q);
    main.at(6).process(p, "child", {q});
    main.at(7).start(p);
    if (join_first) {
        main.at(8).join(p);
        main.at(9).get(main.reg("item"), q);
    } else {
        main.at(8).get(main.reg("item"), q);
        main.at(9).join(p);
    }
    return b;
}

} // namespace mpcheck::testing
