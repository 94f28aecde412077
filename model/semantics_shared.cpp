#include "model/condition.hpp"
#include "model/semantics.hpp"

/// multiprocessing.Value and RawValue of an integer type (sharedctypes.py). The integer lives
/// in shared memory, so every process that inherited the object, or got it in its Process args,
/// sees every write. Value(..., lock=True) wraps it in a Synchronized whose `value` property
/// takes the lock for each read and for each write (`with self._lock: return self._obj.value`),
/// so `v.value += 1` is a locked read and then a locked write: two steps, and two processes
/// can both read the old value before either writes (a lost update). `with v.get_lock():`
/// around the whole update is the fix. A read or write waits while another process holds the
/// lock, forever if that process was killed holding it.
///
/// The front end accepts only C types the model's integers cannot overflow ('i', 'l', 'q'),
/// so ctypes' silent wrap-around never happens in range.
namespace mpcheck::model::detail {

namespace lv = layout::shared_value;
namespace ls = layout::sem;

namespace {

Outcome finish(Exec& x, const Instr& in, Value result) {
    x.set_reg(in.dst, result);
    x.advance();
    return Outcome::done;
}

// The Value behind register r. Anything else has no `value` or `get_lock` (an int, None, a
// Queue: AttributeError, where object_arg would raise TypeError for a wrong object).
std::uint32_t value_arg(Exec& x, Reg r) {
    const Value v = x.reg(r);
    if (v.tag() == Value::Tag::object && x.kind_of(v.as_object()) == ObjKind::shared_value)
        return v.as_object();
    x.raise(ExcType::attribute_error);
    return State::kNone;
}

// ctypes stores a bool as the int it equals.
Value as_stored(Value v) {
    return Value::integer(v.as_number());
}

// sharedctypes.Value: RawValue(typecode, init) first (a non-integer init raises TypeError),
// then lock=False gives the raw c_int, True a new RLock, and any object with an acquire method
// (a Lock, RLock, Semaphore or Condition) is used as given; anything else raises
// AttributeError ("%r has no method 'acquire'").
Outcome value_new(Exec& x, const Instr& in) {
    const Value init = x.reg(in.a);
    if (!init.is_number()) return x.raise(ExcType::type_error);
    const Value lock = x.reg(in.b);
    std::uint32_t lock_obj = State::kNone;
    if (lock.tag() == Value::Tag::boolean) {
        if (lock.as_bool()) lock_obj = condition::new_rlock(x);
    } else if (lock.tag() == Value::Tag::object && (x.kind_of(lock.as_object()) == ObjKind::sem ||
                                                    x.kind_of(lock.as_object()) == ObjKind::cond)) {
        lock_obj = lock.as_object();
    } else if (lock.is_none()) {
        lock_obj = condition::new_rlock(x);
    } else {
        return x.raise(ExcType::attribute_error);
    }
    const std::uint32_t v = x.new_object(ObjKind::shared_value, lv::kSize);
    x.set_oword(v, lv::kLock, lock_obj);
    x.set_oword(v, lv::kValue, as_stored(init).bits());
    return finish(x, in, Value::object(v));
}

// `with self._lock:` around one read or write of the integer: it goes ahead when the lock's
// acquire() would not wait (a free unit, or an RLock this process already holds: it re-enters),
// and leaves the lock as it found it.
bool lock_lets_through(const Exec& x, std::uint32_t value) {
    const std::uint32_t lock = condition::semaphore_of(x, value);
    if (lock == State::kNone) return true;
    if (x.oword(lock, ls::kValue) > 0) return true;
    return condition::sem_kind(x, lock) == SemKind::rlock && condition::is_mine(x, lock);
}

Outcome value_load(Exec& x, const Instr& in) {
    const std::uint32_t v = value_arg(x, in.a);
    if (v == State::kNone) return Outcome::raised;
    if (!lock_lets_through(x, v)) return Outcome::blocked;
    return finish(x, in, Value::from_bits(x.oword(v, lv::kValue)));
}

Outcome value_store(Exec& x, const Instr& in) {
    const std::uint32_t v = value_arg(x, in.a);
    if (v == State::kNone) return Outcome::raised;
    if (!lock_lets_through(x, v)) return Outcome::blocked;
    const Value item = x.reg(in.b);
    // c_int's setter: "'str' object cannot be interpreted as an integer", after the lock.
    if (!item.is_number()) return x.raise(ExcType::type_error);
    x.set_oword(v, lv::kValue, as_stored(item).bits());
    x.advance();
    return Outcome::done;
}

// Synchronized.get_lock(); a RawValue (a plain c_int) has no such method.
Outcome value_get_lock(Exec& x, const Instr& in) {
    const std::uint32_t v = value_arg(x, in.a);
    if (v == State::kNone) return Outcome::raised;
    const std::uint32_t lock = x.oword(v, lv::kLock);
    if (lock == State::kNone) return x.raise(ExcType::attribute_error);
    return finish(x, in, Value::object(lock));
}

} // namespace

Outcome exec_shared_op(Exec& x) {
    const Instr& in = x.instr();
    switch (in.op) {
    case Op::value_new:
        return value_new(x, in);
    case Op::value_load:
        return value_load(x, in);
    case Op::value_store:
        return value_store(x, in);
    case Op::value_get_lock:
        return value_get_lock(x, in);
    default:
        MPCHECK_ASSERT(false);
        return Outcome::blocked;
    }
}

} // namespace mpcheck::model::detail
