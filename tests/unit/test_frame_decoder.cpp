#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <vector>

#include "frame_table.h"
#include "wire/frame_decoder.h"
#include "wire/network_headers.h"

using namespace tcpdiag;

namespace {

using Octets = std::vector<uint8_t>;

void put(Octets &b, std::initializer_list<uint8_t> more) {
    b.insert(b.end(), more);
}
void put16(Octets &b, uint32_t v) {
    put(b, {uint8_t(v >> 8), uint8_t(v)});
}
void put32(Octets &b, uint32_t v) {
    put(b, {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
}
void append(Octets &b, const Octets &more) {
    b.insert(b.end(), more.begin(), more.end());
}

Octets ethernet(uint16_t type) {
    Octets b = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6};
    put16(b, type);
    return b;
}

// TCP header with an MSS option (24 bytes) and `payload` bytes of data.
Octets tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
           uint16_t payload) {
    Octets b;
    put16(b, sport);
    put16(b, dport);
    put32(b, seq);
    put32(b, ack);
    put(b, {6 << 4, flags});
    put16(b, window);
    put(b, {0, 0, 0, 0, 2, 4, 5, 0xb4});
    b.resize(b.size() + payload, 0xab);
    return b;
}

Octets udp(uint16_t sport, uint16_t dport, const Octets &payload) {
    Octets b;
    put16(b, sport);
    put16(b, dport);
    put16(b, 8 + payload.size());
    put16(b, 0);
    append(b, payload);
    return b;
}

// IPv4 header 10.0.0.<src> -> 10.0.0.<dst> around `payload`; `fragment` is the flags/offset word.
Octets ipv4(uint8_t proto, uint8_t src, uint8_t dst, const Octets &payload, uint8_t ttl = 64, uint16_t fragment = 0) {
    Octets b = {0x45, 0};
    put16(b, 20 + payload.size());
    put(b, {0x12, 0x34});
    put16(b, fragment);
    put(b, {ttl, proto, 0, 0, 10, 0, 0, src, 10, 0, 0, dst});
    append(b, payload);
    return b;
}

Octets ipv6(uint8_t next, const Octets &payload) {
    Octets b = {0x60, 0, 0, 0};
    put16(b, payload.size());
    put(b, {next, 55});
    for (int i = 0; i < 2; ++i) put(b, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, uint8_t(1 + i)});
    append(b, payload);
    return b;
}

DecodedFrame decode(int link_type, const Octets &frame) {
    return decode_frame(link_type, Bytes{frame.data(), frame.size()}, 7, 1000);
}

}  // namespace

TEST_CASE("a TCP segment behind 802.1Q tags is read field by field", "[frame_decoder]") {
    Octets frame = ethernet(0x8100);
    put(frame, {0, 10, 0x08, 0x00});
    append(frame, ipv4(6, 1, 2, tcp(40000, 443, 1000, 2000, 0x18, 512, 100), 61));
    const DecodedFrame d = decode(linktype::kEthernet, frame);
    REQUIRE(d.observations.tcp_count == 1);
    const TcpSegment &s = d.observations.tcp[0];
    CHECK(s.frame == 7);
    CHECK(s.time_us == 1000);
    CHECK(to_string(s.src) == "10.0.0.1:40000");
    CHECK(to_string(s.dst) == "10.0.0.2:443");
    CHECK(s.seq == 1000);
    CHECK(s.ack == 2000);
    CHECK(s.flags == 0x18);
    CHECK(s.window == 512);
    CHECK(s.payload_len == 100);
    CHECK(s.ttl == 61);
    CHECK_FALSE(d.skipped_tcp);
}

TEST_CASE("the payload length comes from the IP header: padding and snaplen do not change it", "[frame_decoder]") {
    Octets frame = ethernet(0x0800);
    append(frame, ipv4(6, 1, 2, tcp(1, 2, 0, 0, 0x10, 1, 0)));
    frame.resize(frame.size() + 6, 0);  // Ethernet padding to 60 bytes
    CHECK(decode(linktype::kEthernet, frame).observations.tcp[0].payload_len == 0);

    Octets cut = ethernet(0x0800);
    append(cut, ipv4(6, 1, 2, tcp(1, 2, 0, 0, 0x18, 1, 1000)));
    cut.resize(14 + 20 + 24 + 10);
    CHECK(decode(linktype::kEthernet, cut).observations.tcp[0].payload_len == 1000);
}

TEST_CASE("IP fragments and cut-short TCP headers are reported as skipped, not read", "[frame_decoder]") {
    const Octets first = ipv4(6, 1, 2, tcp(1, 2, 0, 0, 0x18, 1, 100), 64, 0x2000);
    const Octets later = ipv4(6, 1, 2, Octets(64, 0), 64, 0x0010);
    Octets short_header = ipv4(6, 1, 2, tcp(1, 2, 0, 0, 0x18, 1, 0));
    short_header.resize(20 + 12);
    for (const Octets *frame : std::initializer_list<const Octets *>{&first, &later, &short_header}) {
        const DecodedFrame d = decode(linktype::kRaw, *frame);
        CHECK(d.observations.tcp_count == 0);
        CHECK(d.skipped_tcp);
    }
}

TEST_CASE("tunnels: GRE with a key, IP in IP and VXLAN carry the inner segment", "[frame_decoder]") {
    Octets gre = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42};  // key present, IPv4 inside
    append(gre, ipv4(6, 3, 4, tcp(5000, 80, 1, 0, 0x02, 64240, 0)));
    Octets vxlan = {0x08, 0, 0, 0, 0, 0, 1, 0};
    append(vxlan, ethernet(0x0800));
    append(vxlan, ipv4(6, 5, 6, tcp(6000, 22, 1, 0, 0x02, 64240, 0)));

    const DecodedFrame g = decode(linktype::kRaw, ipv4(47, 1, 2, gre));
    REQUIRE(g.observations.tcp_count == 1);
    CHECK(to_string(g.observations.tcp[0].src) == "10.0.0.3:5000");

    const DecodedFrame i = decode(linktype::kRaw, ipv4(4, 1, 2, ipv4(6, 7, 8, tcp(1, 2, 0, 0, 0x02, 1, 0))));
    REQUIRE(i.observations.tcp_count == 1);
    CHECK(to_string(i.observations.tcp[0].dst) == "10.0.0.8:2");

    const DecodedFrame v = decode(linktype::kRaw, ipv4(17, 1, 2, udp(33333, 4789, vxlan)));
    REQUIRE(v.observations.udp_count == 1);
    CHECK(to_string(v.observations.udp[0].dst) == "10.0.0.2:4789");
    REQUIRE(v.observations.tcp_count == 1);
    CHECK(to_string(v.observations.tcp[0].dst) == "10.0.0.6:22");
}

TEST_CASE("hashes taken a word at a time see every byte and both directions of a flow alike", "[hash]") {
    const uint8_t bytes[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    for (size_t i = 0; i < sizeof bytes; ++i) {
        uint8_t changed[sizeof bytes];
        std::copy(bytes, bytes + sizeof bytes, changed);
        changed[i] ^= 0x40;
        CHECK(hash_bytes(0, bytes, sizeof bytes) != hash_bytes(0, changed, sizeof changed));
    }
    const Endpoint a{Address::ipv4({10, 0, 0, 1}), 40000}, b{Address::ipv4({10, 0, 0, 2}), 443};
    const Endpoint v6{Address::from_bytes(6, std::array<uint8_t, 16>{10, 0, 0, 1}.data()), 40000};
    CHECK(FlowKeyHash()(FlowKey::of(6, a, b)) == FlowKeyHash()(FlowKey::of(6, b, a)));
    CHECK(FlowKeyHash()(FlowKey::of(6, a, b)) != FlowKeyHash()(FlowKey::of(17, a, b)));
    CHECK(FlowKeyHash()(FlowKey::of(6, a, b)) != FlowKeyHash()(FlowKey::of(6, v6, b)));
    CHECK(hash_endpoint(0, a) != hash_endpoint(0, Endpoint{a.address, 40001}));
}

TEST_CASE("observations reused from frame to frame read each frame as new ones would", "[frame_decoder]") {
    Octets vxlan = {0x08, 0, 0, 0, 0, 0, 1, 0};
    append(vxlan, ethernet(0x0800));
    append(vxlan, ipv4(6, 5, 6, tcp(6000, 22, 1, 0, 0x02, 64240, 0)));
    const Octets tunnelled = ipv4(17, 1, 2, udp(33333, 4789, vxlan));
    const Octets plain = ipv4(17, 3, 4, udp(53, 5353, Octets(4, 0)));

    FrameObservations obs;
    decode_frame(linktype::kRaw, Bytes{tunnelled.data(), tunnelled.size()}, 7, 1000, obs);
    REQUIRE(obs.tcp_count == 1);
    obs.udp[0].stream = 9;  // as the glue completes it
    obs.reset();
    CHECK(decode_frame(linktype::kRaw, Bytes{plain.data(), plain.size()}, 8, 2000, obs) == false);
    CHECK(obs.tcp_count == 0);
    CHECK(obs.tcp[0].frame == 0);  // the slot the last frame used is as new
    REQUIRE(obs.udp_count == 1);
    CHECK(obs.udp[0].frame == 8);
    CHECK(obs.udp[0].stream == 0);
    CHECK(to_string(obs.udp[0].dst) == "10.0.0.4:5353");
}

TEST_CASE("an ICMP error quoting 8 bytes of TCP names the flow and is not itself a segment", "[frame_decoder]") {
    Octets icmp = {3, 1, 0, 0, 0, 0, 0, 0};  // host unreachable
    Octets quoted = ipv4(6, 1, 9, tcp(40000, 443, 77, 0, 0x02, 64240, 0));
    quoted.resize(20 + 8);
    append(icmp, quoted);
    const DecodedFrame d = decode(linktype::kRaw, ipv4(1, 254, 1, icmp));
    CHECK(d.observations.tcp_count == 0);
    CHECK_FALSE(d.skipped_tcp);
    REQUIRE(d.observations.icmp_count == 1);
    const IcmpError &e = d.observations.icmp[0];
    CHECK(to_string(e.reporter) == "10.0.0.254");
    CHECK(e.icmp_version == 4);
    CHECK(e.type == 3);
    CHECK(e.code == 1);
    CHECK(e.quoted_transport == Transport::Tcp);
    CHECK(to_string(e.quoted_src) == "10.0.0.1:40000");
    CHECK(to_string(e.quoted_dst) == "10.0.0.9:443");

    Octets echo = {8, 0, 0, 0, 0, 1, 0, 1};
    CHECK(decode(linktype::kRaw, ipv4(1, 1, 2, echo)).observations.icmp_count == 0);
}

TEST_CASE("IPv6 extension headers and an atomic fragment lead to the TCP header", "[frame_decoder]") {
    Octets hop_by_hop = {44, 0, 1, 4, 0, 0, 0, 0};      // next: fragment; PadN
    Octets atomic_fragment = {6, 0, 0, 0, 0, 0, 0, 9};  // offset 0, no more fragments
    Octets payload = hop_by_hop;
    append(payload, atomic_fragment);
    append(payload, tcp(443, 50000, 5, 6, 0x11, 100, 0));
    const DecodedFrame d = decode(linktype::kRaw, ipv6(0, payload));
    REQUIRE(d.observations.tcp_count == 1);
    CHECK(to_string(d.observations.tcp[0].src) == "[fd00::1]:443");
    CHECK(d.observations.tcp[0].ttl == 55);
    CHECK(d.observations.tcp[0].flags == 0x11);
}

// IPv4 10.0.0.1 -> 10.0.0.2 with `options` (padded to a multiple of 4) before `payload`.
Octets ipv4_with_options(const Octets &options, const Octets &payload) {
    Octets opts = options;
    opts.resize((opts.size() + 3) / 4 * 4, 0);
    Octets b = ipv4(6, 1, 2, payload);
    b[0] = uint8_t(0x40 | (20 + opts.size()) / 4);
    b[2] = uint8_t((b.size() + opts.size()) >> 8);
    b[3] = uint8_t(b.size() + opts.size());
    b.insert(b.begin() + 20, opts.begin(), opts.end());
    return b;
}

TEST_CASE("a source route's final destination is the segment's destination, as Wireshark keys it", "[frame_decoder]") {
    const Octets syn = tcp(20, 80, 0, 0, 0x02, 512, 0);
    // Loose source route via 1.2.3.4 to 5.6.7.8, pointer at the first address: not yet used.
    const Octets route = {131, 11, 4, 1, 2, 3, 4, 5, 6, 7, 8};
    DecodedFrame d = decode(linktype::kRaw, ipv4_with_options(route, syn));
    REQUIRE(d.observations.tcp_count == 1);
    CHECK(to_string(d.observations.tcp[0].dst) == "5.6.7.8:80");

    // Pointer past the end: the route is used up and the header's destination is the final one.
    Octets used_up = route;
    used_up[2] = 12;
    d = decode(linktype::kRaw, ipv4_with_options(used_up, syn));
    REQUIRE(d.observations.tcp_count == 1);
    CHECK(to_string(d.observations.tcp[0].dst) == "10.0.0.2:80");

    // IPv6, segment routing header with one segment left: the first listed segment is the final one.
    Octets srh = {6, 4, 4, 1, 1, 1, 0, 0};  // next TCP, 2 addresses, type 4, 1 left, last entry 1
    for (uint8_t last : {9, 8}) put(srh, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last});
    append(srh, syn);
    d = decode(linktype::kRaw, ipv6(43, srh));
    REQUIRE(d.observations.tcp_count == 1);
    CHECK(to_string(d.observations.tcp[0].dst) == "[fd00::9]:80");
}

TEST_CASE("the same segment with other IPv4 option kinds is no copy; with the same kinds it is", "[frame_decoder]") {
    const Octets syn = tcp(20, 80, 0, 0, 0x02, 512, 0);
    const Octets record_route = {7, 7, 4, 0, 0, 0, 0};
    Octets filled_in = record_route;  // a router on the way recorded itself
    filled_in[3] = 192, filled_in[6] = 1, filled_in[2] = 8;
    const Octets timestamp = {68, 4, 5, 0};
    const auto signature = [&](const Octets &options) {
        return decode(linktype::kRaw, ipv4_with_options(options, syn)).observations.tcp[0].signature;
    };
    CHECK(signature(record_route) == signature(filled_in));
    CHECK(signature(record_route) != signature(timestamp));
    CHECK(signature(record_route) != decode(linktype::kRaw, ipv4(6, 1, 2, syn)).observations.tcp[0].signature);
}

TEST_CASE("MPLS labels, PPPoE sessions and Linux cooked headers are stepped over", "[frame_decoder]") {
    const Octets inner = ipv4(6, 1, 2, tcp(1, 2, 0, 0, 0x02, 1, 0));
    Octets mpls = ethernet(0x8847);
    put(mpls, {0, 0x10, 0x00, 64, 0, 0x20, 0x01, 64});  // two labels, the second bottom of stack
    append(mpls, inner);
    Octets pppoe = ethernet(0x8864);
    put(pppoe, {0x11, 0, 0, 1, 0, 0, 0x00, 0x21});
    append(pppoe, inner);
    Octets pppoe_compressed = ethernet(0x8864);  // a one-byte PPP protocol (RFC 1661 6.5)
    put(pppoe_compressed, {0x11, 0, 0, 1, 0, 0, 0x21});
    append(pppoe_compressed, inner);
    Octets sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0};
    append(sll2, inner);
    CHECK(decode(linktype::kEthernet, mpls).observations.tcp_count == 1);
    CHECK(decode(linktype::kEthernet, pppoe).observations.tcp_count == 1);
    CHECK(decode(linktype::kEthernet, pppoe_compressed).observations.tcp_count == 1);
    CHECK(decode(linktype::kLinuxSll2, sll2).observations.tcp_count == 1);
}

TEST_CASE("every prefix of a frame and an unknown link type decode without reading out of bounds", "[frame_decoder]") {
    Octets frame = ethernet(0x8100);
    put(frame, {0, 10, 0x08, 0x00});
    Octets icmp = {3, 3, 0, 0, 0, 0, 0, 0};
    append(icmp, ipv4(17, 1, 2, udp(53, 5353, Octets(4, 0))));
    append(frame, ipv4(1, 2, 1, icmp));
    for (size_t len = 0; len <= frame.size(); ++len) {
        const Octets prefix(frame.begin(), frame.begin() + static_cast<long>(len));
        const DecodedFrame d = decode(linktype::kEthernet, prefix);
        CHECK(d.observations.icmp_count <= 1);
    }
    CHECK(decode(linktype::kEthernet, frame).observations.icmp_count == 1);
    CHECK(decode(12345, frame).observations.icmp_count == 0);
}

TEST_CASE("the frame table returns each frame's notes, with gaps and repeats handled", "[frame_table]") {
    FrameTable table;
    const FrameNote a{{Transport::Tcp, 1}, {}}, b{{Transport::Tcp, 2}, {}}, c{{Transport::Udp, 0}, {}};
    const FrameNote two[] = {a, c};
    table.add(1, &a, 1);
    table.add(4, two, 2);
    table.add(4, &b, 1);  // a frame is recorded once
    table.add(3, &b, 1);  // older than the last one recorded
    table.add(5, &b, 1);
    CHECK(table.notes_of(0).count == 0);
    CHECK(table.notes_of(1).count == 1);
    CHECK(table.notes_of(1)[0].stream.index == 1);
    CHECK(table.notes_of(2).count == 0);
    CHECK(table.notes_of(3).count == 0);
    REQUIRE(table.notes_of(4).count == 2);
    CHECK(table.notes_of(4)[1].stream.transport == Transport::Udp);
    CHECK(table.notes_of(5)[0].stream.index == 2);
    CHECK(table.notes_of(6).count == 0);

    table.mark_unread(2);
    table.mark_unread(9);
    CHECK(table.unread(9));
    CHECK_FALSE(table.unread(4));
    CHECK(table.unread_count() == 2);
}

TEST_CASE("the frame table counts each frame's notes right across its blocks of 64 frames", "[frame_table]") {
    FrameTable table;
    std::vector<FrameNote> notes(FrameTable::kMaxNotesPerFrame + 10);
    for (size_t i = 0; i < notes.size(); ++i) notes[i].stream = {Transport::Tcp, static_cast<uint32_t>(i)};
    // Frame f has f % 37 notes (none on every 37th), every fifth frame is missing, and one block
    // of 64 frames holds the most a frame may keep in each.
    const auto count_of = [](uint32_t f) {
        if (f >= 256 && f < 320) return FrameTable::kMaxNotesPerFrame;  // frames 256 to 319: one block
        return f % 5 == 0 ? 0 : static_cast<int>(f % 37);
    };
    for (uint32_t f = 1; f <= 700; ++f)
        if (count_of(f)) table.add(f, notes.data(), count_of(f));
    table.add(701, notes.data(), static_cast<int>(notes.size()));  // more than a frame keeps
    bool all_right = true;
    for (uint32_t f = 1; f <= 700; ++f) {
        const FrameNotes got = table.notes_of(f);
        all_right &= got.count == count_of(f);
        for (int i = 0; i < got.count; ++i) all_right &= got[i].stream.index == static_cast<uint32_t>(i);
    }
    CHECK(all_right);
    CHECK(table.notes_of(701).count == FrameTable::kMaxNotesPerFrame);
    CHECK(table.notes_of(701)[FrameTable::kMaxNotesPerFrame - 1].stream.index == FrameTable::kMaxNotesPerFrame - 1);
    CHECK(table.last_frame() == 701);
    CHECK(table.notes_of(702).count == 0);
}

TEST_CASE("the frame table keeps every field of a note, large runs and ordinals too, across blocks", "[frame_table]") {
    FrameTable table;
    const auto note = [](uint32_t index, Transport t, FrameEventKind kind, Side side, uint16_t run, uint16_t ordinal) {
        FrameNote n;
        n.stream = {t, index};
        n.event.kind = kind;
        n.event.side = side;
        n.event.run = run;
        n.event.ordinal = ordinal;
        return n;
    };
    // More notes than one block holds, each different, some with runs or ordinals past 13 bits.
    const uint32_t frames = 3 * ChunkedArray<PackedNote>::kBlock / 2;
    for (uint32_t f = 1; f <= frames; ++f) {
        const FrameNote n =
            note(UINT32_MAX - f, f % 3 ? Transport::Tcp : Transport::Udp, static_cast<FrameEventKind>(f % 11),
                 f % 2 ? Side::Server : Side::Client, static_cast<uint16_t>(f * 7), static_cast<uint16_t>(65535 - f));
        table.add(f, &n, 1);
    }
    bool all_equal = true;
    for (uint32_t f = 1; f <= frames; ++f) {
        const FrameNotes got = table.notes_of(f);
        REQUIRE(got.count == 1);
        const FrameNote n = got[0];
        all_equal &= n.stream.index == UINT32_MAX - f &&
                     n.stream.transport == (f % 3 ? Transport::Tcp : Transport::Udp) &&
                     n.event.kind == static_cast<FrameEventKind>(f % 11) &&
                     n.event.side == (f % 2 ? Side::Server : Side::Client) &&
                     n.event.run == static_cast<uint16_t>(f * 7) && n.event.ordinal == static_cast<uint16_t>(65535 - f);
    }
    CHECK(all_equal);
}

TEST_CASE("a segment behind an encapsulation the decoder does not know is found from its flow", "[frame_decoder]") {
    // An 802.11 data frame with LLC/SNAP, as the bytes after some radio header: decode_frame has
    // no way in, but the flow Wireshark found names the IP header to look for.
    Octets frame = {0x08, 0x41, 0x2c, 0x00, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 0x10, 0x00};
    put(frame, {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00});
    // A decoy first: an IPv4 header between the same hosts carrying UDP.
    const Octets decoy = ipv4(17, 1, 2, udp(40000, 443, Octets(4, 0)));
    Octets with_decoy = frame;
    append(with_decoy, decoy);
    append(frame, ipv4(6, 1, 2, tcp(40000, 443, 1000, 2000, 0x18, 512, 100), 61));
    append(with_decoy, ipv4(6, 1, 2, tcp(40000, 443, 1000, 2000, 0x18, 512, 100), 61));
    const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    const Endpoint src{Address::ipv4(a), 40000}, dst{Address::ipv4(b), 443};

    CHECK(decode_frame(12345, Bytes{frame.data(), frame.size()}, 7, 1000).observations.tcp_count == 0);
    for (const Octets *f : {&frame, &with_decoy}) {
        const DecodedFrame d = decode_segment_of_flow(Bytes{f->data(), f->size()}, src, dst, 7, 1000);
        REQUIRE(d.observations.tcp_count == 1);
        CHECK(d.observations.tcp[0].seq == 1000);
        CHECK(d.observations.tcp[0].payload_len == 100);
        CHECK(d.observations.tcp[0].ttl == 61);
    }
    // The other direction's flow, or a flow with other ports, is not in this frame.
    CHECK(decode_segment_of_flow(Bytes{frame.data(), frame.size()}, dst, src, 7, 1000).observations.tcp_count == 0);
    const Endpoint other_port{Address::ipv4(b), 80};
    CHECK(decode_segment_of_flow(Bytes{frame.data(), frame.size()}, src, other_port, 7, 1000).observations.tcp_count ==
          0);
    // Every prefix of the frame is searched without reading past its end; the segment is read
    // once the fixed part of its TCP header is there (a snaplen may cut the rest).
    const size_t header_end = frame.size() - 100 - 4;  // the fixed 20 bytes; the 4 of options may be cut too
    for (size_t len = 0; len < frame.size(); ++len)
        CHECK(decode_segment_of_flow(Bytes{frame.data(), len}, src, dst, 7, 1000).observations.tcp_count ==
              (len >= header_end ? 1 : 0));
}

namespace {
// The IPv4 header checksum of the header starting at `at`, filled in.
void fill_ipv4_checksum(Octets &frame, size_t at) {
    frame[at + 10] = frame[at + 11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i < 20; i += 2) sum += uint32_t(frame[at + i] << 8 | frame[at + i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    frame[at + 10] = uint8_t(~sum >> 8);
    frame[at + 11] = uint8_t(~sum);
}
}  // namespace

TEST_CASE("a link type the decoder does not know: the IP packet that ends the frame is read", "[frame_decoder]") {
    // Some link header of 24 bytes, then an ICMP error quoting a TCP segment, then a 4-byte FCS.
    Octets frame(24, 0x45);  // bytes that look like IPv4 headers at every offset, but are not
    const size_t ip_at = frame.size();
    Octets icmp = {3, 1, 0, 0, 0, 0, 0, 0};
    append(icmp, ipv4(6, 2, 9, tcp(40000, 443, 1000, 0, 0x02, 512, 0)));
    append(frame, ipv4(1, 7, 2, icmp, 250));
    fill_ipv4_checksum(frame, ip_at);
    fill_ipv4_checksum(frame, ip_at + 28);
    put32(frame, 0xdeadbeef);  // FCS
    DecodedFrame d = decode_unknown_link(Bytes{frame.data(), frame.size()}, 7, 1000);
    REQUIRE(d.observations.icmp_count == 1);
    CHECK(d.observations.tcp_count == 0);  // the quote is no segment
    CHECK(d.observations.icmp[0].quoted_dst.port == 443);

    // The same with a bad checksum is not taken for an IP header.
    frame[ip_at + 10] ^= 0xff;
    CHECK(decode_unknown_link(Bytes{frame.data(), frame.size()}, 7, 1000).observations.icmp_count == 0);
    for (size_t len = 0; len < frame.size(); ++len) decode_unknown_link(Bytes{frame.data(), len}, 7, 1000);
}
