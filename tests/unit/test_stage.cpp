// tcpdiag.stage: how far each stream's conversation got.
#include <catch2/catch_test_macros.hpp>

#include <string>

#include "stream_builder.h"

using namespace tcpdiag;
using tcpdiag::test::StreamBuilder;

namespace {
std::string stage_of(const Analyzer &a) {
    const StreamState *st = a.find({Transport::Tcp, 0});
    REQUIRE(st != nullptr);
    return st->stage();
}
}  // namespace

TEST_CASE("stage: handshake, established, request, greeting, exchange") {
    Analyzer syn_only;
    StreamBuilder a(syn_only);
    a.syn();
    a.synack();
    CHECK(stage_of(syn_only) == "handshake");

    Analyzer quiet;
    StreamBuilder b(quiet);
    b.handshake();
    CHECK(stage_of(quiet) == "established");

    Analyzer asked;
    StreamBuilder c(asked);
    c.handshake();
    c.data(Side::Client, 300);
    c.ack(Side::Server);
    c.rst(Side::Server);
    CHECK(stage_of(asked) == "request");

    Analyzer greeted;
    StreamBuilder d(greeted);
    d.handshake();
    d.data(Side::Server, 40);
    CHECK(stage_of(greeted) == "greeting");

    Analyzer talked;
    StreamBuilder e(talked);
    e.handshake();
    e.data(Side::Client, 300);
    e.data(Side::Server, 900);
    CHECK(stage_of(talked) == "exchange");
}

TEST_CASE("stage: with one direction captured, the other side's payload is read from the ACKs") {
    Analyzer answered;
    StreamBuilder a(answered);
    a.syn();
    a.ack(Side::Client);
    a.data(Side::Client, 120);
    a.unseen(Side::Server, 900);
    a.ack(Side::Client);
    CHECK(stage_of(answered) == "exchange");

    Analyzer unanswered;
    StreamBuilder b(unanswered);
    b.syn();
    b.ack(Side::Client);
    b.data(Side::Client, 120);
    b.ack(Side::Client);
    CHECK(stage_of(unanswered) == "request");
}
