// The capture's own flaws (duplicates, segments it missed, frames cut short) are named and change
// no verdict (docs/verdicts.md, "Capture flaws").
#include <catch2/catch_test_macros.hpp>

#include "stream_builder.h"

using namespace tcpdiag;
using namespace tcpdiag::test;

TEST_CASE("every packet captured twice: the copies are no retransmissions and the verdict stands") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.copy_of_last();
    s.synack();
    s.copy_of_last();
    s.ack(Side::Client);
    s.copy_of_last();
    for (int i = 0; i < 4; ++i) {
        s.data(Side::Client, 100);
        s.copy_of_last();
    }
    s.fin(Side::Client);
    s.copy_of_last();
    s.fin(Side::Server);
    s.copy_of_last();
    const StreamState &st = stream_of(a);
    const Diagnosis d = a.diagnose(st);
    CHECK(d.verdict == Verdict::GracefulClose);
    CHECK(st.data_retransmissions() == 0);
    CHECK(st.flaws().duplicates == 9);
    CHECK(st.capture_flaw_names() == "duplicates");
    CHECK(reason(st, d).find("holds 9 duplicates of packets") != std::string::npos);
}

TEST_CASE("a resend is no copy: a new IP ID, or a retransmission timeout later") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    for (int i = 0; i < 4; ++i) s.after(0.2 * (1 << i)).retransmit(Side::Client);
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::DataLoss);
    CHECK(stream_of(a).flaws().duplicates == 0);

    // The same bytes again, but longer after than any copy takes: counted as Wireshark says.
    Analyzer b;
    StreamBuilder t(b);
    t.handshake();
    t.data(Side::Client, 100);
    t.copy_of_last(300000);
    CHECK(stream_of(b).flaws().duplicates == 0);
    CHECK(stream_of(b).data_retransmissions() == 1);
}

TEST_CASE("segments the capture missed and frames cut short are named, not judged") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    CHECK(stream_of(a).capture_flaw_names().empty());
    TcpSegment gap;
    gap.frame = 50;
    gap.time_us = 2000000;
    gap.stream = 0;
    gap.src = stream_of(a).server();
    gap.dst = stream_of(a).client();
    gap.flags = tcp_flag::kAck;
    gap.seq = 9000;
    gap.ack = 1101;
    gap.window = 100;
    gap.capture_gap = true;
    gap.truncated = true;
    a.observe(gap);
    CHECK(stream_of(a).capture_flaw_names() == "capture_gaps,truncated");
    CHECK(a.diagnose(stream_of(a)).verdict == Verdict::Open);
}
