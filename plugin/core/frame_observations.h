// Everything one frame holds for tcpdiag: TCP segments, ICMP errors and UDP datagrams, in layer order.
#pragma once

#include "observation.h"

namespace tcpdiag {

struct FrameObservations {
    static constexpr int kMax = 4;  // tunnels nest a few layers; more are ignored
    TcpSegment tcp[kMax];
    IcmpError icmp[kMax];
    UdpDatagram udp[kMax];
    int tcp_count = 0, icmp_count = 0, udp_count = 0;
};

}  // namespace tcpdiag
