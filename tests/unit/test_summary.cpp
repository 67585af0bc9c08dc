// The verdict summary: each stream counted once, moved when its verdict changes, busiest ranked.
#include <catch2/catch_test_macros.hpp>

#include "summary.h"

using namespace tcpdiag;

namespace {

AddressPairTable addresses;  // outlives the streams below

StreamState stream_to(uint32_t index, uint8_t last_octet, uint16_t port, Transport transport = Transport::Tcp) {
    StreamState st;
    st.transport = transport;
    st.index = index;
    const uint8_t server[4] = {10, 0, 0, last_octet};
    st.set_endpoints(Endpoint{}, Endpoint{Address::ipv4(server), port}, addresses);
    return st;
}

}  // namespace

TEST_CASE("a stream is counted once, under its latest verdict") {
    VerdictSummary summary;
    const StreamState a = stream_to(0, 1, 443);
    Verdict left;
    REQUIRE(summary.place(a, Verdict::Incomplete, left));
    CHECK(left == Verdict::Undecided);
    CHECK_FALSE(summary.place(a, Verdict::Incomplete, left));
    REQUIRE(summary.place(a, Verdict::AppReset, left));
    CHECK(left == Verdict::Incomplete);
    CHECK(summary.streams(Verdict::Incomplete) == 0);
    CHECK(summary.busiest_ports(Verdict::Incomplete).empty());
    CHECK(summary.streams(Verdict::AppReset) == 1);
    CHECK(summary.busiest_addresses(Verdict::AppReset) == "10.0.0.1 (1)");
}

TEST_CASE("the busiest server ports and addresses come first, ties in text order, UDP marked") {
    VerdictSummary summary;
    Verdict left;
    summary.place(stream_to(0, 1, 443), Verdict::Refused, left);
    summary.place(stream_to(1, 1, 443), Verdict::Refused, left);
    summary.place(stream_to(2, 2, 8080), Verdict::Refused, left);
    summary.place(stream_to(3, 3, 22), Verdict::Refused, left);
    summary.place(stream_to(4, 4, 80), Verdict::Refused, left);
    summary.place(stream_to(0, 5, 53, Transport::Udp), Verdict::Refused, left);  // same index, other transport
    CHECK(summary.streams(Verdict::Refused) == 6);
    CHECK(summary.busiest_ports(Verdict::Refused) == "443 (2), 22 (1), 53/udp (1)");
    CHECK(summary.busiest_addresses(Verdict::Refused, 2) == "10.0.0.1 (2), 10.0.0.2 (1)");
    summary.clear();
    CHECK(summary.streams(Verdict::Refused) == 0);
}

TEST_CASE("each verdict counts the stages its streams reached, and a stream moves when its stage does") {
    VerdictSummary summary;
    Verdict left;
    StreamState a = stream_to(0, 1, 443);
    REQUIRE(summary.place(a, Verdict::Incomplete, left));
    CHECK(summary.stages(Verdict::Incomplete) == "handshake (1)");
    CHECK_FALSE(summary.place(a, Verdict::Incomplete, left));
    summary.place(stream_to(1, 1, 443), Verdict::Incomplete, left);
    // Both sides sent a segment that is not a SYN (a midstream capture): the same verdict, a later stage.
    a.of(Side::Client).packets = a.of(Side::Server).packets = 1;
    REQUIRE(a.established());
    REQUIRE(summary.place(a, Verdict::Incomplete, left));
    CHECK(left == Verdict::Incomplete);
    CHECK(summary.streams(Verdict::Incomplete) == 2);
    CHECK(summary.stages(Verdict::Incomplete) == "established (1), handshake (1)");
}
