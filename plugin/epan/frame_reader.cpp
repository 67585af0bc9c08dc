#include "frame_reader.h"

#include <vector>

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

// The TCP conversation between these endpoints at this frame and the TCP dissector's data in it.
struct TcpConversation {
    conversation_t *conv = nullptr;
    const struct tcp_analysis *tcpd = nullptr;  // nullptr: Wireshark has no TCP analysis for them
};

TcpConversation tcp_conversation_between(const packet_info *pinfo, const Endpoint &a, const Endpoint &b) {
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    address src, dst;
    to_ws_address(a.address, src);
    to_ws_address(b.address, dst);
    conversation_t *conv = ws::tcp_conversation_of(pinfo->num, &src, &dst, a.port, b.port);
    return {conv, ws::tcp_data_of(conv, proto_tcp)};
}

// The TCP conversation of each direction of the latest flows, one slot each by a hash of its
// endpoints. The TCP dissector has just looked up the conversation of the frame's segment: when it
// used the cached one in this frame, a lookup of tcpdiag's own would find that one too. On a SYN
// it may start a new conversation on reused ports after finding the old one in the same frame, so
// a SYN's conversation is always looked up.
class TcpConversationCache {
  public:
    // Wireshark's analysis of the segment; false when the TCP dissector keeps none for it.
    bool analysis_of(const packet_info *pinfo, const TcpSegment &s, ws::TcpAnalysis &analysis) {
        Slot &slot = slot_for(s.src, s.dst);
        if (!still_current(slot, s, pinfo->num)) {
            const TcpConversation found = tcp_conversation_between(pinfo, s.src, s.dst);
            if (!found.tcpd) return false;
            slot = {s.src, s.dst, found};
        }
        analysis = ws::segment_analysis(*slot.found.tcpd);
        return true;
    }

    // Conversations are freed with their capture file.
    void clear() { slots_.clear(); }

  private:
    struct Slot {
        Endpoint src, dst;
        TcpConversation found;
    };
    static constexpr size_t kSlots = 4096;

    static bool still_current(const Slot &slot, const TcpSegment &s, uint32_t frame) {
        return slot.found.conv && !(s.flags & tcp_flag::kSyn) && ws::used_in_frame(slot.found.conv, frame) &&
               slot.src == s.src && slot.dst == s.dst;
    }
    Slot &slot_for(const Endpoint &src, const Endpoint &dst) {
        if (slots_.empty()) slots_.resize(kSlots);
        return slots_[hash_endpoint(hash_endpoint(0, src), dst) % kSlots];
    }

    std::vector<Slot> slots_;
};

TcpConversationCache tcp_conversations;

bool add_tcp_analysis(const packet_info *pinfo, TcpSegment &s) {
    ws::TcpAnalysis analysis;
    if (!tcp_conversations.analysis_of(pinfo, s, analysis)) return false;
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
    const TcpConversation quoted = tcp_conversation_between(pinfo, e.quoted_src, e.quoted_dst);
    e.quoted_stream_known = quoted.tcpd != nullptr;
    if (quoted.tcpd) e.quoted_stream = quoted.tcpd->stream;
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

// Keeps, in order, the items for which `keep` holds (it may complete them); returns how many. The
// slots it frees are left as new, as FrameObservations keeps the ones past its counts.
template <typename T, typename Keep>
int keep_if(T *items, int count, Keep keep) {
    int kept = 0;
    for (int i = 0; i < count; ++i)
        if (keep(items[i])) {
            if (kept != i) items[kept] = items[i];
            ++kept;
        }
    for (int i = kept; i < count; ++i) items[i] = T{};
    return kept;
}

// TCP headers inside another protocol's payload (sFlow's sampled headers, several in one frame):
// those of flows Wireshark gave a TCP stream at this frame.
void add_segments_wireshark_numbered(const Bytes &bytes, const packet_info *pinfo, FrameObservations &out) {
    decode_segments_within(bytes, pinfo->num, frame_time_us(pinfo), out);
    out.tcp_count = keep_if(out.tcp, out.tcp_count, [pinfo](const TcpSegment &s) {
        return tcp_conversation_between(pinfo, s.src, s.dst).tcpd != nullptr;
    });
}

// A frame the decoder could not follow to its TCP header: Wireshark's dissection has found the
// segment's innermost addresses and ports (pinfo keeps the last ones), so look for that IP
// header in the frame's bytes, or for the segment it reassembled from IP fragments. Not for ICMP
// errors, whose quoted header is no segment. Reads into `out`, which holds no segment yet, and
// returns whether a TCP header was stepped over.
bool decode_as_wireshark_found(const Bytes &bytes, packet_info *pinfo, FrameObservations &out) {
    static const int proto_icmp = proto_get_id_by_filter_name("icmp"),
                     proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    Endpoint src, dst;
    bool skipped = false;
    if (pinfo->ptype == PT_TCP && !ws::frame_has_protocol(pinfo, proto_icmp) &&
        !ws::frame_has_protocol(pinfo, proto_icmpv6) && endpoint_of(pinfo->src, pinfo->srcport, src) &&
        endpoint_of(pinfo->dst, pinfo->destport, dst)) {
        skipped = decode_segment_of_flow(bytes, src, dst, pinfo->num, frame_time_us(pinfo), out);
        if (out.tcp_count) return skipped;
        const Bytes segment = reassembled_segment(pinfo);
        if (segment.len)
            return decode_reassembled_segment(bytes, segment, src, dst, pinfo->num, frame_time_us(pinfo), out);
    }
    add_segments_wireshark_numbered(bytes, pinfo, out);
    return skipped && out.tcp_count == 0;
}

// The frame's headers, read by tcpdiag's decoder into `out`; whether a TCP header was stepped over.
bool decode_headers(const Bytes &bytes, packet_info *pinfo, FrameObservations &out) {
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    const int link_type = linktype_of_encapsulation(ws::frame_encapsulation(pinfo));
    const bool skipped = link_type >= 0 ? decode_frame(link_type, bytes, pinfo->num, frame_time_us(pinfo), out)
                                        : decode_unknown_link(bytes, pinfo->num, frame_time_us(pinfo), out);
    if (out.tcp_count || out.icmp_count || !ws::frame_has_protocol(pinfo, proto_tcp)) return skipped;
    const bool skipped_again = decode_as_wireshark_found(bytes, pinfo, out);
    // Read after all: the fragment the decoder stepped over no longer counts as missed.
    return out.tcp_count == 0 && (skipped || skipped_again);
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

void forget_conversations() {
    tcp_conversations.clear();
}

int64_t frame_time_us(const packet_info *pinfo) {
    return static_cast<int64_t>(pinfo->abs_ts.secs) * 1000000 + pinfo->abs_ts.nsecs / 1000;
}

bool read_frame(tvbuff_t *tvb, packet_info *pinfo, FrameObservations &out) {
    static const int proto_tcp = proto_get_id_by_filter_name("tcp");
    const guint length = tvb_captured_length(tvb);
    const Bytes bytes{length ? tvb_get_ptr(tvb, 0, length) : nullptr, length};
    bool missing = decode_headers(bytes, pinfo, out);
    const bool decoded_none = out.tcp_count == 0 && out.icmp_count == 0;

    for (int i = 0; i < out.icmp_count; ++i) add_quoted_stream(pinfo, out.icmp[i]);
    const int decoded_tcp = out.tcp_count;
    out.tcp_count = keep_if(out.tcp, out.tcp_count, [pinfo](TcpSegment &s) { return add_tcp_analysis(pinfo, s); });
    missing |= out.tcp_count < decoded_tcp;
    out.udp_count = keep_if(out.udp, out.udp_count,
                            [pinfo](UdpDatagram &d) { return add_udp_stream(pinfo, d.src, d.dst, d.stream); });
    // Only what Wireshark dissected as TCP in this frame counts as missed: the first fragment of a
    // segment is dissected when the last one completes it. TCP found where the decoder found none
    // is an encapsulation it does not know.
    missing |= decoded_none;
    return !(missing && ws::frame_has_protocol(pinfo, proto_tcp));
}

}  // namespace tcpdiag
