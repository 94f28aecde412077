#pragma once

// How a generated program reads as Python: names, statements, line layout; to_python.
// Part of mpcheck/rapidcheck.hpp (which includes it after declaring the types it uses).

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "mpcheck/rapidcheck.hpp"

namespace mpcheck::gen {
namespace detail {

/// The steps of each resource kind's group, in the order used to map foreign steps onto it.
/// Groups that share steps list them at the same positions.
inline std::span<const StepKind> group_of(ResourceKind kind) {
    using S = StepKind;
    static constexpr S kSimpleQueue[] = {S::put, S::get, S::drain, S::close, S::get_keep};
    static constexpr S kQueue[] = {S::put,      S::get,         S::drain,      S::close,
                                   S::get_keep, S::get_timeout, S::cancel_join};
    static constexpr S kJoinableQueue[] = {S::put,         S::get,       S::drain,
                                           S::close,       S::get_keep,  S::get_timeout,
                                           S::cancel_join, S::task_done, S::join_queue};
    static constexpr S kLock[] = {S::acquire, S::release};
    static constexpr S kEvent[] = {S::set, S::wait, S::clear};
    static constexpr S kCondition[] = {S::cond_wait, S::notify, S::notify_all};
    static constexpr S kPipe[] = {S::send,     S::recv,         S::close_writer,
                                  S::recv_all, S::close_reader, S::recv_keep};
    static constexpr S kDuplexPipe[] = {S::send,      S::recv,         S::close_writer,
                                        S::recv_all,  S::close_reader, S::recv_keep,
                                        S::send_back, S::recv_back};
    switch (kind) {
    case ResourceKind::simple_queue:
        return kSimpleQueue;
    case ResourceKind::queue:
    case ResourceKind::bounded_queue:
        return kQueue;
    case ResourceKind::joinable_queue:
        return kJoinableQueue;
    case ResourceKind::lock:
    case ResourceKind::semaphore:
    case ResourceKind::rlock:
        return kLock;
    case ResourceKind::event:
        return kEvent;
    case ResourceKind::condition:
        return kCondition;
    case ResourceKind::pipe:
        return kPipe;
    case ResourceKind::duplex_pipe:
        return kDuplexPipe;
    }
    return {};
}

/// The resource kinds whose groups hold every resource step between them.
inline constexpr ResourceKind kCoveringKinds[] = {ResourceKind::joinable_queue, ResourceKind::lock,
                                                  ResourceKind::event, ResourceKind::condition,
                                                  ResourceKind::duplex_pipe};

/// The steps the main process takes on its workers.
inline constexpr StepKind kProcessSteps[] = {StepKind::start, StepKind::join, StepKind::terminate,
                                             StepKind::kill, StepKind::join_timeout};

/// Whether a step acts on a worker process rather than on a resource.
inline bool is_process_step(StepKind kind) {
    return std::find(std::begin(kProcessSteps), std::end(kProcessSteps), kind) !=
           std::end(kProcessSteps);
}

/// Concatenates strings with += (GCC 12 warns spuriously on long operator+ chains).
template <class... Parts> std::string cat(const Parts&... parts) {
    std::string out;
    ((out += parts), ...);
    return out;
}

/// A numbered Python name, e.g. "q0".
inline std::string index_name(const char* prefix, std::uint32_t index) {
    return cat(prefix, std::to_string(index));
}

/// Whether a resource is a Pipe (either kind): two names, and Connections to send.
inline bool is_pipe(ResourceKind kind) {
    return kind == ResourceKind::pipe || kind == ResourceKind::duplex_pipe;
}

/// Whether a step carries a payload.
inline bool carries_payload(StepKind kind) {
    return kind == StepKind::put || kind == StepKind::send || kind == StepKind::send_back;
}

/// Whether a step names the object it stores its result in (got<n> = ...).
inline bool keeps_result(StepKind kind) {
    return kind == StepKind::get_keep || kind == StepKind::recv_keep;
}

/// Whether a step is a `with c:` block around one call of the condition.
inline bool is_condition_step(StepKind kind) {
    return kind == StepKind::cond_wait || kind == StepKind::notify || kind == StepKind::notify_all;
}

/// The pipe whose write end a write_end payload of `s` sends: the first pipe other than the
/// one `s` sends on; none (the resource count) when there is no such pipe.
inline std::uint32_t sent_pipe(const std::vector<ResourceKind>& resources, const GenStep& s) {
    const bool on_pipe = s.kind == StepKind::send || s.kind == StepKind::send_back;
    for (std::uint32_t i = 0; i < resources.size(); ++i) {
        if (is_pipe(resources[i]) && !(on_pipe && i == s.target)) return i;
    }
    return static_cast<std::uint32_t>(resources.size());
}

/// The Python names of resource `i` (two for a pipe: reader, writer).
inline std::vector<std::string> resource_names(ResourceKind kind, std::uint32_t i) {
    switch (kind) {
    case ResourceKind::queue:
        return {index_name("q", i)};
    case ResourceKind::simple_queue:
        return {index_name("s", i)};
    case ResourceKind::lock:
        return {index_name("l", i)};
    case ResourceKind::event:
        return {index_name("e", i)};
    case ResourceKind::pipe:
        return {index_name("r", i), index_name("w", i)};
    case ResourceKind::joinable_queue:
        return {index_name("j", i)};
    case ResourceKind::bounded_queue:
        return {index_name("b", i)};
    case ResourceKind::semaphore:
        return {index_name("m", i)};
    case ResourceKind::duplex_pipe:
        return {index_name("u", i), index_name("v", i)};
    case ResourceKind::rlock:
        return {index_name("k", i)};
    case ResourceKind::condition:
        return {index_name("c", i)};
    }
    return {};
}

/// The name a step acts on: the writer end for send/close_writer/recv_back, else the first name.
inline std::string step_object(const GenProgram& p, const GenStep& s) {
    if (is_process_step(s.kind)) return index_name("p", s.target);
    const auto names = resource_names(p.resources[s.target], s.target);
    const bool writer = s.kind == StepKind::send || s.kind == StepKind::close_writer ||
                        s.kind == StepKind::recv_back;
    return writer ? names.back() : names.front();
}

/// The name of the Connection a write_end payload of `s` sends (a normalized step has one).
inline std::string sent_end_name(const GenProgram& p, const GenStep& s) {
    const std::uint32_t i = sent_pipe(p.resources, s);
    return i < p.resources.size() ? resource_names(p.resources[i], i).back() : "1";
}

/// The Python expression of a payload (write_end: see sent_end_name).
inline const char* payload_text(Payload payload) {
    switch (payload) {
    case Payload::small:
        return "1";
    case Payload::large:
        return "'X' * 100000";
    case Payload::sentinel:
        return "None";
    case Payload::fills_pipe:
        return "'X' * 65514";
    case Payload::overflows_pipe:
        return "'X' * 65515";
    case Payload::huge:
        return "'X' * 150000";
    case Payload::write_end:
        break;
    }
    return "1";
}

/// The Python expression step `s` puts or sends.
inline std::string payload_expression(const GenProgram& p, const GenStep& s) {
    return s.payload == Payload::write_end ? sent_end_name(p, s) : payload_text(s.payload);
}

/// The length of a str payload ('X' * n), or 0 for the others.
inline std::uint64_t payload_chars(Payload payload) {
    switch (payload) {
    case Payload::large:
        return 100000;
    case Payload::fills_pipe:
        return 65514;
    case Payload::overflows_pipe:
        return 65515;
    case Payload::huge:
        return 150000;
    case Payload::small:
    case Payload::sentinel:
    case Payload::write_end:
        break;
    }
    return 0;
}

/// Where the front end places each kind of call.
inline constexpr std::uint32_t kStepColumn = 5;       ///< every step statement is indented by 4
inline constexpr std::uint32_t kDrainCallColumn = 11; ///< `while q.get()`: the call's column
inline constexpr std::uint32_t kRecvAllColumn = 13;   ///< the recv inside try/while
inline constexpr std::uint32_t kInTryColumn = 9;      ///< a call inside try: or with:

/// The names worker `w` is passed, in resource order: the object of each of its steps and each
/// pipe end it sends. Only these, so that under spawn a worker holds no copy of a pipe end it
/// does not use (a reader sees EOF only once every copy of the write end is closed).
inline std::vector<std::string> worker_args(const GenProgram& p, std::uint32_t w) {
    std::vector<std::string> used;
    for (const GenStep& s : p.workers[w]) {
        used.push_back(step_object(p, s));
        if (s.payload == Payload::write_end) used.push_back(sent_end_name(p, s));
    }
    std::vector<std::string> out;
    for (std::uint32_t i = 0; i < p.resources.size(); ++i) {
        for (auto& n : resource_names(p.resources[i], i)) {
            if (std::find(used.begin(), used.end(), n) != used.end()) out.push_back(std::move(n));
        }
    }
    return out;
}

/// worker_args comma-separated: the worker's parameters and its Process args.
inline std::string argument_list(const GenProgram& p, std::uint32_t w) {
    std::string out;
    for (const auto& n : worker_args(p, w))
        out += cat(out.empty() ? "" : ", ", n);
    return out;
}

/// The call that creates a resource of `kind`.
inline const char* constructor(ResourceKind kind) {
    switch (kind) {
    case ResourceKind::queue:
        return "mp.Queue()";
    case ResourceKind::simple_queue:
        return "mp.SimpleQueue()";
    case ResourceKind::lock:
        return "mp.Lock()";
    case ResourceKind::event:
        return "mp.Event()";
    case ResourceKind::pipe:
        return "mp.Pipe(duplex=False)";
    case ResourceKind::joinable_queue:
        return "mp.JoinableQueue()";
    case ResourceKind::bounded_queue:
        return "mp.Queue(1)";
    case ResourceKind::semaphore:
        return "mp.Semaphore(0)";
    case ResourceKind::duplex_pipe:
        return "mp.Pipe()";
    case ResourceKind::rlock:
        return "mp.RLock()";
    case ResourceKind::condition:
        return "mp.Condition()";
    }
    return "";
}

/// The statement that creates resource `i`, e.g. "r3, w3 = mp.Pipe(duplex=False)".
inline std::string resource_statement(ResourceKind kind, std::uint32_t i) {
    std::string names;
    for (const auto& n : resource_names(kind, i))
        names += cat(names.empty() ? "" : ", ", n);
    return cat(names, " = ", constructor(kind));
}

/// The statement that creates worker `w`'s Process object.
inline std::string process_statement(const GenProgram& p, std::uint32_t w) {
    // A one-element tuple needs its trailing comma.
    const bool one = worker_args(p, w).size() == 1;
    const bool daemon = w < p.daemon.size() && p.daemon[w];
    return cat(index_name("p", w), " = mp.Process(target=", index_name("worker", w), ", args=(",
               argument_list(p, w), one ? ",)" : ")", daemon ? ", daemon=True)" : ")");
}

/// The column of the constructor call in an assignment statement ("q0 = mp.Queue()"): the
/// front end places the created object there.
inline std::uint32_t call_column(const std::string& statement) {
    return kStepColumn + static_cast<std::uint32_t>(statement.find("mp."));
}

/// to_python's text and the line of everything to_model places at a source line.
struct PythonLayout {
    std::string text;
    std::vector<std::uint32_t> resource_lines;
    std::vector<std::uint32_t> process_lines;
    std::vector<std::uint32_t> worker_def_lines; ///< def workerN(...):
    std::vector<std::vector<std::uint32_t>> worker_step_lines;
    std::vector<std::uint32_t> main_step_lines;
    std::uint32_t guard_line = 0; ///< if __name__ == '__main__':
};

/// The method a step calls, e.g. "put" (drain and recv_all loop over get and recv).
inline const char* method_of(StepKind kind) {
    switch (kind) {
    case StepKind::put:
        return "put";
    case StepKind::get:
    case StepKind::drain:
    case StepKind::get_timeout:
    case StepKind::get_keep:
        return "get";
    case StepKind::cancel_join:
        return "cancel_join_thread";
    case StepKind::cond_wait:
        return "wait";
    case StepKind::notify:
        return "notify";
    case StepKind::notify_all:
        return "notify_all";
    case StepKind::task_done:
        return "task_done";
    case StepKind::join_queue:
        return "join";
    case StepKind::close:
    case StepKind::close_writer:
    case StepKind::close_reader:
        return "close";
    case StepKind::acquire:
        return "acquire";
    case StepKind::release:
        return "release";
    case StepKind::set:
        return "set";
    case StepKind::wait:
        return "wait";
    case StepKind::clear:
        return "clear";
    case StepKind::send:
    case StepKind::send_back:
        return "send";
    case StepKind::recv:
    case StepKind::recv_all:
    case StepKind::recv_keep:
    case StepKind::recv_back:
        return "recv";
    case StepKind::start:
        return "start";
    case StepKind::join:
    case StepKind::join_timeout:
        return "join";
    case StepKind::terminate:
        return "terminate";
    case StepKind::kill:
        return "kill";
    }
    return "";
}

/// The variable a keeps_result step of body position `index` stores into, e.g. "got2".
inline std::string kept_name(std::size_t index) {
    return cat("got", std::to_string(index));
}

/// The call a step makes, as printed, e.g. "q0.put('X' * 100000)"; traces show this text.
inline std::string call_text(const GenProgram& p, const GenStep& s) {
    const bool timed = s.kind == StepKind::get_timeout || s.kind == StepKind::join_timeout ||
                       s.kind == StepKind::cond_wait;
    return cat(step_object(p, s), ".", method_of(s.kind), "(",
               carries_payload(s.kind) ? payload_expression(p, s)
               : timed                 ? std::string("timeout=0.1")
                                       : std::string(),
               ")");
}

/// The statement a step is printed as when it is one line: the call, or for a keeps_result
/// step of body position `index` the assignment ("got2 = q0.get()"), which traces show.
inline std::string statement_text(const GenProgram& p, const GenStep& s, std::size_t index) {
    return keeps_result(s.kind) ? cat(kept_name(index), " = ", call_text(p, s)) : call_text(p, s);
}

/// The column of a keeps_result step's call ("got2 = q0.get()": after the assignment).
inline std::uint32_t kept_call_column(std::size_t index) {
    return kStepColumn + static_cast<std::uint32_t>(kept_name(index).size() + 3);
}

/// Writes step `index` of a body at indentation 4; returns its first line.
inline std::uint32_t write_step(const GenProgram& p, const GenStep& s, std::size_t index,
                                std::vector<std::string>& lines) {
    const auto first = static_cast<std::uint32_t>(lines.size() + 1);
    auto add = [&](const std::string& text) { lines.push_back(cat("    ", text)); };
    const std::string call = call_text(p, s);
    if (is_condition_step(s.kind)) {
        add(cat("with ", step_object(p, s), ":"));
        add(cat("    ", call));
    } else if (s.kind == StepKind::drain) {
        add(cat("while ", call, " is not None:"));
        add("    pass");
    } else if (s.kind == StepKind::get_timeout) {
        add("try:");
        add(cat("    ", call));
        add("except queue.Empty:");
        add("    pass");
    } else if (s.kind == StepKind::recv_all) {
        add("try:");
        add("    while True:");
        add(cat("        ", call));
        add("except EOFError:");
        add("    pass");
    } else {
        add(statement_text(p, s, index));
    }
    return first;
}

/// Prints the program and records where each part landed.
inline PythonLayout layout(const GenProgram& p) {
    PythonLayout out;
    std::vector<std::string> lines{"import multiprocessing as mp"};
    auto timed_get = [](const GenStep& s) { return s.kind == StepKind::get_timeout; };
    bool uses_queue_module = std::any_of(p.main.begin(), p.main.end(), timed_get);
    for (const auto& w : p.workers)
        uses_queue_module = uses_queue_module || std::any_of(w.begin(), w.end(), timed_get);
    if (uses_queue_module) lines.emplace_back("import queue"); // for queue.Empty
    for (std::uint32_t w = 0; w < p.workers.size(); ++w) {
        lines.insert(
            lines.end(),
            {"", "", cat("def ", index_name("worker", w), "(", argument_list(p, w), "):")});
        out.worker_def_lines.push_back(static_cast<std::uint32_t>(lines.size()));
        if (p.workers[w].empty()) lines.emplace_back("    pass");
        auto& step_lines = out.worker_step_lines.emplace_back();
        for (std::size_t s = 0; s < p.workers[w].size(); ++s)
            step_lines.push_back(write_step(p, p.workers[w][s], s, lines));
    }
    if (p.main_in_function) {
        lines.insert(lines.end(), {"", "", "def main():"});
    } else {
        lines.insert(lines.end(), {"", "", "if __name__ == '__main__':"});
        out.guard_line = static_cast<std::uint32_t>(lines.size());
    }
    const std::size_t body_start = lines.size();
    if (p.start_method != model::StartMethod::fork) {
        const bool spawn = p.start_method == model::StartMethod::spawn;
        lines.push_back(cat("    mp.set_start_method('", spawn ? "spawn" : "forkserver", "')"));
    }
    for (std::uint32_t i = 0; i < p.resources.size(); ++i) {
        lines.push_back(cat("    ", resource_statement(p.resources[i], i)));
        out.resource_lines.push_back(static_cast<std::uint32_t>(lines.size()));
    }
    for (std::uint32_t w = 0; w < p.workers.size(); ++w) {
        lines.push_back(cat("    ", process_statement(p, w)));
        out.process_lines.push_back(static_cast<std::uint32_t>(lines.size()));
    }
    for (std::size_t s = 0; s < p.main.size(); ++s)
        out.main_step_lines.push_back(write_step(p, p.main[s], s, lines));
    if (lines.size() == body_start) lines.emplace_back("    pass");
    if (p.main_in_function) {
        lines.insert(lines.end(), {"", "", "if __name__ == '__main__':"});
        out.guard_line = static_cast<std::uint32_t>(lines.size());
        lines.emplace_back("    main()");
    }
    for (const auto& l : lines) {
        out.text += l;
        out.text += '\n';
    }
    return out;
}

} // namespace detail

inline std::string to_python(const GenProgram& program) {
    return detail::layout(program).text;
}

inline void showValue(const GenProgram& program, std::ostream& os) {
    os << "\n" << to_python(program);
}

} // namespace mpcheck::gen
