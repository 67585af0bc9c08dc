// libFuzzer target for the frame decoder: arbitrary bytes under every link type it knows, through
// the search for an IP packet in a frame of an unknown link type, and through the search for a
// flow's segment (with the flow and a reassembled segment taken from the input too). The decoder
// reads captured frames before any check by Wireshark, so it must survive anything.
#include <cstddef>
#include <cstdint>

#include "wire/frame_decoder.h"
#include "wire/network_headers.h"

using namespace tcpdiag;

namespace {
void check_bounds(const DecodedFrame &d) {
    if (d.observations.tcp_count > FrameObservations::kMax || d.observations.udp_count > FrameObservations::kMax ||
        d.observations.icmp_count > FrameObservations::kMax)
        __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int kLinkTypes[] = {linktype::kNull,     linktype::kEthernet, linktype::kRaw,  linktype::kLoop,
                                     linktype::kLinuxSll, linktype::kIpv4,     linktype::kIpv6, linktype::kLinuxSll2};
    constexpr size_t kFlow = 12;  // two IPv4 addresses and two ports
    if (size < 1 + kFlow) return 0;
    const Bytes frame{data + 1 + kFlow, size - 1 - kFlow};
    const int link_type = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof *kLinkTypes)];
    check_bounds(decode_frame(link_type, frame, 1, 0));
    check_bounds(decode_unknown_link(frame, 1, 0));
    uint8_t a[4] = {data[1], data[2], data[3], data[4]}, b[4] = {data[5], data[6], data[7], data[8]};
    const Endpoint src{Address::ipv4(a), uint16_t(data[9] << 8 | data[10])};
    const Endpoint dst{Address::ipv4(b), uint16_t(data[11] << 8 | data[12])};
    check_bounds(decode_segment_of_flow(frame, src, dst, 1, 0));
    const size_t half = frame.len / 2;  // the second half as a reassembled segment
    check_bounds(decode_reassembled_segment(Bytes{frame.data, half}, Bytes{frame.data + half, frame.len - half}, src,
                                            dst, 1, 0));
    return 0;
}
