// The post-dissector: observe on the first pass, show the stream's verdict on every pass.
#pragma once

#include <epan/packet.h>

#include "../core/analyzer.h"

namespace tcpdiag {

// What one frame contributed to which streams; stored per frame for later passes and tapped.
struct FrameRecord {
    uint8_t count;
    FrameNote notes[1];  // `count` entries, allocated to size
};

int dissect(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

}  // namespace tcpdiag
