#include "history.h"

#include <cctype>

namespace tcpdiag {

namespace {
// The kinds in code order: a code is (kind index << 1) | (1 for the client).
constexpr char kKinds[] = {history_letter::kSyn,        history_letter::kSynAck, history_letter::kData,
                           history_letter::kFin,        history_letter::kReset,  history_letter::kRetransmission,
                           history_letter::kZeroWindow, history_letter::kIcmp};
}  // namespace

namespace {
// The code of a letter for one side, or -1 for a letter that is no kind (asked on every segment).
int code_of(char letter, bool client) {
    int kind;
    switch (letter) {
        case history_letter::kSyn: kind = 0; break;
        case history_letter::kSynAck: kind = 1; break;
        case history_letter::kData: kind = 2; break;
        case history_letter::kFin: kind = 3; break;
        case history_letter::kReset: kind = 4; break;
        case history_letter::kRetransmission: kind = 5; break;
        case history_letter::kZeroWindow: kind = 6; break;
        case history_letter::kIcmp: kind = 7; break;
        default: return -1;
    }
    static_assert(sizeof kKinds == 8, "one case above for each kind, in kKinds' order");
    return kind << 1 | (client ? 1 : 0);
}
}  // namespace

bool History::has(char letter, bool client) const {
    const int c = code_of(letter, client);
    return c >= 0 && (seen_ >> c & 1u);
}

void History::add(char letter, bool client) {
    const int found = code_of(letter, client);
    if (found < 0 || (seen_ >> found & 1u)) return;
    const auto c = static_cast<uint8_t>(found);
    const int at = length();
    codes_[at / 2] |= static_cast<uint8_t>(c << (at % 2 * 4));
    seen_ = static_cast<uint16_t>(seen_ | 1u << c);
}

std::string History::str() const {
    std::string out;
    const int n = length();
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        const char letter = kKinds[code(i) >> 1];
        out += (code(i) & 1) ? static_cast<char>(std::toupper(static_cast<unsigned char>(letter))) : letter;
    }
    return out;
}

}  // namespace tcpdiag
