// What the Wireshark glue extracts from one frame: plain values, nothing decided yet.
#pragma once

#include <cstdint>

#include "endpoint.h"

namespace tcpdiag {

namespace tcp_flag {
constexpr uint16_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

// One TCP segment, as Wireshark's TCP dissector analysed it.
struct TcpSegment {
    uint32_t frame = 0;
    int64_t time_us = 0;  // packet timestamp, never the wall clock
    uint32_t stream = 0;  // tcp.stream
    Endpoint src, dst;
    uint16_t flags = 0;
    uint32_t seq = 0, ack = 0;  // raw sequence numbers
    uint32_t payload_len = 0;
    uint16_t window = 0;          // tcp.window_size_value (unscaled; zero is zero at any scale)
    uint8_t ttl = 0;              // IP TTL / IPv6 hop limit of the header carrying it, 0 if unknown
    bool retransmission = false;  // tcp.analysis.retransmission (fast and spurious included)
    uint32_t rto_frame = 0;       // tcp.analysis.rto_frame: the frame this one resends, 0 if unknown
    // What tells a copy of a packet from a resend: a hash of the TCP header as sent (options
    // included), the payload length and the IPv4 ID, which a resend changes and a copy keeps.
    uint32_t signature = 0;
    // Wireshark found bytes the capture missed before this segment, or acknowledged without
    // being seen (tcp.analysis.lost_segment, tcp.analysis.ack_lost_segment).
    bool capture_gap = false;
    bool truncated = false;  // the frame was cut short by the snap length
    uint16_t mss = 0;        // the MSS option of a SYN or SYN/ACK, 0 if none
};

enum class Transport : uint8_t { Tcp = 6, Udp = 17 };

// An ICMP / ICMPv6 Destination Unreachable quoting a TCP or UDP packet.
struct IcmpError {
    uint32_t frame = 0;
    int64_t time_us = 0;
    Address reporter;          // who sent the ICMP error
    uint8_t icmp_version = 4;  // 4 for ICMP, 6 for ICMPv6
    uint8_t type = 0, code = 0;
    Transport quoted_transport = Transport::Tcp;
    Endpoint quoted_src, quoted_dst;   // the packet that could not be delivered
    bool quoted_stream_known = false;  // Wireshark gave the quote its stream number
    uint32_t quoted_stream = 0;
};

// One UDP datagram; UDP streams matter only when an ICMP error answers them.
struct UdpDatagram {
    uint32_t frame = 0;
    int64_t time_us = 0;
    uint32_t stream = 0;  // udp.stream
    Endpoint src, dst;
};

}  // namespace tcpdiag
