#include "network_headers.h"

namespace tcpdiag {

namespace {

constexpr uint16_t kVlan = 0x8100, kQinQ = 0x88a8, kQinQOld = 0x9100, kMplsUnicast = 0x8847, kMplsMulticast = 0x8848,
                   kPppoeSession = 0x8864;
constexpr uint16_t kPppIpv4 = 0x0021, kPppIpv6 = 0x0057;
constexpr int kMaxTags = 8;  // more stacked tags or labels than any network uses: corrupt

bool ip_version_at(const Bytes &b, size_t at) {
    return b.has(at, 1) && ((b.u8(at) >> 4) == 4 || (b.u8(at) >> 4) == 6);
}

// MPLS carries no next-protocol field: after the bottom label, the IP version nibble tells.
bool ip_after_mpls(const Bytes &b, size_t at, size_t &ip_at) {
    for (int labels = 0; labels < kMaxTags; ++labels, at += 4) {
        if (!b.has(at, 4)) return false;
        if (b.u8(at + 2) & 0x01) {  // bottom of stack
            ip_at = at + 4;
            return ip_version_at(b, ip_at);
        }
    }
    return false;
}

bool ip_after_ethertype(const Bytes &b, size_t at, uint16_t type, size_t &ip_at) {
    for (int tags = 0; (type == kVlan || type == kQinQ || type == kQinQOld) && tags < kMaxTags; ++tags) {
        if (!b.has(at, 4)) return false;
        type = b.be16(at + 2);
        at += 4;
    }
    if (type == kMplsUnicast || type == kMplsMulticast) return ip_after_mpls(b, at, ip_at);
    if (type == kPppoeSession) {
        // 6 bytes of PPPoE, then the PPP protocol: one byte when compressed (RFC 1661 6.5: an
        // odd first byte), which many access concentrators negotiate.
        if (!b.has(at, 7)) return false;
        const bool compressed = b.u8(at + 6) & 1;
        if (!compressed && !b.has(at, 8)) return false;
        const uint16_t ppp = compressed ? b.u8(at + 6) : b.be16(at + 6);
        if (ppp != kPppIpv4 && ppp != kPppIpv6) return false;
        ip_at = at + (compressed ? 7 : 8);
        return true;
    }
    if (type != ethertype::kIpv4 && type != ethertype::kIpv6) return false;
    ip_at = at;
    return true;
}

// BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs by system.
bool ip_after_loopback(const Bytes &b, bool network_order, size_t &ip_at) {
    if (!b.has(0, 4)) return false;
    const uint32_t family = network_order ? b.be32(0) : b.le32(0);
    const uint32_t swapped = network_order ? b.le32(0) : b.be32(0);
    const auto known = [](uint32_t f) { return f == 2 || f == 24 || f == 28 || f == 30 || f == 10; };
    if (!known(family) && !known(swapped)) return false;
    ip_at = 4;
    return true;
}

constexpr uint8_t kOptionEnd = 0, kOptionNop = 1, kLooseSourceRoute = 131, kStrictSourceRoute = 137;

// Walks the IPv4 options between `from` and `to`: the kinds they carry, hashed (a copy of the
// packet keeps them, while a router may fill in a record-route or timestamp option), and, for a
// source route not yet exhausted, where the final destination is (RFC 791 3.1: the header's
// destination is only the next hop, and Wireshark keys its conversations by the final one).
void read_ipv4_options(const Bytes &b, size_t from, size_t to, IpHeader &ip) {
    uint32_t kinds = 0;
    for (size_t at = from; at < to;) {
        const uint8_t kind = b.u8(at);
        kinds = kinds * 31 + kind + 1;
        if (kind == kOptionEnd) break;
        if (kind == kOptionNop) {
            ++at;
            continue;
        }
        if (at + 1 >= to) break;
        const size_t len = b.u8(at + 1);
        if (len < 2 || len > to - at) break;
        if ((kind == kLooseSourceRoute || kind == kStrictSourceRoute) && len >= 7) {
            const uint8_t pointer = b.u8(at + 2);
            if (pointer >= 4 && pointer % 4 == 0 && pointer <= len)
                ip.dst = Address::from_bytes(4, b.data + at + len - 4);
        }
        at += len;
    }
    ip.option_kinds = kinds;
}

// An IPv6 routing header with segments left names the final destination (types 0 and 2: the
// last address; segment routing, type 4: the first one), as Wireshark reads it.
void read_ipv6_routing(const Bytes &b, size_t at, size_t len, IpHeader &ip) {
    const uint8_t type = b.u8(at + 2), segments_left = b.u8(at + 3);
    if (segments_left == 0 || len < 24) return;
    if (type == 0 || type == 2)
        ip.dst = Address::from_bytes(6, b.data + at + len - 16);
    else if (type == 4)
        ip.dst = Address::from_bytes(6, b.data + at + 8);
}

bool parse_ipv4(const Bytes &b, size_t at, IpHeader &ip, bool quoted) {
    if (!b.has(at, 20)) return false;
    const size_t header_len = size_t(b.u8(at) & 0x0f) * 4;
    uint32_t total_len = b.be16(at + 2);
    // Segmentation offload captured on the sending host can leave the length 0: the frame tells.
    if (total_len == 0 && !quoted) total_len = static_cast<uint32_t>(b.len - at);
    if (header_len < 20 || total_len < header_len) return false;
    const uint16_t fragment = b.be16(at + 6);
    ip.version = 4;
    ip.ip_id = b.be16(at + 4);
    ip.ttl = b.u8(at + 8);
    ip.protocol = b.u8(at + 9);
    ip.src = Address::from_bytes(4, b.data + at + 12);
    ip.dst = Address::from_bytes(4, b.data + at + 16);
    if (header_len > 20 && b.has(at, header_len)) read_ipv4_options(b, at + 20, at + header_len, ip);
    ip.later_fragment = (fragment & 0x1fff) != 0;
    ip.first_fragment = !ip.later_fragment && (fragment & 0x2000) != 0;
    ip.payload_at = at + header_len;
    ip.payload_len = total_len - static_cast<uint32_t>(header_len);
    return true;
}

bool is_ipv6_extension(uint8_t next) {
    return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
}

bool parse_ipv6(const Bytes &b, size_t at, IpHeader &ip) {
    if (!b.has(at, 40)) return false;
    uint32_t remaining = b.be16(at + 4);  // payload length, extension headers included
    uint8_t next = b.u8(at + 6);
    ip.version = 6;
    ip.ttl = b.u8(at + 7);
    ip.src = Address::from_bytes(6, b.data + at + 8);
    ip.dst = Address::from_bytes(6, b.data + at + 24);
    size_t cursor = at + 40;
    // Hop-by-hop, routing, fragment, destination options, AH: skip to the transport header.
    for (int hops = 0; is_ipv6_extension(next) && hops < 8; ++hops) {
        if (!b.has(cursor, 8)) return false;
        size_t len;
        if (next == 44) {  // fragment header; offset 0 without "more" is an atomic fragment
            const uint16_t offset_flags = b.be16(cursor + 2);
            ip.later_fragment = (offset_flags & 0xfff8) != 0;
            ip.first_fragment = !ip.later_fragment && (offset_flags & 1) != 0;
            len = 8;
        } else if (next == 51) {
            len = (size_t(b.u8(cursor + 1)) + 2) * 4;
        } else {
            len = (size_t(b.u8(cursor + 1)) + 1) * 8;
        }
        if (len > remaining) return false;
        if (next == 43 && b.has(cursor, len)) read_ipv6_routing(b, cursor, len, ip);
        next = b.u8(cursor);
        cursor += len;
        remaining -= static_cast<uint32_t>(len);
        if (ip.later_fragment) break;
    }
    ip.protocol = next;
    ip.payload_at = cursor;
    ip.payload_len = remaining;
    return true;
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

bool ip_after_ethernet(const Bytes &b, size_t at, size_t &ip_at) {
    return b.has(at, 14) && ip_after_ethertype(b, at + 14, b.be16(at + 12), ip_at);
}

bool find_ip_header(int link_type, const Bytes &frame, size_t &at) {
    switch (link_type) {
        case linktype::kEthernet: return ip_after_ethernet(frame, 0, at);
        case linktype::kLinuxSll: return frame.has(0, 16) && ip_after_ethertype(frame, 16, frame.be16(14), at);
        case linktype::kLinuxSll2: return frame.has(0, 20) && ip_after_ethertype(frame, 20, frame.be16(0), at);
        case linktype::kRaw:
        case linktype::kIpv4:
        case linktype::kIpv6: at = 0; return true;
        case linktype::kNull: return ip_after_loopback(frame, false, at);
        case linktype::kLoop: return ip_after_loopback(frame, true, at);
        default: return false;
    }
}

bool parse_ip(const Bytes &b, size_t at, IpHeader &ip, bool quoted) {
    if (!b.has(at, 1)) return false;
    ip = IpHeader{};
    switch (b.u8(at) >> 4) {
        case 4: return parse_ipv4(b, at, ip, quoted);
        case 6: return parse_ipv6(b, at, ip);
        default: return false;
    }
}

}  // namespace tcpdiag
