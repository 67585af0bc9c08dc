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

class History {
  public:
    // Record an event of the client (upper case) or the server (lower case), once per kind and side.
    void add(char letter, bool client);
    std::string str() const { return std::string(letters_, length_); }

  private:
    static constexpr int kCapacity = 20;  // 9 kinds x 2 sides, with room to spare
    char letters_[kCapacity] = {};
    uint8_t length_ = 0;
};

}  // namespace tcpdiag
