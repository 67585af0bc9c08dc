// ICMP / ICMPv6 Destination Unreachable codes, named the way analysts read them.
#pragma once

#include <cstdint>

namespace tcpdiag {

// Type 3 (ICMP) or type 1 (ICMPv6), except fragmentation needed, which is path-MTU discovery.
bool is_destination_unreachable(uint8_t icmp_version, uint8_t type, uint8_t code);
bool is_port_unreachable(uint8_t icmp_version, uint8_t type, uint8_t code);
// ICMP "fragmentation needed" (type 3 code 4) or ICMPv6 "packet too big" (type 2): the path's MTU
// is smaller than the packet quoted.
bool is_packet_too_big(uint8_t icmp_version, uint8_t type, uint8_t code);
// "port unreachable", "administratively prohibited", ...
const char *unreachable_code_name(uint8_t icmp_version, uint8_t code);

}  // namespace tcpdiag
