#include "extract.h"

#include <epan/proto.h>
#include <epan/tvbuff.h>

#include "../core/duplicates.h"
#include "../core/wire/tcp_options.h"
#include "frame_reader.h"
#include "registration.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

// The fields tcpdiag reads, by the name Wireshark registers them under.
enum FieldId {
    kTcpSrcport,
    kTcpDstport,
    kTcpStream,
    kTcpFlags,
    kTcpSeqRaw,
    kTcpAckRaw,
    kTcpLen,
    kTcpWindow,
    kTcpRetransmission,
    kTcpRtoFrame,
    kTcpOptions,
    kTcpLostSegment,
    kTcpAckLostSegment,
    kIpSrc,
    kIpDst,
    kIpTtl,
    kIpId,
    kIpv6Src,
    kIpv6Dst,
    kIpv6Hlim,
    kUdpSrcport,
    kUdpDstport,
    kUdpStream,
    kIcmpType,
    kIcmpCode,
    kIcmpv6Type,
    kIcmpv6Code,
    kFieldCount
};
struct WantedField {
    FieldId id;
    const char *name;
};
constexpr WantedField kWanted[] = {
    {kTcpSrcport, "tcp.srcport"},
    {kTcpDstport, "tcp.dstport"},
    {kTcpStream, "tcp.stream"},
    {kTcpFlags, "tcp.flags"},
    {kTcpSeqRaw, "tcp.seq_raw"},
    {kTcpAckRaw, "tcp.ack_raw"},
    {kTcpLen, "tcp.len"},
    {kTcpWindow, "tcp.window_size_value"},
    {kTcpRetransmission, "tcp.analysis.retransmission"},
    {kTcpRtoFrame, "tcp.analysis.rto_frame"},
    {kTcpOptions, "tcp.options"},
    {kTcpLostSegment, "tcp.analysis.lost_segment"},
    {kTcpAckLostSegment, "tcp.analysis.ack_lost_segment"},
    {kIpSrc, "ip.src"},
    {kIpDst, "ip.dst"},
    {kIpTtl, "ip.ttl"},
    {kIpId, "ip.id"},
    {kIpv6Src, "ipv6.src"},
    {kIpv6Dst, "ipv6.dst"},
    {kIpv6Hlim, "ipv6.hlim"},
    {kUdpSrcport, "udp.srcport"},
    {kUdpDstport, "udp.dstport"},
    {kUdpStream, "udp.stream"},
    {kIcmpType, "icmp.type"},
    {kIcmpCode, "icmp.code"},
    {kIcmpv6Type, "icmpv6.type"},
    {kIcmpv6Code, "icmpv6.code"},
};
static_assert(sizeof kWanted / sizeof *kWanted == kFieldCount, "every field id has its name");
int hf[kFieldCount];

// The occurrences of each field in this frame, read once per frame.
struct FrameFields {
    GPtrArray *arrays[kFieldCount];

    FrameFields(proto_tree *tree) {
        for (int i = 0; i < kFieldCount; ++i) arrays[i] = hf[i] > 0 ? proto_get_finfo_ptr_array(tree, hf[i]) : nullptr;
    }
    guint count(FieldId id) const { return arrays[id] ? arrays[id]->len : 0; }
    field_info *at(FieldId id, guint i) const { return static_cast<field_info *>(g_ptr_array_index(arrays[id], i)); }

    // The occurrence that belongs to protocol layer `layer` (fields of one layer share its number).
    field_info *in_layer(FieldId id, int layer) const {
        for (guint i = 0; i < count(id); ++i)
            if (at(id, i)->total_layer_num == layer) return at(id, i);
        return nullptr;
    }
    // The nearest occurrence in a layer below `layer`: the IP header that carries a transport header.
    field_info *below(FieldId id, int layer) const {
        field_info *best = nullptr;
        for (guint i = 0; i < count(id); ++i) {
            field_info *fi = at(id, i);
            if (fi->total_layer_num < layer && (!best || fi->total_layer_num > best->total_layer_num)) best = fi;
        }
        return best;
    }
    // The nearest occurrence in a layer above `layer`: what an ICMP error quotes.
    field_info *above(FieldId id, int layer) const {
        field_info *best = nullptr;
        for (guint i = 0; i < count(id); ++i) {
            field_info *fi = at(id, i);
            if (fi->total_layer_num > layer && (!best || fi->total_layer_num < best->total_layer_num)) best = fi;
        }
        return best;
    }
};

guint32 uint_of(field_info *fi) {
    return fi ? fvalue_get_uinteger(ws::value_of(fi)) : 0;
}

// Addresses are read from the packet bytes the field covers: stable across versions, unlike
// the FT_IPv4/FT_IPv6 value getters.
bool read_address(field_info *fi, uint8_t family, Address &out) {
    const gint size = family == 6 ? 16 : 4;
    if (!fi || !fi->ds_tvb || fi->length != size || !tvb_bytes_exist(fi->ds_tvb, fi->start, size)) return false;
    uint8_t bytes[16];
    tvb_memcpy(fi->ds_tvb, bytes, fi->start, size);
    out = Address::from_bytes(family, bytes);
    return true;
}

// Source and destination of the IP header just below `layer`, and its TTL / hop limit.
struct IpHeader {
    Address src, dst;
    uint8_t ttl = 0;
    uint16_t ip_id = 0;  // IPv4 only
};
bool ip_below(const FrameFields &f, int layer, IpHeader &ip) {
    field_info *v4 = f.below(kIpSrc, layer), *v6 = f.below(kIpv6Src, layer);
    if (v6 && (!v4 || v6->total_layer_num > v4->total_layer_num)) {
        ip.ttl = static_cast<uint8_t>(uint_of(f.in_layer(kIpv6Hlim, v6->total_layer_num)));
        return read_address(v6, 6, ip.src) && read_address(f.in_layer(kIpv6Dst, v6->total_layer_num), 6, ip.dst);
    }
    if (!v4) return false;
    ip.ttl = static_cast<uint8_t>(uint_of(f.in_layer(kIpTtl, v4->total_layer_num)));
    ip.ip_id = static_cast<uint16_t>(uint_of(f.in_layer(kIpId, v4->total_layer_num)));
    return read_address(v4, 4, ip.src) && read_address(f.in_layer(kIpDst, v4->total_layer_num), 4, ip.dst);
}

// Same, for the IP header just above `layer` (the one an ICMP error quotes).
bool ip_above(const FrameFields &f, int layer, IpHeader &ip) {
    field_info *v4 = f.above(kIpSrc, layer), *v6 = f.above(kIpv6Src, layer);
    if (v6 && (!v4 || v6->total_layer_num < v4->total_layer_num))
        return read_address(v6, 6, ip.src) && read_address(f.in_layer(kIpv6Dst, v6->total_layer_num), 6, ip.dst);
    return v4 && read_address(v4, 4, ip.src) && read_address(f.in_layer(kIpDst, v4->total_layer_num), 4, ip.dst);
}

// The layer of the first ICMP/ICMPv6 error in the frame (INT_MAX: none). Transport headers in
// layers above it are quotes, not traffic.
int read_icmp_errors(const FrameFields &f, packet_info *pinfo, FrameObservations &out) {
    int first_error_layer = G_MAXINT;
    for (int version : {4, 6}) {
        const FieldId type_id = version == 4 ? kIcmpType : kIcmpv6Type;
        const FieldId code_id = version == 4 ? kIcmpCode : kIcmpv6Code;
        for (guint i = 0; i < f.count(type_id); ++i) {
            field_info *type = f.at(type_id, i);
            const int layer = type->total_layer_num;
            const guint32 t = uint_of(type);
            const bool error = version == 4 ? (t == 3 || t == 4 || t == 5 || t == 11 || t == 12) : (t >= 1 && t <= 4);
            if (!error) continue;
            if (layer < first_error_layer) first_error_layer = layer;
            IpHeader outer, quoted;
            if (out.icmp_count == FrameObservations::kMax || !ip_below(f, layer, outer) || !ip_above(f, layer, quoted))
                continue;
            field_info *tcp_port = f.above(kTcpSrcport, layer), *udp_port = f.above(kUdpSrcport, layer);
            const bool is_tcp = tcp_port && (!udp_port || tcp_port->total_layer_num < udp_port->total_layer_num);
            field_info *sport = is_tcp ? tcp_port : udp_port;
            if (!sport) continue;
            // Only a slot that will be counted is written (FrameObservations::reset).
            IcmpError &e = out.icmp[out.icmp_count];
            e.frame = pinfo->num;
            e.time_us = frame_time_us(pinfo);
            e.reporter = outer.src;
            e.icmp_version = static_cast<uint8_t>(version);
            e.type = static_cast<uint8_t>(t);
            e.code = static_cast<uint8_t>(uint_of(f.in_layer(code_id, layer)));
            const int tl = sport->total_layer_num;
            e.quoted_transport = is_tcp ? Transport::Tcp : Transport::Udp;
            e.quoted_src = {quoted.src, static_cast<uint16_t>(uint_of(sport))};
            e.quoted_dst = {quoted.dst,
                            static_cast<uint16_t>(uint_of(f.in_layer(is_tcp ? kTcpDstport : kUdpDstport, tl)))};
            field_info *stream = f.in_layer(is_tcp ? kTcpStream : kUdpStream, tl);
            e.quoted_stream_known = stream != nullptr;
            e.quoted_stream = uint_of(stream);
            ++out.icmp_count;
        }
    }
    return first_error_layer;
}

void read_tcp(const FrameFields &f, packet_info *pinfo, int quote_layer, FrameObservations &out) {
    for (guint i = 0; i < f.count(kTcpStream) && out.tcp_count < FrameObservations::kMax; ++i) {
        field_info *stream = f.at(kTcpStream, i);
        const int layer = stream->total_layer_num;
        IpHeader ip;
        field_info *flags = f.in_layer(kTcpFlags, layer);
        if (layer > quote_layer || !flags || !ip_below(f, layer, ip)) continue;
        TcpSegment &s = out.tcp[out.tcp_count++];
        s.frame = pinfo->num;
        s.time_us = frame_time_us(pinfo);
        s.stream = uint_of(stream);
        s.src = {ip.src, static_cast<uint16_t>(uint_of(f.in_layer(kTcpSrcport, layer)))};
        s.dst = {ip.dst, static_cast<uint16_t>(uint_of(f.in_layer(kTcpDstport, layer)))};
        s.flags = static_cast<uint16_t>(uint_of(flags));
        s.seq = uint_of(f.in_layer(kTcpSeqRaw, layer));
        s.ack = uint_of(f.in_layer(kTcpAckRaw, layer));
        s.payload_len = uint_of(f.in_layer(kTcpLen, layer));
        field_info *window = f.in_layer(kTcpWindow, layer);
        s.window = window ? static_cast<uint16_t>(uint_of(window)) : 1;  // unknown is not zero
        s.ttl = ip.ttl;
        s.retransmission = f.in_layer(kTcpRetransmission, layer) != nullptr;
        s.rto_frame = uint_of(f.in_layer(kTcpRtoFrame, layer));
        s.capture_gap = f.in_layer(kTcpLostSegment, layer) || f.in_layer(kTcpAckLostSegment, layer);
        s.truncated = flags->ds_tvb && tvb_captured_length(flags->ds_tvb) < tvb_reported_length(flags->ds_tvb);
        field_info *options = f.in_layer(kTcpOptions, layer);
        const bool have_options =
            options && options->ds_tvb && tvb_bytes_exist(options->ds_tvb, options->start, options->length);
        const guint8 *option_bytes =
            have_options ? tvb_get_ptr(options->ds_tvb, options->start, options->length) : nullptr;
        s.signature = segment_signature(s, ip.ip_id, 0, option_bytes, have_options ? options->length : 0);
        if (s.flags & tcp_flag::kSyn) s.mss = mss_option(option_bytes, have_options ? options->length : 0);
    }
}

void read_udp(const FrameFields &f, packet_info *pinfo, int quote_layer, FrameObservations &out) {
    for (guint i = 0; i < f.count(kUdpStream) && out.udp_count < FrameObservations::kMax; ++i) {
        field_info *stream = f.at(kUdpStream, i);
        const int layer = stream->total_layer_num;
        IpHeader ip;
        if (layer > quote_layer || !ip_below(f, layer, ip)) continue;
        UdpDatagram &d = out.udp[out.udp_count++];
        d.frame = pinfo->num;
        d.time_us = frame_time_us(pinfo);
        d.stream = uint_of(stream);
        d.src = {ip.src, static_cast<uint16_t>(uint_of(f.in_layer(kUdpSrcport, layer)))};
        d.dst = {ip.dst, static_cast<uint16_t>(uint_of(f.in_layer(kUdpDstport, layer)))};
    }
}

}  // namespace

void resolve_wanted_fields() {
    for (const WantedField &field : kWanted) {
        hf[field.id] = proto_registrar_get_id_byname(field.name);
        if (hf[field.id] <= 0)
            g_warning("tcpdiag: Wireshark has no field %s; verdicts that need it are degraded", field.name);
    }
}

void request_wanted_fields(bool enable) {
    GArray *wanted = nullptr;
    if (enable) {
        wanted = g_array_sized_new(FALSE, FALSE, sizeof(int), kFieldCount);
        for (int i = 0; i < kFieldCount; ++i)
            if (hf[i] > 0) g_array_append_val(wanted, hf[i]);
    }
    set_postdissector_wanted_hfids(ids.handle, wanted);
}

void extract(proto_tree *tree, packet_info *pinfo, FrameObservations &out) {
    if (!tree) return;
    const FrameFields fields(tree);
    const int quote_layer = read_icmp_errors(fields, pinfo, out);
    read_tcp(fields, pinfo, quote_layer, out);
    read_udp(fields, pinfo, quote_layer, out);
}

}  // namespace tcpdiag
