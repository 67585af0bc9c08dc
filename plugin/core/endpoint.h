// Network addresses and transport endpoints, independent of Wireshark's types.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "word_hash.h"

namespace tcpdiag {

struct Address {
    uint8_t family = 0;  // 4, 6, or 0 when unknown
    std::array<uint8_t, 16> bytes{};

    static Address ipv4(const uint8_t (&b)[4]);
    static Address from_bytes(uint8_t family, const uint8_t *data) {
        Address a;
        a.family = family;
        std::memcpy(a.bytes.data(), data, family == 6 ? 16 : 4);
        return a;
    }
    bool known() const { return family != 0; }
};

struct Endpoint {
    Address address;
    uint16_t port = 0;
};

// Compared on every segment: inline, the 16 address bytes as two words.
inline bool operator==(const Address &a, const Address &b) {
    uint64_t x[2], y[2];
    std::memcpy(x, a.bytes.data(), sizeof x);
    std::memcpy(y, b.bytes.data(), sizeof y);
    return a.family == b.family && x[0] == y[0] && x[1] == y[1];
}
inline bool operator!=(const Address &a, const Address &b) {
    return !(a == b);
}
inline bool operator==(const Endpoint &a, const Endpoint &b) {
    return a.port == b.port && a.address == b.address;
}
inline bool operator!=(const Endpoint &a, const Endpoint &b) {
    return !(a == b);
}

// "10.0.0.1", "fd00::1" (RFC 5952 form)
std::string to_string(const Address &address);
// "10.0.0.1:80", "[fd00::1]:80"
std::string to_string(const Endpoint &endpoint);

// Folds an endpoint into `h`: its address and port, a word at a time.
inline uint64_t hash_endpoint(uint64_t h, const Endpoint &e) {
    uint64_t words[2];
    std::memcpy(words, e.address.bytes.data(), sizeof words);
    h = hash_word(h, words[0]);
    return hash_word(h, words[1] ^ (uint64_t{e.address.family} << 56 | e.port));
}

// A conversation key that is the same for both directions.
struct FlowKey {
    uint8_t transport = 0;  // 6 TCP, 17 UDP
    Endpoint low, high;
    static FlowKey of(uint8_t transport, const Endpoint &a, const Endpoint &b);
};
bool operator==(const FlowKey &a, const FlowKey &b);

struct FlowKeyHash {
    size_t operator()(const FlowKey &key) const noexcept;
};

}  // namespace tcpdiag
