#include "endpoint.h"

#include <cstdio>
#include <tuple>

namespace tcpdiag {

Address Address::ipv4(const uint8_t (&b)[4]) {
    return from_bytes(4, b);
}

static std::string ipv6_to_string(const std::array<uint8_t, 16> &b) {
    uint16_t words[8];
    for (int i = 0; i < 8; ++i) words[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
    // RFC 5952: compress the longest run (two or more) of zero words, the first one on a tie.
    int best_start = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && words[j] == 0) ++j;
        if (j - i > best_len) {
            best_start = i;
            best_len = j - i;
        }
        i = (j == i) ? i + 1 : j;
    }
    std::string out;
    char part[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(part, sizeof part, "%x", words[i]);
        out += part;
    }
    return out;
}

std::string to_string(const Address &a) {
    if (a.family == 4) {
        char text[16];
        std::snprintf(text, sizeof text, "%u.%u.%u.%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
        return text;
    }
    if (a.family == 6) return ipv6_to_string(a.bytes);
    return "?";
}

std::string to_string(const Endpoint &e) {
    std::string host = to_string(e.address);
    if (e.address.family == 6) host = "[" + host + "]";
    return host + ":" + std::to_string(e.port);
}

static bool endpoint_less(const Endpoint &a, const Endpoint &b) {
    return std::tie(a.address.family, a.address.bytes, a.port) < std::tie(b.address.family, b.address.bytes, b.port);
}

FlowKey FlowKey::of(uint8_t transport, const Endpoint &a, const Endpoint &b) {
    FlowKey key;
    key.transport = transport;
    key.low = endpoint_less(a, b) ? a : b;
    key.high = endpoint_less(a, b) ? b : a;
    return key;
}

bool operator==(const FlowKey &a, const FlowKey &b) {
    return a.transport == b.transport && a.low == b.low && a.high == b.high;
}

size_t FlowKeyHash::operator()(const FlowKey &key) const noexcept {
    return static_cast<size_t>(hash_endpoint(hash_endpoint(key.transport, key.low), key.high));
}

}  // namespace tcpdiag
