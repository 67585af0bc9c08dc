// Which flow of the peer capture is which stream of this capture. Flows are paired by the
// packets they share (content, sequence numbers, sender's stamps), so NAT does not hide them;
// a flow with no shared packet falls back to the same addresses and ports.
#pragma once

#include <cstdint>
#include <vector>

#include "flow_table.h"

namespace tcpdiag {

struct FlowPair {
    uint32_t local_flow = 0, peer_flow = 0;
    bool flipped = false;  // local direction d is peer direction 1 - d
    bool by_content = false;
};

std::vector<FlowPair> pair_flows(const FlowTable &local_flows, const std::vector<PacketSummary> &local,
                                 const FlowTable &peer_flows, const std::vector<PacketSummary> &peer);

}  // namespace tcpdiag
