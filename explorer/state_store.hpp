#pragma once

// The exact visited-state store of the explorer.
//
// States are vectors of 1..65535 32-bit words. They are stored with tree compression
// (hash-consing, as in LTSmin's tree database): a vector of length n is a fixed binary tree whose
// shape depends only on n. A subtree over one word is that word; a subtree over several words is
// the id of an interned node, the pair (left reference, right reference). The left part of a
// range of n >= 2 words holds the largest power of two below n words (so vectors that share a
// prefix share the nodes over it, whatever their length). The root pair is not interned as a
// node: together with the length it is the state's record, and the record's index is the dense
// StateId. Every node is shared by all the states that contain it, so a state that differs from
// a stored one in a few words costs one record plus the few nodes on the changed paths, and when
// states are combinations of a modest number of sub-vectors the record dominates:
//   record 10 bytes + record index 4 bytes / load (load 3/8..3/4)  ~ 15-21 bytes per state.
//
// Exactness: lookups compare full keys (a node's pair; a record's length and pair), never only
// hashes, so two states are merged only when their words are equal.
//
// Memory: nodes and records live in blocks of 2^16 entries that never move (see
// store_detail::ChunkedArray); the two index tables hold 32-bit ids (see store_detail::IdIndex).
// bytes() counts all of it. Move-only and not thread-safe: a store belongs to one search thread.
//
// Speed: insert(words, near) costs one node lookup per changed inner node (about log2 n per
// changed word) plus the record lookup, so it is fast when successors differ from the state
// they come from in few words at the same positions; a successor of another length, or whose
// content moved, is interned like a fresh vector (n - 1 node lookups). Once the store outgrows
// the CPU caches each record lookup waits for memory; insert_batch overlaps those waits.

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

    /// A loaded state's words and tree of node ids, kept by the caller so that inserting a
    /// successor that differs in few words only re-interns the changed paths (LTSmin-style
    /// incremental insert). A value type whose buffer is reused by every load into it.
    class Tree {
    public:
        /// The state this tree was loaded from, or kNoState for a default-constructed tree.
        StateId id() const noexcept { return id_; }
        /// The loaded state's words.
        std::span<const std::uint32_t> words() const noexcept {
            return {slots_.data(), (slots_.size() + 1) / 2};
        }

    private:
        friend class StateStore;
        StateId id_ = kNoState;
        // The state's n words, then the node id of each inner node in preorder (the root, the
        // record, has none: its entry is unused): the slots of store_detail::Shape.
        std::vector<std::uint32_t> slots_;
    };

    /// Longest vector a state may be.
    static constexpr std::size_t kMaxLength = 65535;

    /// An empty store.
    StateStore() : StateStore(StateStoreOptions{}) {}
    /// An empty store with non-default settings (tests).
    explicit StateStore(StateStoreOptions options);

    /// Stores words (1..kMaxLength of them) unless already stored; returns its id either way.
    /// A bad length, or more than 2^32-1 states or nodes, fails an MPCHECK_ASSERT.
    Insertion insert(std::span<const std::uint32_t> words);

    /// Same result as insert(words), faster when words has the same length as the state `near`
    /// was loaded from and differs from it in few positions. `near` must come from load() on
    /// this store (a default-constructed Tree is allowed and ignored).
    Insertion insert(std::span<const std::uint32_t> words, const Tree& near);

    /// Same results as insert(states[k], near) for k = 0, 1, ... in turn, written to results
    /// (resized to states.size()). Faster than one call each once the store outgrows the CPU
    /// caches: the lookups of all the states wait for memory together instead of in turn.
    void insert_batch(std::span<const std::span<const std::uint32_t>> states, const Tree& near,
                      std::vector<Insertion>& results);

    /// Replaces out by the words of state id (id < size(), asserted).
    void load(StateId id, std::vector<std::uint32_t>& out) const;

    /// As load(id, out), and fills tree for later insert(words, tree) calls.
    void load(StateId id, std::vector<std::uint32_t>& out, Tree& tree) const;

    /// Number of states stored.
    std::size_t size() const noexcept { return records_.size(); }

    /// Number of distinct interned inner nodes (shared between states).
    std::size_t node_count() const noexcept { return nodes_.size(); }

    /// Every byte the store has allocated (capacity, not use): records, nodes, index tables,
    /// tree shapes and scratch buffers. bytes() / size() is the "bytes per stored state".
    std::size_t bytes() const noexcept;

private:
    /// A state's record: root pair and length, packed to 10 bytes (no padding).
    struct Record {
        std::array<unsigned char, 10> bytes;
    };
    static_assert(sizeof(Record) == 10, "records are packed");

    /// A state's record before it is looked up, with its hash.
    struct RootKey {
        Record record;
        std::uint64_t hash;
    };

    /// Interns the nodes of words and returns its record key.
    RootKey root_of(std::span<const std::uint32_t> words);

    /// The record key of words (in key) when inserting it near `near`; false, and nothing
    /// done, when words is near's state.
    bool key_of(std::span<const std::uint32_t> words, const Tree& near, RootKey& key);
    /// key_of for words of near's length n >= 2: re-interns only the paths above the words
    /// that differ from near's state.
    bool key_near(std::span<const std::uint32_t> words, const Tree& near, RootKey& key);
    /// Sizes the scratch buffers for vectors of n words; starts a new stamp generation.
    void prepare_scratch(std::size_t n);
    /// Stamps the words where words differs from near's state and the inner nodes above them,
    /// listing those nodes in dirty_ by segments (see key_near); returns the number of segments
    /// (0 when words is near's state).
    std::size_t mark_changes(std::span<const std::uint32_t> words, const Tree& near,
                             const store_detail::Shape& shape);

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
    /// Writes the words and node ids of state id into slots, resized to 2n-1 (n its length).
    void load_slots(StateId id, std::vector<std::uint32_t>& slots) const;
    /// Writes the slots of the subtree with reference ref over [lo, lo+size) whose root is
    /// inner node p (when size > 1) into slots (of a vector of n words); the recursive load for
    /// lengths whose shape is not cached.
    void expand(std::uint32_t ref, std::uint32_t* slots, std::size_t n, std::size_t lo,
                std::size_t size, std::size_t p) const;

    std::uint64_t hash_mask_;
    store_detail::ChunkedArray<std::uint64_t> nodes_; // node id -> left << 32 | right
    store_detail::IdIndex node_index_;
    store_detail::ChunkedArray<Record> records_; // state id -> left, right, length
    store_detail::IdIndex record_index_;
    store_detail::ShapeCache shapes_;
    // Scratch of key_near, per slot of the shape: the new reference, valid where the stamp is
    // generation_ (so nothing needs clearing between inserts); the changed inner nodes; and
    // where each changed word's run of them ends. new_refs_ is also root_of's scratch.
    std::vector<std::uint32_t> new_refs_;
    std::vector<std::uint32_t> stamps_;
    std::vector<std::uint32_t> dirty_;
    std::vector<std::uint32_t> segment_ends_;
    std::uint32_t generation_ = 0;
    std::vector<RootKey> batch_; // insert_batch's record keys
};

} // namespace mpcheck::explorer
