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

namespace {
// The code of a letter for one side, or -1 for a letter that is no kind.
int code_of(char letter, bool client) {
    const void *kind = std::memchr(kKinds, letter, sizeof kKinds);
    if (!kind) return -1;
    return static_cast<int>((static_cast<const char *>(kind) - kKinds) << 1 | (client ? 1 : 0));
}
}  // namespace

bool History::has(char letter, bool client) const {
    const int c = code_of(letter, client);
    for (int i = 0; i < length_ && c >= 0; ++i)
        if (code(i) == c) return true;
    return false;
}

void History::add(char letter, bool client) {
    const int found = code_of(letter, client);
    if (found < 0 || has(letter, client)) return;
    const auto c = static_cast<uint8_t>(found);
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
