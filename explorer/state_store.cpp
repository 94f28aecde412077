#include "explorer/state_store.hpp"

#include "explorer/hash.hpp"
#include "model/check.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace mpcheck::explorer {

using store_detail::IdIndex;
using store_detail::left_size;
using store_detail::Shape;

namespace {

std::uint64_t pack(std::uint32_t left, std::uint32_t right) noexcept {
    return (std::uint64_t{left} << 32) | right;
}

std::uint32_t left_of(std::uint64_t node) noexcept {
    return static_cast<std::uint32_t>(node >> 32);
}
std::uint32_t right_of(std::uint64_t node) noexcept {
    return static_cast<std::uint32_t>(node);
}

/// Ids are 32-bit and kNoState is reserved; the index tables need id + 1 to fit as well.
constexpr std::size_t kMaxIds = 0xffffffff;

void check_length(std::size_t n) {
    MPCHECK_ASSERT(n >= 1 && n <= StateStore::kMaxLength); // a state has 1 to 65535 words
}

std::uint64_t load64(const std::uint32_t* p) noexcept {
    std::uint64_t value = 0;
    std::memcpy(&value, p, sizeof value);
    return value;
}

/// Whether the 8 words at a and b are equal (four 64-bit compares, no per-word branches).
bool equal8(const std::uint32_t* a, const std::uint32_t* b) noexcept {
    return ((load64(a) ^ load64(b)) | (load64(a + 2) ^ load64(b + 2)) |
            (load64(a + 4) ^ load64(b + 4)) | (load64(a + 6) ^ load64(b + 6))) == 0;
}

/// A record's fields. Layout in its 10 bytes: left, right (4 bytes each), length (2 bytes),
/// in the machine's byte order (records never leave the process).
struct RecordFields {
    std::uint32_t length;
    std::uint32_t left;
    std::uint32_t right;
};

template <class Record> Record make_record(RecordFields fields) noexcept {
    Record record{};
    const auto length16 = static_cast<std::uint16_t>(fields.length);
    std::memcpy(record.bytes.data(), &fields.left, 4);
    std::memcpy(record.bytes.data() + 4, &fields.right, 4);
    std::memcpy(record.bytes.data() + 8, &length16, 2);
    return record;
}

template <class Record> RecordFields read_record(const Record& record) noexcept {
    RecordFields fields{};
    std::uint16_t length16 = 0;
    std::memcpy(&fields.left, record.bytes.data(), 4);
    std::memcpy(&fields.right, record.bytes.data() + 4, 4);
    std::memcpy(&length16, record.bytes.data() + 8, 2);
    fields.length = length16;
    return fields;
}

std::uint64_t record_hash(RecordFields fields) noexcept {
    return mix_triple(fields.left, fields.right, fields.length);
}

} // namespace

StateStore::StateStore(StateStoreOptions options) : hash_mask_(options.hash_mask) {}

// ---- Interning -------------------------------------------------------------------------------

std::uint64_t StateStore::node_hash(std::uint32_t left, std::uint32_t right) const noexcept {
    return mix_pair(left, right) & hash_mask_;
}

// Inlined into the loops that re-intern nodes: finding an existing node is the hot path.
#if defined(__GNUC__)
[[gnu::always_inline]]
#endif
inline std::uint32_t
StateStore::intern_node(std::uint32_t left, std::uint32_t right, std::uint64_t hash) {
    const std::uint64_t key = pack(left, right);
    const auto probe = node_index_.find(hash, [&](std::uint32_t id) { return nodes_[id] == key; });
    if (probe.id != IdIndex::kAbsent) [[likely]]
        return probe.id;
    return add_node(key, hash, probe.slot);
}

std::uint32_t StateStore::add_node(std::uint64_t key, std::uint64_t hash, std::size_t slot) {
    MPCHECK_ASSERT(nodes_.size() < kMaxIds); // node ids are 32-bit
    const auto id = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(key);
    node_index_.insert(slot, hash, id, [this](std::uint32_t stored) {
        const std::uint64_t node = nodes_[stored];
        return node_hash(left_of(node), right_of(node));
    });
    return id;
}

StateStore::Insertion StateStore::intern_record(const RootKey& root) {
    const auto probe = record_index_.find(
        root.hash, [&](std::uint32_t id) { return records_[id].bytes == root.record.bytes; });
    if (probe.id != IdIndex::kAbsent) return {probe.id, false};
    return {add_record(root.record, root.hash, probe.slot), true};
}

StateId StateStore::add_record(const Record& record, std::uint64_t hash, std::size_t slot) {
    MPCHECK_ASSERT(records_.size() < kMaxIds); // state ids are 32-bit
    const auto id = static_cast<StateId>(records_.size());
    records_.push_back(record);
    record_index_.insert(slot, hash, id, [this](std::uint32_t stored) {
        return record_hash(read_record(records_[stored])) & hash_mask_;
    });
    return id;
}

// ---- A state's record key, from scratch ------------------------------------------------------

StateStore::RootKey StateStore::root_of(std::span<const std::uint32_t> words) {
    const std::size_t n = words.size();
    check_length(n);
    RecordFields fields{static_cast<std::uint32_t>(n), words[0], 0};
    if (n > 1) {
        // Bottom-up over all inner nodes: each child's reference is ready before its parent's.
        const Shape& shape = shapes_.get(n);
        if (new_refs_.size() < 2 * n - 1) new_refs_.resize(2 * n - 1);
        std::uint32_t* const refs = new_refs_.data();
        std::copy(words.begin(), words.end(), refs);
        for (std::size_t p = n - 2; p > 0; --p) {
            const std::uint32_t left = refs[shape.left(p)];
            const std::uint32_t right = refs[shape.right(p)];
            refs[n + p] = intern_node(left, right, node_hash(left, right));
        }
        fields.left = refs[shape.left(0)];
        fields.right = refs[shape.right(0)];
    }
    return {make_record<Record>(fields), record_hash(fields) & hash_mask_};
}

// ---- A state's record key, incrementally from a near state ------------------------------------

void StateStore::prepare_scratch(std::size_t n) {
    const std::size_t slots = 2 * n - 1;
    if (stamps_.size() < slots) {
        stamps_.resize(slots, 0); // stamp 0 is never a current generation
        new_refs_.resize(std::max(new_refs_.size(), slots));
        dirty_.resize(slots);
        segment_ends_.resize(n);
    }
    if (++generation_ == 0) [[unlikely]] { // wrapped after 2^32 inserts: forget all stamps
        std::fill(stamps_.begin(), stamps_.end(), 0);
        generation_ = 1;
    }
}

std::size_t StateStore::mark_changes(std::span<const std::uint32_t> words, const Tree& near,
                                     const Shape& shape) {
    const std::size_t n = words.size();
    const std::uint32_t* const old = near.slots_.data();
    const std::uint32_t generation = generation_;
    std::uint32_t* const stamps = stamps_.data();
    std::uint32_t* const refs = new_refs_.data();
    std::uint32_t* const dirty = dirty_.data();
    std::uint32_t* const segment_ends = segment_ends_.data();
    std::size_t dirty_count = 0;
    std::size_t segment_count = 0;

    // Stamp a changed word and every inner node above it, up to the root or to a node already
    // stamped by an earlier changed word; the nodes it adds form a "segment", listed bottom-up.
    const auto mark = [&](std::size_t i) {
        stamps[i] = generation;
        refs[i] = words[i];
        const std::size_t before = dirty_count;
        for (std::size_t slot = shape.parent(i); stamps[slot] != generation;
             slot = shape.parent(slot)) {
            stamps[slot] = generation;
            dirty[dirty_count++] = static_cast<std::uint32_t>(slot - n);
            if (slot == n) break; // the root
        }
        if (dirty_count != before) {
            segment_ends[segment_count++] = static_cast<std::uint32_t>(dirty_count);
        }
    };
    // Scan 8 words at a time; most blocks are unchanged, the others yield a bit mask of their
    // changed words (no branch per word: which words change is unpredictable).
    for (std::size_t i = 0; i < n; i += 8) {
        const std::size_t block = std::min<std::size_t>(8, n - i);
        if (block == 8 && equal8(words.data() + i, old + i)) continue;
        unsigned changed = 0;
        for (std::size_t j = 0; j < block; ++j) {
            changed |= static_cast<unsigned>(words[i + j] != old[i + j]) << j;
        }
        for (; changed != 0; changed &= changed - 1) {
            mark(i + static_cast<std::size_t>(std::countr_zero(changed)));
        }
    }
    return segment_count;
}

bool StateStore::key_near(std::span<const std::uint32_t> words, const Tree& near, RootKey& key) {
    const std::size_t n = words.size();
    const Shape& shape = shapes_.get(n);
    prepare_scratch(n);
    const std::size_t segment_count = mark_changes(words, near, shape);
    if (segment_count == 0) return false; // words is near's state

    // Re-intern the changed nodes, children before parents, keeping near's reference for
    // unchanged children. Within a segment children come first; a segment's top node is a child
    // of a node in an earlier segment, and a child of a segment's node that lies in another
    // segment lies in a later one: so segments go last to first. The first segment ends with the
    // root, node 0, which is the record.
    const std::uint32_t generation = generation_;
    const std::uint32_t* const stamps = stamps_.data();
    std::uint32_t* const refs = new_refs_.data();
    const std::uint32_t* const old = near.slots_.data();
    const std::uint32_t* const dirty = dirty_.data();
    const std::uint32_t* const segment_ends = segment_ends_.data();
    const auto ref = [&](std::size_t slot) {
        return stamps[slot] == generation ? refs[slot] : old[slot];
    };
    for (std::size_t segment = segment_count; segment-- > 0;) {
        const std::size_t begin = segment == 0 ? 0 : segment_ends[segment - 1];
        const std::size_t end = segment_ends[segment] - (segment == 0 ? 1 : 0);
        // In a segment each node is the parent of the one before: pass that node's id on
        // directly rather than through memory, which shortens the chain of dependent lookups.
        std::size_t below_slot = SIZE_MAX; // slot of the node re-interned just before, if any
        std::uint32_t below = 0;
        for (std::size_t k = begin; k < end; ++k) {
            const std::size_t p = dirty[k];
            const std::size_t left_slot = shape.left(p);
            const std::size_t right_slot = shape.right(p);
            const std::uint32_t left = left_slot == below_slot ? below : ref(left_slot);
            const std::uint32_t right = right_slot == below_slot ? below : ref(right_slot);
            below = intern_node(left, right, node_hash(left, right));
            below_slot = n + p;
            refs[below_slot] = below;
        }
    }
    const RecordFields fields{static_cast<std::uint32_t>(n), ref(shape.left(0)),
                              ref(shape.right(0))};
    key = {make_record<Record>(fields), record_hash(fields) & hash_mask_};
    return true;
}

bool StateStore::key_of(std::span<const std::uint32_t> words, const Tree& near, RootKey& key) {
    const std::size_t n = words.size();
    if (near.id_ == kNoState || near.words().size() != n) {
        key = root_of(words);
        return true;
    }
    if (n > 1) return key_near(words, near, key);
    if (words[0] == near.slots_[0]) return false;
    key = root_of(words);
    return true;
}

// ---- Inserting -------------------------------------------------------------------------------

StateStore::Insertion StateStore::insert(std::span<const std::uint32_t> words) {
    return intern_record(root_of(words));
}

StateStore::Insertion StateStore::insert(std::span<const std::uint32_t> words, const Tree& near) {
    RootKey key{};
    if (!key_of(words, near, key)) return {near.id_, false};
    return intern_record(key);
}

void StateStore::insert_batch(std::span<const std::span<const std::uint32_t>> states,
                              const Tree& near, std::vector<Insertion>& results) {
    // A software pipeline over the states, so that each record lookup's memory accesses are
    // under way while later keys are computed: step k computes key k (interning its nodes) and
    // prefetches its index slot, prefetches the records that the slot of key k - kPeekLag
    // points to, and looks key k - kLookupLag up. A key takes about as long to compute as a
    // memory access, hence lags of a few steps. Records are looked up in order, so ids come
    // out exactly as from insert() in turn; prefetches are hints that change no result.
    constexpr std::size_t kPeekLag = 2;
    constexpr std::size_t kLookupLag = 4;
    const std::size_t count = states.size();
    results.resize(count);
    batch_.resize(count);
    for (std::size_t k = 0; k < count + kLookupLag; ++k) {
        if (k < count) {
            if (key_of(states[k], near, batch_[k])) {
                results[k] = {kNoState, false}; // to be looked up
                record_index_.prefetch(batch_[k].hash);
            } else {
                results[k] = {near.id_, false};
            }
        }
        const std::size_t peek = k - kPeekLag;
        if (k >= kPeekLag && peek < count && results[peek].id == kNoState) {
            record_index_.prefetch_candidates(batch_[peek].hash, [this](std::uint32_t id) {
                store_detail::prefetch_address(&records_[id]);
            });
        }
        const std::size_t lookup = k - kLookupLag;
        if (k >= kLookupLag && results[lookup].id == kNoState) {
            results[lookup] = intern_record(batch_[lookup]);
        }
    }
}

// ---- Loading ---------------------------------------------------------------------------------

void StateStore::expand(std::uint32_t ref, std::uint32_t* slots, std::size_t n, std::size_t lo,
                        std::size_t size, std::size_t p) const {
    if (size == 1) {
        slots[lo] = ref;
        return;
    }
    slots[n + p] = ref;
    const std::uint64_t node = nodes_[ref];
    const std::size_t half = left_size(size);
    expand(left_of(node), slots, n, lo, half, p + 1);
    expand(right_of(node), slots, n, lo + half, size - half, p + half);
}

void StateStore::load_slots(StateId id, std::vector<std::uint32_t>& slots) const {
    MPCHECK_ASSERT(id < size());
    const RecordFields record = read_record(records_[id]);
    const std::size_t n = record.length;
    slots.resize(2 * n - 1);
    std::uint32_t* const out = slots.data();
    if (n == 1) {
        out[0] = record.left;
        return;
    }
    out[n] = 0; // the root's slot: the record has no node id
    if (const Shape* shape = shapes_.find(n)) {
        // Top-down by increasing node number: a node's id is known before it is expanded.
        out[shape->left(0)] = record.left;
        out[shape->right(0)] = record.right;
        for (std::size_t p = 1; p + 1 < n; ++p) {
            const std::uint64_t node = nodes_[out[n + p]];
            out[shape->left(p)] = left_of(node);
            out[shape->right(p)] = right_of(node);
        }
    } else {
        const std::size_t half = left_size(n);
        expand(record.left, out, n, 0, half, 1);
        expand(record.right, out, n, half, n - half, half);
    }
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out) const {
    load_slots(id, out); // the words are the first slots
    out.resize((out.size() + 1) / 2);
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out, Tree& tree) const {
    load_slots(id, tree.slots_);
    tree.id_ = id;
    const auto words = tree.words();
    out.assign(words.begin(), words.end());
}

std::size_t StateStore::bytes() const noexcept {
    const std::size_t scratch =
        new_refs_.capacity() + stamps_.capacity() + dirty_.capacity() + segment_ends_.capacity();
    return nodes_.bytes() + node_index_.bytes() + records_.bytes() + record_index_.bytes() +
           shapes_.bytes() + scratch * sizeof(std::uint32_t) + batch_.capacity() * sizeof(RootKey);
}

} // namespace mpcheck::explorer
