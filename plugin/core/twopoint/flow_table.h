// Packets of one capture grouped into flows: a transport conversation between two endpoints,
// split when a new SYN reuses the 4-tuple.
#pragma once

#include <cstdint>
#include <vector>

#include "packet_summary.h"

namespace tcpdiag {

struct Flow {
    uint8_t transport = 0;
    Endpoint ends[2];               // ends[0] sent the first packet seen
    std::vector<uint32_t> packets;  // indices into the capture's packets, in capture order
    uint32_t syn_seq = 0;
    bool has_syn = false, closed = false;

    // 0 if sent by ends[0], 1 otherwise.
    int direction_of(const PacketSummary &p) const { return p.src == ends[0] ? 0 : 1; }
};

struct FlowTable {
    std::vector<Flow> flows;
    std::vector<uint32_t> flow_of;  // per packet

    // Flows by address and port, a new one when a SYN starts another connection on the same tuple.
    static FlowTable by_tuple(const std::vector<PacketSummary> &packets);
    // Flows as given by a stream number per packet (Wireshark's tcp.stream / udp.stream).
    static FlowTable by_stream(const std::vector<PacketSummary> &packets, const std::vector<uint64_t> &stream_ids);
};

}  // namespace tcpdiag
