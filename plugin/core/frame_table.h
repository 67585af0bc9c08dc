// What each frame contributed to which streams, kept from the first pass for the later ones (which
// show the final verdict on every frame) and for the GUI. Frame numbers are dense and the first
// pass meets them in order, so where each frame's notes end in a single array of notes is the
// whole index, kept as a 2-byte count from the start of its block of 64 frames: 2 bytes a frame,
// 4 a block, 8 a note (about 10 for a frame of one segment), where a per-frame allocation costs
// several times that.
#pragma once

#include <cstdint>
#include <vector>

#include "analyzer.h"
#include "chunked_array.h"

namespace tcpdiag {

class FrameTable;

// The notes of one frame: a view into the table, valid until the table is cleared.
struct FrameNotes {
    const FrameTable *table = nullptr;
    uint32_t first = 0;  // the position of the frame's first note in the table
    int count = 0;

    FrameNote operator[](int i) const;
};

// A note as stored: the stream number, then transport, side, kind and the event's run and
// ordinal in 13 bits each. Larger runs and ordinals (thousands of retransmissions) are kept
// apart, exactly.
struct PackedNote {
    uint32_t index = 0;
    uint32_t bits = 0;
};
static_assert(sizeof(PackedNote) == 8, "PackedNote must stay within 8 bytes");

class FrameTable {
  public:
    // The most notes a frame keeps (the glue makes at most a few dozen): 64 frames of them still
    // fit the 2-byte count.
    static constexpr int kMaxNotesPerFrame = 1023;

    // Records a frame's notes; a frame already recorded (or older than the last one) is ignored.
    void add(uint32_t frame, const FrameNote *notes, int count);
    FrameNotes notes_of(uint32_t frame) const {
        if (frame == 0 || frame >= end_in_block_.size()) return {};
        const uint32_t begin = end_of(frame - 1);
        return {this, begin, static_cast<int>(end_of(frame) - begin)};
    }
    FrameNote note_at(uint32_t position) const;
    // The highest frame number recorded (0 for none).
    uint32_t last_frame() const {
        return end_in_block_.size() == 0 ? 0 : static_cast<uint32_t>(end_in_block_.size() - 1);
    }

    // Frames whose TCP could not be read, so their stream's diagnosis leaves them out.
    void mark_unread(uint32_t frame);
    bool unread(uint32_t frame) const { return !unread_.empty() && unread_in_list(frame); }
    uint64_t unread_count() const { return unread_.size(); }

  private:
    static constexpr unsigned kFramesPerBlockBits = 6;

    // notes_.size() once frame f was recorded (32 bits: the 2^32 notes they could not count would
    // take 32 GB here and terabytes in Wireshark).
    uint32_t end_of(uint32_t frame) const { return block_start_[frame >> kFramesPerBlockBits] + end_in_block_[frame]; }
    bool unread_in_list(uint32_t frame) const;
    void append_frame(uint32_t notes_before, uint32_t notes_after) {
        const size_t frame = end_in_block_.size();
        if ((frame & ((size_t{1} << kFramesPerBlockBits) - 1)) == 0) block_start_.push_back(notes_before);
        end_in_block_.push_back(static_cast<uint16_t>(notes_after - block_start_[frame >> kFramesPerBlockBits]));
    }

    // block_start_[b]: notes_.size() before frame 64 b; end_in_block_[f]: end_of(f) less its block's start.
    ChunkedArray<uint32_t> block_start_;
    ChunkedArray<uint16_t> end_in_block_;
    ChunkedArray<PackedNote> notes_;
    // Events whose run or ordinal do not fit 13 bits, by position, ascending.
    std::vector<std::pair<uint32_t, FrameEvent>> wide_events_;
    std::vector<uint32_t> unread_;  // ascending
};

}  // namespace tcpdiag
