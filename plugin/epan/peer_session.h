// The two-point diagnosis of the file being dissected, when a peer capture is configured.
#pragma once

#include <epan/packet.h>

#include "../core/twopoint/two_point.h"
#include "extract.h"

namespace tcpdiag {

void peer_session_init();
void peer_session_cleanup();

// First pass, every frame: the capture was running at this frame's time.
void peer_note_frame(packet_info *pinfo);
// First pass: remember this frame's packet for the comparison.
void peer_collect(tvbuff_t *tvb, packet_info *pinfo, const FrameObservations &obs);

// The correlation, made on first use after the first pass (it reads the peer capture then);
// nullptr when no peer capture is configured.
TwoPoint *peer_results();

}  // namespace tcpdiag
