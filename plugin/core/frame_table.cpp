#include "frame_table.h"

#include <algorithm>

namespace tcpdiag {

void FrameTable::add(uint32_t frame, const FrameNote *notes, int count) {
    if (frame < end_.size()) return;
    // Frames in between contributed nothing: they end where the previous one did. Most frames
    // come right after the last one recorded, and append without a resize.
    if (frame > end_.size()) end_.resize(frame, static_cast<uint32_t>(notes_.size()));
    for (int i = 0; i < count; ++i) notes_.push_back(notes[i]);
    end_.push_back(static_cast<uint32_t>(notes_.size()));
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
