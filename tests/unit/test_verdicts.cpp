// One scenario per verdict, built by editing a good stream, plus the precedence between them.
#include <catch2/catch_test_macros.hpp>

#include "stream_builder.h"

using namespace tcpdiag;
using tcpdiag::test::StreamBuilder;

namespace {
Diagnosis verdict_of(const Analyzer &a, uint32_t stream = 0) {
    const StreamState *st = a.find({Transport::Tcp, stream});
    REQUIRE(st != nullptr);
    return a.diagnose(*st);
}
}  // namespace

TEST_CASE("both FINs and no reset is a graceful close") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 2000);
    s.fin(Side::Client);
    s.fin(Side::Server);
    s.ack(Side::Client);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::GracefulClose);
    CHECK(d.reset_by == Actor::None);
}

TEST_CASE("an established stream that did not close is open; one FIN is a half-close, still open") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    CHECK(verdict_of(a).verdict == Verdict::Open);
    s.fin(Side::Client);
    CHECK(verdict_of(a).verdict == Verdict::Open);
}

TEST_CASE("a SYN answered by RST without SYN/ACK is refused by the server") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.rst(Side::Server);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::Refused);
    CHECK(d.reset_by == Actor::Server);
    CHECK(d.evidence_frame == 2);
}

TEST_CASE("unanswered SYN retransmissions: handshake loss at the client, no response at the server") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.after(1).syn_retransmission();
    s.after(2).syn_retransmission();
    CHECK(verdict_of(a).verdict == Verdict::HandshakeLoss);  // TTL 64: captured before the first hop

    Analyzer at_server;
    StreamBuilder t(at_server);
    t.client_ttl = 62;  // two hops on the way: the SYNs reached the destination's side
    t.syn();
    t.after(1).syn_retransmission();
    CHECK(verdict_of(at_server).verdict == Verdict::NoResponse);

    Config forced;
    forced.capture_point = CapturePoint::Client;
    at_server.set_config(forced);
    CHECK(verdict_of(at_server).verdict == Verdict::HandshakeLoss);
}

TEST_CASE("the SYN retransmission threshold is a preference; a lone SYN is incomplete") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    CHECK(verdict_of(a).verdict == Verdict::Incomplete);
    s.after(1).syn_retransmission();
    CHECK(verdict_of(a).verdict == Verdict::HandshakeLoss);
    Config strict;
    strict.syn_retransmissions_threshold = 2;
    a.set_config(strict);
    CHECK(verdict_of(a).verdict == Verdict::Incomplete);
}

TEST_CASE("SYN/ACK retransmitted and never acknowledged is handshake loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.synack();
    s.after(1).synack_retransmission();
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::HandshakeLoss);
    CHECK(d.evidence_kind == FrameEventKind::SynAckRetransmission);
}

TEST_CASE("retransmissions never acknowledged, then the sender's reset, is data loss (Windows pattern)") {
    Analyzer a;
    StreamBuilder s(a);
    s.client_ttl = 128;
    s.handshake();
    s.data(Side::Client, 200);
    for (int i = 0; i < 5; ++i) s.after(1 << i).retransmit(Side::Client);
    s.rst(Side::Client);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::DataLoss);  // not app_reset: the reset follows the losses
    CHECK(d.reset_by == Actor::Client);
    CHECK(d.evidence_side == Side::Client);
    CHECK(a.find({Transport::Tcp, 0})->incidents(Side::Client).unanswered_retransmissions == 5);
}

TEST_CASE("retransmissions then silence until the capture ends is data loss with nobody resetting") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 200);
    for (int i = 0; i < 3; ++i) s.after(1).retransmit(Side::Client);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::DataLoss);
    CHECK(d.reset_by == Actor::None);
}

TEST_CASE("retransmissions that are finally acknowledged are not data loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 200);
    for (int i = 0; i < 4; ++i) s.after(1).retransmit(Side::Client);
    s.ack(Side::Server);
    s.fin(Side::Client);
    s.fin(Side::Server);
    CHECK(verdict_of(a).verdict == Verdict::GracefulClose);
}

TEST_CASE("RST with ACK after everything was acknowledged is an application reset by that side") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.rst(Side::Server);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Server);
    CHECK(a.find({Transport::Tcp, 0})->incidents(Side::Server).rst_acked_everything);
}

TEST_CASE("RST without ACK answering a segment means the peer lost the connection state") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 100);
    s.ack(Side::Client);  // a TCP acknowledges within 500 ms (RFC 1122): before the idle gap
    s.after(30).data(Side::Client, 50);
    s.rst(Side::Server, false);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::PeerLostState);
    CHECK(d.reset_by == Actor::Server);
}

TEST_CASE("a RST with a TTL the claimed sender never used is injected by the path, whatever else happened") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 100);
    s.rst(Side::Server, true, 254);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::InjectedReset);
    CHECK(d.reset_by == Actor::Path);

    Analyzer same_ttl;
    StreamBuilder t(same_ttl);
    t.handshake();
    t.rst(Side::Server, true, 61);
    CHECK(verdict_of(same_ttl).verdict == Verdict::AppReset);
}

TEST_CASE("a zero window kept past the threshold and never reopened is a stall; a reopened one is not") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 1000);
    s.zero_window(Side::Server);
    for (int i = 0; i < 5; ++i) {
        s.after(1).data(Side::Client, 0);
        s.zero_window(Side::Server);
    }
    Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::ZeroWindowStall);
    CHECK(d.evidence_side == Side::Server);

    Config patient;
    patient.zero_window_threshold_ms = 60000;
    a.set_config(patient);
    CHECK(verdict_of(a).verdict == Verdict::Open);

    Analyzer b;
    StreamBuilder r(b);
    r.handshake();
    r.zero_window(Side::Server);
    r.after(5).open_window(Side::Server);
    CHECK(verdict_of(b).verdict == Verdict::Open);
}

TEST_CASE("a midstream stream gets reset verdicts, roles guessed from the lower port") {
    Analyzer a;
    TcpSegment seg;
    seg.stream = 0;
    seg.src = tcpdiag::test::endpoint(10, 0, 0, 1, 51000);
    seg.dst = tcpdiag::test::endpoint(10, 0, 0, 2, 443);
    seg.flags = tcp_flag::kAck | tcp_flag::kPsh;
    seg.payload_len = 100;
    seg.frame = 1;
    seg.ttl = 64;
    a.observe(seg);
    CHECK(a.diagnose(*a.find({Transport::Tcp, 0})).verdict == Verdict::Incomplete);
    std::swap(seg.src, seg.dst);
    seg.frame = 2;
    seg.flags = tcp_flag::kRst | tcp_flag::kAck;
    seg.payload_len = 0;
    a.observe(seg);
    const StreamState &st = *a.find({Transport::Tcp, 0});
    CHECK(st.role_guessed);
    CHECK(st.server().port == 443);
    const Diagnosis d = a.diagnose(st);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Server);
}

TEST_CASE("ICMP destination unreachable quoting the stream decides it unless the stream recovered") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    IcmpError e;
    e.frame = 2;
    e.reporter = tcpdiag::test::endpoint(10, 0, 0, 254, 0).address;
    e.type = 3;
    e.code = 13;
    e.quoted_src = tcpdiag::test::endpoint(10, 0, 0, 1, 40000);
    e.quoted_dst = tcpdiag::test::endpoint(10, 0, 0, 2, 445);
    e.quoted_stream_known = false;  // an 8-byte quote: matched by addresses and ports
    FrameNote note;
    REQUIRE(a.observe(e, note));
    CHECK(note.stream.index == 0);
    Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::IcmpUnreachable);
    CHECK(d.reset_by == Actor::Path);

    IcmpError frag = e;
    frag.code = 4;  // fragmentation needed: path-MTU discovery, not a failure
    frag.frame = 3;
    REQUIRE(a.observe(frag, note));  // the frame is the stream's, without an event of its own
    CHECK(note.stream.index == 0);
    CHECK(note.event.kind == FrameEventKind::None);
    CHECK(verdict_of(a).verdict == Verdict::IcmpUnreachable);

    IcmpError elsewhere = frag;  // quoting a stream nobody saw
    elsewhere.quoted_dst = tcpdiag::test::endpoint(10, 0, 0, 3, 445);
    CHECK_FALSE(a.observe(elsewhere, note));
}

TEST_CASE("UDP answered by ICMP port unreachable from the server is port_unreachable") {
    Analyzer a;
    UdpDatagram dg;
    dg.frame = 1;
    dg.stream = 7;
    dg.src = tcpdiag::test::endpoint(10, 10, 10, 1, 49875);
    dg.dst = tcpdiag::test::endpoint(10, 10, 10, 2, 3343);
    a.observe(dg);
    CHECK(a.find({Transport::Udp, 7}) == nullptr);  // UDP is tracked only once an error answers it
    IcmpError e;
    e.frame = 2;
    e.reporter = dg.dst.address;
    e.type = 3;
    e.code = 3;
    e.quoted_transport = Transport::Udp;
    e.quoted_src = dg.src;
    e.quoted_dst = dg.dst;
    e.quoted_stream_known = true;
    e.quoted_stream = 7;
    FrameNote note;
    REQUIRE(a.observe(e, note));
    const StreamState *st = a.find({Transport::Udp, 7});
    REQUIRE(st);
    const Diagnosis d = a.diagnose(*st);
    CHECK(d.verdict == Verdict::PortUnreachable);
    CHECK(d.reset_by == Actor::Server);
}

TEST_CASE("sequence numbers that wrap around 2^32 still count as ACK progress") {
    Analyzer a;
    TcpSegment seg;
    seg.src = tcpdiag::test::endpoint(10, 0, 0, 1, 40000);
    seg.dst = tcpdiag::test::endpoint(10, 0, 0, 2, 80);
    seg.flags = tcp_flag::kAck;
    seg.ack = 0xFFFFFFF0u;
    seg.frame = 1;
    a.observe(seg);
    seg.ack = 0x10;  // wrapped: later, not earlier
    seg.frame = 2;
    a.observe(seg);
    CHECK(a.find({Transport::Tcp, 0})->of(Side::Client).highest_ack == 0x10);
}

TEST_CASE("a RST beyond the data that arrived is data lost before the capture point, whatever the next RST") {
    // Seen at a Linux server: the client aborts with data the server never received, so its
    // RST+ACK is out of window; the server sends a challenge ACK and the client, whose socket is
    // gone, answers with a RST without ACK. The first RST's sequence number proves the loss.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.lost(Side::Client, 50);       // the client's next request never arrived
    s.rst(Side::Client);            // seq beyond what the server acknowledged: out of window
    s.duplicate_ack(Side::Server);  // challenge ACK: the server still holds the connection
    s.rst(Side::Client, false);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::DataLoss);
    CHECK(d.loss_point == LossPoint::BeforeCapture);
    CHECK(std::string(loss_point_name(d.loss_point)) == "before_capture");
    CHECK(d.reset_by == Actor::Client);
    CHECK(d.evidence_frame == 6);
    const std::string text = reason(*a.find({Transport::Tcp, 0}), d);
    CHECK(text.find("sequence number 50 bytes beyond the last of its data that arrived here") != std::string::npos);
}

TEST_CASE("the RST that ends a stream after its sender was fully acknowledged shows no loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.rst(Side::Client);  // in sequence: nothing of the client's went missing
    CHECK(verdict_of(a).verdict == Verdict::AppReset);
    CHECK(verdict_of(a).loss_point == LossPoint::None);
}

TEST_CASE("resets after an accepted RST repeat it and do not change the verdict") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.rst(Side::Server);
    s.rst(Side::Server, false);  // a second reset, nothing from the client in between
    CHECK(verdict_of(a).verdict == Verdict::AppReset);
}

TEST_CASE("an application abort answered by in-flight data stays an application reset") {
    // The server aborts; a client segment already on the wire arrives and the server's TCP,
    // which no longer knows the connection, answers it with a RST without ACK.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.rst(Side::Server);
    s.data(Side::Client, 100);
    s.rst(Side::Server, false);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.evidence_frame == 6);
}

TEST_CASE("an ignored out-of-window RST followed by a graceful close is a graceful close") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.lost(Side::Client, 10);
    s.rst(Side::Client);
    s.duplicate_ack(Side::Server);
    s.data(Side::Server, 100);
    s.fin(Side::Client);
    s.fin(Side::Server);
    CHECK(verdict_of(a).verdict == Verdict::GracefulClose);
}

TEST_CASE("a forged RST stays the verdict even when the real peer resets later") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 100);
    s.lost(Side::Server, 5000);
    s.rst(Side::Server, true, 50);  // forged, and out of window: the client ignores it
    s.duplicate_ack(Side::Client);
    s.rst(Side::Server, false);  // the real server, which no longer knows the connection
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::InjectedReset);
    CHECK(d.evidence_frame == 6);
}

TEST_CASE("a RST that is not the server's first packet is not a refusal, even without a SYN/ACK in the capture") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.ack(Side::Client);  // the SYN/ACK was lost by the capture
    s.data(Side::Client, 100);
    s.data(Side::Server, 100);
    s.rst(Side::Server);
    CHECK(verdict_of(a).verdict == Verdict::AppReset);  // both sides talked: established
}

TEST_CASE("resending data the peer already acknowledged is not loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    for (int i = 0; i < 4; ++i) s.after(1).retransmit(Side::Client);  // the ACK was lost beyond the capture
    CHECK(verdict_of(a).verdict == Verdict::Open);
}

TEST_CASE("retransmissions interleaved with new data are not one unanswered run") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    for (int i = 0; i < 3; ++i) {
        s.data(Side::Client, 100);
        s.after(1).retransmit(Side::Client);
    }
    CHECK(verdict_of(a).verdict != Verdict::DataLoss);
}

TEST_CASE("a simultaneous open is not SYN/ACK loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.send_syn_from_server();
    s.synack();
    CHECK(verdict_of(a).verdict != Verdict::HandshakeLoss);
    CHECK(a.find({Transport::Tcp, 0})->of(Side::Client).syns == 1);
}

TEST_CASE("a RST without ACK that answers nothing is not peer_lost_state") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.rst(Side::Client, false);  // the client's own abort, right after its data
    CHECK(verdict_of(a).verdict == Verdict::AppReset);
}

TEST_CASE("a FIN sent while data is being resent does not end the unanswered run") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    for (int i = 0; i < 2; ++i) s.after(1).retransmit(Side::Client);
    s.fin(Side::Client);
    for (int i = 0; i < 2; ++i) s.after(2).retransmit(Side::Client);
    CHECK(verdict_of(a).verdict == Verdict::DataLoss);
}

TEST_CASE("a RST before the SYN/ACK of a handshake that then completes ended nothing") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.rst(Side::Server);  // an evasion tool's, with the server's TTL
    s.synack();
    s.ack(Side::Client);
    s.data(Side::Client, 300);
    s.data(Side::Server, 80);
    s.ack(Side::Client);
    CHECK(verdict_of(a).verdict == Verdict::Open);
}

TEST_CASE("a stray segment from the server's port whose ACK belongs to no SYN does not answer the SYNs") {
    // Resent SYNs with nothing back; long after, a FIN/ACK from that port whose ACK number has
    // nothing to do with the client's SYN (another connection's late FIN).
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    for (int i = 0; i < 3; ++i) s.after(1 << i).syn_retransmission();
    s.after(50).with_ack(0xbf3e0000).fin(Side::Server);
    CHECK(tcpdiag::test::diagnosis_of(a).verdict == Verdict::HandshakeLoss);
}
