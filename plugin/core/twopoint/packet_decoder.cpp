#include "packet_decoder.h"

namespace tcpdiag {

namespace {

// Payload bytes hashed: enough to tell segments apart, few enough to survive a short snaplen.
constexpr size_t kHashedPayload = 64;

uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

void parse_tcp_options(const Bytes &b, size_t at, size_t end, TcpOptions &o) {
    while (at < end && b.has(at, 1)) {
        const uint8_t kind = b.u8(at);
        if (kind == 0) break;  // end of option list
        if (kind == 1) {       // no-operation
            ++at;
            continue;
        }
        if (!b.has(at, 2)) break;
        const uint8_t len = b.u8(at + 1);
        if (len < 2 || at + len > end || !b.has(at, len)) break;
        if (kind < 32) o.kinds |= 1u << kind;
        if (kind == 2 && len == 4) o.mss = b.be16(at + 2);
        if (kind == 3 && len == 3) o.window_scale = static_cast<int8_t>(b.u8(at + 2));
        if (kind == 4) o.sack_permitted = true;
        if (kind == 8 && len == 10) {
            o.has_timestamps = true;
            o.ts_value = b.be32(at + 2);
            o.ts_echo = b.be32(at + 6);
        }
        at += len;
    }
}

// The transport header at `at`, whose IP payload is `ip_payload_len` bytes on the wire.
bool decode_transport(const Bytes &b, size_t at, uint8_t proto, uint32_t ip_payload_len, PacketSummary &p) {
    size_t payload_at = 0;
    if (proto == ip_proto::kTcp) {
        if (!b.has(at, 20)) return false;
        const size_t header_len = size_t(b.u8(at + 12) >> 4) * 4;
        if (header_len < 20 || header_len > ip_payload_len) return false;
        p.src.port = b.be16(at);
        p.dst.port = b.be16(at + 2);
        p.seq = b.be32(at + 4);
        p.ack = b.be32(at + 8);
        p.flags = static_cast<uint16_t>(b.be16(at + 12) & 0x01ff);
        p.window = b.be16(at + 14);
        parse_tcp_options(b, at + 20, at + header_len, p.options);
        p.payload_len = ip_payload_len - static_cast<uint32_t>(header_len);
        payload_at = at + header_len;
    } else if (proto == ip_proto::kUdp) {
        if (!b.has(at, 8) || ip_payload_len < 8) return false;
        p.src.port = b.be16(at);
        p.dst.port = b.be16(at + 2);
        p.payload_len = ip_payload_len - 8;
        payload_at = at + 8;
    } else if (proto == ip_proto::kIcmp || proto == ip_proto::kIcmpv6) {
        // Echo request and reply only: a ping crosses both capture points like any packet, and
        // gives the clock offset even when every TCP packet was lost.
        if (!b.has(at, 8) || ip_payload_len < 8) return false;
        const uint8_t type = b.u8(at);
        const bool echo = proto == ip_proto::kIcmp ? (type == 8 || type == 0) : (type == 128 || type == 129);
        if (!echo) return false;
        p.flags = type;
        p.src.port = p.dst.port = b.be16(at + 4);  // the identifier: one flow per ping session
        p.seq = b.be16(at + 6);
        p.payload_len = ip_payload_len - 8;
        payload_at = at + 8;
    } else {
        return false;
    }
    p.transport = proto;
    const size_t captured = payload_at < b.len ? b.len - payload_at : 0;
    size_t hashed = captured < p.payload_len ? captured : p.payload_len;
    if (hashed > kHashedPayload) hashed = kHashedPayload;
    p.hashed_len = static_cast<uint16_t>(hashed);
    p.payload_hash = fnv1a(b.data + (hashed ? payload_at : 0), hashed);
    return true;
}

}  // namespace

std::optional<PacketSummary> decode_packet(int link_type, const uint8_t *data, size_t caplen) {
    const Bytes b{data, data ? caplen : 0};
    size_t ip_at;
    IpHeader ip;
    if (!find_ip_header(link_type, b, ip_at) || !parse_ip(b, ip_at, ip) || ip.later_fragment) return std::nullopt;
    PacketSummary p;
    p.ip_id = ip.ip_id;
    p.ttl = ip.ttl;
    p.src.address = ip.src;
    p.dst.address = ip.dst;
    if (!decode_transport(b, ip.payload_at, ip.protocol, ip.payload_len, p)) return std::nullopt;
    return p;
}

}  // namespace tcpdiag
