// The client waited for an answer and gave up: response_timeout, and where it stops applying.
#include <catch2/catch_test_macros.hpp>

#include "explain.h"
#include "stream_builder.h"

using namespace tcpdiag;
using tcpdiag::test::StreamBuilder;

namespace {

Diagnosis verdict_of(const Analyzer &a) {
    const StreamState *st = a.find({Transport::Tcp, 0});
    REQUIRE(st != nullptr);
    return a.diagnose(*st);
}

std::string reason_of(const Analyzer &a) {
    const StreamState *st = a.find({Transport::Tcp, 0});
    return reason(*st, a.diagnose(*st));
}

bool contains(const std::string &text, const char *part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a request acknowledged but never answered, then the client's RST, is a response timeout") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();                 // frames 1-3
    s.data(Side::Client, 120);     // 4
    s.ack(Side::Server);           // 5
    s.after(5).rst(Side::Client);  // 6
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::ResponseTimeout);
    CHECK(std::string(verdict_name(d.verdict)) == "response_timeout");
    CHECK(d.reset_by == Actor::Client);
    CHECK(d.evidence_frame == 6);
    CHECK(d.wait_frame == 4);
    CHECK(d.wait_us >= 5'000'000);
    CHECK(is_failure(d.verdict));
    const std::string text = reason_of(a);
    CHECK(contains(text, "sent a request (frame 4) and got no answer for 5.0"));
    CHECK(contains(text, "then the client reset the connection (frame 6)"));
    CHECK(contains(text, "acknowledged the request"));
}

TEST_CASE("a client that closes with FIN after waiting is a response timeout reset by none") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 120);
    s.ack(Side::Server);
    s.after(4).fin(Side::Client);
    s.fin(Side::Server);
    s.ack(Side::Client);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::ResponseTimeout);
    CHECK(d.reset_by == Actor::None);
    CHECK(contains(reason_of(a), "then the client closed the connection"));
}

TEST_CASE("a client waiting for a greeting that never comes is a response timeout") {
    Analyzer a;
    StreamBuilder s(a);
    s.to_port(25);  // SMTP: the server speaks first
    s.handshake();
    s.after(10).fin(Side::Client);
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::ResponseTimeout);
    CHECK(d.wait_greeting);
    CHECK(d.wait_frame == 3);
    CHECK(contains(reason_of(a), "waited 10.0"));
    CHECK(contains(reason_of(a), "for the server to speak first"));
}

TEST_CASE("a connection opened and closed unused where the server does not speak first is no timeout") {
    // A browser's preconnect to an HTTP server, closed after 10 s without a word from either side.
    for (uint16_t port : {80, 445, 8080}) {
        Analyzer a;
        StreamBuilder s(a);
        s.to_port(port);
        s.handshake();
        s.after(10).fin(Side::Client);
        s.fin(Side::Server);
        s.ack(Side::Client);
        CHECK(verdict_of(a).verdict == Verdict::GracefulClose);
    }
    // The greeting ports are a preference.
    Config config;
    config.greeting_ports = {{8080, 8080}};
    Analyzer a(config);
    StreamBuilder s(a);
    s.to_port(8080);
    s.handshake();
    s.after(10).fin(Side::Client);
    CHECK(verdict_of(a).verdict == Verdict::ResponseTimeout);
}

TEST_CASE("a wait shorter than response_timeout_ms, or an answered request, is no response timeout") {
    Analyzer quick;
    StreamBuilder q(quick);
    q.handshake();
    q.data(Side::Client, 120);
    q.ack(Side::Server);
    q.after(1).rst(Side::Client);
    CHECK(verdict_of(quick).verdict == Verdict::AppReset);

    Config patient;
    patient.response_timeout_ms = 60000;
    Analyzer slow(patient);
    StreamBuilder p(slow);
    p.handshake();
    p.data(Side::Client, 120);
    p.after(5).rst(Side::Client);
    CHECK(verdict_of(slow).verdict == Verdict::AppReset);

    Analyzer answered;
    StreamBuilder r(answered);
    r.handshake();
    r.data(Side::Client, 120);
    r.data(Side::Server, 900);
    r.ack(Side::Client);
    r.after(30).rst(Side::Client);  // an idle connection closed by the client: no question open
    CHECK(verdict_of(answered).verdict == Verdict::AppReset);
}

TEST_CASE("loss explains a silence first; a server that closed first ends the wait") {
    Analyzer lossy;
    StreamBuilder l(lossy);
    l.handshake();
    l.data(Side::Client, 120);
    for (int i = 0; i < 4; ++i) l.after(1).retransmit(Side::Client);
    l.after(2).rst(Side::Client);
    CHECK(verdict_of(lossy).verdict == Verdict::DataLoss);

    Analyzer closed;
    StreamBuilder c(closed);
    c.handshake();
    c.data(Side::Client, 120);
    c.after(5).fin(Side::Server);
    c.fin(Side::Client);
    CHECK(verdict_of(closed).verdict == Verdict::GracefulClose);
}

TEST_CASE("a capture that ends while the client waits is open, and the reason says for how long") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 120);
    s.ack(Side::Server);
    s.after(8).ack(Side::Server);  // a keepalive answer, no data: the capture ends 8 s on
    const Diagnosis d = verdict_of(a);
    CHECK(d.verdict == Verdict::Open);
    CHECK(d.wait_frame == 4);
    CHECK(contains(reason_of(a), "got no answer for 8.0"));
    CHECK(contains(reason_of(a), "by the end of the capture"));
}

TEST_CASE("the client's answer to the server's own request is no request of its own (SIP, server push)") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 300);
    s.data(Side::Server, 200);           // the answer
    s.after(5).data(Side::Server, 400);  // unasked: the server's request
    s.data(Side::Client, 150);           // the client answers it
    s.ack(Side::Server);
    s.after(30).fin(Side::Client);
    s.fin(Side::Server);
    s.ack(Side::Client);
    CHECK(verdict_of(a).verdict == Verdict::GracefulClose);
}

TEST_CASE("the rest of the server's answer, or its resend, is no request of its own: the next request waits") {
    // The first request is answered in two segments, the last one resent; the second request is
    // acknowledged, never answered, and the client closes 5 s later.
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 300);
    s.segment(Side::Server, 1460);  // the answer begins while the client waits...
    s.ack(Side::Client);
    s.data(Side::Server, 1200);  // ...and ends after the client's ACK
    s.retransmit(Side::Server);
    s.ack(Side::Client);
    s.after(3).data(Side::Client, 300);
    s.ack(Side::Server);
    s.after(5).fin(Side::Client);
    s.fin(Side::Server);
    s.ack(Side::Client);
    CHECK(verdict_of(a).verdict == Verdict::ResponseTimeout);
}

TEST_CASE("no response timeout where the capture could not see the server answer") {
    // Nothing of the server after the request, not even its ACK: its answer may be missing too.
    Analyzer unheard;
    StreamBuilder u(unheard);
    u.handshake();
    u.data(Side::Client, 136);
    u.after(185).fin(Side::Client);
    CHECK(verdict_of(unheard).verdict == Verdict::Open);

    // Only the client's direction captured: its ACK moving on shows the server's answer.
    Analyzer one_way;
    StreamBuilder o(one_way);
    o.syn();
    o.ack(Side::Client);
    o.data(Side::Client, 120);
    o.unseen(Side::Server, 900);  // the reply, not captured
    o.ack(Side::Client);
    o.after(20).rst(Side::Client);
    CHECK(verdict_of(one_way).verdict != Verdict::ResponseTimeout);

    // ... and so does the ACK of its closing segment.
    Analyzer closing;
    StreamBuilder c(closing);
    c.syn();
    c.unseen(Side::Server, 1);  // the SYN/ACK
    c.ack(Side::Client);
    c.data(Side::Client, 120);
    c.unseen(Side::Server, 300);
    c.after(10).fin(Side::Client);
    CHECK(verdict_of(closing).verdict != Verdict::ResponseTimeout);

    // A request in the SYN (TCP Fast Open), then only the FIN: its ACK is the client's first, and
    // holds whatever the server had sent.
    Analyzer fast_open;
    StreamBuilder f(fast_open);
    f.syn_with_data(4);
    f.unseen(Side::Server, 1);
    f.after(10).fin(Side::Client);
    CHECK(verdict_of(fast_open).verdict != Verdict::ResponseTimeout);
}

TEST_CASE("a capture clock that steps back makes no wait, not one of 49 days") {
    Analyzer a;
    StreamBuilder s(a);
    s.at(100).handshake();
    s.data(Side::Client, 120);
    s.ack(Side::Server);
    s.at(50).rst(Side::Client);  // stamped before the request
    CHECK(verdict_of(a).verdict == Verdict::AppReset);
}
