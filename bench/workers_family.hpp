#pragma once

#include "model/program_builder.hpp"

#include <string>

namespace mpcheck::bench {

/// The scaling family of the benchmark (and of bench/spin/workers.pml):
///
///   def worker(tasks, results):
///       while True:
///           t = tasks.get()
///           if t is None:
///               break
///           results.put(t * 2)
///
///   tasks, results = Queue(), Queue()
///   ps = [Process(target=worker, args=(tasks, results)) for _ in range(n)]
///   for p in ps: p.start()
///   for i in range(n): tasks.put(i)
///   for _ in range(n): tasks.put(None)
///   for _ in range(n): results.get()
///   for p in ps: p.join()
///
/// The module's loops are unrolled (the model then needs no loop counters).
inline model::Program workers_family(int n) {
    using model::BinaryOp;
    model::ProgramBuilder b;
    auto w = b.function("worker", {"tasks", "results"});
    const auto t = w.reg("t");
    const auto none = w.reg("none");
    const auto two = w.reg("two");
    const auto is_none = w.reg("is_none");
    const auto doubled = w.reg("doubled");
    w.at(2).none(none);
    w.integer(two, 2);
    const auto loop = w.at(3).pc();
    w.get(t, w.reg("tasks"));
    w.at(4).binary(is_none, t, BinaryOp::is, none);
    const auto exit = w.jump_if_true(is_none);
    w.at(6).binary(doubled, t, BinaryOp::mul, two);
    w.put(w.reg("results"), doubled);
    w.jump(loop);
    w.patch(exit, w.pc());

    auto m = b.module();
    const auto tasks = m.reg("tasks");
    const auto results = m.reg("results");
    m.at(9).queue(tasks);
    m.queue(results);
    std::vector<model::Reg> ps;
    for (int i = 0; i < n; ++i) {
        std::string name = "p";
        name += std::to_string(i);
        ps.push_back(m.reg(name));
        m.at(10).process(ps.back(), "worker", {tasks, results});
    }
    for (const auto p : ps)
        m.at(11).start(p);
    const auto item = m.reg("i");
    for (int i = 0; i < n; ++i) {
        m.at(12).integer(item, i);
        m.put(tasks, item);
    }
    const auto sentinel = m.reg("sentinel");
    m.none(sentinel);
    for (int i = 0; i < n; ++i)
        m.at(13).put(tasks, sentinel);
    const auto r = m.reg("r");
    for (int i = 0; i < n; ++i)
        m.at(14).get(r, results);
    for (const auto p : ps)
        m.at(15).join(p);
    return b.build();
}

} // namespace mpcheck::bench
