// One TCP or UDP packet reduced to what two captures of it can be compared on. Both the capture
// being analysed and the peer capture are decoded into this same form by the same decoder, so a
// packet that crossed the path unchanged gives two equal summaries (but for TTL and timestamp).
#pragma once

#include <cstdint>

#include "../endpoint.h"

namespace tcpdiag {

// TCP options that middleboxes are known to rewrite or strip.
struct TcpOptions {
    uint16_t mss = 0;          // 0: no MSS option
    int8_t window_scale = -1;  // -1: no window-scale option
    bool sack_permitted = false;
    bool has_timestamps = false;
    uint32_t ts_value = 0, ts_echo = 0;
    uint32_t kinds = 0;  // bit k set: option kind k (< 32) present; the order is not compared
};

struct PacketSummary {
    uint32_t frame = 0;     // frame number in its own capture, from 1
    int64_t time_us = 0;    // capture timestamp in that capture's clock
    uint8_t transport = 0;  // 6 TCP, 17 UDP; 1 and 58 for ICMP / ICMPv6 echo (type in flags)
    Endpoint src, dst;
    uint8_t ttl = 0;     // TTL or hop limit
    uint16_t ip_id = 0;  // IPv4 identification; 0 for IPv6
    // TCP only.
    uint16_t flags = 0;
    uint32_t seq = 0, ack = 0;  // raw
    uint16_t window = 0;        // unscaled, as on the wire
    TcpOptions options;
    // Payload: its length on the wire (from the IP length, so snaplen does not change it), and a
    // hash of its first captured bytes with how many bytes were hashed.
    uint32_t payload_len = 0;
    uint16_t hashed_len = 0;
    uint64_t payload_hash = 0;
};

}  // namespace tcpdiag
