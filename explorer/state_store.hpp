#pragma once

// The exact visited-state store of the explorer.
//
// States are vectors of 1..65535 32-bit words, stored with "collapse" compression (as in SPIN's
// COLLAPSE mode):
//
// 1. A vector is cut into segments (store_detail::segment_end): a 4-word header, then
//    records that each start with their own size word, which is how model::State lays out its
//    processes, views and objects. The cut depends on the words alone, so any vector is accepted
//    and equal vectors are always cut alike. Each distinct segment is stored once
//    (store_detail::SegmentTable), and each (position, segment) pair gets a small local number:
//    0, 1, 2, ... in the order segments first occur at that position
//    (store_detail::PositionTable).
// 2. A state is the string of its segments' local numbers, each written in a variable-length
//    code (one byte below 240; state_store_codes.cpp), about one byte per segment: 15 bytes for the
//    states of the workers benchmark at N = 3, which have 14 segments and 210 words. Those strings
//    are stored back to back (store_detail::RecordArena); the string's index is the dense StateId,
//    and a hash index of ids (store_detail::IdIndex) finds a string.
//
// Why this shape: a model step changes one to three records, and often the length of one (a
// queue buffer or a pipe grows or shrinks, a frame is pushed). Comparing the successor with the
// state it came from (only in the blocks the model says it wrote: ChangedBlocks) finds the
// changed records; each is looked up by its words and position in the small position table
// (1,364 distinct segments for the 2.4 million states at N = 3: it stays in the CPU caches),
// usually skipped altogether by remembering what a segment turned into with the same changed
// words (store_detail::ChangeCache). The loaded state (Tree) keeps its local numbers and which
// segment each word is in, so a successor's string is the loaded one's numbers with the changed
// ones replaced, written without a branch per number. Then the whole state is one short string:
// a lookup is one probe of the index and one compare with one stored string, two or three memory
// accesses that a batch of lookups makes wait together. (A tree over the segment ids, as in
// LTSmin, stores a little less but costs a chain of dependent lookups per changed record: this
// store replaced one and was 1.3 times faster.) Loading a state copies only the segments that
// differ from the state loaded before, when the cut allows: states expanded one after the other
// are often siblings. Memory per state: the string, 4 bytes for where it starts and the index
// entry (4 bytes at a load of 3/8..3/4).
//
// Exactness: lookups compare full keys (a segment's words and position, a state's whole
// string), never only hashes, so two states are merged only when their words are equal.
//
// Memory: segments and strings live in blocks that never move; the index tables hold 32-bit ids
// (see store_detail::IdIndex). The big blocks and tables ask the system for huge pages
// (store_detail::PageArray): they are read at random, and with small pages most of those reads
// would also wait for an address translation. bytes() counts all of it. Move-only and not
// thread-safe: a store belongs to one search thread.

#include "explorer/state_store_changes.hpp"
#include "explorer/state_store_positions.hpp"
#include "explorer/state_store_records.hpp"
#include "explorer/state_store_segments.hpp"
#include "explorer/state_store_tables.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mpcheck::explorer {

/// Dense id of a stored state: 0, 1, 2, ... in insertion order.
using StateId = std::uint32_t;

/// The id that no state has.
inline constexpr StateId kNoState = 0xffffffff;

/// Which blocks of kHintBlockWords words of a vector may differ from the state a StateStore::Tree
/// was loaded from: bit b for the words [16 b, 16 b + 16), bit 63 also for every word after.
/// The model knows which words a step wrote; with this hint the store compares only those
/// blocks. It must name every block with a changed word (checked in debug builds).
using ChangedBlocks = std::uint64_t;
/// Words per block of ChangedBlocks.
inline constexpr std::size_t kHintBlockWords = 16;
/// The hint that names every block: no hint.
inline constexpr ChangedBlocks kAnyBlock = ~ChangedBlocks{0};

/// Settings of a StateStore; the defaults are the production settings.
struct StateStoreOptions {
    /// Test hook: AND-ed into every hash. 0 puts every key in one bucket with the same hash bits,
    /// so each lookup must tell keys apart by full comparison alone. Never change it otherwise.
    std::uint64_t hash_mask = ~std::uint64_t{0};
};

/// Exact set of word vectors with dense ids, stored collapse-compressed (see the file comment).
class StateStore {
public:
    /// Result of an insertion: the state's id and whether it was new.
    struct Insertion {
        StateId id;    ///< id of the (new or already stored) state
        bool inserted; ///< true when the state was not stored before
    };

    /// A loaded state's words and segments, kept by the caller so that inserting a successor
    /// looks up only the segments that differ. A value type whose buffers are reused by every
    /// load into it.
    class Tree {
    public:
        /// The state this tree was loaded from, or kNoState for a default-constructed tree.
        StateId id() const noexcept { return id_; }
        /// The loaded state's words.
        std::span<const std::uint32_t> words() const noexcept { return words_; }

    private:
        friend class StateStore;
        /// Where segment k of words_ begins.
        std::size_t begin_of(std::size_t k) const noexcept { return k == 0 ? 0 : ends_[k - 1]; }
        // segment_of_'s mark of a size word (no segment has this number: a state of at most
        // 65535 words, 4 of them the header, has fewer segments).
        static constexpr std::uint16_t kSizeWord = 0xffff;
        StateId id_ = kNoState;
        std::vector<std::uint32_t> words_;
        std::vector<std::uint32_t> ends_;     // where each segment of words_ ends
        std::vector<std::uint32_t> locals_;   // each segment's local number (what the string holds)
        std::vector<std::uint32_t> entries_;  // each segment's store_detail::PositionTable entry
        std::vector<std::uint32_t> segments_; // scratch of a full load: SegmentTable ids
        std::vector<std::uint32_t> loading_;  // the local numbers of the state being loaded
        std::vector<std::uint16_t> segment_of_; // each word's segment, or kSizeWord
    };

    /// Longest vector a state may be.
    static constexpr std::size_t kMaxLength = 65535;

    /// An empty store.
    StateStore() : StateStore(StateStoreOptions{}) {}
    /// An empty store with non-default settings (tests).
    explicit StateStore(StateStoreOptions options);

    /// Stores words (1..kMaxLength of them) unless already stored; returns its id either way.
    /// A bad length, or more than 2^32-1 states or segments, fails an MPCHECK_ASSERT.
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
    /// neither words nor near need outlive the call); the state itself is looked up by
    /// finish_batch(), which assigns the ids. Until then the state is not stored: size() and
    /// load() do not see it.
    /// `hint` names the blocks where words may differ from near's state (see ChangedBlocks);
    /// ignored when near is a default tree or words is not as long as near's state.
    void add_to_batch(std::span<const std::uint32_t> words, const Tree& near,
                      ChangedBlocks hint = kAnyBlock);

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

    /// Number of distinct segments (shared between states).
    std::size_t segment_count() const noexcept { return segments_.size(); }

    /// Number of distinct (position, segment) pairs.
    std::size_t position_entry_count() const noexcept { return positions_.size(); }

    /// Every byte the store has allocated (capacity, not use): segments, positions, state
    /// strings, index and scratch buffers. bytes() / size() is the "bytes per stored state".
    std::size_t bytes() const noexcept;

private:
    /// A state of a batch: near's id when it is near's state, else where its string is in
    /// batch_bytes_ and its hash.
    struct Job {
        StateId found;
        std::uint32_t begin;
        std::uint32_t end;
        std::uint64_t hash;
    };

    /// Cuts words into segments and writes their local numbers to locals_, taking near's for a
    /// segment equal to near's at the same position; true when every segment is near's (and
    /// near has as many).
    bool segment_locals(std::span<const std::uint32_t> words, const Tree& near, ChangedBlocks hint);
    /// segment_locals for words of near's length: true, and done, when words is cut exactly as
    /// near's state (the usual case), with `same` telling whether no segment changed; false,
    /// and nothing done, otherwise.
    bool segment_locals_as_near(std::span<const std::uint32_t> words, const Tree& near,
                                ChangedBlocks hint, bool& same);
    /// In debug builds, asserts that hint names every block where words differs from near's.
    static void check_hint(std::span<const std::uint32_t> words, const Tree& near,
                           ChangedBlocks hint);
    /// The PositionTable hash of segment at position.
    std::uint64_t entry_hash(std::span<const std::uint32_t> segment,
                             std::uint32_t position) const noexcept;
    /// Entry of segment at position, added if new.
    std::uint32_t intern_segment(std::span<const std::uint32_t> segment, std::uint32_t position);
    /// narrow_locals' result when a local needs a five-byte code (or SIMD is not available).
    static constexpr std::uint64_t kTooWide = ~std::uint64_t{0};
    /// Writes each of locals_ (8 to 64 of them) to bytes as one byte (saturated); returns which
    /// need a two-byte code (bit k: locals_[k]), or kTooWide when one needs five.
    std::uint64_t narrow_locals(std::uint8_t* bytes) const noexcept;
    /// Appends the string of locals_ to batch_bytes_.
    void encode_locals();
    /// Writes the local numbers of state id's segments to locals.
    void decode(StateId id, std::vector<std::uint32_t>& locals) const;
    /// Writes the PositionTable entries and SegmentTable ids of segments with these local
    /// numbers (at positions 0, 1, ...) to entries and segments.
    void look_up(std::span<const std::uint32_t> locals, std::vector<std::uint32_t>& entries,
                 std::vector<std::uint32_t>& segments) const;
    /// Makes tree's words and entries those of the local numbers in its loading_ by
    /// changing only the segments whose numbers differ from its locals_, when that keeps the
    /// cut; false (and nothing done) otherwise.
    bool patch(Tree& tree) const;
    /// Writes tree's segment_of_ from its ends_.
    static void mark_segments(Tree& tree);
    /// Replaces words by the given segments, back to back, and ends by where each ends.
    void assemble(std::span<const std::uint32_t> segments, std::vector<std::uint32_t>& words,
                  std::vector<std::uint32_t>& ends) const;
    /// The index hash of a state string.
    std::uint64_t string_hash(std::span<const std::uint8_t> bytes) const noexcept;
    /// Finds or appends the state string of job.
    Insertion intern_string(const Job& job);

    std::uint64_t hash_mask_;
    store_detail::SegmentTable segments_;
    store_detail::PositionTable positions_;
    store_detail::RecordArena records_; // state id -> its string
    store_detail::IdIndex index_;
    // What segments turned into when given words changed (the usual step: no record resized).
    store_detail::ChangeCache change_cache_;
    /// A segment with changed words: its position and its first change in changes_.
    struct ChangedSegment {
        std::uint32_t segment;
        std::uint32_t first;
    };
    // Scratch of segment_locals_as_near: the changed words, by segment.
    std::vector<store_detail::WordChange> changes_;
    std::vector<ChangedSegment> changed_;
    // Scratch: the local numbers of the vector being added, and the batch's jobs and strings.
    std::vector<std::uint32_t> locals_;
    std::vector<std::uint8_t> narrow_; // scratch of encode_locals
    std::vector<Job> batch_;
    std::vector<std::uint8_t> batch_bytes_; // only its first batch_used_ bytes are the batch's
    std::size_t batch_used_ = 0;
    std::vector<Insertion> single_;
};

} // namespace mpcheck::explorer
