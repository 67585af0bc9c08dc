#include "tcp_options.h"

namespace tcpdiag {

namespace {
constexpr uint8_t kEndOfOptions = 0, kNoOperation = 1, kMss = 2;
}

uint16_t mss_option(const uint8_t *options, size_t len) {
    size_t at = 0;
    while (options && at < len) {
        const uint8_t kind = options[at];
        if (kind == kEndOfOptions) break;
        if (kind == kNoOperation) {
            ++at;
            continue;
        }
        if (at + 1 >= len) break;
        const uint8_t option_len = options[at + 1];
        if (option_len < 2 || at + option_len > len) break;
        if (kind == kMss && option_len == 4) return static_cast<uint16_t>(options[at + 2] << 8 | options[at + 3]);
        at += option_len;
    }
    return 0;
}

}  // namespace tcpdiag
