#include "flow_index.h"

namespace tcpdiag {

namespace {
constexpr uint8_t kTcp = static_cast<uint8_t>(Transport::Tcp);

FlowKey key_of(const StreamState &stream) {
    return FlowKey::of(kTcp, stream.client(), stream.server());
}

auto same_flow(const FlowKey &key, const std::deque<StreamState> &streams) {
    return [&key, &streams](uint32_t stream) { return key_of(streams[stream]) == key; };
}
}  // namespace

void FlowIndex::add(uint32_t stream, const std::deque<StreamState> &streams) {
    const FlowKey key = key_of(streams[stream]);
    streams_by_flow_.put(FlowKeyHash()(key), stream, same_flow(key, streams),
                         [&streams](uint32_t other) { return FlowKeyHash()(key_of(streams[other])); });
}

bool FlowIndex::find(const Endpoint &a, const Endpoint &b, const std::deque<StreamState> &streams,
                     uint32_t &stream) const {
    const FlowKey key = FlowKey::of(kTcp, a, b);
    const uint32_t found = streams_by_flow_.find(FlowKeyHash()(key), same_flow(key, streams));
    if (found == IdTable::kNone) return false;
    stream = found;
    return true;
}

}  // namespace tcpdiag
