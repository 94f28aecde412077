#pragma once

// The exact visited-state store of the explorer.
//
// States are vectors of 1..65535 32-bit words, stored with two-level "collapse" compression (as
// in SPIN's COLLAPSE mode and LTSmin's tree database):
//
// 1. A vector is cut into segments (store_detail::segment_end): a 4-word header, then
//    records that each start with their own size word, which is how model::State lays out its
//    processes, views and objects. The cut depends on the words alone, so any vector is accepted
//    and equal vectors are always cut alike. Each segment is interned in a hash-consed table of
//    variable-length word strings (store_detail::SegmentTable) and replaced by its id.
// 2. The short vector of m segment ids is stored with tree compression: a fixed binary tree
//    whose shape depends only on m. A subtree over one id is that id; a subtree over several is
//    the id of an interned node, the pair (left reference, right reference). The left part of a
//    range of m >= 2 ids holds the largest power of two below m. The root pair is not interned
//    as a node: together with m it is the state's record, and the record's index is the dense
//    StateId.
//
// Why two levels: a model step changes one to three records, and often the length of one (a
// queue buffer or a pipe grows or shrinks, a frame is pushed). With the tree over the words
// themselves, a record that changes length shifts every word after it, so the successor shares
// almost no tree path with its predecessor and is interned from scratch (n - 1 node lookups
// for n words). Over segment ids a resized record is just another id at the same position: a
// step costs one string lookup per changed record (in a table of distinct records, small enough
// to stay in the caches: 1,364 records for the 2.4 million states of the workers benchmark at
// N = 3) plus about log2 m node lookups per changed record, and only adding or removing a whole
// record (a process, a view, an object) re-interns the m - 1 nodes of the short id vector.
// Memory per state is the 10-byte record, its index entry (4 bytes / load, load 3/8..3/4) and
// the few nodes near the root that the state does not share, ~15-30 bytes; the segment table
// holds each distinct record once.
//
// Exactness: lookups compare full keys (a segment's words, a node's pair, a record's length and
// pair), never only hashes, so two states are merged only when their words are equal.
//
// Memory: segments, nodes and records live in blocks that never move (see
// store_detail::ChunkedArray, store_detail::SegmentTable); the index tables hold 32-bit ids (see
// store_detail::IdIndex). The big blocks and tables ask the system for huge pages
// (store_detail::PageArray): they are read at random, and with small pages most of those reads
// would also wait for an address translation. bytes() counts all of it. Move-only and not
// thread-safe: a store belongs to one search thread.
//
// Speed: insert(words, near) finds the words that differ from near's state (8 at a time), looks
// up only the segments that contain them (first checking the last two segments that replaced
// near's segment there, by a full compare) and re-interns the tree paths above them. Once the
// store outgrows the CPU caches the node and record lookups wait for memory; insert_batch
// makes the lookups of all its states in waves of independent ones, so those waits overlap.
// add_to_batch and finish_batch take insert_batch apart, so that one batch can hold the
// successors of several states (each near its own tree) and the waves are wider.

#include "explorer/state_store_segments.hpp"
#include "explorer/state_store_shape.hpp"
#include "explorer/state_store_tables.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mpcheck::explorer {

/// Dense id of a stored state: 0, 1, 2, ... in insertion order.
using StateId = std::uint32_t;

/// The id that no state has.
inline constexpr StateId kNoState = 0xffffffff;

/// Settings of a StateStore; the defaults are the production settings.
struct StateStoreOptions {
    /// Test hook: AND-ed into every hash. 0 puts every key in one bucket with the same hash bits,
    /// so each lookup must tell keys apart by full comparison alone. Never change it otherwise.
    std::uint64_t hash_mask = ~std::uint64_t{0};
};

/// Exact set of word vectors with dense ids, stored tree-compressed (see the file comment).
class StateStore {
public:
    /// Result of an insertion: the state's id and whether it was new.
    struct Insertion {
        StateId id;    ///< id of the (new or already stored) state
        bool inserted; ///< true when the state was not stored before
    };

    /// A loaded state's words, segments and tree of segment and node ids, kept by the caller so
    /// that inserting a successor re-interns only the segments that differ and the tree paths
    /// above them (LTSmin-style incremental insert). A value type whose buffers are reused by
    /// every load into it.
    class Tree {
    public:
        /// The state this tree was loaded from, or kNoState for a default-constructed tree.
        StateId id() const noexcept { return id_; }
        /// The loaded state's words.
        std::span<const std::uint32_t> words() const noexcept { return words_; }

    private:
        friend class StateStore;
        StateId id_ = kNoState;
        std::vector<std::uint32_t> words_;
        std::vector<std::uint32_t> ends_; // where each segment of words_ ends
        // The state's m segment ids, then the node id of each inner node in preorder (the root,
        // the record, has none: its entry is unused): the slots of store_detail::Shape.
        std::vector<std::uint32_t> slots_;
    };

    /// Longest vector a state may be.
    static constexpr std::size_t kMaxLength = 65535;

    /// An empty store.
    StateStore() : StateStore(StateStoreOptions{}) {}
    /// An empty store with non-default settings (tests).
    explicit StateStore(StateStoreOptions options);

    /// Stores words (1..kMaxLength of them) unless already stored; returns its id either way.
    /// A bad length, or more than 2^32-1 states, nodes or segments, fails an MPCHECK_ASSERT.
    Insertion insert(std::span<const std::uint32_t> words);

    /// Same result as insert(words), faster when words differs from the state `near` was
    /// loaded from in few of its segments (records). `near` must come from load() on
    /// this store (a default-constructed Tree is allowed and ignored).
    Insertion insert(std::span<const std::uint32_t> words, const Tree& near);

    /// Same results as insert(states[k], near) for k = 0, 1, ... in turn, written to results
    /// (resized to states.size()). Faster than one call each once the store outgrows the CPU
    /// caches: the lookups of all the states wait for memory together instead of in turn.
    void insert_batch(std::span<const std::span<const std::uint32_t>> states, const Tree& near,
                      std::vector<Insertion>& results);

    /// Adds words to the pending batch: insert_batch taken apart, so that a batch may hold the
    /// successors of several states, each near its own tree. Its segments are interned now (so
    /// neither words nor near need outlive the call); its tree nodes and its record are looked
    /// up by finish_batch(), which assigns the ids. Until then the state is not stored: size()
    /// and load() do not see it.
    void add_to_batch(std::span<const std::uint32_t> words, const Tree& near);

    /// Number of states added to the pending batch since the last finish_batch().
    std::size_t batch_size() const noexcept { return batch_.size(); }

    /// Stores the pending batch: the same results as insert(words, near) for each added state in
    /// turn, written to results (resized to batch_size()); the batch is then empty.
    void finish_batch(std::vector<Insertion>& results);

    /// Replaces out by the words of state id (id < size(), asserted).
    void load(StateId id, std::vector<std::uint32_t>& out) const;

    /// Loads state id into tree (its words are tree.words()) for later insert(words, tree) calls.
    void load(StateId id, Tree& tree) const;

    /// As load(id, tree), and copies the words to out.
    void load(StateId id, std::vector<std::uint32_t>& out, Tree& tree) const;

    /// Number of states stored.
    std::size_t size() const noexcept { return records_.size(); }

    /// Number of distinct interned inner nodes of the trees over segment ids (shared between
    /// states).
    std::size_t node_count() const noexcept { return nodes_.size(); }

    /// Number of distinct interned segments (shared between states).
    std::size_t segment_count() const noexcept { return segments_.size(); }

    /// Every byte the store has allocated (capacity, not use): segments, records, nodes, index
    /// tables, tree shapes and scratch buffers. bytes() / size() is the "bytes per stored state".
    std::size_t bytes() const noexcept;

private:
    /// A state's record: root pair and number of segments, packed to 10 bytes (no padding).
    struct Record {
        std::array<unsigned char, 10> bytes;
    };
    static_assert(sizeof(Record) == 10, "records are packed");

    /// A state's record before it is looked up, with its hash.
    struct RootKey {
        Record record;
        std::uint64_t hash;
    };

    /// An inner node to re-intern for a state of a batch: where its children's references are
    /// and where its own goes, as indices into batch_refs_, and its hash once computed.
    struct NodeWork {
        std::uint32_t left;
        std::uint32_t right;
        std::uint32_t slot;
        std::uint64_t hash;
    };

    /// A state of a batch on its way to its record key (see insert_batch).
    struct Job {
        StateId found;           // near's id when the state is near's, else kNoState
        std::uint32_t refs;      // where its slots start in batch_refs_
        std::uint32_t m;         // number of segments
        std::uint32_t root_left; // slots of the root's children
        std::uint32_t root_right;
        RootKey root; // the record key, once all nodes are interned
    };

    /// Cuts words into segments and writes their ids to ids_, taking near's id for a segment
    /// equal to near's segment at the same position and interning the others, whose positions
    /// go to changed_ (all positions when near is a default tree).
    void segment_ids(std::span<const std::uint32_t> words, const Tree& near);
    /// segment_ids for words of near's length: true, and done, when words is cut exactly as
    /// near's state (the usual case); false, and nothing done, otherwise.
    bool segment_ids_as_near(std::span<const std::uint32_t> words, const Tree& near);
    /// Id of segment, which replaces the segment with id `before` (or kNoState) at its position.
    std::uint32_t intern_segment(std::span<const std::uint32_t> segment, std::uint32_t before);
    /// Interns the segments of words and lists the inner nodes to re-intern (in batch_refs_ and
    /// batch_work_); false, and nothing listed, when words is near's state.
    bool plan(std::span<const std::uint32_t> words, const Tree& near, Job& job);
    /// Lists an inner node of job to re-intern.
    void plan_node(const Job& job, const store_detail::Shape& shape, std::size_t p);
    /// Lists the nodes above the changed_ ids (at least one) of job, a vector of m >= 2 ids
    /// with near's shape.
    void plan_near(const Job& job, const store_detail::Shape& shape);
    /// Sets job.root from its root's children, once its nodes are interned.
    void finish_root(Job& job) noexcept;

    /// Id of the node (left, right) whose hash is hash, interning it if new.
    std::uint32_t intern_node(std::uint32_t left, std::uint32_t right, std::uint64_t hash);
    /// The node index hash of (left, right).
    std::uint64_t node_hash(std::uint32_t left, std::uint32_t right) const noexcept;
    /// Appends a new node; slot is where the index lookup of its hash stopped.
    std::uint32_t add_node(std::uint64_t key, std::uint64_t hash, std::size_t slot);
    /// Finds or appends the record.
    Insertion intern_record(const RootKey& root);
    /// Appends a new record; slot is where the index lookup of its hash stopped.
    StateId add_record(const Record& record, std::uint64_t hash, std::size_t slot);
    /// Writes the segment ids and node ids of state id into slots, resized to 2m-1 (m its number
    /// of segments).
    void load_slots(StateId id, std::vector<std::uint32_t>& slots) const;
    /// Appends the words of the subtree with reference ref over `size` segment ids to out.
    void append_words(std::uint32_t ref, std::size_t size, std::vector<std::uint32_t>& out) const;
    /// Writes the slots of the subtree with reference ref over [lo, lo+size) whose root is
    /// inner node p (when size > 1) into slots (of a vector of m ids); the recursive load for
    /// lengths whose shape is not cached.
    void expand(std::uint32_t ref, std::uint32_t* slots, std::size_t m, std::size_t lo,
                std::size_t size, std::size_t p) const;

    std::uint64_t hash_mask_;
    store_detail::SegmentTable segments_;
    store_detail::ChunkedArray<std::uint64_t> nodes_; // node id -> left << 32 | right
    store_detail::IdIndex node_index_;
    store_detail::ChunkedArray<Record> records_; // state id -> left, right, m
    store_detail::IdIndex record_index_;
    store_detail::ShapeCache shapes_;
    // Scratch of segment_ids: the segment ids of the vector being planned, and the positions of
    // those that differ from near's.
    std::vector<std::uint32_t> ids_;
    std::vector<std::uint32_t> changed_;
    // Per segment id, 1 + the ids of the last two segments that replaced it at its position (0:
    // none). A process or object record tends to change into the same few records again and
    // again, so these guesses, checked by a full compare, often spare hashing and an index
    // lookup.
    std::vector<std::uint32_t> successor_;
    // Scratch of plan_near, per slot of the shape: a stamp, current where it is generation_ (so
    // nothing needs clearing between inserts).
    std::vector<std::uint32_t> stamps_;
    std::uint32_t generation_ = 0;
    // Scratch of insert_batch: per state its job; the slots of their trees; their nodes to
    // re-intern, with the height of each, and the same sorted by height; and the result of a
    // single insert.
    std::vector<Job> batch_;
    std::vector<std::uint32_t> batch_refs_;
    std::vector<NodeWork> batch_work_;
    std::vector<std::uint8_t> batch_heights_;
    std::vector<NodeWork> batch_sorted_;
    std::vector<Insertion> single_;
};

} // namespace mpcheck::explorer
