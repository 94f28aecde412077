#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace mpcheck::model {

struct Program;

/// Kinds of object records (multiprocessing objects shared between processes).
enum class ObjKind : std::uint32_t {
    process_handle,
    queue,
    sem,
    cond,
    event,
    conn,
    file,
    barrier,
    shared_value, ///< multiprocessing.Value / RawValue of an integer type
};

/// Status of an OS process (spec §1.4-§1.7).
enum class ProcStatus : std::uint32_t { not_started, running, exiting, exited, killed };

/// Exit stages of a process after its target returned (spec §1.4 step 3, §1.7).
enum class ExitStage : std::uint32_t {
    none,
    terminate_daemons, ///< SIGTERM every daemonic child
    join_children,     ///< join every non-daemonic child in _children
    join_feeders,      ///< join this process's queue feeder threads (unless cancelled)
    finish,            ///< flush and _exit: the process ends, its descriptors close
};

/// The global state of the model: one flat vector of 32-bit words, which is also its canonical
/// encoding (the explorer stores and hashes `words()` directly, with no separate encode step).
///
/// Layout (layout.hpp): a 4-word header, then three groups of variable-length records, each
/// record starting with its own size in words:
///   processes  in creation order: [size, fields..., globals..., frames...]
///   views      sorted by (process, object): a process's private part of a shared object
///              (a queue's buffer and feeder thread, a file's unflushed buffer): [size, proc, obj,
///              fields..., items...]
///   objects    in creation order: [size, ObjKind, fields..., tail...] (pipes hold messages)
/// The groups are ordered from the least to the most often resized, because the state store
/// shares the unchanged *positions* of similar states: a record that grows shifts everything
/// after it.
/// Record offsets are derived data rebuilt by `load`, not part of the state's identity.
class State {
public:
    State() = default;
    /// Parses words into this state (reusing capacity; no allocation once warm).
    void load(std::span<const std::uint32_t> words);
    /// The initial empty state (no objects, no processes).
    static State empty();

    std::span<const std::uint32_t> words() const { return words_; }
    friend bool operator==(const State& x, const State& y) { return x.words_ == y.words_; }

    std::uint32_t num_objects() const { return static_cast<std::uint32_t>(obj_.size()); }
    std::uint32_t num_processes() const { return static_cast<std::uint32_t>(proc_.size()); }
    std::uint32_t num_views() const { return static_cast<std::uint32_t>(view_.size()); }

    /// Offset of the first word of a record (its size word).
    std::uint32_t object_offset(std::uint32_t i) const { return obj_[i]; }
    std::uint32_t process_offset(std::uint32_t i) const { return proc_[i]; }
    std::uint32_t view_offset(std::uint32_t i) const { return view_[i]; }

    std::uint32_t word(std::uint32_t offset) const { return words_[offset]; }
    void set_word(std::uint32_t offset, std::uint32_t value) {
        words_[offset] = value;
        changed_blocks_ |= std::uint64_t{1} << std::min(offset / kChangeBlockWords, 63U);
    }

    /// Words per block of changed_blocks().
    static constexpr std::uint32_t kChangeBlockWords = 16;
    /// Which blocks of kChangeBlockWords words were written since the last copy_from or
    /// revert_to: bit b for the words [16 b, 16 b + 16), bit 63 for every word from 1008 on; all
    /// bits once a record moved. So a successor built by Model::successors tells which of its
    /// words may differ from the state it came from, and the explorer's store compares only
    /// those (every write goes through set_word or a record-moving operation).
    std::uint64_t changed_blocks() const { return changed_blocks_; }

    /// Changes whenever records move (words inserted or erased, records added or removed, a
    /// load), so that offsets computed from the state stay valid while it is the same.
    std::uint64_t layout_version() const { return layout_version_; }

    /// Makes this state a copy of `original` from which revert_to(original) can later undo
    /// the changes cheaply.
    void copy_from(const State& original);
    /// Makes this state equal to `original` again, given that it was equal to it after the
    /// last copy_from(original) or revert_to(original) and that `original` has not changed
    /// since: copies nothing when nothing was written, only the blocks of changed_blocks() when
    /// no record moved.
    void revert_to(const State& original) {
        if (changed_blocks_ != 0 || layout_version_ != original.layout_version_)
            revert_writes(original);
    }

    /// Appends a new object record of `size` zero words (size word and kind filled in).
    std::uint32_t add_object(ObjKind kind, std::uint32_t size);
    /// Appends a new process record of `size` zero words (size word filled in).
    std::uint32_t add_process(std::uint32_t size);
    /// Finds the view record of (proc, obj), or returns kNone.
    std::uint32_t find_view(std::uint32_t proc, std::uint32_t obj) const;
    /// Inserts a view record of `size` zero words in sorted position and returns its index.
    std::uint32_t add_view(std::uint32_t proc, std::uint32_t obj, std::uint32_t size);
    /// Removes a view record.
    void remove_view(std::uint32_t index);

    /// Inserts n zero words at `offset` inside the record that starts at `record_offset`.
    void insert_words(std::uint32_t record_offset, std::uint32_t offset, std::uint32_t n);
    /// Erases n words at `offset` inside the record that starts at `record_offset`.
    void erase_words(std::uint32_t record_offset, std::uint32_t offset, std::uint32_t n);

    static constexpr std::uint32_t kNone = 0xffffffffu;
    static constexpr std::uint32_t kHeaderWords = 4;

private:
    /// revert_to() after a try that wrote words or moved records.
    void revert_writes(const State& original);
    void reindex();
    void shift_offsets_after(std::uint32_t offset, std::int64_t delta);
    /// Records moved: offsets derived from the old layout are stale.
    void moved() {
        ++layout_version_;
        changed_blocks_ = ~std::uint64_t{0};
    }

    std::vector<std::uint32_t> words_;
    std::vector<std::uint32_t> obj_;
    std::vector<std::uint32_t> proc_;
    std::vector<std::uint32_t> view_;
    std::uint64_t layout_version_ = 0;
    std::uint64_t changed_blocks_ = ~std::uint64_t{0}; ///< see changed_blocks()
};

} // namespace mpcheck::model
