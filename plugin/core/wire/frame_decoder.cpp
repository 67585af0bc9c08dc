#include "frame_decoder.h"

#include <algorithm>

#include "../duplicates.h"
#include "network_headers.h"
#include "tcp_options.h"

namespace tcpdiag {

namespace {

constexpr uint16_t kVxlanPort = 4789;  // IANA; Wireshark decodes VXLAN on it by default
constexpr int kMaxDepth = 4;           // IP layers followed through tunnels

bool is_icmp_error(uint8_t version, uint8_t type) {
    return version == 4 ? (type == 3 || type == 4 || type == 5 || type == 11 || type == 12) : (type >= 1 && type <= 4);
}

// The TCP header at `at` of a segment `ip` carries (ip.payload_len bytes of it, header included).
bool read_tcp_header(const Bytes &b, size_t at, const IpHeader &ip, TcpSegment &s) {
    const size_t header_len = b.has(at, 20) ? size_t(b.u8(at + 12) >> 4) * 4 : 0;
    if (header_len < 20 || header_len > ip.payload_len) return false;
    s.src = {ip.src, b.be16(at)};
    s.dst = {ip.dst, b.be16(at + 2)};
    s.seq = b.be32(at + 4);
    s.ack = b.be32(at + 8);
    s.flags = static_cast<uint16_t>(b.be16(at + 12) & 0x0fff);  // as tcp.flags: reserved bits included
    s.window = b.be16(at + 14);
    s.payload_len = ip.payload_len - static_cast<uint32_t>(header_len);
    s.ttl = ip.ttl;
    s.truncated = !b.has(at, ip.payload_len);
    const size_t options_len = b.has(at, header_len) ? header_len - 20 : 0;  // cut short: none
    s.signature =
        segment_signature(s, ip.ip_id, ip.option_kinds, options_len ? b.data + at + 20 : nullptr, options_len);
    if (s.flags & tcp_flag::kSyn) s.mss = mss_option(options_len ? b.data + at + 20 : nullptr, options_len);
    return true;
}

class FrameWalker {
  public:
    FrameWalker(const Bytes &b, uint32_t frame, int64_t time_us, FrameObservations &out)
        : b_(b), frame_(frame), time_us_(time_us), out_(out) {}

    void walk_ip(size_t at, int depth) {
        IpHeader ip;
        if (depth >= kMaxDepth || !parse_ip(b_, at, ip)) return;
        if (ip.later_fragment || ip.first_fragment) {
            skipped_tcp_ |= ip.protocol == ip_proto::kTcp;
            return;
        }
        switch (ip.protocol) {
            case ip_proto::kTcp: read_tcp(ip); break;
            case ip_proto::kUdp: read_udp(ip, depth); break;
            case ip_proto::kIpInIp:
            case ip_proto::kIpv6InIp: walk_ip(ip.payload_at, depth + 1); break;
            case ip_proto::kGre: read_gre(ip, depth); break;
            case ip_proto::kIcmp:
            case ip_proto::kIcmpv6: read_icmp(ip); break;
            default: break;
        }
    }

    bool skipped_tcp() const { return skipped_tcp_; }

  private:
    FrameObservations &obs() { return out_; }

    void read_tcp(const IpHeader &ip) {
        TcpSegment s;
        if (!read_tcp_header(b_, ip.payload_at, ip, s)) {
            skipped_tcp_ = true;
            return;
        }
        if (obs().tcp_count == FrameObservations::kMax) return;
        s.frame = frame_;
        s.time_us = time_us_;
        obs().tcp[obs().tcp_count++] = s;
    }

    void read_udp(const IpHeader &ip, int depth) {
        const size_t at = ip.payload_at;
        if (!b_.has(at, 8) || ip.payload_len < 8) return;
        const uint16_t sport = b_.be16(at), dport = b_.be16(at + 2);
        if (obs().udp_count < FrameObservations::kMax) {
            UdpDatagram &d = obs().udp[obs().udp_count++];
            d.frame = frame_;
            d.time_us = time_us_;
            d.src = {ip.src, sport};
            d.dst = {ip.dst, dport};
        }
        size_t inner;
        if ((sport == kVxlanPort || dport == kVxlanPort) && b_.has(at + 8, 8) && ip_after_ethernet(b_, at + 16, inner))
            walk_ip(inner, depth + 1);
    }

    // GRE version 0 (RFC 2784/2890): optional checksum, key and sequence words, then IP or Ethernet.
    void read_gre(const IpHeader &ip, int depth) {
        const size_t at = ip.payload_at;
        if (!b_.has(at, 4)) return;
        const uint16_t flags = b_.be16(at), protocol = b_.be16(at + 2);
        if ((flags & 0x0007) != 0) return;  // version 1 is PPTP's, carrying PPP
        size_t inner = at + 4;
        if (flags & 0xc000) inner += 4;  // checksum (and the obsolete routing bit's offset word)
        if (flags & 0x2000) inner += 4;  // key
        if (flags & 0x1000) inner += 4;  // sequence number
        if (protocol == ethertype::kIpv4 || protocol == ethertype::kIpv6) {
            walk_ip(inner, depth + 1);
        } else if (protocol == ethertype::kTransparentBridging) {
            size_t ip_at;
            if (ip_after_ethernet(b_, inner, ip_at)) walk_ip(ip_at, depth + 1);
        }
    }

    // An ICMP error quotes the IP header and at least 8 bytes of the packet it reports: the
    // transport's ports, enough to name the flow. The quote is never traffic of its own.
    void read_icmp(const IpHeader &ip) {
        const size_t at = ip.payload_at;
        if (!b_.has(at, 8)) return;
        const uint8_t version = ip.protocol == ip_proto::kIcmp ? 4 : 6;
        const uint8_t type = b_.u8(at);
        IpHeader quoted;
        if (!is_icmp_error(version, type) || obs().icmp_count == FrameObservations::kMax) return;
        if (!parse_ip(b_, at + 8, quoted, true) || quoted.later_fragment || !b_.has(quoted.payload_at, 4)) return;
        if (quoted.protocol != ip_proto::kTcp && quoted.protocol != ip_proto::kUdp) return;
        IcmpError &e = obs().icmp[obs().icmp_count++];
        e.frame = frame_;
        e.time_us = time_us_;
        e.reporter = ip.src;
        e.icmp_version = version;
        e.type = type;
        e.code = b_.u8(at + 1);
        e.quoted_transport = quoted.protocol == ip_proto::kTcp ? Transport::Tcp : Transport::Udp;
        e.quoted_src = {quoted.src, b_.be16(quoted.payload_at)};
        e.quoted_dst = {quoted.dst, b_.be16(quoted.payload_at + 2)};
    }

    const Bytes &b_;
    const uint32_t frame_;
    const int64_t time_us_;
    FrameObservations &out_;
    bool skipped_tcp_ = false;
};

// Could an IPv4 or IPv6 header from `src` to `dst` start at `at`? (A cheap look at the version
// and the addresses, before parse_ip checks the rest.)
bool ip_header_of(const Bytes &b, size_t at, const Address &src, const Address &dst) {
    const size_t len = src.family == 6 ? 16 : 4, src_at = src.family == 6 ? 8 : 12;
    if (!b.has(at, src_at + 2 * len) || (b.u8(at) >> 4) != src.family) return false;
    for (size_t i = 0; i < len; ++i)
        if (b.u8(at + src_at + i) != src.bytes[i] || b.u8(at + src_at + len + i) != dst.bytes[i]) return false;
    return true;
}

}  // namespace

namespace {
bool ipv4_checksum_holds(const Bytes &b, size_t at, size_t header_len) {
    uint32_t sum = 0;
    for (size_t i = 0; i < header_len; i += 2) sum += b.be16(at + i);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

// An IP header at `at` whose packet fills the rest of the frame (or all but a 4-byte FCS).
bool ip_packet_ends_frame(const Bytes &b, size_t at) {
    if (!b.has(at, 20)) return false;
    const uint8_t version = b.u8(at) >> 4;
    size_t end;
    if (version == 4) {
        const size_t header_len = size_t(b.u8(at) & 0x0f) * 4;
        if (header_len < 20 || !b.has(at, header_len)) return false;
        // A checksum left 0 (some generators, offloading senders) is taken as unset.
        if (b.be16(at + 10) != 0 && !ipv4_checksum_holds(b, at, header_len)) return false;
        end = at + b.be16(at + 2);
    } else if (version == 6 && b.has(at, 40)) {
        end = at + 40 + b.be16(at + 4);
    } else {
        return false;
    }
    return end == b.len || end + 4 == b.len;
}

// The frame read from the IP header at `at`.
bool walk_from(const Bytes &frame, size_t at, uint32_t frame_number, int64_t time_us, FrameObservations &out) {
    FrameWalker walker(frame, frame_number, time_us, out);
    walker.walk_ip(at, 0);
    return walker.skipped_tcp();
}

}  // namespace

bool decode_unknown_link(const Bytes &frame, uint32_t frame_number, int64_t time_us, FrameObservations &out) {
    for (size_t at = 0; at < frame.len; ++at)
        if (ip_packet_ends_frame(frame, at)) return walk_from(frame, at, frame_number, time_us, out);
    return false;
}

bool decode_segment_of_flow(const Bytes &frame, const Endpoint &src, const Endpoint &dst, uint32_t frame_number,
                            int64_t time_us, FrameObservations &out) {
    if (!src.address.known() || src.address.family != dst.address.family) return false;
    for (size_t at = 0; at < frame.len; ++at) {
        IpHeader ip;
        if (!ip_header_of(frame, at, src.address, dst.address) || !parse_ip(frame, at, ip)) continue;
        if (ip.protocol != ip_proto::kTcp || !frame.has(ip.payload_at, 4)) continue;
        if (frame.be16(ip.payload_at) != src.port || frame.be16(ip.payload_at + 2) != dst.port) continue;
        return walk_from(frame, at, frame_number, time_us, out);
    }
    return false;
}

void decode_segments_within(const Bytes &frame, uint32_t frame_number, int64_t time_us, FrameObservations &out) {
    for (size_t at = 0; at + 20 <= frame.len && out.tcp_count < FrameObservations::kMax;) {
        const uint8_t version = frame.u8(at) >> 4;
        IpHeader ip;
        if ((version != 4 && version != 6) || !parse_ip(frame, at, ip)) {
            ++at;
            continue;
        }
        // A sampled header is cut short: what follows its headers is the next sample, not its payload.
        if (ip.protocol == ip_proto::kIcmp || ip.protocol == ip_proto::kIcmpv6) {
            at = ip.payload_at + 9;  // past the start of the IP header an ICMP error quotes: no segment
            continue;
        }
        if (ip.protocol == ip_proto::kTcp && !ip.later_fragment) {
            const int before = out.tcp_count;
            walk_from(frame, at, frame_number, time_us, out);
            if (out.tcp_count > before) {
                at = ip.payload_at + 20;
                continue;
            }
        }
        ++at;
    }
}

bool decode_reassembled_segment(const Bytes &frame, const Bytes &segment, const Endpoint &src, const Endpoint &dst,
                                uint32_t frame_number, int64_t time_us, FrameObservations &out) {
    if (!src.address.known() || src.address.family != dst.address.family) return false;
    for (size_t at = 0; at < frame.len; ++at) {
        IpHeader ip;
        if (!ip_header_of(frame, at, src.address, dst.address) || !parse_ip(frame, at, ip)) continue;
        if (ip.protocol != ip_proto::kTcp || !ip.later_fragment) continue;
        ip.payload_len = static_cast<uint32_t>(segment.len);  // the whole segment, from all fragments
        TcpSegment s;
        if (out.tcp_count == FrameObservations::kMax || !read_tcp_header(segment, 0, ip, s) || s.src.port != src.port ||
            s.dst.port != dst.port)
            return false;
        s.frame = frame_number;
        s.time_us = time_us;
        out.tcp[out.tcp_count++] = s;
        return false;
    }
    return false;
}

bool decode_frame(int link_type, const Bytes &frame, uint32_t frame_number, int64_t time_us, FrameObservations &out) {
    size_t ip_at;
    return find_ip_header(link_type, frame, ip_at) && walk_from(frame, ip_at, frame_number, time_us, out);
}

}  // namespace tcpdiag
