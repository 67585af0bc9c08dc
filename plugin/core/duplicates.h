// Copies of one packet in the capture: a mirror port that copies both directions, pktmon's copy
// per stack component, two capture points merged into one file. A copy is no retransmission: it
// is left out of the analysis and counted as a flaw of the capture.
#pragma once

#include <cstddef>
#include <cstdint>

#include "observation.h"

namespace tcpdiag {

// What tells a copy from a resend: the TCP header fields as sent, its options (a resend's
// timestamps move on), the IPv4 ID (a resend gets a new one) and the kinds of IPv4 options (the
// sender chose them). The TTL is left out: a copy from another capture point has crossed other
// hops.
uint32_t segment_signature(const TcpSegment &segment, uint16_t ip_id, uint32_t ip_option_kinds, const uint8_t *options,
                           size_t options_len);

class DuplicateFilter {
  public:
    // True when the same segment of the same stream was seen moments before (copies arrive
    // microseconds to milliseconds apart; a resend comes a retransmission timeout later).
    bool is_copy(const TcpSegment &segment);

  private:
    static constexpr int64_t kWindowUs = 50000;
    // Recent segments by their signature: one slot each, so a lookup costs one comparison. A
    // copy follows its original within moments; a packet in between takes its slot only by a
    // collision (1 in kSlots).
    static constexpr uint32_t kSlots = 64;
    struct Seen {
        uint32_t stream = 0, signature = 0;
        int64_t time_us = 0;
    };
    Seen slots_[kSlots];
};

}  // namespace tcpdiag
