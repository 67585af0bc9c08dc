// Words for a diagnosis: the reason with its numbers, the method's next step, and the note
// attached to each frame that proves the verdict.
#pragma once

#include <cstdint>
#include <string>

#include "diagnosis.h"
#include "stream_state.h"

namespace tcpdiag {

// One sentence with the numbers, e.g. "Server 10.0.0.2 reset the connection (frame 9) after
// acknowledging all data from the client."
std::string reason(const StreamState &stream, const Diagnosis &diagnosis);

// What the diagnosis method says to do next, with the addresses and port filled in.
std::string next_step(const StreamState &stream, const Diagnosis &diagnosis);

// The expert-info text for frame `frame` when it proves the verdict, e.g.
// "SYN retransmission 2 with no SYN/ACK (handshake packet loss)".
std::string evidence_note(const StreamState &stream, const Diagnosis &diagnosis, uint32_t frame,
                          const FrameEvent &event);

}  // namespace tcpdiag
