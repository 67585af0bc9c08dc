#include "icmp_codes.h"

namespace tcpdiag {

namespace {
constexpr uint8_t kIcmpUnreachable = 3, kIcmpv6Unreachable = 1;
constexpr uint8_t kIcmpFragmentationNeeded = 4, kIcmpPortUnreachable = 3, kIcmpv6PortUnreachable = 4;
}  // namespace

bool is_destination_unreachable(uint8_t version, uint8_t type, uint8_t code) {
    if (version == 6) return type == kIcmpv6Unreachable;
    return type == kIcmpUnreachable && code != kIcmpFragmentationNeeded;
}

bool is_packet_too_big(uint8_t version, uint8_t type, uint8_t code) {
    return version == 4 ? (type == 3 && code == 4) : type == 2;
}

bool is_port_unreachable(uint8_t version, uint8_t type, uint8_t code) {
    if (version == 6) return type == kIcmpv6Unreachable && code == kIcmpv6PortUnreachable;
    return type == kIcmpUnreachable && code == kIcmpPortUnreachable;
}

const char *unreachable_code_name(uint8_t version, uint8_t code) {
    if (version == 6) {
        static const char *const kV6[] = {"no route to destination",
                                          "administratively prohibited",
                                          "beyond scope of source address",
                                          "address unreachable",
                                          "port unreachable",
                                          "source address failed ingress/egress policy",
                                          "reject route to destination"};
        return code < sizeof kV6 / sizeof *kV6 ? kV6[code] : "unreachable";
    }
    static const char *const kV4[] = {"network unreachable",
                                      "host unreachable",
                                      "protocol unreachable",
                                      "port unreachable",
                                      "fragmentation needed",
                                      "source route failed",
                                      "destination network unknown",
                                      "destination host unknown",
                                      "source host isolated",
                                      "network administratively prohibited",
                                      "host administratively prohibited",
                                      "network unreachable for TOS",
                                      "host unreachable for TOS",
                                      "communication administratively prohibited",
                                      "host precedence violation",
                                      "precedence cutoff in effect"};
    return code < sizeof kV4 / sizeof *kV4 ? kV4[code] : "unreachable";
}

}  // namespace tcpdiag
