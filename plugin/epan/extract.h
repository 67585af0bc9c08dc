// The Wireshark fields tcpdiag reads, and the extraction of one frame into plain observations.
#pragma once

#include <epan/packet.h>

#include "../core/observation.h"

namespace tcpdiag {

// Resolve the field names once the dissectors are registered (handoff); warns on unknown names.
void resolve_wanted_fields();
// Hand the fields to Wireshark so it builds them on the first pass; nullptr clears the list.
void request_wanted_fields(bool enable);

// Everything one frame holds for tcpdiag: TCP segments, ICMP errors and UDP datagrams, in layer order.
struct FrameObservations {
    static constexpr int kMax = 4;  // tunnels nest a few layers; more are ignored
    TcpSegment tcp[kMax];
    IcmpError icmp[kMax];
    UdpDatagram udp[kMax];
    int tcp_count = 0, icmp_count = 0, udp_count = 0;
};

// Read the frame's wanted fields from the (possibly invisible) tree. Never throws.
void extract(proto_tree *tree, packet_info *pinfo, FrameObservations &out);

}  // namespace tcpdiag
