// Half a conversation: only one side's packets captured; the other side is read from its ACKs
// (docs/verdicts.md, "Half a conversation").
#include <catch2/catch_test_macros.hpp>

#include "stream_builder.h"

using namespace tcpdiag;
using namespace tcpdiag::test;

TEST_CASE("the server's half alone: its ACKs show the client's data and FIN, so both closed") {
    Analyzer a;
    StreamBuilder s(a);
    s.unseen(Side::Client, 1);  // the SYN
    s.synack();
    s.unseen(Side::Client, 52);
    s.ack(Side::Server);
    s.unseen(Side::Client, 1);  // the client's FIN
    s.fin(Side::Server);
    const StreamState &st = stream_of(a);
    const Diagnosis d = a.diagnose(st);
    CHECK(d.verdict == Verdict::GracefulClose);
    CHECK(std::string(st.captured_directions()) == "server_only");
    CHECK(reason(st, d).find("Only the server's 3 packets were captured; the client's side is read from their ACKs, "
                             "which acknowledge its FIN.") == 0);
}

TEST_CASE("the client's half alone, still sending when the capture ends, is open; its RST ends it") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.unseen(Side::Server, 1);  // the SYN/ACK
    s.ack(Side::Client);
    s.data(Side::Client, 200);
    s.unseen(Side::Server, 1000);
    s.data(Side::Client, 200);
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::Open);
    CHECK(std::string(stream_of(a).captured_directions()) == "client_only");
    s.rst(Side::Client);
    const Diagnosis d = a.diagnose(stream_of(a));
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Client);
}

TEST_CASE("the client's half alone, resending with nothing back, is data loss") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.unseen(Side::Server, 1);
    s.ack(Side::Client);
    s.data(Side::Client, 200);
    for (int i = 0; i < 4; ++i) s.after(1 << i).retransmit(Side::Client);
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::DataLoss);
}

TEST_CASE("too little of one half stays incomplete; both halves are both") {
    Analyzer a;
    StreamBuilder s(a);
    s.ack(Side::Client);  // a lone midstream segment
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::Incomplete);

    Analyzer b;
    StreamBuilder t(b);
    t.handshake();
    t.data(Side::Client, 10);
    CHECK(std::string(stream_of(b).captured_directions()) == "both");

    // SYNs resent, then the client acknowledges a SYN/ACK the capture missed: not handshake loss.
    Analyzer c;
    StreamBuilder u(c);
    u.syn();
    u.after(1).syn_retransmission();
    u.unseen(Side::Server, 1);
    u.ack(Side::Client);
    u.data(Side::Client, 100);
    CHECK(c.diagnose(stream_of(c)).verdict == Verdict::Open);
}

TEST_CASE("one half captured midstream whose ACK never moves shows no peer: incomplete until it moves") {
    // Segments of one side only, no handshake, the same ACK number on each: nothing shows the
    // peer was there. Once that ACK moves on, the peer had sent data.
    Analyzer a;
    StreamBuilder s(a);
    s.data(Side::Client, 20);
    s.data(Side::Client, 20);
    s.data(Side::Client, 20);
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::Incomplete);
    s.unseen(Side::Server, 100);
    s.data(Side::Client, 20);
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::Open);
}

TEST_CASE("a stream seen only in an ICMP error's quote gets its verdict, roles from the ports") {
    Analyzer a;
    IcmpError e;
    e.frame = 3;
    e.reporter = endpoint(10, 0, 0, 254, 0).address;
    e.icmp_version = 6;
    e.type = 1;
    e.code = 3;
    e.quoted_src = endpoint(10, 0, 0, 2, 993);  // the server's segment that could not be delivered
    e.quoted_dst = endpoint(10, 0, 0, 1, 60491);
    e.quoted_stream_known = true;
    e.quoted_stream = 0;
    FrameNote note;
    REQUIRE(a.observe(e, note));
    const StreamState &st = stream_of(a);
    CHECK(st.server().port == 993);
    CHECK(st.role_guessed);
    const Diagnosis d = a.diagnose(st);
    CHECK(d.verdict == Verdict::IcmpUnreachable);
    CHECK(d.reset_by == Actor::Path);

    // Without Wireshark's stream number (an 8-byte quote of an unknown flow) nothing can start.
    Analyzer b;
    e.quoted_stream_known = false;
    CHECK_FALSE(b.observe(e, note));
}
