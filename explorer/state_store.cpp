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

/// A record's fields. Layout in its 10 bytes: left, right (4 bytes each), length m (2 bytes),
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

StateStore::StateStore(StateStoreOptions options)
    : hash_mask_(options.hash_mask), segments_(options.hash_mask) {}

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

// ---- Segments --------------------------------------------------------------------------------

std::uint32_t StateStore::intern_segment(std::span<const std::uint32_t> segment,
                                         std::uint32_t before) {
    const std::size_t guesses = std::size_t{before} * 2; // where before's two guesses are
    if (guesses < successor_.size()) {
        for (std::size_t g = 0; g < 2; ++g) {
            const std::uint32_t guess = successor_[guesses + g];
            if (guess == 0) break;
            const auto words = segments_.words(guess - 1);
            if (words.size() == segment.size() &&
                store_detail::equal_words(words.data(), segment.data(), segment.size())) {
                return guess - 1;
            }
        }
    }
    const std::uint32_t id = segments_.intern(segment, segments_.hash(segment));
    if (before != kNoState) {
        if (guesses >= successor_.size()) successor_.resize(2 * segments_.size(), 0);
        successor_[guesses + 1] = successor_[guesses]; // the older guess goes
        successor_[guesses] = id + 1;
    }
    return id;
}

bool StateStore::segment_ids_as_near(std::span<const std::uint32_t> words, const Tree& near) {
    // The cut depends only on the length and on the words where segments start: unless one of
    // those changed, words is cut as near's state. The changed words are found 8 at a time:
    // most blocks are unchanged, the others yield a bit mask of their changed words.
    const std::size_t n = words.size();
    const std::uint32_t* const near_ends = near.ends_.data();
    const std::uint32_t* const now = words.data();
    const std::uint32_t* const old = near.words_.data();
    std::size_t segment = 0;
    for (std::size_t i = 0; i < n; i += 8) {
        const std::size_t block = std::min<std::size_t>(8, n - i);
        if (block == 8 && store_detail::equal_words(now + i, old + i, 8)) continue;
        unsigned changed = 0;
        for (std::size_t j = 0; j < block; ++j)
            changed |= static_cast<unsigned>(now[i + j] != old[i + j]) << j;
        for (; changed != 0; changed &= changed - 1) {
            const std::size_t word = i + static_cast<std::size_t>(std::countr_zero(changed));
            while (near_ends[segment] <= word)
                ++segment;
            if (segment > 0 && word == near_ends[segment - 1]) return false; // a size word
            if (changed_.empty() || changed_.back() != segment) {
                changed_.push_back(static_cast<std::uint32_t>(segment));
            }
        }
    }
    const std::size_t m = near.ends_.size();
    ids_.assign(near.slots_.begin(), near.slots_.begin() + static_cast<std::ptrdiff_t>(m));
    for (const std::uint32_t k : changed_) {
        const std::size_t begin = k == 0 ? 0 : near_ends[k - 1];
        ids_[k] = intern_segment(words.subspan(begin, near_ends[k] - begin), ids_[k]);
    }
    return true;
}

void StateStore::segment_ids(std::span<const std::uint32_t> words, const Tree& near) {
    check_length(words.size());
    ids_.clear();
    changed_.clear();
    const std::size_t n = words.size();
    if (near.id_ != kNoState && near.words_.size() == n) {
        if (segment_ids_as_near(words, near)) return;
        changed_.clear();
    }
    // Compare segment by segment with near's segment at the same position, if any.
    const std::size_t near_m = near.id_ == kNoState ? 0 : near.ends_.size();
    const std::uint32_t* const near_words = near.words_.data();
    std::size_t near_begin = 0;
    for (std::size_t k = 0, begin = 0; begin < n; ++k) {
        const std::size_t end = store_detail::segment_end(words, begin);
        const std::size_t size = end - begin;
        std::uint32_t before = kNoState;
        if (k < near_m) {
            const std::size_t near_end = near.ends_[k];
            before = near.slots_[k];
            const bool same =
                near_end - near_begin == size &&
                store_detail::equal_words(words.data() + begin, near_words + near_begin, size);
            near_begin = near_end;
            if (same) {
                ids_.push_back(before);
                begin = end;
                continue;
            }
        }
        ids_.push_back(intern_segment(words.subspan(begin, size), before));
        changed_.push_back(static_cast<std::uint32_t>(k));
        begin = end;
    }
}

// ---- Planning a state's nodes ----------------------------------------------------------------

void StateStore::plan_node(const Job& job, const Shape& shape, std::size_t p) {
    const std::uint32_t refs = job.refs;
    batch_work_.push_back({refs + shape.left(p), refs + shape.right(p),
                           refs + job.m + static_cast<std::uint32_t>(p), 0});
    batch_heights_.push_back(static_cast<std::uint8_t>(shape.height(p)));
}

void StateStore::plan_near(const Job& job, const Shape& shape) {
    const std::size_t m = job.m;
    const std::size_t slots = 2 * m - 1;
    if (stamps_.size() < slots) stamps_.resize(slots, 0); // stamp 0 is never a generation
    if (++generation_ == 0) [[unlikely]] { // wrapped after 2^32 inserts: forget all stamps
        std::fill(stamps_.begin(), stamps_.end(), 0);
        generation_ = 1;
    }
    const std::uint32_t generation = generation_;
    std::uint32_t* const stamps = stamps_.data();
    // Every inner node above a changed id, once, except the root (the record, not a node).
    for (const std::uint32_t i : changed_) {
        for (std::size_t slot = shape.parent(i); slot != m && stamps[slot] != generation;
             slot = shape.parent(slot)) {
            stamps[slot] = generation;
            plan_node(job, shape, slot - m);
        }
    }
}

bool StateStore::plan(std::span<const std::uint32_t> words, const Tree& near, Job& job) {
    segment_ids(words, near);
    const std::size_t m = ids_.size();
    const bool near_shape = near.id_ != kNoState && near.ends_.size() == m;
    if (near_shape && changed_.empty()) return false; // every segment is near's
    job.m = static_cast<std::uint32_t>(m);
    job.refs = static_cast<std::uint32_t>(batch_refs_.size());
    if (m == 1) {
        batch_refs_.push_back(ids_[0]);
        job.root_left = 0;
        job.root_right = 0;
        return true;
    }
    const Shape& shape = shapes_.get(m);
    job.root_left = shape.left(0);
    job.root_right = shape.right(0);
    if (near_shape) {
        // near's slots with the changed ids: only the nodes above those change.
        batch_refs_.insert(batch_refs_.end(), near.slots_.begin(), near.slots_.end());
        std::uint32_t* const refs = batch_refs_.data() + job.refs;
        for (const std::uint32_t i : changed_)
            refs[i] = ids_[i];
        plan_near(job, shape);
    } else {
        batch_refs_.insert(batch_refs_.end(), ids_.begin(), ids_.end());
        batch_refs_.resize(batch_refs_.size() + m - 1);
        for (std::size_t p = 1; p + 1 < m; ++p)
            plan_node(job, shape, p);
    }
    return true;
}

void StateStore::finish_root(Job& job) noexcept {
    const std::uint32_t* const refs = batch_refs_.data() + job.refs;
    const RecordFields fields{job.m, refs[job.root_left], job.m == 1 ? 0 : refs[job.root_right]};
    job.root = {make_record<Record>(fields), record_hash(fields) & hash_mask_};
}

// ---- Inserting -------------------------------------------------------------------------------

StateStore::Insertion StateStore::insert(std::span<const std::uint32_t> words) {
    return insert(words, Tree{});
}

StateStore::Insertion StateStore::insert(std::span<const std::uint32_t> words, const Tree& near) {
    const std::span<const std::uint32_t> one[1] = {words};
    insert_batch(one, near, single_);
    return single_[0];
}

void StateStore::insert_batch(std::span<const std::span<const std::uint32_t>> states,
                              const Tree& near, std::vector<Insertion>& results) {
    MPCHECK_ASSERT(batch_.empty()); // not mixed with a pending batch
    for (const std::span<const std::uint32_t> words : states)
        add_to_batch(words, near);
    finish_batch(results);
}

void StateStore::add_to_batch(std::span<const std::uint32_t> words, const Tree& near) {
    Job& job = batch_.emplace_back();
    job.found = plan(words, near, job) ? kNoState : near.id_; // kNoState: to be looked up
}

void StateStore::finish_batch(std::vector<Insertion>& results) {
    // Once the store outgrows the CPU caches, each node and record lookup waits for memory. So
    // the lookups of a batch are made in waves of independent ones whose memory waits overlap:
    // add_to_batch has interned each state's segments (a small table that stays in the caches)
    // and listed the inner nodes it must re-intern; now the nodes of all the states are looked
    // up by increasing height (a node's children are lower), each height in three passes:
    // compute the keys and prefetch their index slots, prefetch the nodes those slots point
    // to, look the keys up. Last, the records are prefetched together and looked up in state
    // order, so ids come out exactly as from inserting the states one by one (node ids may
    // come out in another order, which changes no state id: a node is found by its content).
    const std::size_t count = batch_.size();
    results.resize(count);

    // Counting sort by height (at most 16: a tree over 65535 ids).
    constexpr std::size_t kHeights = 17;
    std::array<std::uint32_t, kHeights + 1> starts{};
    for (const std::uint8_t height : batch_heights_)
        ++starts[height + 1];
    for (std::size_t h = 1; h <= kHeights; ++h)
        starts[h] += starts[h - 1];
    batch_sorted_.resize(batch_work_.size());
    {
        std::array<std::uint32_t, kHeights + 1> next = starts;
        for (std::size_t i = 0; i < batch_work_.size(); ++i)
            batch_sorted_[next[batch_heights_[i]]++] = batch_work_[i];
    }
    std::uint32_t* const refs = batch_refs_.data();
    for (std::size_t h = 1; h < kHeights; ++h) {
        NodeWork* const begin = batch_sorted_.data() + starts[h];
        NodeWork* const end = batch_sorted_.data() + starts[h + 1];
        for (NodeWork* w = begin; w != end; ++w) {
            w->hash = node_hash(refs[w->left], refs[w->right]);
            node_index_.prefetch(w->hash);
        }
        if (end - begin > 1) {
            for (NodeWork* w = begin; w != end; ++w) {
                node_index_.prefetch_candidates(w->hash, [this](std::uint32_t id) {
                    store_detail::prefetch_address(&nodes_[id]);
                });
            }
        }
        for (NodeWork* w = begin; w != end; ++w)
            refs[w->slot] = intern_node(refs[w->left], refs[w->right], w->hash);
    }

    for (Job& job : batch_) {
        if (job.found != kNoState) continue;
        finish_root(job);
        record_index_.prefetch(job.root.hash);
    }
    if (count > 1) {
        for (const Job& job : batch_) {
            if (job.found != kNoState) continue;
            record_index_.prefetch_candidates(job.root.hash, [this](std::uint32_t id) {
                store_detail::prefetch_address(&records_[id]);
            });
        }
    }
    for (std::size_t k = 0; k < count; ++k) {
        const Job& job = batch_[k];
        results[k] = job.found != kNoState ? Insertion{job.found, false} : intern_record(job.root);
    }
    batch_.clear();
    batch_refs_.clear();
    batch_work_.clear();
    batch_heights_.clear();
}

// ---- Loading ---------------------------------------------------------------------------------

void StateStore::expand(std::uint32_t ref, std::uint32_t* slots, std::size_t m, std::size_t lo,
                        std::size_t size, std::size_t p) const {
    if (size == 1) {
        slots[lo] = ref;
        return;
    }
    slots[m + p] = ref;
    const std::uint64_t node = nodes_[ref];
    const std::size_t half = left_size(size);
    expand(left_of(node), slots, m, lo, half, p + 1);
    expand(right_of(node), slots, m, lo + half, size - half, p + half);
}

void StateStore::load_slots(StateId id, std::vector<std::uint32_t>& slots) const {
    MPCHECK_ASSERT(id < size());
    const RecordFields record = read_record(records_[id]);
    const std::size_t m = record.length;
    slots.resize(2 * m - 1);
    std::uint32_t* const out = slots.data();
    if (m == 1) {
        out[0] = record.left;
        return;
    }
    out[m] = 0; // the root's slot: the record has no node id
    if (const Shape* shape = shapes_.find(m)) {
        // Top-down by increasing node number: a node's id is known before it is expanded.
        out[shape->left(0)] = record.left;
        out[shape->right(0)] = record.right;
        for (std::size_t p = 1; p + 1 < m; ++p) {
            const std::uint64_t node = nodes_[out[m + p]];
            out[shape->left(p)] = left_of(node);
            out[shape->right(p)] = right_of(node);
        }
    } else {
        const std::size_t half = left_size(m);
        expand(record.left, out, m, 0, half, 1);
        expand(record.right, out, m, half, m - half, half);
    }
}

void StateStore::append_words(std::uint32_t ref, std::size_t size,
                              std::vector<std::uint32_t>& out) const {
    if (size == 1) {
        const auto segment = segments_.words(ref);
        out.insert(out.end(), segment.begin(), segment.end());
        return;
    }
    const std::uint64_t node = nodes_[ref];
    const std::size_t half = left_size(size);
    append_words(left_of(node), half, out);
    append_words(right_of(node), size - half, out);
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out) const {
    MPCHECK_ASSERT(id < size());
    const RecordFields record = read_record(records_[id]);
    const std::size_t m = record.length;
    out.clear();
    if (m == 1) {
        append_words(record.left, 1, out);
        return;
    }
    const std::size_t half = left_size(m);
    append_words(record.left, half, out);
    append_words(record.right, m - half, out);
}

void StateStore::load(StateId id, std::vector<std::uint32_t>& out, Tree& tree) const {
    load(id, tree);
    out.assign(tree.words_.begin(), tree.words_.end());
}

void StateStore::load(StateId id, Tree& tree) const {
    load_slots(id, tree.slots_);
    tree.id_ = id;
    const std::size_t m = (tree.slots_.size() + 1) / 2;
    const std::uint32_t* const ids = tree.slots_.data();
    for (std::size_t k = 0; k < m; ++k)
        segments_.prefetch(ids[k]); // the segments wait for memory together
    tree.words_.clear();
    tree.ends_.resize(m);
    for (std::size_t k = 0; k < m; ++k) {
        const auto segment = segments_.words(ids[k]);
        tree.words_.insert(tree.words_.end(), segment.begin(), segment.end());
        tree.ends_[k] = static_cast<std::uint32_t>(tree.words_.size());
    }
}

std::size_t StateStore::bytes() const noexcept {
    const std::size_t scratch = ids_.capacity() + changed_.capacity() + successor_.capacity() +
                                stamps_.capacity() + batch_refs_.capacity();
    return segments_.bytes() + nodes_.bytes() + node_index_.bytes() + records_.bytes() +
           record_index_.bytes() + shapes_.bytes() + scratch * sizeof(std::uint32_t) +
           batch_.capacity() * sizeof(Job) + batch_heights_.capacity() +
           (batch_work_.capacity() + batch_sorted_.capacity()) * sizeof(NodeWork) +
           single_.capacity() * sizeof(Insertion);
}

} // namespace mpcheck::explorer
