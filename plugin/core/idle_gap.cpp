#include "idle_gap.h"

namespace tcpdiag {

void note_idle_gap(StreamState &st, const TcpSegment &seg, int64_t previous_time_us, const FrameEvent &event,
                   const Config &config) {
    // Only a stream that has an idle gap recorded pays for this check beyond the comparison below.
    const int64_t gap_us = seg.time_us - previous_time_us;
    if (gap_us >= int64_t{config.idle_timeout_s} * 1000000 && config.idle_timeout_s && st.packets() > 1 &&
        !seg.retransmission && event.kind != FrameEventKind::SynRetransmission &&
        event.kind != FrameEventKind::SynAckRetransmission && st.established()) {
        // A gap the connection has not yet come back from stays the one that matters: a later
        // silence (a retransmission backoff, the give-up after it) is its consequence.
        const IdleGap &latest = st.idle_gap();
        if (!latest.resume_frame || latest.answered_frame) {
            IdleGap &gap = st.record_idle_gap();
            gap.idle_s = static_cast<uint16_t>(gap_us / 1000000 > UINT16_MAX ? UINT16_MAX : gap_us / 1000000);
            gap.resume_frame = seg.frame;
            gap.answered_frame = 0;
            gap.resumed_by_server = event.side == Side::Server;
            return;
        }
    }
    const IdleGap &gap = st.idle_gap();
    if (!gap.resume_frame || gap.answered_frame || seg.frame <= gap.resume_frame) return;
    const Side sender = event.side;
    if (!(seg.flags & tcp_flag::kRst) && st.of(sender).last_ack_advanced)
        st.record_idle_gap().answered_frame = seg.frame;
}

bool failed_after_idle_gap(const StreamState &st, uint32_t failure_frame) {
    const IdleGap &gap = st.idle_gap();
    return gap.resume_frame && failure_frame && failure_frame >= gap.resume_frame &&
           (!gap.answered_frame || gap.answered_frame > failure_frame);
}

}  // namespace tcpdiag
