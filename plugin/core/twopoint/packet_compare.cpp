#include "packet_compare.h"

#include "packet_changes.h"

namespace tcpdiag {

namespace {

// Option kinds judged one by one (MSS, window scale, SACK permitted, timestamps).
constexpr uint32_t kNamedKinds = 1u << 2 | 1u << 3 | 1u << 4 | 1u << 8;

uint32_t compare_options(const TcpOptions &a, const TcpOptions &b) {
    uint32_t c = 0;
    if (a.mss != b.mss) c |= change::kMss;
    if (a.window_scale != b.window_scale) c |= change::kWindowScale;
    if (a.sack_permitted != b.sack_permitted) c |= change::kSackPermitted;
    if (a.has_timestamps != b.has_timestamps || a.ts_value != b.ts_value || a.ts_echo != b.ts_echo)
        c |= change::kTimestamps;
    if ((a.kinds & ~kNamedKinds) != (b.kinds & ~kNamedKinds)) c |= change::kOptions;
    return c;
}

}  // namespace

uint32_t compare_packets(const PacketSummary &here, const PacketSummary &there) {
    uint32_t c = 0;
    if (here.src.address != there.src.address || here.dst.address != there.dst.address) c |= change::kAddress;
    if (here.src.port != there.src.port || here.dst.port != there.dst.port) c |= change::kPort;
    if (here.src.address.family == 4 && there.src.address.family == 4 && here.ip_id != there.ip_id) c |= change::kIpId;
    if (here.payload_len != there.payload_len) {
        c |= change::kLength;
    } else if (here.hashed_len == there.hashed_len && here.payload_hash != there.payload_hash) {
        c |= change::kPayload;
    }
    if (here.transport != 6) return c;
    if (here.flags != there.flags) c |= change::kFlags;
    if (here.seq != there.seq) c |= change::kSeq;
    constexpr uint16_t kAckFlag = 0x10;
    if ((here.flags & kAckFlag) && here.ack != there.ack) c |= change::kAck;
    if (here.window != there.window) c |= change::kWindow;
    return c | compare_options(here.options, there.options);
}

}  // namespace tcpdiag
