// The evidence trail in one short word, after Zeek's conn history: one letter per kind of
// event, upper case for the client, lower case for the server, each recorded once, in order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

namespace tcpdiag {

namespace history_letter {
constexpr char kSyn = 's', kSynAck = 'h', kData = 'd', kFin = 'f', kReset = 'r', kRetransmission = 't',
               kZeroWindow = 'w', kIcmp = 'i';
}

// 8 kinds x 2 sides = 16 letters at most, each stored as a 4-bit code (kind, side), and which are
// there as a bit each, asked on every segment: 10 bytes a stream instead of one char per letter,
// since every stream keeps one.
class History {
  public:
    // Record an event of the client (upper case) or the server (lower case), once per kind and side.
    // `letter` is one of history_letter.
    void add(char letter, bool client);
    bool has(char letter, bool client) const;
    std::string str() const;
    bool operator==(const History &other) const {
        return seen_ == other.seen_ && std::equal(codes_, codes_ + kCapacity / 2, other.codes_);
    }

  private:
    static constexpr int kCapacity = 16;
    uint8_t code(int i) const { return (codes_[i / 2] >> (i % 2 * 4)) & 0x0f; }

    // How many codes there are: each is stored once.
    int length() const { return __builtin_popcount(seen_); }

    uint8_t codes_[kCapacity / 2] = {};  // two codes a byte, the first in the low nibble
    uint16_t seen_ = 0;                  // bit c: code c is among them
};

}  // namespace tcpdiag
