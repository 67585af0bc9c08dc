#include <catch2/catch_test_macros.hpp>

#include "two_point_builder.h"
#include "twopoint/path_explain.h"
#include "twopoint/two_point.h"

using namespace tcpdiag;
using tcpdiag::test::TwoPointBuilder;

namespace {

constexpr uint16_t kSyn = 0x02, kAck = 0x10, kPshAck = 0x18, kFinAck = 0x11, kRst = 0x04;

// Handshake, a request and a reply, and a graceful close.
void request_reply(TwoPointBuilder &b) {
    b.handshake();
    b.send(true, kPshAck, 100, 1);
    b.send(false, kAck, 0);
    b.send(false, kPshAck, 300, 2);
    b.send(true, kAck, 0);
    b.send(true, kFinAck, 0);
    b.send(false, kFinAck, 0);
    b.send(true, kAck, 0);
}

}  // namespace

TEST_CASE("two-point: an untouched path shows every packet at both ends and gives the clock offset") {
    TwoPointBuilder b;
    request_reply(b);
    const Correlation c = b.correlate_at_client();
    REQUIRE(c.problem.empty());
    REQUIRE(c.streams.size() == 1);
    CHECK(c.streams[0].verdict == PathVerdict::SameAtBothEnds);
    CHECK(c.streams[0].matched == b.sent());
    CHECK(c.streams[0].changes == 0);
    CHECK(c.clock_offset_known);
    CHECK(c.clock_offset_us == b.clock_offset_us);
    for (const FrameMatch &m : c.frames) {
        CHECK(m.status == PeerStatus::Seen);
        CHECK(m.delay_us == b.delay_us);
    }
    CHECK(c.frames[0].outbound);   // the client's SYN, captured at the client
    CHECK(!c.frames[1].outbound);  // the server's SYN/ACK
}

TEST_CASE("two-point: a request lost between the points is dropped; its retransmission crossed") {
    TwoPointBuilder b;
    b.handshake();
    b.send(true, kPshAck, 100, 1);
    b.lost = {3};
    b.retransmit_last();
    b.send(false, kAck, 0);
    const Correlation c = b.correlate_at_client();
    REQUIRE(c.streams.size() == 1);
    CHECK(c.streams[0].verdict == PathVerdict::DroppedInPath);
    CHECK(c.streams[0].dropped_out == 1);
    CHECK(c.streams[0].dropped_in == 0);
    CHECK(c.frames[3].status == PeerStatus::Dropped);  // the original, not its copy
    CHECK(c.frames[4].status == PeerStatus::Seen);
    CHECK(c.streams[0].evidence_frame == 4);
}

TEST_CASE("two-point: a reply the server sent that never arrived is lost toward this side") {
    TwoPointBuilder b;
    b.handshake();
    b.send(true, kPshAck, 100, 1);
    b.send(false, kPshAck, 300, 2);
    b.lost = {4};
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::DroppedInPath);
    CHECK(c.streams[0].dropped_out == 0);
    CHECK(c.streams[0].dropped_in == 1);
    CHECK(c.streams[0].evidence_peer_frame == 5);
}

TEST_CASE("two-point: a stream whose end lies after the peer capture stopped is not covered, not the same") {
    TwoPointBuilder b;
    request_reply(b);
    b.peer_stops_us = 55'000;  // one packet every 10 ms: the last four come later
    const Correlation c = b.correlate_at_client();
    REQUIRE(c.streams.size() == 1);
    const StreamPath &sp = c.streams[0];
    CHECK(sp.verdict == PathVerdict::NotCovered);
    CHECK(std::string(path_verdict_name(sp.verdict)) == "not_covered");
    CHECK(sp.matched == 6);
    CHECK(sp.uncovered == 4);
    CHECK(sp.evidence_frame == 7);
    CHECK(sp.dropped_out == 0);
    CHECK(path_reason(sp, c).find("4 were sent while the other capture was not running") != std::string::npos);
}

TEST_CASE("two-point: NAT changes addresses and ports but not the verdict") {
    TwoPointBuilder b;
    b.client_at_server = {test::ipv4(10, 2, 0, 1), 61000};
    request_reply(b);
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::SameAtBothEnds);
    CHECK(c.streams[0].matched == b.sent());
    CHECK(c.streams[0].changes == (change::kAddress | change::kPort));
    CHECK(c.streams[0].peer_a == b.client_at_server);
}

TEST_CASE("two-point: an MSS clamp is a modification, found on the SYN") {
    TwoPointBuilder b;
    b.rewrite = [](PacketSummary &p, bool) {
        if (p.flags & kSyn) p.options.mss = 1200;
    };
    request_reply(b);
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::ModifiedInPath);
    CHECK(c.streams[0].changes == change::kMss);
    CHECK(c.streams[0].evidence_frame == 1);
    CHECK(c.frames[0].changes == change::kMss);
    CHECK(c.frames[3].changes == 0);
}

TEST_CASE("two-point: sequence numbers shifted by a constant still match, and are reported") {
    TwoPointBuilder b;
    // A randomising firewall: the client's numbers gain 77777 toward the server, the server's
    // acknowledgements lose them on the way back.
    b.rewrite = [](PacketSummary &p, bool from_client) {
        if (from_client)
            p.seq += 77777;
        else if (p.flags & kAck)
            p.ack -= 77777;
    };
    request_reply(b);
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].matched == b.sent());
    CHECK(c.streams[0].verdict == PathVerdict::ModifiedInPath);
    CHECK((c.streams[0].changes & (change::kSeq | change::kAck)) == (change::kSeq | change::kAck));
    CHECK(c.streams[0].seq_offset[0] == 77777u);
}

TEST_CASE("two-point: a reset the server never sent is injected in the path") {
    TwoPointBuilder b;
    b.handshake();
    b.send(true, kPshAck, 100, 1);
    b.lost = {3};
    PacketSummary rst;
    rst.transport = 6;
    rst.src = b.server;
    rst.dst = b.client;
    rst.ttl = 64;
    rst.flags = kRst;
    rst.seq = 5001;
    b.forge_at_client(rst);
    b.send(true, kAck, 0);  // keeps the server capture running past the reset
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::InjectedInPath);
    CHECK(c.streams[0].injected_here == 1);
    CHECK(c.frames[4].status == PeerStatus::Injected);
    CHECK(c.streams[0].evidence_frame == 5);
}

TEST_CASE("two-point: a segment replayed toward the server with other sequence numbers is injected") {
    TwoPointBuilder b;
    b.handshake();
    PacketSummary request = b.send(true, kPshAck, 100, 1);
    b.send(false, kAck, 0);
    request.seq += 5000;  // the replay: same bytes and stamps, other numbers
    request.ttl = 63;
    b.forge_at_server(request);
    b.send(false, kAck, 0);
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::InjectedInPath);
    CHECK(c.streams[0].injected_there == 1);
    CHECK(c.streams[0].evidence_peer_frame != 0);
}

TEST_CASE("two-point: SYNs that reached the server unanswered confirm no_response") {
    TwoPointBuilder b;
    b.send(true, kSyn, 0);
    b.retransmit_last();
    b.retransmit_last();
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::NoResponseConfirmed);
    CHECK(c.streams[0].evidence_frame == 1);
}

TEST_CASE("two-point: SYNs that never reached the server were dropped in the path") {
    // Nothing matches, so nothing tells the clock offset: only captures whose clocks agree
    // (taken on one machine, or synchronised) can say the SYNs were lost.
    TwoPointBuilder b;
    b.clock_offset_us = 0;
    b.send(true, kSyn, 0);
    b.retransmit_last();
    b.lost = {0, 1};
    const Correlation c = b.correlate_at_client();
    CHECK(c.streams[0].verdict == PathVerdict::DroppedInPath);
    CHECK(c.streams[0].dropped_out == 2);
    CHECK(!c.problem.empty());  // nothing matched: the clocks are taken to agree, and it says so
}

TEST_CASE("two-point: a peer capture of other traffic at another time is unrelated") {
    TwoPointBuilder here, there;
    request_reply(here);
    there.client = {test::ipv4(192, 168, 9, 9), 5555};
    there.client_at_server = there.client;
    there.client_seq = 777000;
    there.server_seq = 999000;
    there.ts_ = 40000;
    request_reply(there);
    std::vector<LocalPacket> local, unused_local;
    std::vector<PacketSummary> unused_peer, peer;
    here.build(local, unused_peer);
    there.build(unused_local, peer);
    for (PacketSummary &p : peer) p.time_us += 86'400'000'000;  // a day later
    const Correlation c = correlate(local, peer);
    CHECK(c.matched_packets == 0);
    CHECK(c.problem.find("not a capture of the same traffic") != std::string::npos);
    CHECK(c.streams[0].verdict == PathVerdict::NotInPeerCapture);
    for (const FrameMatch &m : c.frames) CHECK(m.status == PeerStatus::Unknown);
}

TEST_CASE("two-point: packets without the sender's stamps never pair unrelated flows") {
    // A bare RST (IP ID 0, no options) in each capture, from different connections at once.
    TwoPointBuilder here, there;
    there.client = {test::ipv4(192, 168, 9, 9), 5555};
    there.client_at_server = there.client;
    there.client_seq = 777000;
    there.server_seq = 999000;
    there.ts_ = 40000;
    for (TwoPointBuilder *b : {&here, &there}) {
        PacketSummary &rst = b->send(true, kRst, 0);
        rst.ip_id = 0;
        rst.options = TcpOptions{};
    }
    std::vector<LocalPacket> local, unused_local;
    std::vector<PacketSummary> unused_peer, peer;
    here.build(local, unused_peer);
    there.build(unused_local, peer);
    const Correlation c = correlate(local, peer);
    CHECK(c.matched_packets == 0);
    CHECK(c.streams[0].verdict != PathVerdict::SameAtBothEnds);
}

TEST_CASE("two-point: a peer capture far larger than this one is read only so far, and says so") {
    TwoPointBuilder b;
    request_reply(b);
    std::vector<LocalPacket> local;
    std::vector<PacketSummary> peer;
    b.build(local, peer);
    TwoPoint tp(/*peer_minimum=*/4);
    for (const LocalPacket &p : local) tp.add_local(p);
    REQUIRE(tp.peer_limit() == TwoPoint::kPeerPacketsPerLocal * local.size());
    PacketSummary filler = peer.front();
    uint64_t accepted = 0;
    while (tp.add_peer(filler) && accepted < 10 * tp.peer_limit()) ++accepted;
    CHECK(accepted == tp.peer_limit());
    tp.set_peer_problem("the peer capture has more than 160 TCP/UDP packets");
    CHECK(tp.correlation().problem.find("more than 160") != std::string::npos);
}

namespace {

// The client-side packets of `b` and the server's, fed to a TwoPoint as the plugin does: times of
// packets only (no other records), then the peer's interface statistics.
void feed(TwoPoint &tp, const TwoPointBuilder &b, const CaptureStatistics &peer_stats, int64_t peer_stops_us = -1) {
    std::vector<LocalPacket> local;
    std::vector<PacketSummary> peer;
    b.build(local, peer);
    for (const LocalPacket &p : local) {
        tp.add_local(p);
        tp.note_local_time(p.packet.time_us);
    }
    for (const PacketSummary &p : peer) {
        if (peer_stops_us >= 0 && p.time_us > peer_stops_us + b.clock_offset_us) continue;
        tp.add_peer(p);
        tp.note_peer_time(p.time_us);
    }
    tp.note_peer_statistics(peer_stats);
}

}  // namespace

TEST_CASE("two-point: a peer capture whose host dropped packets proves no loss in the path") {
    TwoPointBuilder b;
    b.handshake();
    b.send(true, kPshAck, 100, 1);
    b.lost = {3};
    b.send(false, kAck, 0);
    b.send(true, kFinAck, 0);
    b.send(false, kFinAck, 0);
    b.send(true, kAck, 0);
    {
        TwoPoint tp;
        feed(tp, b, CaptureStatistics{});
        const Correlation &c = tp.correlation();
        CHECK(c.streams[0].verdict == PathVerdict::DroppedInPath);
    }
    CaptureStatistics dropped;
    dropped.dropped = 12;
    TwoPoint tp;
    feed(tp, b, dropped);
    const Correlation &c = tp.correlation();
    const StreamPath &sp = c.streams[0];
    CHECK(sp.verdict == PathVerdict::NotCovered);
    CHECK(sp.peer_capture_dropped);
    CHECK(sp.evidence_frame == 4);  // the request missing from the peer capture
    CHECK(c.peer_capture_drops == 12);
    CHECK(path_reason(sp, c).find("among the 12 packet(s) its capturing host dropped") != std::string::npos);
    CHECK(c.problem.find("report 12 packet(s) dropped") != std::string::npos);
    CHECK(path_next_step(sp).find("dumpcap -B") != std::string::npos);
}

TEST_CASE("two-point: the peer's statistics say it ran on after its last packet; a loss then is proven") {
    TwoPointBuilder b;
    b.handshake();
    b.send(true, kPshAck, 100, 1);
    b.send(false, kAck, 0);
    b.send(true, kPshAck, 100, 2);  // the last packet: lost, so the peer's last is the ACK before it
    b.lost = {5};
    {
        TwoPoint tp;  // from packet times alone the peer capture may have stopped before the request
        feed(tp, b, CaptureStatistics{});
        const Correlation &c = tp.correlation();
        CHECK(c.streams[0].verdict != PathVerdict::DroppedInPath);
    }
    CaptureStatistics ran;
    ran.ran.add(b.clock_offset_us - 5'000'000);
    ran.ran.add(b.clock_offset_us + 10'000'000);
    TwoPoint tp;
    feed(tp, b, ran);
    const Correlation &c = tp.correlation();
    CHECK(c.streams[0].verdict == PathVerdict::DroppedInPath);
    CHECK(c.streams[0].dropped_out == 1);
    CHECK(c.streams[0].evidence_frame == 6);
}

TEST_CASE("two-point: a capture that records every packet twice shows no replay") {
    TwoPointBuilder b;
    request_reply(b);
    std::vector<LocalPacket> local, twice;
    std::vector<PacketSummary> peer;
    b.build(local, peer);
    for (const LocalPacket &p : local) {
        twice.push_back(p);
        twice.push_back(p);
        twice.back().packet.time_us += 1;
    }
    for (size_t i = 0; i < twice.size(); ++i) twice[i].packet.frame = static_cast<uint32_t>(i + 1);
    const Correlation c = correlate(twice, peer);
    CHECK(c.streams[0].injected_here == 0);
    CHECK(c.streams[0].injected_there == 0);
    CHECK(c.streams[0].verdict != PathVerdict::InjectedInPath);
}

TEST_CASE("two-point: segments merged by the capturing host's offload are seen, not dropped") {
    TwoPointBuilder b;
    b.handshake();
    b.send(true, kPshAck, 1000, 1);
    b.send(true, kPshAck, 1000, 2);
    b.send(false, kAck, 0);
    std::vector<LocalPacket> local;
    std::vector<PacketSummary> peer;
    b.build(local, peer);
    // GRO at the client: its capture has the two segments as one of 2000 bytes.
    local[3].packet.payload_len = 2000;
    local[3].packet.payload_hash = 0x9999;
    local.erase(local.begin() + 4);
    for (size_t i = 0; i < local.size(); ++i) local[i].packet.frame = static_cast<uint32_t>(i + 1);
    const Correlation c = correlate(local, peer);
    CHECK(c.frames[3].status == PeerStatus::Seen);
    CHECK(c.frames[3].changes == change::kResegmented);
    CHECK(c.streams[0].dropped_out == 0);
    CHECK(c.streams[0].injected_there == 0);
    CHECK(c.streams[0].verdict == PathVerdict::SameAtBothEnds);
}

TEST_CASE("two-point: thousands of identical datagrams pair in order, quickly") {
    std::vector<LocalPacket> local;
    std::vector<PacketSummary> peer;
    for (uint32_t i = 0; i < 20000; ++i) {
        PacketSummary p;
        p.transport = 17;
        p.src = {test::ipv4(10, 1, 0, 2), 5000};
        p.dst = {test::ipv4(10, 2, 0, 2), 514};
        p.ttl = 64;
        p.payload_len = 20;
        p.hashed_len = 20;
        p.payload_hash = 42;  // the same log line, over and over
        p.time_us = i * 100;
        p.frame = i + 1;
        local.push_back({p, 0});
        p.ttl = 63;
        p.time_us += 500;
        if (i != 7000) peer.push_back(p);  // one lost
    }
    const Correlation c = correlate(local, peer);
    CHECK(c.matched_packets == 19999);
}
