// Reads a frame's TCP, UDP and ICMP-error headers from its bytes, through the tunnels Wireshark
// decodes by default (GRE, IP in IP, VXLAN), so the first pass needs no protocol tree. What only
// Wireshark's analysis knows (stream numbers, retransmissions) is left for the caller to add.
#pragma once

#include <cstdint>

#include "../frame_observations.h"
#include "byte_reader.h"

namespace tcpdiag {

struct DecodedFrame {
    FrameObservations observations;  // stream numbers and retransmission flags not yet set
    // A TCP header this decoder steps over: in an IP fragment (Wireshark reassembles them) or
    // cut short by the snaplen. The caller tells the analyst these frames were left out.
    bool skipped_tcp = false;
};

// Each decoder reads into `out`, after what it holds (a frame starts from an empty one), and
// returns whether it stepped over a TCP header (DecodedFrame::skipped_tcp). Reading into the
// caller's observations spares the first pass a copy of them on every frame.
bool decode_frame(int link_type, const Bytes &frame, uint32_t frame_number, int64_t time_us, FrameObservations &out);

// For a frame of a link type decode_frame does not know (802.11, NFLOG, Juniper...): the IP packet
// that fills the rest of the frame, found by its header (an IPv4 checksum that holds or is 0, a length that
// ends at the frame's end or its FCS), read as decode_frame reads one: TCP, UDP, ICMP errors, tunnels.
bool decode_unknown_link(const Bytes &frame, uint32_t frame_number, int64_t time_us, FrameObservations &out);

// For a frame whose link layer or tunnel decode_frame does not follow (802.11, NFLOG, GTP-U,
// Geneve, ERSPAN...): the TCP segment from `src` to `dst`, the innermost addresses and ports
// Wireshark's own dissection found, read from the IP header that carries it wherever it lies in
// the frame's bytes. Nothing is found when no such header is there whole.
bool decode_segment_of_flow(const Bytes &frame, const Endpoint &src, const Endpoint &dst, uint32_t frame_number,
                            int64_t time_us, FrameObservations &out);

// For a frame that carries TCP headers inside another protocol's payload (sFlow's sampled packet
// headers): every IPv4 / IPv6 header followed by TCP, wherever it lies, up to FrameObservations::kMax,
// stepping over what ICMP errors quote. Headers cut short still count. The caller keeps only those
// Wireshark's dissection also found (a TCP conversation of those endpoints at this frame): bytes
// that merely look like a header are not.
void decode_segments_within(const Bytes &frame, uint32_t frame_number, int64_t time_us, FrameObservations &out);

// For the last fragment of an IP packet Wireshark reassembled: the TCP segment from `src` to `dst`
// read from `segment`, the reassembled transport bytes, with the TTL of the fragment in `frame`.
bool decode_reassembled_segment(const Bytes &frame, const Bytes &segment, const Endpoint &src, const Endpoint &dst,
                                uint32_t frame_number, int64_t time_us, FrameObservations &out);

// The same, each frame into a DecodedFrame of its own.
inline DecodedFrame decode_frame(int link_type, const Bytes &frame, uint32_t frame_number, int64_t time_us) {
    DecodedFrame d;
    d.skipped_tcp = decode_frame(link_type, frame, frame_number, time_us, d.observations);
    return d;
}
inline DecodedFrame decode_unknown_link(const Bytes &frame, uint32_t frame_number, int64_t time_us) {
    DecodedFrame d;
    d.skipped_tcp = decode_unknown_link(frame, frame_number, time_us, d.observations);
    return d;
}
inline DecodedFrame decode_segment_of_flow(const Bytes &frame, const Endpoint &src, const Endpoint &dst,
                                           uint32_t frame_number, int64_t time_us) {
    DecodedFrame d;
    d.skipped_tcp = decode_segment_of_flow(frame, src, dst, frame_number, time_us, d.observations);
    return d;
}
inline DecodedFrame decode_reassembled_segment(const Bytes &frame, const Bytes &segment, const Endpoint &src,
                                               const Endpoint &dst, uint32_t frame_number, int64_t time_us) {
    DecodedFrame d;
    d.skipped_tcp = decode_reassembled_segment(frame, segment, src, dst, frame_number, time_us, d.observations);
    return d;
}

}  // namespace tcpdiag
