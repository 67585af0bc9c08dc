// The evidence trail in one short word, after Zeek's conn history: one letter per kind of
// event, upper case for the client, lower case for the server, each recorded once, in order.
#pragma once

#include <cstdint>
#include <string>

namespace tcpdiag {

namespace history_letter {
constexpr char kSyn = 's', kSynAck = 'h', kData = 'd', kFin = 'f', kReset = 'r', kRetransmission = 't',
               kZeroWindow = 'w', kIcmp = 'i';
}

// 8 kinds x 2 sides = 16 letters at most, each stored as a 4-bit code (kind, side): 9 bytes a
// stream instead of one char per letter, since every stream keeps one.
class History {
  public:
    // Record an event of the client (upper case) or the server (lower case), once per kind and side.
    // `letter` is one of history_letter.
    void add(char letter, bool client);
    bool has(char letter, bool client) const;
    std::string str() const;

  private:
    static constexpr int kCapacity = 16;
    uint8_t code(int i) const { return (codes_[i / 2] >> (i % 2 * 4)) & 0x0f; }

    uint8_t codes_[kCapacity / 2] = {};  // two codes a byte, the first in the low nibble
    uint8_t length_ = 0;
};

}  // namespace tcpdiag
