// What each frame contributed to which streams, kept from the first pass for the later ones (which
// show the final verdict on every frame) and for the GUI. Frame numbers are dense and the first
// pass meets them in order, so one offset per frame into a single array of notes is the whole
// index: 4 bytes a frame plus its notes, where a per-frame allocation costs several times that.
#pragma once

#include <cstdint>
#include <vector>

#include "analyzer.h"

namespace tcpdiag {

// The notes of one frame: a view into the table, valid until the table is cleared.
struct FrameNotes {
    const FrameNote *notes = nullptr;
    int count = 0;
};

class FrameTable {
  public:
    // Records a frame's notes; a frame already recorded (or older than the last one) is ignored.
    void add(uint32_t frame, const FrameNote *notes, int count);
    FrameNotes notes_of(uint32_t frame) const;

    // Frames whose TCP could not be read, so their stream's diagnosis leaves them out.
    void mark_unread(uint32_t frame);
    bool unread(uint32_t frame) const;
    uint64_t unread_count() const { return unread_.size(); }

  private:
    std::vector<uint32_t> end_;  // end_[f]: notes_.size() once frame f was recorded
    std::vector<FrameNote> notes_;
    std::vector<uint32_t> unread_;  // ascending
};

}  // namespace tcpdiag
