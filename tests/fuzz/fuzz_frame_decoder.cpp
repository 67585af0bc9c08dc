// libFuzzer target for the frame decoder: arbitrary bytes under every link type it knows. The
// decoder reads captured frames before any check by Wireshark, so it must survive anything.
#include <cstddef>
#include <cstdint>

#include "wire/frame_decoder.h"
#include "wire/network_headers.h"

using namespace tcpdiag;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int kLinkTypes[] = {linktype::kNull,     linktype::kEthernet, linktype::kRaw,  linktype::kLoop,
                                     linktype::kLinuxSll, linktype::kIpv4,     linktype::kIpv6, linktype::kLinuxSll2};
    if (size == 0) return 0;
    const int link_type = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof *kLinkTypes)];
    const DecodedFrame d = decode_frame(link_type, Bytes{data + 1, size - 1}, 1, 0);
    // What the decoder reports must stay within its own bounds.
    if (d.observations.tcp_count > FrameObservations::kMax || d.observations.udp_count > FrameObservations::kMax ||
        d.observations.icmp_count > FrameObservations::kMax)
        __builtin_trap();
    return 0;
}
