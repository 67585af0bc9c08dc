// Decodes the link layers real captures use down to TCP or UDP, into a PacketSummary.
// Deliberately small: it serves the two-point comparison, not a dissector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "../wire/network_headers.h"
#include "packet_summary.h"

namespace tcpdiag {

// The TCP, UDP or ICMP echo packet in these captured bytes; nothing for other protocols, fragments after
// the first, unsupported link types or bytes cut before the transport header.
// Lengths come from the IP header, so a snaplen shorter than the frame changes only the hash.
std::optional<PacketSummary> decode_packet(int link_type, const uint8_t *data, size_t caplen);

}  // namespace tcpdiag
