#include "frame_reader.h"

#include <wiretap/pcap-encap.h>

#include "../core/wire/frame_decoder.h"
#include "../core/wire/network_headers.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

void to_ws_address(const Address &a, address &out) {
    if (a.family == 6)
        set_address(&out, AT_IPv6, 16, a.bytes.data());
    else
        set_address(&out, AT_IPv4, 4, a.bytes.data());
}

// Wireshark's TCP analysis of the conversation between these endpoints at this frame.
bool tcp_analysis_between(const packet_info *pinfo, const Endpoint &a, const Endpoint &b, bool segment_flags,
                          ws::TcpAnalysis &analysis) {
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    address src, dst;
    to_ws_address(a.address, src);
    to_ws_address(b.address, dst);
    return ws::tcp_analysis_of(pinfo->num, &src, &dst, a.port, b.port, proto_tcp, segment_flags, analysis);
}

bool add_tcp_analysis(const packet_info *pinfo, TcpSegment &s) {
    ws::TcpAnalysis analysis;
    if (!tcp_analysis_between(pinfo, s.src, s.dst, true, analysis)) return false;
    s.stream = analysis.stream;
    s.retransmission = analysis.retransmission;
    s.rto_frame = analysis.rto_frame;
    s.capture_gap = analysis.capture_gap;
    return true;
}

bool add_udp_stream(const packet_info *pinfo, const Endpoint &a, const Endpoint &b, uint32_t &stream) {
    static const int proto_udp = proto_get_id_by_filter_name("udp");
    address src, dst;
    to_ws_address(a.address, src);
    to_ws_address(b.address, dst);
    return ws::udp_stream_of(pinfo->num, &src, &dst, a.port, b.port, proto_udp, stream);
}

// The stream Wireshark gave the flow an ICMP error quotes, when it has one.
void add_quoted_stream(const packet_info *pinfo, IcmpError &e) {
    if (e.quoted_transport == Transport::Udp) {
        e.quoted_stream_known = add_udp_stream(pinfo, e.quoted_src, e.quoted_dst, e.quoted_stream);
        return;
    }
    ws::TcpAnalysis analysis;
    e.quoted_stream_known = tcp_analysis_between(pinfo, e.quoted_src, e.quoted_dst, false, analysis);
    e.quoted_stream = analysis.stream;
}

bool endpoint_of(const address &a, uint32_t port, Endpoint &out) {
    if (a.type != AT_IPv4 && a.type != AT_IPv6) return false;
    out.address = Address::from_bytes(a.type == AT_IPv4 ? 4 : 6, static_cast<const uint8_t *>(a.data));
    out.port = static_cast<uint16_t>(port);
    return true;
}

// The transport bytes of an IP packet Wireshark reassembled from fragments in this frame.
Bytes reassembled_segment(packet_info *pinfo) {
    for (const char *name : {"Reassembled IPv4", "Reassembled IPv6"}) {
        tvbuff_t *tvb = ws::data_source_tvb(pinfo, name);
        const guint length = tvb ? tvb_captured_length(tvb) : 0;
        if (length) return Bytes{tvb_get_ptr(tvb, 0, length), length};
    }
    return Bytes{};
}

// TCP headers inside another protocol's payload (sFlow's sampled headers, several in one frame):
// those of flows Wireshark gave a TCP stream at this frame.
DecodedFrame segments_wireshark_numbered(const Bytes &bytes, const packet_info *pinfo) {
    DecodedFrame found = decode_segments_within(bytes, pinfo->num, frame_time_us(pinfo));
    FrameObservations &obs = found.observations;
    int kept = 0;
    for (int i = 0; i < obs.tcp_count; ++i) {
        ws::TcpAnalysis analysis;
        if (tcp_analysis_between(pinfo, obs.tcp[i].src, obs.tcp[i].dst, false, analysis)) obs.tcp[kept++] = obs.tcp[i];
    }
    obs.tcp_count = kept;
    return found;
}

// A frame the decoder could not follow to its TCP header: Wireshark's dissection has found the
// segment's innermost addresses and ports (pinfo keeps the last ones), so look for that IP
// header in the frame's bytes, or for the segment it reassembled from IP fragments. Not for ICMP
// errors, whose quoted header is no segment.
DecodedFrame decode_as_wireshark_found(const Bytes &bytes, packet_info *pinfo) {
    static const int proto_icmp = proto_get_id_by_filter_name("icmp"),
                     proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    Endpoint src, dst;
    if (pinfo->ptype == PT_TCP && !ws::frame_has_protocol(pinfo, proto_icmp) &&
        !ws::frame_has_protocol(pinfo, proto_icmpv6) && endpoint_of(pinfo->src, pinfo->srcport, src) &&
        endpoint_of(pinfo->dst, pinfo->destport, dst)) {
        const DecodedFrame found = decode_segment_of_flow(bytes, src, dst, pinfo->num, frame_time_us(pinfo));
        if (found.observations.tcp_count) return found;
        const Bytes segment = reassembled_segment(pinfo);
        if (segment.len) return decode_reassembled_segment(bytes, segment, src, dst, pinfo->num, frame_time_us(pinfo));
    }
    return segments_wireshark_numbered(bytes, pinfo);
}

}  // namespace

int linktype_of_encapsulation(int wtap_encap) {
    // wiretap exports only the pcap-to-wiretap direction: ask it for each link type decoded, once
    // per encapsulation (a file rarely has more than one).
    static int last_encap = -2, last_link_type = -1;
    if (wtap_encap == last_encap) return last_link_type;
    static const int kLinkTypes[] = {linktype::kNull,     linktype::kEthernet, linktype::kRaw,  linktype::kLoop,
                                     linktype::kLinuxSll, linktype::kIpv4,     linktype::kIpv6, linktype::kLinuxSll2};
    int found = -1;
    for (int link_type : kLinkTypes)
        if (found < 0 && wtap_pcap_encap_to_wtap_encap(link_type) == wtap_encap) found = link_type;
    last_encap = wtap_encap;
    last_link_type = found;
    return found;
}

int64_t frame_time_us(const packet_info *pinfo) {
    return static_cast<int64_t>(pinfo->abs_ts.secs) * 1000000 + pinfo->abs_ts.nsecs / 1000;
}

bool read_frame(tvbuff_t *tvb, packet_info *pinfo, FrameObservations &out) {
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    const guint length = tvb_captured_length(tvb);
    const Bytes bytes{length ? tvb_get_ptr(tvb, 0, length) : nullptr, length};
    const int link_type = linktype_of_encapsulation(ws::frame_encapsulation(pinfo));
    DecodedFrame decoded = link_type >= 0 ? decode_frame(link_type, bytes, pinfo->num, frame_time_us(pinfo))
                                          : decode_unknown_link(bytes, pinfo->num, frame_time_us(pinfo));
    if (decoded.observations.tcp_count == 0 && decoded.observations.icmp_count == 0 &&
        ws::frame_has_protocol(pinfo, proto_tcp)) {
        const DecodedFrame found = decode_as_wireshark_found(bytes, pinfo);
        for (int i = 0; i < found.observations.tcp_count; ++i)
            decoded.observations.tcp[decoded.observations.tcp_count++] = found.observations.tcp[i];
        // Read after all: the fragment the decoder stepped over no longer counts as missed.
        decoded.skipped_tcp = found.observations.tcp_count == 0 && (decoded.skipped_tcp || found.skipped_tcp);
    }
    const FrameObservations &found = decoded.observations;
    bool missing = decoded.skipped_tcp;

    out = FrameObservations{};
    for (int i = 0; i < found.icmp_count; ++i) {
        IcmpError &e = out.icmp[out.icmp_count++] = found.icmp[i];
        add_quoted_stream(pinfo, e);
    }
    for (int i = 0; i < found.tcp_count; ++i) {
        TcpSegment s = found.tcp[i];
        if (add_tcp_analysis(pinfo, s))
            out.tcp[out.tcp_count++] = s;
        else
            missing = true;
    }
    for (int i = 0; i < found.udp_count; ++i) {
        UdpDatagram d = found.udp[i];
        if (add_udp_stream(pinfo, d.src, d.dst, d.stream)) out.udp[out.udp_count++] = d;
    }
    // Only what Wireshark dissected as TCP in this frame counts as missed: the first fragment of a
    // segment is dissected when the last one completes it. TCP found where the decoder found none
    // is an encapsulation it does not know.
    missing |= found.tcp_count == 0 && found.icmp_count == 0;
    return !(missing && ws::frame_has_protocol(pinfo, proto_tcp));
}

}  // namespace tcpdiag
