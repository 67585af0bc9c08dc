// Idle gaps: a connection silent in both directions for at least idle_timeout_s, then a packet that
// is not a resend. Stateful devices (firewalls, NATs, load balancers) forget connections that stay
// idle longer than their timeout; what goes wrong with the first packets after such a gap is
// theirs (tcpdiag.cause idle_timeout).
#pragma once

#include <cstdint>

#include "config.h"
#include "observation.h"
#include "stream_state.h"

namespace tcpdiag {

// After `update()` folded the segment into the stream; `previous_time_us` is the stream's latest
// packet time before this segment, `event` what update() made of it.
void note_idle_gap(StreamState &stream, const TcpSegment &segment, int64_t previous_time_us, const FrameEvent &event,
                   const Config &config);

// The failure at `failure_frame` came with the first packets after the stream's latest idle gap:
// at or after the packet that ended the gap, before anything confirmed the connection worked again.
bool failed_after_idle_gap(const StreamState &stream, uint32_t failure_frame);

}  // namespace tcpdiag
