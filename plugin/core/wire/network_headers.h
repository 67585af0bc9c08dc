// The link and IP layers of a captured frame: where the network layer starts for each link type
// real captures use, and one IPv4 or IPv6 header (options and extension headers skipped).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../endpoint.h"
#include "byte_reader.h"

namespace tcpdiag {

// Link types by their pcap LINKTYPE_ numbers (tcpdump.org/linktypes.html).
namespace linktype {
constexpr int kNull = 0;        // BSD loopback, host-order family
constexpr int kEthernet = 1;    // with 802.1Q / 802.1ad tags, MPLS, PPPoE
constexpr int kRaw = 101;       // raw IPv4 or IPv6
constexpr int kLoop = 108;      // OpenBSD loopback, network-order family
constexpr int kLinuxSll = 113;  // Linux cooked v1
constexpr int kIpv4 = 228;
constexpr int kIpv6 = 229;
constexpr int kLinuxSll2 = 276;  // Linux cooked v2
}  // namespace linktype

bool linktype_supported(int link_type);

namespace ethertype {
constexpr uint16_t kIpv4 = 0x0800, kIpv6 = 0x86dd, kTransparentBridging = 0x6558;
}

namespace ip_proto {
constexpr uint8_t kIcmp = 1, kIpInIp = 4, kTcp = 6, kUdp = 17, kIpv6InIp = 41, kGre = 47, kIcmpv6 = 58;
}

// Offset of the IP header in a frame of this link type; false when the frame carries no IP
// (ARP, an unknown link type) or is too short.
bool find_ip_header(int link_type, const Bytes &frame, size_t &at);

// Offset of the IP header after an Ethernet header at `at`: VLAN and QinQ tags, MPLS labels and
// PPPoE sessions are stepped over.
bool ip_after_ethernet(const Bytes &b, size_t at, size_t &ip_at);

struct IpHeader {
    uint8_t version = 0;        // 4 or 6
    Address src, dst;           // dst: the final destination when a source route names one
    uint8_t ttl = 0;            // TTL or hop limit
    uint16_t ip_id = 0;         // IPv4 only
    uint32_t option_kinds = 0;  // IPv4: the kinds of its options, hashed; 0 without options
    uint8_t protocol = 0;
    size_t payload_at = 0;     // where the transport header starts in the frame
    uint32_t payload_len = 0;  // transport bytes on the wire, from the IP lengths
    // A fragment other than the first carries no transport header; a first fragment carries a
    // header whose segment only reassembly completes.
    bool later_fragment = false, first_fragment = false;
};

// The IPv4 or IPv6 header at `at`. `quoted`: the header inside an ICMP error, whose length
// fields describe the original packet, not the few bytes quoted.
bool parse_ip(const Bytes &b, size_t at, IpHeader &ip, bool quoted = false);

}  // namespace tcpdiag
