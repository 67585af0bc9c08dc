// The compact per-stream state: history letters packed four bits each, addresses stored once per
// pair of hosts, and ICMP errors without a stream number matched through the flow index.
#include <catch2/catch_test_macros.hpp>

#include "analyzer.h"
#include "stream_builder.h"

using namespace tcpdiag;
using tcpdiag::test::endpoint;

TEST_CASE("the history keeps all sixteen letters once each, in order") {
    History h;
    const char kinds[] = {history_letter::kIcmp,           history_letter::kZeroWindow, history_letter::kSyn,
                          history_letter::kRetransmission, history_letter::kSynAck,     history_letter::kReset,
                          history_letter::kData,           history_letter::kFin};
    for (char k : kinds) {
        h.add(k, true);
        h.add(k, false);
        h.add(k, true);  // a repeat adds nothing
    }
    CHECK(h.str() == "IiWwSsTtHhRrDdFf");
    CHECK(History().str().empty());
}

TEST_CASE("streams between the same two hosts share one stored address pair") {
    AddressPairTable table;
    const Address a = endpoint(10, 0, 0, 1, 0).address, b = endpoint(10, 0, 0, 2, 0).address;
    const AddressPair *first = table.intern(a, b);
    for (uint8_t i = 0; i < 100; ++i) table.intern(endpoint(172, 16, 0, i, 0).address, b);  // grows the table
    CHECK(table.intern(a, b) == first);
    CHECK(table.intern(b, a) != first);  // the order is the roles: client first
    CHECK(table.size() == 102);
    CHECK(first->client == a);
    CHECK(first->server == b);
}

namespace {
// An ICMP error quoting only 8 bytes of the client's packet: no stream number.
bool short_quote(Analyzer &a, const Endpoint &src, const Endpoint &dst, FrameNote &note) {
    IcmpError e;
    e.frame = a.last_frame() + 1;
    e.reporter = endpoint(10, 0, 0, 254, 0).address;
    e.type = 3;
    e.code = 1;
    e.quoted_src = src;
    e.quoted_dst = dst;
    e.quoted_stream_known = false;
    return a.observe(e, note);
}
}  // namespace

TEST_CASE("an ICMP error without a stream number finds the latest stream of its addresses and ports") {
    Analyzer a;
    constexpr uint32_t kStreams = 5000;  // enough for the index to grow several times
    for (uint32_t i = 0; i < kStreams; ++i)
        tcpdiag::test::StreamBuilder(a, i).syn();  // builder streams all use 10.0.0.1:40000 -> 10.0.0.2:445
    FrameNote note;
    REQUIRE(short_quote(a, endpoint(10, 0, 0, 1, 40000), endpoint(10, 0, 0, 2, 445), note));
    CHECK(note.stream.index == kStreams - 1);  // port reuse: the newest stream is the one quoted

    for (uint32_t i = 0; i < kStreams; ++i) {
        TcpSegment syn;
        syn.frame = a.last_frame() + 1;
        syn.stream = kStreams + i;
        syn.src = endpoint(10, 1, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 50000);
        syn.dst = endpoint(10, 0, 0, 2, 80);
        syn.flags = tcp_flag::kSyn;
        a.observe(syn);
    }
    for (uint32_t i = 0; i < kStreams; i += 499) {
        const Endpoint client = endpoint(10, 1, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 50000);
        REQUIRE(short_quote(a, client, endpoint(10, 0, 0, 2, 80), note));
        CHECK(note.stream.index == kStreams + i);
        REQUIRE(short_quote(a, endpoint(10, 0, 0, 2, 80), client, note));  // the server's packet quoted
        CHECK(note.stream.index == kStreams + i);
    }
    CHECK_FALSE(short_quote(a, endpoint(10, 1, 0, 1, 50001), endpoint(10, 0, 0, 2, 80), note));  // other port
    CHECK_FALSE(short_quote(a, endpoint(10, 9, 9, 9, 50000), endpoint(10, 0, 0, 2, 80), note));  // other host
}
