#include "history.h"

#include <cctype>

namespace tcpdiag {

void History::add(char letter, bool client) {
    const char c = client ? static_cast<char>(std::toupper(static_cast<unsigned char>(letter))) : letter;
    for (int i = 0; i < length_; ++i)
        if (letters_[i] == c) return;
    if (length_ < kCapacity) letters_[length_++] = c;
}

}  // namespace tcpdiag
