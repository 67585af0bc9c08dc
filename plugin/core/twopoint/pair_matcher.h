// Matches the packets of one stream with those of its flow in the peer capture.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "flow_pairing.h"
#include "flow_table.h"

namespace tcpdiag {

struct PairMatches {
    uint32_t seq_offset[2] = {0, 0};                           // peer minus local, per local direction
    std::vector<std::pair<uint32_t, uint32_t>> matched;        // (local packet, peer packet)
    std::vector<std::pair<uint32_t, uint32_t>> local_replays;  // (local packet, peer original)
    std::vector<std::pair<uint32_t, uint32_t>> peer_replays;   // (peer packet, local original)
    // The same packet recorded twice by one capture (a SPAN of both directions, -i any on a
    // bridge): (packet, the other side's packet it duplicates).
    std::vector<std::pair<uint32_t, uint32_t>> local_duplicates, peer_duplicates;
    // Merged at one point, split at the other: (packet, a packet of the other side it overlaps).
    std::vector<std::pair<uint32_t, uint32_t>> local_resegmented, peer_resegmented;
};

// Three rounds, strictest first: everything but the path's own changes (TTL, checksums), mapped
// through the sequence offset; then the sequence number alone (payload or length rewritten);
// then the sender's stamps alone (sequence numbers rewritten by other than the offset, or a
// replayed copy). Retransmissions share keys: copies pair up by nearest arrival, given the time
// shift of the unambiguous matches.
PairMatches match_pair(const FlowPair &pair, const Flow &local_flow, const std::vector<PacketSummary> &local,
                       const Flow &peer_flow, const std::vector<PacketSummary> &peer);

}  // namespace tcpdiag
