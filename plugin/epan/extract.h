// The Wireshark fields tcpdiag reads, and the extraction of one frame into plain observations.
#pragma once

#include <epan/packet.h>

#include "../core/frame_observations.h"

namespace tcpdiag {

// Resolve the field names once the dissectors are registered (handoff); warns on unknown names.
void resolve_wanted_fields();
// Hand the fields to Wireshark so it builds them on the first pass; nullptr clears the list.
void request_wanted_fields(bool enable);

// Read the frame's wanted fields from the (possibly invisible) tree. Never throws.
void extract(proto_tree *tree, packet_info *pinfo, FrameObservations &out);

}  // namespace tcpdiag
