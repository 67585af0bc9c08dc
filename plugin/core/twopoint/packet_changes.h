// What differs between two captures of the same packet, one bit per header field.
#pragma once

#include <cstdint>
#include <string>

namespace tcpdiag {

namespace change {
constexpr uint32_t kAddress = 1u << 0;  // an IP address (NAT)
constexpr uint32_t kPort = 1u << 1;     // a port (NAPT)
constexpr uint32_t kSeq = 1u << 2;      // sequence number (a constant offset: randomising firewall)
constexpr uint32_t kAck = 1u << 3;
constexpr uint32_t kMss = 1u << 4;
constexpr uint32_t kWindowScale = 1u << 5;
constexpr uint32_t kSackPermitted = 1u << 6;
constexpr uint32_t kTimestamps = 1u << 7;
constexpr uint32_t kOptions = 1u << 8;  // other option kinds added or removed
constexpr uint32_t kWindow = 1u << 9;
constexpr uint32_t kTtl = 1u << 10;  // TTL / hop limit fell by more or less than on the rest of the path
constexpr uint32_t kIpId = 1u << 11;
constexpr uint32_t kPayload = 1u << 12;
constexpr uint32_t kLength = 1u << 13;
constexpr uint32_t kFlags = 1u << 14;
// Merged into one segment at one capture point, split at the other: TSO / GRO on a capturing host
// (or a middlebox that resegments). Bytes and numbers agree.
constexpr uint32_t kResegmented = 1u << 15;

// Address and port translation is what NAT is for; IP ID follows some NAT implementations; a
// capturing host's segmentation offload merges segments. A stream that only shows these crossed
// the path as intended.
constexpr uint32_t kExpected = kAddress | kPort | kIpId | kResegmented;
}  // namespace change

// "mss,window_scale": stable names, in bit order; "" when nothing changed.
std::string change_names(uint32_t changes);

}  // namespace tcpdiag
