// The latest TCP stream of each address/port pair, either direction: ICMP errors that quote only
// 8 bytes of the TCP header carry no stream number, only addresses and ports. It stores stream
// numbers alone (about 8 bytes a stream) and asks the streams for their endpoints.
#pragma once

#include <cstdint>

#include "endpoint.h"
#include "id_table.h"
#include "observation.h"

namespace tcpdiag {

class FlowIndex {
  public:
    // `key_of(stream)` gives the flow (client, server) of a stream already seen.

    // `stream` has just started: it is now the latest stream between its endpoints.
    template <typename KeyOf>
    void add(uint32_t stream, KeyOf key_of) {
        const FlowKey key = key_of(stream);
        streams_by_flow_.put(
            FlowKeyHash()(key), stream, [&](uint32_t other) { return key_of(other) == key; },
            [&](uint32_t other) { return FlowKeyHash()(key_of(other)); });
    }
    // The latest stream between a and b, in either direction; false if there is none.
    template <typename KeyOf>
    bool find(const Endpoint &a, const Endpoint &b, KeyOf key_of, uint32_t &stream) const {
        const FlowKey key = FlowKey::of(static_cast<uint8_t>(Transport::Tcp), a, b);
        const uint32_t found =
            streams_by_flow_.find(FlowKeyHash()(key), [&](uint32_t other) { return key_of(other) == key; });
        if (found == IdTable::kNone) return false;
        stream = found;
        return true;
    }

  private:
    IdTable streams_by_flow_;
};

}  // namespace tcpdiag
