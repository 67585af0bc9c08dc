// Segment sizes, for the streams that sent large segments: a hop with a smaller MTU that drops them
// without an ICMP answer (an MTU black hole) loses only the large ones. Kept apart, in a table of
// their own, so that the many streams that never send a large segment (floods, scans, small
// requests) cost nothing.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "observation.h"
#include "stream_state.h"

namespace tcpdiag {

// Below this many payload bytes a segment fits any path TCP runs over (IPv6's minimum MTU is 1280).
constexpr uint16_t kLargeSegment = 1200;

struct SideSizes {
    uint32_t largest_first_end = 0;  // where the first segment of largest_len ends (seq + len)
    uint16_t largest_len = 0;        // the largest payload this side sent
    uint16_t largest_acked_len = 0;  // the largest of its segments the peer acknowledged
    uint16_t run_min_len = 0;        // the smallest resend of its latest unanswered run
};

struct SegmentSizes {
    SideSizes side[2];  // client, server
    // An ICMP "fragmentation needed" or ICMPv6 "packet too big" quoted the stream: the path said so.
    bool too_big_reported = false;
};

class SegmentSizeTable {
  public:
    // After `update()` folded the segment into the stream; `event` is what it made of it.
    void observe(StreamState &stream, const TcpSegment &segment, const FrameEvent &event);
    // An ICMP error saying a packet of the stream was too big for the path.
    void note_too_big(StreamState &stream);
    const SegmentSizes *find(const StreamState &stream) const;

  private:
    std::unordered_map<uint32_t, SegmentSizes> sizes_;  // by tcp.stream
};

}  // namespace tcpdiag
