// Resets at the end of a finished exchange, SYN/ACK loss ended by the server's RST, and segments
// that cross a RST: the classes real captures are full of (docs/verdicts.md, "Which reset counts").
#include <catch2/catch_test_macros.hpp>

#include "stream_builder.h"

using namespace tcpdiag;
using namespace tcpdiag::test;

TEST_CASE("a side that closed and then resets the peer's late data ends with an application reset") {
    // The server answered and closed; the client still sends, and the server's stack, whose
    // socket is gone, answers with a RST without ACK.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 300);
    s.fin(Side::Server);
    s.data(Side::Client, 50);
    s.rst(Side::Server, false);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Server);
    CHECK(reason_of(a).find("had closed (FIN, frame 6)") != std::string::npos);
}

TEST_CASE("acknowledging the peer's FIN and resetting instead of closing is an application reset") {
    // The Windows pattern: the client closes, the server ACKs the FIN, then resets.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 300);
    s.fin(Side::Client);
    s.ack(Side::Server);
    s.rst(Side::Server, false);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Server);
    CHECK(reason_of(a).find("instead of closing its own side") != std::string::npos);
}

TEST_CASE("a RST after both FINs were sent and acknowledged comes after a graceful close") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 300);
    s.fin(Side::Server);
    s.fin(Side::Client);
    s.ack(Side::Server);
    s.rst(Side::Server, false);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::GracefulClose);
    CHECK(d.reset_frame == s.last_frame());
    CHECK(reason_of(a).find("came after the close") != std::string::npos);

    // The same with the client's FIN never acknowledged: the close was not complete.
    Analyzer b;
    StreamBuilder t(b);
    t.handshake();
    t.data(Side::Client, 100);
    t.fin(Side::Server);
    t.fin(Side::Client);
    t.rst(Side::Server, false);
    CHECK(diagnosis_of(b).verdict == Verdict::AppReset);
}

TEST_CASE("a RST without ACK from a side that had neither closed nor seen a close still means lost state") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.after(600).data(Side::Client, 100);
    s.rst(Side::Server, false);
    CHECK(diagnosis_of(a).verdict == Verdict::PeerLostState);
}

TEST_CASE("SYN/ACKs resent and never acknowledged, then the server's RST, is handshake loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.synack();
    s.after(1).synack_retransmission();
    s.after(2).synack_retransmission();
    s.after(4).rst(Side::Server, false);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::HandshakeLoss);
    CHECK(d.reset_by == Actor::Server);
    CHECK(d.reset_frame == s.last_frame());
    CHECK(reason_of(a).find("gave up with a RST (frame 5)") != std::string::npos);

    // A client that resets the SYN/ACK it no longer wants did not lose it.
    Analyzer b;
    StreamBuilder t(b);
    t.syn();
    t.synack();
    t.after(1).synack_retransmission();
    t.rst(Side::Client, false);
    CHECK(diagnosis_of(b).verdict != Verdict::HandshakeLoss);
}

TEST_CASE("data crossing an out-of-sequence RST does not make it ignored; a pure ACK after it does") {
    // The client aborts with part of its data lost upstream (its RST's seq is beyond what the
    // server acknowledged); a server segment already on the wire crosses the RST.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.ack(Side::Server);
    s.lost(Side::Client, 50);
    s.rst(Side::Client);
    const uint32_t rst = s.last_frame();
    s.data(Side::Server, 200);  // sent before the RST reached the server
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.reset_by == Actor::Client);
    CHECK(d.evidence_frame == rst);
}

TEST_CASE("a RST without ACK right after the peer acknowledged this side's data ends an exchange it knew") {
    // The client sends its request, the server acknowledges it with its answer, and the client's
    // application aborts: its stack answers the server's segment with a RST without ACK.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 5);
    s.data(Side::Server, 15);
    s.rst(Side::Client, false);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Client);
    CHECK(reason_of(a).find("right after the server acknowledged its data") != std::string::npos);
}

TEST_CASE("a RST without ACK after the peer acknowledged data of this side the capture missed ends an exchange") {
    // The server acknowledges 7 bytes of the client's that the capture did not hold; the client's
    // RST carries on from them: its TCP had just sent them, so it knew the connection.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 1500);
    s.ack(Side::Client);
    s.unseen(Side::Client, 7);
    s.ack(Side::Server);
    s.rst(Side::Client, false);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Client);
}

TEST_CASE("a SYN answered by a bare ACK and reset by the client ends no exchange") {
    // The peer's ACK does not even acknowledge the SYN; the client, in SYN-SENT, resets it with
    // the ACK's number as its seq (RFC 9293 3.10.7.3): it had sent no data to be acknowledged.
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.ack(Side::Server);
    s.rst(Side::Client, false);
    CHECK(diagnosis_of(a).verdict != Verdict::AppReset);
}

TEST_CASE("a client's RST answering the SYN/ACK aborts the handshake: nothing established was reset") {
    // A raw-socket tool's SYN: its kernel resets the SYN/ACK it knows nothing of; the tool then
    // sends a segment whose ACK acknowledges nothing of the server's: no handshake completed.
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.synack();
    s.rst(Side::Client, false);
    CHECK(diagnosis_of(a).verdict == Verdict::Incomplete);
    s.with_ack(0x69600000).data(Side::Client, 1024);
    CHECK(diagnosis_of(a).verdict == Verdict::Incomplete);
}

TEST_CASE("a forged RST that wins the race against the SYN/ACK is judged by the TTLs that follow it") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.rst(Side::Server, true, 46);  // before the real server sent anything
    const uint32_t forged = s.last_frame();
    s.synack();
    s.ack(Side::Client);
    s.data(Side::Client, 100);
    s.rst(Side::Server);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::InjectedReset);
    CHECK(d.evidence_frame == forged);
    CHECK(reason_of(a).find("has TTL 46, while its other packets had TTL 61") != std::string::npos);

    // A refusal is the server's only packet: nothing to compare its TTL with.
    Analyzer b;
    StreamBuilder t(b);
    t.syn();
    t.rst(Side::Server, true, 46);
    CHECK(diagnosis_of(b).verdict == Verdict::Refused);
}

TEST_CASE("new data Wireshark flags as retransmissions is not loss") {
    // Wireshark's numbering is off after a SYN/ACK resent with a new ISN, or when the capture
    // missed earlier segments: the segments carry bytes never sent before.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 517);
    for (int i = 0; i < 5; ++i) s.flag_as_retransmission().data(Side::Server, 1360);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::Open);
    CHECK(d.retransmissions_unknown == false);
    const StreamState *st = a.find({Transport::Tcp, 0});
    CHECK(st->data_retransmissions() == 5);  // Wireshark's count, as documented
}

TEST_CASE("a zero window advertised after the peer's FIN is no stall") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 100);
    s.fin(Side::Client);
    s.fin(Side::Server);
    s.after(5).zero_window(Side::Server);
    CHECK(diagnosis_of(a).verdict == Verdict::GracefulClose);
}

TEST_CASE("a RST that is its side's first packet, answering a stray segment, is from a TCP that never had it") {
    // A FIN scan: a lone FIN to a closed port, answered by RST+ACK.
    Analyzer a;
    StreamBuilder s(a);
    s.bare(Side::Client, tcp_flag::kFin);
    s.rst(Side::Server);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::PeerLostState);
    CHECK(d.reset_by == Actor::Server);
    CHECK(reason_of(a).find("which carried no ACK (a scan, or stray segments), with a RST (frame 2): it never had "
                            "this connection") != std::string::npos);
}
