// Two devices speaking for one address: a SYN proxy or firewall answers the handshake, the host
// behind it sends the data (docs/verdicts.md, rule 1). A RST is judged against the TTL family of
// that address's data-bearing packets.
#include <catch2/catch_test_macros.hpp>

#include "stream_builder.h"

using namespace tcpdiag;
using namespace tcpdiag::test;

namespace {

// The proxy answers the SYN with TTL 64; the server's data arrives with TTL 61.
void proxied_exchange(StreamBuilder &s) {
    s.syn();
    s.server_ttl = 64;
    s.synack();
    s.ack(Side::Client);
    s.data(Side::Client, 80);
    s.server_ttl = 61;
    s.data(Side::Server, 400);
    s.ack(Side::Client);
}

}  // namespace

TEST_CASE("a RST in the handshake's TTL family, not the data's, was sent by the device that proxied the handshake") {
    Analyzer a;
    StreamBuilder s(a);
    proxied_exchange(s);
    s.data(Side::Client, 80);
    s.rst(Side::Server, false, 64);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::InjectedReset);
    CHECK(d.reset_by == Actor::Path);
    CHECK(d.evidence_frame == s.last_frame());
    const std::string why = reason_of(a);
    CHECK(why.find("has TTL 64, while its data had TTL 61") != std::string::npos);
    CHECK(why.find("Its handshake (frame 2) came with TTL 64") != std::string::npos);
    CHECK(why.find("SYN proxy") != std::string::npos);
}

TEST_CASE("the host's own RST, in its data's TTL family, stays the host's reset behind a SYN proxy") {
    Analyzer a;
    StreamBuilder s(a);
    proxied_exchange(s);
    s.data(Side::Client, 80);
    s.rst(Side::Server, true, 61);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.reset_by == Actor::Server);
}

TEST_CASE("ACKs the proxy sends after the data began do not widen the data's TTL family") {
    Analyzer a;
    StreamBuilder s(a);
    proxied_exchange(s);
    s.data(Side::Client, 80);
    s.server_ttl = 64;
    s.ack(Side::Server);  // a window update from the proxy
    s.rst(Side::Server, false, 64);
    CHECK(diagnosis_of(a).verdict == Verdict::InjectedReset);
}

TEST_CASE("a side that sent no data is judged against all its packets") {
    // The client only acknowledges a download; its own RST has the TTL of its ACKs.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Server, 1000);
    s.ack(Side::Client);
    s.rst(Side::Client, true, 64);
    CHECK(diagnosis_of(a).verdict == Verdict::AppReset);

    // A RST with a TTL none of its packets had is forged, data or not.
    Analyzer b;
    StreamBuilder t(b);
    t.handshake();
    t.data(Side::Server, 1000);
    t.ack(Side::Client);
    t.rst(Side::Client, false, 50);
    CHECK(diagnosis_of(b).verdict == Verdict::InjectedReset);
    CHECK(reason_of(b).find("while its other packets had TTL 64") != std::string::npos);
    CHECK(reason_of(b).find("handshake") == std::string::npos);
}
