// Large segments lost while small ones get through, near the negotiated MSS, no ICMP: cause
// mtu_black_hole, and where it stops applying.
#include <catch2/catch_test_macros.hpp>

#include <string>

#include "explain.h"
#include "stream_builder.h"
#include "wire/tcp_options.h"

using namespace tcpdiag;
using tcpdiag::test::diagnosis_of;
using tcpdiag::test::reason_of;
using tcpdiag::test::StreamBuilder;

namespace {

// Handshake announcing MSS 1460 both ways, a small request and reply, then the server's large
// segment resent `resends` times without an ACK.
void large_reply_lost(StreamBuilder &s, uint32_t len, int resends = 4) {
    s.mss = 1460;
    s.handshake();
    s.data(Side::Client, 6);
    s.data(Side::Server, 6);  // small: it gets through
    s.ack(Side::Client);
    s.data(Side::Client, 100);
    s.data(Side::Server, len);  // never acknowledged
    for (int i = 0; i < resends; ++i) s.after(1 << i).retransmit(Side::Server);
}

}  // namespace

TEST_CASE("full-size segments lost while small ones got through are an MTU black hole") {
    Analyzer a;
    StreamBuilder s(a);
    large_reply_lost(s, 1448);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::DataLoss);
    CHECK(d.cause == Cause::MtuBlackHole);
    CHECK(std::string(cause_name(d.cause)) == "mtu_black_hole");
    CHECK(d.lost_segment_len == 1448);
    CHECK(d.negotiated_mss == 1460);
    CHECK(reason_of(a).find("The lost segments are 1448 bytes, near the 1460-byte MSS") != std::string::npos);
}

TEST_CASE("no MTU black hole for segments well below the MSS, an unknown MSS, or a size that got through before") {
    Analyzer small;
    StreamBuilder s(small);
    large_reply_lost(s, 1300);  // 160 bytes below the MSS: not sized by it
    CHECK(diagnosis_of(small).cause == Cause::None);

    Analyzer midstream;  // no handshake seen: no MSS known
    StreamBuilder m(midstream);
    m.data(Side::Client, 6);
    m.data(Side::Server, 6);
    m.ack(Side::Client);
    m.data(Side::Server, 1448);
    for (int i = 0; i < 4; ++i) m.after(1).retransmit(Side::Server);
    CHECK(diagnosis_of(midstream).cause == Cause::None);

    Analyzer delivered;
    StreamBuilder d(delivered);
    d.mss = 1460;
    d.handshake();
    d.data(Side::Client, 6);
    d.data(Side::Server, 1448);  // one as large got through
    d.ack(Side::Client);
    d.data(Side::Server, 1448);
    for (int i = 0; i < 4; ++i) d.after(1).retransmit(Side::Server);
    const Diagnosis loss = diagnosis_of(delivered);
    CHECK(loss.verdict == Verdict::DataLoss);
    CHECK(loss.cause == Cause::None);
}

TEST_CASE("an ICMP packet-too-big for the stream rules out the black hole") {
    Analyzer a;
    StreamBuilder s(a);
    large_reply_lost(s, 1448);
    IcmpError too_big;
    too_big.frame = s.last_frame() + 1;
    too_big.icmp_version = 4;
    too_big.type = 3;
    too_big.code = 4;  // fragmentation needed
    too_big.quoted_stream_known = true;
    too_big.quoted_stream = 0;
    FrameNote note;
    a.observe(too_big, note);
    CHECK(diagnosis_of(a).cause == Cause::None);
}

TEST_CASE("the MSS option is read among the others, and malformed options give none") {
    const uint8_t syn[] = {1, 1, 4, 2, 2, 4, 0x05, 0xb4, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};  // NOP NOP SACK-ok MSS TS
    CHECK(mss_option(syn, sizeof syn) == 1460);
    const uint8_t runs_past[] = {2, 4, 0x05};
    CHECK(mss_option(runs_past, sizeof runs_past) == 0);
    const uint8_t zero_length[] = {8, 0, 2, 4, 0x05, 0xb4};
    CHECK(mss_option(zero_length, sizeof zero_length) == 0);
    CHECK(mss_option(nullptr, 0) == 0);
}
