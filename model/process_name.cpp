#include "model/process_name.hpp"

#include "model/layout.hpp"
#include "model/value.hpp"

namespace mpcheck::model {

namespace lp = layout::proc;

namespace {

// The text of a name= value: a str's characters, else what str() gives for the small values.
std::string given_name(const Program& program, const StringTable& strings, Value v) {
    if (v.tag() == Value::Tag::str) {
        if (StringTable::is_runtime(v.as_blob()))
            return strings.content(v.as_blob()).flat().value_or("<a very long name>");
        return program.blobs[v.as_blob()].text;
    }
    if (v.tag() == Value::Tag::integer) return std::to_string(v.as_int());
    if (v.tag() == Value::Tag::boolean) return v.as_bool() ? "True" : "False";
    return "<name>";
}

} // namespace

std::string process_name(const Program& program, const StringTable& strings, const State& state,
                         std::uint32_t proc) {
    const Value given = Value::from_bits(state.word(state.process_offset(proc) + lp::kName));
    if (!given.is_none()) return given_name(program, strings, given);
    if (proc == 0) return "MainProcess";
    std::string numbers;
    for (std::uint32_t p = proc; p != 0;) {
        const std::uint32_t base = state.process_offset(p);
        std::string part = std::to_string(state.word(base + lp::kNameNo));
        if (!numbers.empty()) part += ":" + numbers;
        numbers = std::move(part);
        p = state.word(base + lp::kParent) - 1;
    }
    return "Process-" + numbers;
}

} // namespace mpcheck::model
