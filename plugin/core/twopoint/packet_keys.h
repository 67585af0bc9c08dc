// Hashes that say "these two summaries may be the same packet", at several levels of trust.
#pragma once

#include <cstdint>

#include "packet_summary.h"

namespace tcpdiag {

inline uint64_t key_mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

// What no device on the path should change: flags, payload length and payload bytes.
inline uint64_t content_key(const PacketSummary &p) {
    uint64_t h = key_mix(p.transport, p.flags);
    h = key_mix(h, p.payload_len);
    return key_mix(h, p.payload_hash);
}

// Whether the sender stamped anything on this transmission: TCP timestamps or a non-zero IPv4 ID.
// A bare RST (IP ID 0, no options) or IPv6 without timestamps has no stamp: any two look alike.
inline bool has_stamp(const PacketSummary &p) {
    return p.options.has_timestamps || p.ip_id != 0;
}

// The content plus what the sender stamped on this one transmission (TCP timestamps and the IP
// ID): tells a retransmission from its original without trusting sequence numbers. Both stamps,
// because segments of one burst share a timestamp and may share their first payload bytes.
inline uint64_t stamp_key(const PacketSummary &p) {
    uint64_t h = key_mix(content_key(p), p.ip_id);
    if (p.options.has_timestamps) h = key_mix(key_mix(h, p.options.ts_value), p.options.ts_echo);
    return h;
}

// The content at given sequence and acknowledgement numbers (already mapped to one numbering).
inline uint64_t exact_key(const PacketSummary &p, uint32_t seq, uint32_t ack) {
    if (p.transport != 6) return stamp_key(p);
    constexpr uint16_t kAckFlag = 0x10;
    return key_mix(key_mix(content_key(p), seq), (p.flags & kAckFlag) ? ack : 0);
}

}  // namespace tcpdiag
