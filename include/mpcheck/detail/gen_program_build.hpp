#pragma once

// A generated program built with model::ProgramBuilder, line for line as its Python text.
// Part of mpcheck/rapidcheck.hpp (which includes it after declaring the types it uses).

#include "model/program_builder.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpcheck/detail/gen_program_text.hpp"
#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::gen {
namespace detail {

/// Emits step `index` of a body into `f` at `line`, described in traces by its Python text.
/// `in_main`: objects are module globals, loaded into temporaries (as the front end lowers
/// module-level names); in a worker they are its parameters.
inline void build_step(model::FunctionBuilder& f, const GenProgram& p, const GenStep& s,
                       std::size_t index, bool in_main, std::uint32_t line) {
    using model::Op;
    using model::Reg;
    const std::string name = step_object(p, s);
    const std::string text = statement_text(p, s, index);
    auto load = [&](const std::string& n) {
        if (!in_main) return f.reg(n);
        const Reg t = f.temp();
        f.load_global(t, n);
        return t;
    };
    auto object = [&] { return load(name); };
    auto payload = [&] {
        if (s.payload == Payload::write_end) return load(sent_end_name(p, s));
        const Reg t = f.temp();
        if (s.payload == Payload::small) f.integer(t, 1);
        if (s.payload == Payload::sentinel) f.none(t);
        if (const std::uint64_t chars = payload_chars(s.payload); chars > 0)
            f.sized_str(t, chars, payload_text(s.payload));
        return t;
    };
    // The visible operation of the step; returns the fresh temporary that takes its result.
    auto call = [&](Op op, Reg b = 0, model::Wait wait = model::Wait::forever) {
        const Reg obj = object();
        const Reg dst = f.temp();
        f.emit({.op = op, .wait = wait, .dst = dst, .a = obj, .b = b}, text);
        return dst;
    };
    // got<n> = <call>: the call after the assignment's target, then the store into the name.
    auto keep = [&](Op op) {
        f.at(line, kept_call_column(index));
        const Reg got = call(op);
        f.at(line, kStepColumn);
        const std::string kept = kept_name(index);
        if (in_main)
            f.store_global(kept, got);
        else
            f.move(f.reg(kept), got);
    };
    // with c: c.<method>(...), released on the way out whether the call returns or raises.
    auto with_condition = [&](Op op, model::Wait wait, std::int32_t imm) {
        const Reg cond = object();
        f.emit({.op = Op::sem_acquire, .dst = f.temp(), .a = cond}, cat("with ", name, ":"));
        const std::uint32_t begin = f.pc();
        f.at(line + 1, kInTryColumn);
        const Reg obj = object();
        f.emit({.op = op, .wait = wait, .dst = f.temp(), .a = obj, .imm = imm}, call_text(p, s));
        const std::uint32_t end = f.pc();
        const std::string release = cat(name, ".release()");
        f.at(line, kStepColumn);
        f.emit({.op = Op::sem_release, .dst = f.temp(), .a = cond}, release);
        const std::uint32_t skip = f.jump();
        const Reg exc = f.temp();
        const std::uint32_t handler_pc = f.pc();
        f.emit({.op = Op::sem_release, .dst = f.temp(), .a = cond}, release);
        f.emit({.op = Op::raise, .a = exc}, "raise");
        f.handler(begin, end, handler_pc, exc);
        f.patch(skip, f.pc());
    };
    // try: <body> except <caught>: pass, with the body's code emitted by `body`.
    auto try_except = [&](auto body, model::ExcType caught, std::uint32_t except_line) {
        const std::uint32_t begin = f.pc();
        body();
        const std::uint32_t end = f.pc();
        const std::uint32_t to_end = f.jump();
        const Reg exc = f.temp();
        const std::uint32_t handler_pc = f.pc();
        const Reg matches = f.temp();
        f.at(except_line, kStepColumn);
        f.op(Op::exc_matches, exc, matches, 0, model::Wait::forever,
             static_cast<std::int32_t>(caught));
        const std::uint32_t is_caught = f.jump_if_true(matches);
        f.emit({.op = Op::raise, .a = exc}, "raise");
        f.patch(is_caught, f.pc());
        f.patch(to_end, f.pc());
        f.handler(begin, end, handler_pc, exc);
    };
    f.at(line, kStepColumn);
    switch (s.kind) {
    case StepKind::put:
        call(Op::queue_put, payload());
        break;
    case StepKind::send:
    case StepKind::send_back:
        call(Op::conn_send, payload());
        break;
    case StepKind::get_keep:
        keep(Op::queue_get);
        break;
    case StepKind::recv_keep:
        keep(Op::conn_recv);
        break;
    case StepKind::cancel_join:
        call(Op::queue_cancel_join_thread);
        break;
    case StepKind::recv_back:
        call(Op::conn_recv);
        break;
    case StepKind::cond_wait:
        with_condition(Op::cond_wait, model::Wait::timeout, 0);
        break;
    case StepKind::notify:
        with_condition(Op::cond_notify, model::Wait::forever, 1);
        break;
    case StepKind::notify_all:
        with_condition(Op::cond_notify, model::Wait::forever, 0);
        break;
    case StepKind::drain: {
        const std::uint32_t head = f.pc();
        f.at(line, kDrainCallColumn);
        const Reg item = call(Op::queue_get);
        const Reg none = f.temp();
        f.none(none);
        const Reg more = f.temp();
        f.at(line, kStepColumn);
        f.binary(more, item, model::BinaryOp::is_not, none);
        const std::uint32_t exit = f.jump_if_false(more);
        f.jump(head);
        f.patch(exit, f.pc());
        break;
    }
    case StepKind::recv_all:
        try_except(
            [&] {
                const std::uint32_t head = f.pc();
                f.at(line + 2, kRecvAllColumn);
                call(Op::conn_recv);
                f.jump(head);
            },
            model::ExcType::eof_error, line + 3);
        break;
    case StepKind::get_timeout:
        try_except(
            [&] {
                f.at(line + 1, kInTryColumn);
                call(Op::queue_get, 0, model::Wait::timeout);
            },
            model::ExcType::queue_empty, line + 2);
        break;
    case StepKind::task_done:
        call(Op::queue_task_done);
        break;
    case StepKind::join_queue:
        call(Op::queue_join);
        break;
    case StepKind::kill:
        call(Op::process_kill);
        break;
    case StepKind::join_timeout:
        call(Op::process_join, 0, model::Wait::timeout);
        break;
    case StepKind::get:
        call(Op::queue_get);
        break;
    case StepKind::close:
        call(Op::queue_close);
        break;
    case StepKind::close_writer:
    case StepKind::close_reader:
        call(Op::conn_close);
        break;
    case StepKind::acquire:
        call(Op::sem_acquire);
        break;
    case StepKind::release:
        call(Op::sem_release);
        break;
    case StepKind::set:
        call(Op::event_set);
        break;
    case StepKind::wait:
        call(Op::event_wait);
        break;
    case StepKind::clear:
        call(Op::event_clear);
        break;
    case StepKind::recv:
        call(Op::conn_recv);
        break;
    case StepKind::start:
        call(Op::process_start);
        break;
    case StepKind::join:
        call(Op::process_join);
        break;
    case StepKind::terminate:
        call(Op::process_terminate);
        break;
    }
}

/// Creates resource `i` in the module, as `resource_statement`, and binds its global names.
inline void build_resource(model::ProgramBuilder& b, model::FunctionBuilder& f, ResourceKind kind,
                           std::uint32_t i) {
    using model::Op;
    const auto names = resource_names(kind, i);
    const std::string text = resource_statement(kind, i);
    const model::Reg r = f.reg(names.front());
    for (const auto& n : names)
        f.reg(n); // a pipe's ends take consecutive registers: pipe_new writes r and r + 1
    auto create = [&](Op op, std::int32_t argument, std::int32_t imm) {
        const model::Reg a = f.temp();
        f.integer(a, argument);
        f.emit({.op = op, .dst = r, .a = a, .imm = imm}, text);
    };
    auto queue_kind = [](model::QueueKind q) { return static_cast<std::int32_t>(q); };
    auto sem_kind = [](model::SemKind k) { return static_cast<std::int32_t>(k); };
    switch (kind) {
    case ResourceKind::queue: // maxsize=0
        create(Op::queue_new, 0, queue_kind(model::QueueKind::queue));
        break;
    case ResourceKind::simple_queue:
        create(Op::queue_new, 0, queue_kind(model::QueueKind::simple));
        break;
    case ResourceKind::joinable_queue:
        create(Op::queue_new, 0, queue_kind(model::QueueKind::joinable));
        break;
    case ResourceKind::bounded_queue:
        create(Op::queue_new, 1, queue_kind(model::QueueKind::queue));
        break;
    case ResourceKind::lock: // value=1
        create(Op::sem_new, 1, sem_kind(model::SemKind::lock));
        break;
    case ResourceKind::rlock:
        create(Op::sem_new, 1, sem_kind(model::SemKind::rlock));
        break;
    case ResourceKind::condition: { // lock=None: a Condition makes its own RLock
        const model::Reg none = f.temp();
        f.none(none);
        f.emit({.op = Op::cond_new, .dst = r, .a = none}, text);
        break;
    }
    case ResourceKind::duplex_pipe:
        f.emit({.op = Op::pipe_new,
                .dst = r,
                .imm = model::pipe_imm(true, b.text(names.back())),
                .name = b.text(names.front())},
               text);
        break;
    case ResourceKind::semaphore:
        create(Op::sem_new, 0, sem_kind(model::SemKind::semaphore));
        break;
    case ResourceKind::event:
        f.emit({.op = Op::event_new, .dst = r}, text);
        break;
    case ResourceKind::pipe: // duplex=False
        f.emit({.op = Op::pipe_new,
                .dst = r,
                .imm = model::pipe_imm(false, b.text(names.back())),
                .name = b.text(names.front())},
               text);
        break;
    }
    for (const auto& n : names)
        f.store_global(n, f.reg(n));
}

} // namespace detail

inline model::Program to_model(const GenProgram& program) {
    if (program.main_in_function)
        throw std::invalid_argument("to_model builds module-level programs only: lower "
                                    "to_python's text of a main_in_function program instead");
    const detail::PythonLayout at = detail::layout(program);
    model::ProgramBuilder b;
    for (std::uint32_t w = 0; w < program.workers.size(); ++w) {
        const std::string fname = detail::index_name("worker", w);
        auto f = b.function(fname, {});
        const auto params = detail::worker_args(program, w);
        for (const auto& n : params)
            f.reg(n);
        model::Function& fn = b.program().functions[b.function_id(fname)];
        fn.num_params = static_cast<std::uint16_t>(params.size());
        fn.loc = {at.worker_def_lines[w], 1}; // where a failure to load its args is reported
        for (std::size_t s = 0; s < program.workers[w].size(); ++s)
            detail::build_step(f, program, program.workers[w][s], s, false,
                               at.worker_step_lines[w][s]);
    }
    if (program.start_method != model::StartMethod::fork) b.set_start_method(program.start_method);
    auto main = b.module();
    // The guard matters under spawn and forkserver, whose children re-run the module body.
    const model::Reg is_main = main.temp();
    main.at(at.guard_line, 1).emit({.op = model::Op::name_is_main, .dst = is_main});
    const std::uint32_t skip_body = main.jump_if_false(is_main);
    for (std::uint32_t i = 0; i < program.resources.size(); ++i) {
        main.at(at.resource_lines[i],
                detail::call_column(detail::resource_statement(program.resources[i], i)));
        detail::build_resource(b, main, program.resources[i], i);
    }
    for (std::uint32_t w = 0; w < program.workers.size(); ++w) {
        main.at(at.process_lines[w], detail::call_column(detail::process_statement(program, w)));
        std::vector<model::Reg> values;
        for (const auto& n : detail::worker_args(program, w)) {
            values.push_back(main.temp());
            main.load_global(values.back(), n);
        }
        const model::Reg first = main.consecutive(values);
        const model::Reg daemon = main.temp();
        if (w < program.daemon.size() && program.daemon[w])
            main.constant(daemon, model::Value::boolean(true));
        else
            main.none(daemon);
        const std::string pname = detail::index_name("p", w);
        const model::Reg p = main.reg(pname);
        main.emit({.op = model::Op::process_new,
                   .dst = p,
                   .a = first,
                   .b = static_cast<model::Reg>(values.size()),
                   .c = daemon,
                   .imm = b.function_id(detail::index_name("worker", w))},
                  detail::process_statement(program, w));
        main.store_global(pname, p);
    }
    for (std::size_t s = 0; s < program.main.size(); ++s)
        detail::build_step(main, program, program.main[s], s, true, at.main_step_lines[s]);
    main.patch(skip_body, main.pc());
    return b.build();
}

} // namespace mpcheck::gen
