// Everything one frame holds for tcpdiag: TCP segments, ICMP errors and UDP datagrams, in layer order.
#pragma once

#include "observation.h"

namespace tcpdiag {

struct FrameObservations {
    static constexpr int kMax =
        8;  // tunnels nest a few layers, an sFlow datagram holds several samples; more are ignored
    TcpSegment tcp[kMax];
    IcmpError icmp[kMax];
    UdpDatagram udp[kMax];
    int tcp_count = 0, icmp_count = 0, udp_count = 0;

    // Back to empty. The slots past the counts are always as new (readers fill a slot field by
    // field), so only the ones in use are cleared: observations kept from frame to frame cost a
    // few stores per frame where new ones clear every slot.
    void reset() {
        clear(tcp, tcp_count);
        clear(icmp, icmp_count);
        clear(udp, udp_count);
    }

  private:
    template <typename T>
    static void clear(T *slots, int &count) {
        for (int i = 0; i < count; ++i) slots[i] = T{};
        count = 0;
    }
};

}  // namespace tcpdiag
