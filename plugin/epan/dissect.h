// The post-dissector: observe on the first pass, show the stream's verdict on every pass.
#pragma once

#include <epan/packet.h>

#include "../core/frame_table.h"

namespace tcpdiag {

// Tapped for every frame in a stream: its FrameNotes.
int dissect(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

}  // namespace tcpdiag
