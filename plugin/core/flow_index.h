// The latest TCP stream of each address/port pair, either direction: ICMP errors that quote only
// 8 bytes of the TCP header carry no stream number, only addresses and ports. It stores stream
// numbers alone (about 8 bytes a stream) and compares against the streams' own endpoints.
#pragma once

#include <cstdint>
#include <deque>

#include "endpoint.h"
#include "id_table.h"
#include "stream_state.h"

namespace tcpdiag {

class FlowIndex {
  public:
    // `streams[stream]` has just started: it is now the latest stream between its endpoints.
    void add(uint32_t stream, const std::deque<StreamState> &streams);
    // The latest stream between a and b, in either direction; false if there is none.
    bool find(const Endpoint &a, const Endpoint &b, const std::deque<StreamState> &streams, uint32_t &stream) const;

  private:
    IdTable streams_by_flow_;
};

}  // namespace tcpdiag
