// Which header fields differ between this capture's copy of a packet and the peer's.
#pragma once

#include <cstdint>

#include "packet_summary.h"

namespace tcpdiag {

// change:: bits; TTL is judged per direction afterwards, against the path's usual hop count.
uint32_t compare_packets(const PacketSummary &here, const PacketSummary &there);

}  // namespace tcpdiag
