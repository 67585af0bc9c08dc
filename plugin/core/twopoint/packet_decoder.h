// Decodes the link layers real captures use down to TCP or UDP, into a PacketSummary.
// Deliberately small: it serves the two-point comparison, not a dissector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "packet_summary.h"

namespace tcpdiag {

// Link types by their pcap LINKTYPE_ numbers (tcpdump.org/linktypes.html).
namespace linktype {
constexpr int kNull = 0;        // BSD loopback, host-order family
constexpr int kEthernet = 1;    // with 802.1Q / 802.1ad tags
constexpr int kRaw = 101;       // raw IPv4 or IPv6
constexpr int kLoop = 108;      // OpenBSD loopback, network-order family
constexpr int kLinuxSll = 113;  // Linux cooked v1
constexpr int kIpv4 = 228;
constexpr int kIpv6 = 229;
constexpr int kLinuxSll2 = 276;  // Linux cooked v2
}  // namespace linktype

bool linktype_supported(int link_type);

// The TCP, UDP or ICMP echo packet in these captured bytes; nothing for other protocols, fragments after
// the first, unsupported link types or bytes cut before the transport header.
// Lengths come from the IP header, so a snaplen shorter than the frame changes only the hash.
std::optional<PacketSummary> decode_packet(int link_type, const uint8_t *data, size_t caplen);

}  // namespace tcpdiag
