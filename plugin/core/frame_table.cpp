#include "frame_table.h"

#include <algorithm>

namespace tcpdiag {

void FrameTable::add(uint32_t frame, const FrameNote *notes, int count) {
    if (frame < end_.size()) return;
    // Frames in between contributed nothing: they end where the previous one did.
    end_.resize(static_cast<size_t>(frame) + 1, static_cast<uint32_t>(notes_.size()));
    notes_.insert(notes_.end(), notes, notes + count);
    end_[frame] = static_cast<uint32_t>(notes_.size());
}

FrameNotes FrameTable::notes_of(uint32_t frame) const {
    if (frame == 0 || frame >= end_.size()) return {};
    const uint32_t begin = end_[frame - 1];
    return {notes_.data() + begin, static_cast<int>(end_[frame] - begin)};
}

void FrameTable::mark_unread(uint32_t frame) {
    if (unread_.empty() || unread_.back() < frame) unread_.push_back(frame);
}

bool FrameTable::unread(uint32_t frame) const {
    return std::binary_search(unread_.begin(), unread_.end(), frame);
}

}  // namespace tcpdiag
