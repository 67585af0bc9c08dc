#include "duplicates.h"

namespace tcpdiag {

namespace {
// FNV-1a, a byte at a time.
class Hash {
  public:
    void add(uint32_t value, int bytes) {
        for (int i = 0; i < bytes; ++i) byte(static_cast<uint8_t>(value >> (8 * i)));
    }
    void byte(uint8_t b) { h_ = (h_ ^ b) * 16777619u; }
    uint32_t value() const { return h_ ? h_ : 1; }  // 0 means "no signature"

  private:
    uint32_t h_ = 2166136261u;
};
}  // namespace

uint32_t segment_signature(const TcpSegment &seg, uint16_t ip_id, uint32_t ip_option_kinds, const uint8_t *options,
                           size_t options_len) {
    Hash h;
    h.add(seg.src.port, 2);
    h.add(seg.dst.port, 2);
    h.add(seg.seq, 4);
    h.add(seg.ack, 4);
    h.add(seg.flags, 2);
    h.add(seg.window, 2);
    h.add(seg.payload_len, 4);
    h.add(ip_id, 2);
    h.add(ip_option_kinds, 4);
    for (size_t i = 0; i < options_len; ++i) h.byte(options[i]);
    return h.value();
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
