// ICMP / ICMPv6 Destination Unreachable codes, named the way analysts read them.
#pragma once

#include <cstdint>

namespace tcpdiag {

// Type 3 (ICMP) or type 1 (ICMPv6), except fragmentation needed, which is path-MTU discovery.
bool is_destination_unreachable(uint8_t icmp_version, uint8_t type, uint8_t code);
bool is_port_unreachable(uint8_t icmp_version, uint8_t type, uint8_t code);
// "port unreachable", "administratively prohibited", ...
const char *unreachable_code_name(uint8_t icmp_version, uint8_t code);

}  // namespace tcpdiag
