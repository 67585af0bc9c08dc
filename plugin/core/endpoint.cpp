#include "endpoint.h"

#include <charconv>
#include <cstring>

namespace tcpdiag {

Address Address::ipv4(const uint8_t (&b)[4]) {
    return from_bytes(4, b);
}

// Written digit by digit into the caller's string: the streams table formats two endpoints a row,
// and snprintf for each of eight IPv6 words cost more than the rest of the row.
static void append_number(std::string &out, unsigned value, int base = 10) {
    char digits[12];
    const auto end = std::to_chars(digits, digits + sizeof digits, value, base).ptr;
    out.append(digits, end);
}

static void append_ipv6(std::string &out, const std::array<uint8_t, 16> &b) {
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
    const size_t start = out.size();
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (out.size() > start && out.back() != ':') out += ':';
        append_number(out, words[i], 16);
    }
}

static void append_address(std::string &out, const Address &a) {
    if (a.family == 4) {
        for (int i = 0; i < 4; ++i) {
            if (i) out += '.';
            append_number(out, a.bytes[i]);
        }
    } else if (a.family == 6) {
        append_ipv6(out, a.bytes);
    } else {
        out += '?';
    }
}

std::string to_string(const Address &a) {
    std::string out;
    append_address(out, a);
    return out;
}

std::string to_string(const Endpoint &e) {
    std::string out;
    out.reserve(48);
    if (e.address.family == 6) out += '[';
    append_address(out, e.address);
    if (e.address.family == 6) out += ']';
    out += ':';
    append_number(out, e.port);
    return out;
}

// By family, address bytes, port. The bytes are compared by memcmp, which orders unsigned bytes as
// std::array does, at a fraction of its byte-by-byte loop: every new stream and ICMP lookup asks.
static bool endpoint_less(const Endpoint &a, const Endpoint &b) {
    if (a.address.family != b.address.family) return a.address.family < b.address.family;
    const int bytes = std::memcmp(a.address.bytes.data(), b.address.bytes.data(), a.address.bytes.size());
    return bytes != 0 ? bytes < 0 : a.port < b.port;
}

FlowKey FlowKey::of(uint8_t transport, const Endpoint &a, const Endpoint &b) {
    FlowKey key;
    key.transport = transport;
    const bool a_first = endpoint_less(a, b);
    key.low = a_first ? a : b;
    key.high = a_first ? b : a;
    return key;
}

bool operator==(const FlowKey &a, const FlowKey &b) {
    return a.transport == b.transport && a.low == b.low && a.high == b.high;
}

size_t FlowKeyHash::operator()(const FlowKey &key) const noexcept {
    return static_cast<size_t>(hash_endpoint(hash_endpoint(key.transport, key.low), key.high));
}

}  // namespace tcpdiag
