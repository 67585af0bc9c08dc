// The failure came with the first packets after an idle gap: cause idle_timeout, and where it
// stops applying.
#include <catch2/catch_test_macros.hpp>

#include <string>

#include "explain.h"
#include "stream_builder.h"

using namespace tcpdiag;
using tcpdiag::test::diagnosis_of;
using tcpdiag::test::reason_of;
using tcpdiag::test::stream_of;
using tcpdiag::test::StreamBuilder;

namespace {

bool contains(const std::string &text, const char *part) {
    return text.find(part) != std::string::npos;
}

// A request answered, then the connection is silent for `idle_s`.
void exchange_then_idle(StreamBuilder &s, double idle_s) {
    s.handshake();              // frames 1-3
    s.data(Side::Client, 100);  // 4
    s.data(Side::Server, 300);  // 5
    s.ack(Side::Client);        // 6
    s.after(idle_s);
}

}  // namespace

TEST_CASE("a forged reset answering the first request after 60 s idle has the cause idle_timeout") {
    Analyzer a;
    StreamBuilder s(a);
    exchange_then_idle(s, 60);
    s.data(Side::Client, 100);       // 7: ends the silence
    s.rst(Side::Server, true, 250);  // 8: a device's RST, not the server's TTL
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::InjectedReset);
    CHECK(d.cause == Cause::IdleTimeout);
    CHECK(std::string(cause_name(d.cause)) == "idle_timeout");
    CHECK(d.cause_frame == 7);
    CHECK(d.idle_s == 60);
    CHECK(proves(d, 7, FrameEvent{}));
    CHECK(evidence_note(stream_of(a), d, 7, FrameEvent{}) ==
          "First packet after 60 s of silence, the failure followed (reset forged in the path, cause idle_timeout)");
    const std::string text = reason_of(a);
    CHECK(contains(text, "idle for 60 s (the client's frame 7 ended the silence)"));
    CHECK(contains(next_step(stream_of(a), d), "idle timeouts of the firewalls, NATs and load balancers"));
}

TEST_CASE("data lost after an idle gap, and a reset by a peer that lost the state, have the cause") {
    Analyzer lossy;
    StreamBuilder l(lossy);
    exchange_then_idle(l, 45);
    l.lost(Side::Client, 0);
    l.data(Side::Client, 100);  // 7, never acknowledged
    for (int i = 0; i < 4; ++i) l.after(1 << i).retransmit(Side::Client);
    Diagnosis d = diagnosis_of(lossy);
    CHECK(d.verdict == Verdict::DataLoss);
    CHECK(d.cause == Cause::IdleTimeout);

    Analyzer forgot;
    StreamBuilder f(forgot);
    exchange_then_idle(f, 45);
    f.data(Side::Client, 100);
    f.rst(Side::Server, false);  // no ACK: it does not know the connection
    d = diagnosis_of(forgot);
    CHECK(d.verdict == Verdict::PeerLostState);
    CHECK(d.cause == Cause::IdleTimeout);
}

TEST_CASE("no idle cause when the connection worked again after the gap, or the gap was short") {
    Analyzer answered;
    StreamBuilder s(answered);
    exchange_then_idle(s, 60);
    s.data(Side::Client, 100);  // 7
    s.data(Side::Server, 300);  // 8: acknowledges it: the path kept the state
    s.ack(Side::Client);
    s.rst(Side::Server);  // a later reset has other reasons
    Diagnosis d = diagnosis_of(answered);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.cause == Cause::None);
    CHECK_FALSE(contains(reason_of(answered), "idle"));

    Analyzer brief;
    StreamBuilder b(brief);
    exchange_then_idle(b, 20);
    b.data(Side::Client, 100);
    b.rst(Side::Server, false);
    CHECK(diagnosis_of(brief).cause == Cause::None);
    // Gaps are measured against the threshold as the packets are read (a changed preference makes
    // Wireshark read the capture again).
    Config shorter;
    shorter.idle_timeout_s = 10;
    Analyzer strict(shorter);
    StreamBuilder t(strict);
    exchange_then_idle(t, 20);
    t.data(Side::Client, 100);
    t.rst(Side::Server, false);
    CHECK(diagnosis_of(strict).cause == Cause::IdleTimeout);
}

TEST_CASE("a reset by the side that ended the silence is its own choice, not the cause idle_timeout") {
    Analyzer a;
    StreamBuilder s(a);
    exchange_then_idle(s, 60);
    s.rst(Side::Client);  // its application's own idle timeout closed the connection
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::AppReset);
    CHECK(d.cause == Cause::None);
}

TEST_CASE("the silences of a retransmission backoff are no idle gap") {
    Analyzer a;
    StreamBuilder s(a);
    s.handshake();
    s.data(Side::Client, 100);
    s.data(Side::Server, 300);
    s.ack(Side::Client);
    s.data(Side::Client, 100);  // 7, never acknowledged
    for (int i = 0; i < 4; ++i) s.after(40).retransmit(Side::Client);
    s.after(40).rst(Side::Client);
    const Diagnosis d = diagnosis_of(a);
    CHECK(d.verdict == Verdict::DataLoss);
    CHECK(d.cause == Cause::None);
}
