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
