#include "segment_sizes.h"

#include <algorithm>

namespace tcpdiag {

void SegmentSizeTable::observe(StreamState &st, const TcpSegment &seg, const FrameEvent &event) {
    if (!st.sizes_tracked) {
        if (seg.payload_len < kLargeSegment || (seg.flags & tcp_flag::kRst)) return;
        st.sizes_tracked = true;
    }
    SegmentSizes &sizes = sizes_[st.index];
    const Side s = event.side;
    SideSizes &mine = sizes.side[static_cast<int>(s)];
    const uint16_t len = static_cast<uint16_t>(std::min<uint32_t>(seg.payload_len, UINT16_MAX));
    if (len && !seg.retransmission && len > mine.largest_len) {
        mine.largest_len = len;
        mine.largest_first_end = seg.seq + seg.payload_len;
    }
    if (event.kind == FrameEventKind::Retransmission)
        mine.run_min_len = event.ordinal == 1 ? len : std::min(mine.run_min_len, len);
    // This segment's ACK: the peer's largest segment got through once it covers its end.
    SideSizes &peer = sizes.side[static_cast<int>(other(s))];
    if ((seg.flags & tcp_flag::kAck) && !(seg.flags & tcp_flag::kRst) && peer.largest_len > peer.largest_acked_len &&
        !seq_after(peer.largest_first_end, seg.ack))
        peer.largest_acked_len = peer.largest_len;
}

void SegmentSizeTable::note_too_big(StreamState &st) {
    st.sizes_tracked = true;
    sizes_[st.index].too_big_reported = true;
}

const SegmentSizes *SegmentSizeTable::find(const StreamState &st) const {
    if (!st.sizes_tracked) return nullptr;
    auto it = sizes_.find(st.index);
    return it == sizes_.end() ? nullptr : &it->second;
}

}  // namespace tcpdiag
