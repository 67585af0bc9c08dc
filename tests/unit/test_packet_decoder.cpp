#include <catch2/catch_test_macros.hpp>

#include <vector>

#include "twopoint/packet_decoder.h"

using namespace tcpdiag;

namespace {

using Octets = std::vector<uint8_t>;

void append(Octets &b, std::initializer_list<uint8_t> more) {
    b.insert(b.end(), more);
}

// IPv4 header (20 bytes) + TCP header with MSS and window-scale options + payload.
Octets ipv4_tcp(uint16_t payload_len) {
    const uint16_t total = static_cast<uint16_t>(20 + 28 + payload_len);
    Octets b;
    append(b,
           {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0x12, 0x34, 0x40, 0, 63, 6, 0, 0, 10, 1, 0, 2, 10, 2, 0, 2});
    append(b, {0x9c, 0x41, 0x1f, 0x90, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x70, 0x12, 0xfa, 0xf0, 0, 0, 0, 0});
    append(b, {2, 4, 0x05, 0xb4, 1, 3, 3, 7});  // MSS 1460, NOP, window scale 7
    for (uint16_t i = 0; i < payload_len; ++i) b.push_back(uint8_t(i));
    return b;
}

}  // namespace

TEST_CASE("decoder: Ethernet with an 802.1Q tag, IPv4, TCP with options") {
    Octets frame(12, 0xaa);
    append(frame, {0x81, 0x00, 0x00, 0x64, 0x08, 0x00});
    const Octets ip = ipv4_tcp(10);
    frame.insert(frame.end(), ip.begin(), ip.end());
    auto p = decode_packet(linktype::kEthernet, frame.data(), frame.size());
    REQUIRE(p);
    CHECK(p->transport == 6);
    CHECK(p->src.port == 40001);
    CHECK(p->dst.port == 8080);
    CHECK(p->seq == 0x1000);
    CHECK(p->flags == 0x12);
    CHECK(p->ttl == 63);
    CHECK(p->ip_id == 0x1234);
    CHECK(p->options.mss == 1460);
    CHECK(p->options.window_scale == 7);
    CHECK(p->payload_len == 10);
    CHECK(p->hashed_len == 10);
}

TEST_CASE("decoder: a snaplen cut changes the hash's extent, never the payload length") {
    Octets ip = ipv4_tcp(200);
    auto full = decode_packet(linktype::kRaw, ip.data(), ip.size());
    auto cut = decode_packet(linktype::kRaw, ip.data(), 20 + 28 + 30);
    REQUIRE(full);
    REQUIRE(cut);
    CHECK(full->payload_len == 200);
    CHECK(cut->payload_len == 200);
    CHECK(cut->hashed_len == 30);
    CHECK(full->hashed_len == 64);
    // Cut inside the TCP header: no packet.
    CHECK_FALSE(decode_packet(linktype::kRaw, ip.data(), 30));
}

TEST_CASE("decoder: Linux cooked v2, IPv6 with a hop-by-hop header, UDP") {
    Octets frame;
    append(frame, {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0});
    append(frame, {0x60, 0, 0, 0, 0, 8 + 8 + 4, 0, 64});  // payload: HBH 8 + UDP 8 + 4 data
    for (int i = 0; i < 32; ++i) frame.push_back(uint8_t(i == 15 || i == 31 ? 1 : 0));
    append(frame, {17, 0, 1, 4, 0, 0, 0, 0});  // hop-by-hop: next UDP, PadN
    append(frame, {0x0d, 0x0f, 0x0d, 0x10, 0, 12, 0, 0, 'p', 'i', 'n', 'g'});
    auto p = decode_packet(linktype::kLinuxSll2, frame.data(), frame.size());
    REQUIRE(p);
    CHECK(p->transport == 17);
    CHECK(p->src.address.family == 6);
    CHECK(p->src.port == 3343);
    CHECK(p->dst.port == 3344);
    CHECK(p->payload_len == 4);
    CHECK(p->ttl == 64);
}

TEST_CASE("decoder: loopback, and what it refuses") {
    Octets frame = {2, 0, 0, 0};  // AF_INET, host order
    const Octets ip = ipv4_tcp(0);
    frame.insert(frame.end(), ip.begin(), ip.end());
    CHECK(decode_packet(linktype::kNull, frame.data(), frame.size()));
    CHECK_FALSE(decode_packet(147, frame.data(), frame.size()));  // a user link type
    CHECK_FALSE(decode_packet(linktype::kEthernet, frame.data(), 10));
    CHECK_FALSE(decode_packet(linktype::kRaw, nullptr, 0));
    Octets later_fragment = ipv4_tcp(0);
    later_fragment[6] = 0x00;
    later_fragment[7] = 0x10;  // offset 128
    CHECK_FALSE(decode_packet(linktype::kRaw, later_fragment.data(), later_fragment.size()));
}
