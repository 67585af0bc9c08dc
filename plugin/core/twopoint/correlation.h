// Two-point diagnosis: lines up the packets of this capture with those of a capture taken at the
// same time at the other end of the path, and says per packet whether it was seen there, and per
// stream whether packets were dropped, changed or forged between the two capture points.
//
// Matching tolerates NAT (flows are paired by packet content, not addresses), a constant
// sequence-number offset per direction (estimated from segments that agree on everything else)
// and any clock offset between the two machines (estimated from the matches, NTP-style, from the
// fastest packet each way; never assumed zero when there is a match to estimate it from).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "packet_changes.h"
#include "packet_summary.h"

namespace tcpdiag {

// A packet of the capture being analysed, with the stream Wireshark put it in.
struct LocalPacket {
    PacketSummary packet;
    uint32_t stream = 0;  // tcp.stream or udp.stream, by packet.transport
};

enum class PeerStatus : uint8_t {
    Seen,      // the peer capture has it
    Dropped,   // sent from this side, never reached the peer's capture point
    Injected,  // arrived here from the peer's side, but never passed the peer's capture point
    Replayed,  // a second copy of a packet the peer passed once, with other header values
    Unknown,   // no claim: outside the other capture's time span, or the side it came from unknown
};

struct FrameMatch {
    PeerStatus status = PeerStatus::Unknown;
    bool outbound = false;     // sent from this capture point's side of the path
    uint32_t peer_frame = 0;   // the same packet (or, for a replay, the original) in the peer capture
    uint32_t changes = 0;      // change:: bits
    int64_t shift_us = 0;      // peer timestamp minus this one: clock offset plus or minus delay
    bool delay_known = false;  // the clock offset was estimated, so the delay is known
    int64_t delay_us = 0;      // one-way delay between the capture points
};

enum class PathVerdict : uint8_t {
    InjectedInPath,       // a packet one end received that the other end never sent
    NoResponseConfirmed,  // the SYNs reached the server's capture point; nothing answered
    DroppedInPath,        // packets sent past one capture point never reached the other
    ModifiedInPath,       // headers changed between the points beyond NAT
    SameAtBothEnds,       // every packet seen at both points, nothing changed but NAT
    NotCovered,           // nothing wrong where both captures ran, but some packets lie outside that time
    NotInPeerCapture,     // no packet of the stream in the peer capture, and nothing to claim
};
const char *path_verdict_name(PathVerdict verdict);

struct StreamPath {
    uint8_t transport = 0;
    uint32_t stream = 0;
    PathVerdict verdict = PathVerdict::NotInPeerCapture;
    uint32_t matched = 0;
    uint32_t dropped_out = 0;      // sent from this side, lost before the peer's capture point
    uint32_t dropped_in = 0;       // sent from the peer's side, lost before this capture point
    uint32_t injected_here = 0;    // arrived here, the peer's side never sent it (replays included)
    uint32_t injected_there = 0;   // arrived at the peer, this side never sent it
    uint32_t changes = 0;          // union over matched packets
    uint32_t uncovered = 0;        // packets of either capture sent while the other was not running
    uint32_t first_uncovered = 0;  // this capture's first such frame, 0 if only the peer's
    // NotCovered because the packets missing from the peer capture may be among those its
    // capturing host dropped (pcapng interface statistics), not because it was not running.
    bool peer_capture_dropped = false;
    uint32_t evidence_frame = 0;       // this capture's frame that shows the verdict, 0 if none
    uint32_t evidence_peer_frame = 0;  // the peer capture's frame that shows it, 0 if none
    bool peer_flow_found = false;
    Endpoint peer_a, peer_b;          // the stream's endpoints as the peer capture has them
    uint32_t seq_offset[2] = {0, 0};  // peer minus here, per direction (0: from the first sender)
};

// A flow that only the peer capture has.
struct PeerOnlyFlow {
    uint8_t transport = 0;
    Endpoint a, b;  // a sent its first packet
    uint32_t packets = 0;
    uint32_t first_frame = 0;
    bool lost_toward_here = false;  // sent from the peer's side within this capture's time span
};

struct Correlation {
    std::string problem;  // why two-point results are missing or partial; "" if none
    bool clock_offset_known = false;
    int64_t clock_offset_us = 0;  // peer clock minus this clock
    uint32_t local_packets = 0, peer_packets = 0, matched_packets = 0;
    uint64_t peer_capture_drops = 0;  // packets the peer's capturing host dropped, by its statistics
    std::vector<FrameMatch> frames;   // parallel to the local packets given
    std::vector<StreamPath> streams;
    std::vector<PeerOnlyFlow> peer_only;
};

// When a capture was running, from the timestamps of all its records (ARP, ICMP and every other
// packet count: they show the capture point was there to see).
struct TimeSpan {
    int64_t first = INT64_MAX, last = INT64_MIN;
    void add(int64_t t) {
        if (t < first) first = t;
        if (t > last) last = t;
    }
    bool empty() const { return first > last; }
};

// `peer_capture_drops`: the packets the peer's capturing host says it dropped (0: none or unknown).
Correlation correlate(const std::vector<LocalPacket> &local, const std::vector<PacketSummary> &peer,
                      TimeSpan local_span = {}, TimeSpan peer_span = {}, uint64_t peer_capture_drops = 0);

}  // namespace tcpdiag
