// The words users read: reasons carry the numbers, next steps name the host and port.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "explain.h"
#include "report.h"
#include "stream_builder.h"

using namespace tcpdiag;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using tcpdiag::test::StreamBuilder;

TEST_CASE("addresses print in their usual forms") {
    CHECK(to_string(tcpdiag::test::endpoint(192, 168, 1, 62, 445)) == "192.168.1.62:445");
    uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    CHECK(to_string(Endpoint{Address::from_bytes(6, v6), 80}) == "[fd00::1]:80");
    uint8_t v6b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
    CHECK(to_string(Address::from_bytes(6, v6b)) == "2001:db8:0:1::1");
}

TEST_CASE("addresses print as RFC 5952 and dotted quads at their edges") {
    const auto v6 = [](std::initializer_list<uint16_t> words) {
        uint8_t b[16] = {};
        int i = 0;
        for (uint16_t w : words) {
            b[i++] = static_cast<uint8_t>(w >> 8);
            b[i++] = static_cast<uint8_t>(w);
        }
        return to_string(Address::from_bytes(6, b));
    };
    CHECK(v6({0, 0, 0, 0, 0, 0, 0, 0}) == "::");
    CHECK(v6({1, 0, 0, 0, 0, 0, 0, 0}) == "1::");
    CHECK(v6({0xffff, 0xabcd, 1, 0, 2, 3, 4, 5}) == "ffff:abcd:1:0:2:3:4:5");  // one zero word stays
    CHECK(v6({1, 0, 0, 2, 0, 0, 3, 4}) == "1::2:0:0:3:4");                     // the first of two equal runs
    CHECK(v6({1, 0, 0, 2, 0, 0, 0, 4}) == "1:0:0:2::4");                       // the longest run
    const uint8_t low[4] = {0, 0, 0, 0}, high[4] = {255, 255, 255, 255};
    CHECK(to_string(Endpoint{Address::ipv4(low), 0}) == "0.0.0.0:0");
    CHECK(to_string(Endpoint{Address::ipv4(high), 65535}) == "255.255.255.255:65535");
    CHECK(to_string(Address{}) == "?");
}

TEST_CASE("a refused stream's next step says to check LISTENING on that host and port") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.rst(Side::Server);
    const StreamState &st = *a.find({Transport::Tcp, 0});
    const Diagnosis d = a.diagnose(st);
    CHECK_THAT(next_step(st, d), StartsWith("check that port 445 is LISTENING on 10.0.0.2"));
    CHECK_THAT(reason(st, d), ContainsSubstring("frame 2"));
}

TEST_CASE("evidence notes name the retransmission and the verdict") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.after(1).syn_retransmission();
    const FrameNote second = s.after(2).syn_retransmission();
    const StreamState &st = *a.find({Transport::Tcp, 0});
    const Diagnosis d = a.diagnose(st);
    CHECK(proves(d, 3, second.event));
    CHECK(evidence_note(st, d, 2, second.event) == "SYN retransmission 2 with no SYN/ACK (handshake packet loss)");
}

TEST_CASE("a data-loss reset names the retransmissions and the frame they resend") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    for (int i = 0; i < 5; ++i) s.after(1).retransmit(Side::Client);
    const FrameNote rst = s.rst(Side::Client);
    const StreamState &st = *a.find({Transport::Tcp, 0});
    const Diagnosis d = a.diagnose(st);
    CHECK(proves(d, s.last_frame(), rst.event));
    CHECK_THAT(evidence_note(st, d, s.last_frame(), rst.event),
               StartsWith("Client reset the connection after 5 unanswered retransmissions by the client"));
}

TEST_CASE("the TSV report has a header and one row per stream with the stable names") {
    Analyzer a;
    StreamBuilder s(a);
    s.syn();
    s.rst(Side::Server);
    const std::string tsv = streams_report(a, ReportFormat::Tsv);
    CHECK_THAT(tsv, StartsWith("stream\ttransport\tclient\tserver\tverdict\treset_by\t"));
    CHECK_THAT(tsv, ContainsSubstring("\n0\ttcp\t10.0.0.1:40000\t10.0.0.2:445\trefused\tserver\t0\t0\t2\t"));
    const std::string json = streams_report(a, ReportFormat::Json);
    CHECK_THAT(json, ContainsSubstring("\"verdict\": \"refused\""));
}

TEST_CASE("the TSV report gives times to the microsecond: the duration, first and last packet") {
    Analyzer a;
    StreamBuilder s(a);
    s.at(1700000000.000005).syn();    // the builder adds 10 ms a segment
    s.after(0.25).rst(Side::Server);  // 0.26 s after the SYN
    std::string tsv = streams_report(a, ReportFormat::Tsv);
    tsv.pop_back();  // the row's newline
    const std::string row = tsv.substr(tsv.find('\n') + 1);
    CHECK_THAT(row, ContainsSubstring("\t2\t0.260000\t"));  // packets, duration
    CHECK_THAT(row, ContainsSubstring("\t1700000000.000005\t1700000000.260005"));
    CHECK(row.substr(row.rfind('\t') + 1) == "1700000000.260005");
    Analyzer before_epoch;
    StreamBuilder t(before_epoch);
    t.at(-0.5).syn();
    CHECK_THAT(streams_report(before_epoch, ReportFormat::Tsv), ContainsSubstring("\t-0.500000\t-0.500000\n"));
}

TEST_CASE("with Wireshark's sequence analysis off, the reason says retransmissions are unknown") {
    Analyzer a;
    Config off;
    off.sequence_analysis = false;
    a.set_config(off);
    StreamBuilder s(a);
    s.handshake();
    s.rst(Side::Server);
    const StreamState &st = *a.find({Transport::Tcp, 0});
    const Diagnosis d = a.diagnose(st);
    CHECK(d.retransmissions_unknown);
    CHECK_THAT(reason(st, d), ContainsSubstring("Retransmissions unknown"));
}
