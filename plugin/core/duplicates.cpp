#include "duplicates.h"

#include "word_hash.h"

namespace tcpdiag {

uint32_t segment_signature(const TcpSegment &seg, uint16_t ip_id, uint32_t ip_option_kinds, const uint8_t *options,
                           size_t options_len) {
    uint64_t h = hash_word(0, uint64_t{seg.src.port} << 48 | uint64_t{seg.dst.port} << 32 | seg.seq);
    h = hash_word(h, uint64_t{seg.ack} << 32 | uint64_t{seg.flags} << 16 | seg.window);
    h = hash_word(h, uint64_t{seg.payload_len} << 32 | ip_option_kinds);
    h = hash_word(h, uint64_t{options_len} << 16 | ip_id);
    h = hash_bytes(h, options, options_len);
    const auto signature = static_cast<uint32_t>(h ^ (h >> 32));
    return signature ? signature : 1;  // 0 means "no signature"
}

bool DuplicateFilter::is_copy(const TcpSegment &seg) {
    if (seg.signature == 0) return false;
    Seen &slot = slots_[(seg.signature ^ seg.stream) % kSlots];
    if (slot.signature == seg.signature && slot.stream == seg.stream && seg.time_us - slot.time_us <= kWindowUs &&
        slot.time_us - seg.time_us <= kWindowUs)
        return true;
    slot = {seg.stream, seg.signature, seg.time_us};
    return false;
}

}  // namespace tcpdiag
