#include "packet_decoder.h"

namespace tcpdiag {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd, kEtherVlan = 0x8100, kEtherQinQ = 0x88a8,
                   kEtherQinQOld = 0x9100;
constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58;
// Payload bytes hashed: enough to tell segments apart, few enough to survive a short snaplen.
constexpr size_t kHashedPayload = 64;

// Bounds-checked reads over the captured bytes.
struct Bytes {
    const uint8_t *data;
    size_t len;
    bool has(size_t offset, size_t n) const { return offset <= len && n <= len - offset; }
    uint8_t u8(size_t o) const { return data[o]; }
    uint16_t be16(size_t o) const { return static_cast<uint16_t>(data[o] << 8 | data[o + 1]); }
    uint32_t be32(size_t o) const {
        return uint32_t(data[o]) << 24 | uint32_t(data[o + 1]) << 16 | uint32_t(data[o + 2]) << 8 | data[o + 3];
    }
    uint32_t le32(size_t o) const {
        return uint32_t(data[o + 3]) << 24 | uint32_t(data[o + 2]) << 16 | uint32_t(data[o + 1]) << 8 | data[o];
    }
};

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
    if (proto == kTcp) {
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
    } else if (proto == kUdp) {
        if (!b.has(at, 8) || ip_payload_len < 8) return false;
        p.src.port = b.be16(at);
        p.dst.port = b.be16(at + 2);
        p.payload_len = ip_payload_len - 8;
        payload_at = at + 8;
    } else if (proto == kIcmp || proto == kIcmpv6) {
        // Echo request and reply only: a ping crosses both capture points like any packet, and
        // gives the clock offset even when every TCP packet was lost.
        if (!b.has(at, 8) || ip_payload_len < 8) return false;
        const uint8_t type = b.u8(at);
        const bool echo = proto == kIcmp ? (type == 8 || type == 0) : (type == 128 || type == 129);
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

bool decode_ipv4(const Bytes &b, size_t at, PacketSummary &p) {
    if (!b.has(at, 20) || (b.u8(at) >> 4) != 4) return false;
    const size_t header_len = size_t(b.u8(at) & 0x0f) * 4;
    const uint16_t total_len = b.be16(at + 2);
    if (header_len < 20 || total_len < header_len) return false;
    if ((b.be16(at + 6) & 0x1fff) != 0) return false;  // a later fragment: no transport header
    p.ip_id = b.be16(at + 4);
    p.ttl = b.u8(at + 8);
    p.src.address = Address::from_bytes(4, b.data + at + 12);
    p.dst.address = Address::from_bytes(4, b.data + at + 16);
    return decode_transport(b, at + header_len, b.u8(at + 9), total_len - static_cast<uint32_t>(header_len), p);
}

bool is_ipv6_extension(uint8_t next) {
    return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
}

bool decode_ipv6(const Bytes &b, size_t at, PacketSummary &p) {
    if (!b.has(at, 40) || (b.u8(at) >> 4) != 6) return false;
    uint32_t remaining = b.be16(at + 4);  // payload length, extension headers included
    uint8_t next = b.u8(at + 6);
    p.ttl = b.u8(at + 7);
    p.src.address = Address::from_bytes(6, b.data + at + 8);
    p.dst.address = Address::from_bytes(6, b.data + at + 24);
    size_t cursor = at + 40;
    // Hop-by-hop, routing, fragment, destination options, AH: skip to the transport header.
    for (int hops = 0; is_ipv6_extension(next) && hops < 8; ++hops) {
        if (!b.has(cursor, 8)) return false;
        size_t len;
        if (next == 44) {                                          // fragment header
            if ((b.be16(cursor + 2) & 0xfff8) != 0) return false;  // not the first fragment
            len = 8;
        } else if (next == 51) {
            len = (size_t(b.u8(cursor + 1)) + 2) * 4;
        } else {
            len = (size_t(b.u8(cursor + 1)) + 1) * 8;
        }
        if (len > remaining) return false;
        next = b.u8(cursor);
        cursor += len;
        remaining -= static_cast<uint32_t>(len);
    }
    return decode_transport(b, cursor, next, remaining, p);
}

bool decode_ip(const Bytes &b, size_t at, PacketSummary &p) {
    if (!b.has(at, 1)) return false;
    switch (b.u8(at) >> 4) {
        case 4: return decode_ipv4(b, at, p);
        case 6: return decode_ipv6(b, at, p);
        default: return false;
    }
}

bool decode_ethertype(const Bytes &b, size_t at, uint16_t type, PacketSummary &p) {
    for (int tags = 0; (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) && tags < 4; ++tags) {
        if (!b.has(at, 4)) return false;
        type = b.be16(at + 2);
        at += 4;
    }
    if (type == kEtherIpv4) return decode_ipv4(b, at, p);
    if (type == kEtherIpv6) return decode_ipv6(b, at, p);
    return false;
}

// BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs by system.
bool decode_loopback(const Bytes &b, bool network_order, PacketSummary &p) {
    if (!b.has(0, 4)) return false;
    const uint32_t family = network_order ? b.be32(0) : b.le32(0);
    const uint32_t swapped = network_order ? b.le32(0) : b.be32(0);
    const auto known = [](uint32_t f) { return f == 2 || f == 24 || f == 28 || f == 30 || f == 10; };
    if (!known(family) && !known(swapped)) return false;
    return decode_ip(b, 4, p);
}

}  // namespace

bool linktype_supported(int link_type) {
    switch (link_type) {
        case linktype::kNull:
        case linktype::kEthernet:
        case linktype::kRaw:
        case linktype::kLoop:
        case linktype::kLinuxSll:
        case linktype::kIpv4:
        case linktype::kIpv6:
        case linktype::kLinuxSll2: return true;
        default: return false;
    }
}

std::optional<PacketSummary> decode_packet(int link_type, const uint8_t *data, size_t caplen) {
    const Bytes b{data, data ? caplen : 0};
    PacketSummary p;
    bool ok = false;
    switch (link_type) {
        case linktype::kEthernet: ok = b.has(0, 14) && decode_ethertype(b, 14, b.be16(12), p); break;
        case linktype::kLinuxSll: ok = b.has(0, 16) && decode_ethertype(b, 16, b.be16(14), p); break;
        case linktype::kLinuxSll2: ok = b.has(0, 20) && decode_ethertype(b, 20, b.be16(0), p); break;
        case linktype::kRaw:
        case linktype::kIpv4:
        case linktype::kIpv6: ok = decode_ip(b, 0, p); break;
        case linktype::kNull: ok = decode_loopback(b, false, p); break;
        case linktype::kLoop: ok = decode_loopback(b, true, p); break;
        default: break;
    }
    if (!ok) return std::nullopt;
    return p;
}

}  // namespace tcpdiag
