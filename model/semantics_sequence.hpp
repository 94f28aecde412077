#pragma once

#include "model/semantics_string.hpp"

/// Internal: tuples, lists and dicts built at run time (`q.put((i, name))`, `i, name = q.get()`),
/// held in the Model's SequenceTable by content.
namespace mpcheck::model::detail {

/// Python's == on the values the model holds: numbers by value (1 == True), strings and
/// sequences by content, everything else by identity.
bool python_equal(const Exec& x, Value a, Value b);

/// Interns `c` into dst; a model limit when the table is full.
ValueOutcome set_sequence(Exec& x, Reg dst, const SeqContent& c);

/// Executes make_seq, seq_get, dict_get, dict_view, seq_unpack, seq_sorted and percent_args, and
/// len / `in` when the operand is a sequence; not_handled for anything else.
ValueOutcome exec_sequence_op(Exec& x, const Instr& in);

/// `binary` when an operand is a sequence: + (concatenation) and the orderings (a model limit);
/// TypeError for any of them on a dict.
ValueOutcome sequence_binary(Exec& x, const Instr& in);

} // namespace mpcheck::model::detail
