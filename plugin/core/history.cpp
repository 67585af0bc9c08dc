#include "history.h"

#include <cctype>
#include <cstring>

namespace tcpdiag {

namespace {
// The kinds in code order: a code is (kind index << 1) | (1 for the client).
constexpr char kKinds[] = {history_letter::kSyn,        history_letter::kSynAck, history_letter::kData,
                           history_letter::kFin,        history_letter::kReset,  history_letter::kRetransmission,
                           history_letter::kZeroWindow, history_letter::kIcmp};
}  // namespace

void History::add(char letter, bool client) {
    const void *kind = std::memchr(kKinds, letter, sizeof kKinds);
    if (!kind) return;
    const auto c = static_cast<uint8_t>((static_cast<const char *>(kind) - kKinds) << 1 | (client ? 1 : 0));
    for (int i = 0; i < length_; ++i)
        if (code(i) == c) return;
    if (length_ == kCapacity) return;  // cannot happen: each of the 16 codes is stored once
    codes_[length_ / 2] |= static_cast<uint8_t>(c << (length_ % 2 * 4));
    ++length_;
}

std::string History::str() const {
    std::string out;
    out.reserve(length_);
    for (int i = 0; i < length_; ++i) {
        const char letter = kKinds[code(i) >> 1];
        out += (code(i) & 1) ? static_cast<char>(std::toupper(static_cast<unsigned char>(letter))) : letter;
    }
    return out;
}

}  // namespace tcpdiag
