#include "frame_table.h"

#include <algorithm>

namespace tcpdiag {

namespace {

constexpr uint32_t kWide = (1u << 13) - 1;  // a run or ordinal this large is kept apart

PackedNote pack(const FrameNote &note, bool &wide) {
    const FrameEvent &e = note.event;
    wide = e.run >= kWide || e.ordinal >= kWide;
    PackedNote p;
    p.index = note.stream.index;
    p.bits = (note.stream.transport == Transport::Udp ? 1u : 0u) | (e.side == Side::Server ? 2u : 0u) |
             static_cast<uint32_t>(e.kind) << 2 | std::min<uint32_t>(e.run, kWide) << 6 |
             std::min<uint32_t>(e.ordinal, kWide) << 19;
    return p;
}

FrameNote unpack(const PackedNote &p) {
    FrameNote note;
    note.stream.index = p.index;
    note.stream.transport = p.bits & 1u ? Transport::Udp : Transport::Tcp;
    note.event.side = p.bits & 2u ? Side::Server : Side::Client;
    note.event.kind = static_cast<FrameEventKind>(p.bits >> 2 & 0xf);
    note.event.run = static_cast<uint16_t>(p.bits >> 6 & kWide);
    note.event.ordinal = static_cast<uint16_t>(p.bits >> 19 & kWide);
    return note;
}

}  // namespace

FrameNote FrameNotes::operator[](int i) const {
    return table->note_at(first + static_cast<uint32_t>(i));
}

void FrameTable::add(uint32_t frame, const FrameNote *notes, int count) {
    if (frame < end_in_block_.size()) return;
    count = std::min(count, kMaxNotesPerFrame);
    // Frames in between contributed nothing: they end where the previous one did.
    const auto end = static_cast<uint32_t>(notes_.size());
    while (end_in_block_.size() < frame) append_frame(end, end);
    for (int i = 0; i < count; ++i) {
        bool wide = false;
        notes_.push_back(pack(notes[i], wide));
        if (wide) wide_events_.emplace_back(static_cast<uint32_t>(notes_.size() - 1), notes[i].event);
    }
    append_frame(end, static_cast<uint32_t>(notes_.size()));
}

FrameNote FrameTable::note_at(uint32_t position) const {
    FrameNote note = unpack(notes_[position]);
    if (note.event.run == kWide || note.event.ordinal == kWide) {
        const auto wide = std::lower_bound(wide_events_.begin(), wide_events_.end(), position,
                                           [](const auto &entry, uint32_t p) { return entry.first < p; });
        if (wide != wide_events_.end() && wide->first == position) note.event = wide->second;
    }
    return note;
}

void FrameTable::mark_unread(uint32_t frame) {
    if (unread_.empty() || unread_.back() < frame) unread_.push_back(frame);
}

bool FrameTable::unread_in_list(uint32_t frame) const {
    return std::binary_search(unread_.begin(), unread_.end(), frame);
}

}  // namespace tcpdiag
