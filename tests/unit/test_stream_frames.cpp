// -z tcpdiag,frames: each stream's frames as ranges, from the frame table.
#include <catch2/catch_test_macros.hpp>

#include <string>

#include "stream_frames.h"

using namespace tcpdiag;

namespace {

std::string frames_of(const FrameTable &table) {
    std::string out;
    write_stream_frames(table, [&out](const std::string &part) { out += part; });
    return out;
}

}  // namespace

TEST_CASE("each stream's frames are listed as ranges, streams in order of their first frame", "[stream_frames]") {
    FrameTable table;
    const FrameNote tcp7{{Transport::Tcp, 7}, {}}, tcp2{{Transport::Tcp, 2}, {}}, udp7{{Transport::Udp, 7}, {}};
    table.add(1, &tcp7, 1);
    table.add(2, &tcp7, 1);
    table.add(3, &tcp2, 1);
    table.add(4, &tcp7, 1);
    const FrameNote both[] = {tcp2, udp7};  // an ICMP error quoting a UDP stream, seen as both
    table.add(5, both, 2);
    table.add(6, &tcp2, 1);
    // frame 7 is not TCP: nothing noted
    table.add(8, &tcp2, 1);
    const FrameNote twice[] = {tcp7, tcp7};  // two notes of one stream on one frame
    table.add(9, twice, 2);
    table.add(10, &tcp7, 1);
    CHECK(frames_of(table) ==
          "transport\tstream\tframes\n"
          "tcp\t7\t1-2,4,9-10\n"
          "tcp\t2\t3,5-6,8\n"
          "udp\t7\t5\n");
}

TEST_CASE("a capture without streams gives the header alone", "[stream_frames]") {
    CHECK(frames_of(FrameTable{}) == "transport\tstream\tframes\n");
}
