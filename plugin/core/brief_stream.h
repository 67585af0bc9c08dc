// A stream that has seen only its client's SYNs, and perhaps the RST of a server refusing them, in
// 44 bytes: SYN floods and port scans open millions of these, where a StreamState takes 128 bytes,
// its incident block 144 more and its pair of addresses about 50. A brief stream holds all such a
// stream's state holds; any stream it cannot hold whole (another packet, IPv6, an odd RST) stays a
// StreamState.
#pragma once

#include <array>
#include <cstdint>

#include "stream_state.h"

namespace tcpdiag {

// Packed to 4 bytes: 44 bytes, where the 8-byte alignment of its time would pad it to 48.
#pragma pack(push, 4)
struct BriefStream {
    int64_t first_time_us = 0;
    uint32_t last_time_delta_us = 0;  // since the first packet
    uint32_t first_frame = 0;         // the first SYN
    uint32_t next_seq = 0;            // the client's
    std::array<uint8_t, 4> client_address{}, server_address{};
    uint16_t client_port = 0, server_port = 0, mss = 0;
    // Frames after the first: its last SYN's, the server's RST's (0: none).
    uint16_t last_syn_delta = 0, rst_delta = 0;
    uint8_t syns = 0, ttl_min = 0, ttl_max = 0, first_syn_ttl = 0, rst_ttl = 0;
    uint8_t flags = 0;  // kSeqKnown, kRstHasAck
};
#pragma pack(pop)
static_assert(sizeof(BriefStream) == 44, "BriefStream must stay within 44 bytes");

// Whether `brief` can hold all of `stream`; if so, it does.
bool make_brief(const StreamState &stream, BriefStream &brief);

// The stream `brief` holds, numbered `index`, into `out`; its addresses go to `pair`, which must
// outlive `out` (its incident block, if it had one, is allocated again).
void expand(const BriefStream &brief, uint32_t index, AddressPair &pair, StreamState &out);

// Every field of both streams is the same (what a brief stream must give back exactly).
bool same_state(const StreamState &a, const StreamState &b);

}  // namespace tcpdiag
