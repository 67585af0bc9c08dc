// The two-point diagnosis in the packet tree and in expert info.
#pragma once

#include <epan/packet.h>

namespace tcpdiag {

// Adds the peer-capture subtree for this stream (and this frame, if it is one of the stream's
// packets) under `tree`; with no tree, only the expert info. Nothing without a peer capture.
void show_peer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, uint8_t transport, uint32_t stream);

}  // namespace tcpdiag
