#include "flow_table.h"

#include <unordered_map>

#include "../endpoint.h"
#include "../observation.h"

namespace tcpdiag {

namespace {

void add_packet(Flow &flow, uint32_t index, const PacketSummary &p) {
    if (flow.packets.empty()) {
        flow.transport = p.transport;
        flow.ends[0] = p.src;
        flow.ends[1] = p.dst;
    }
    flow.packets.push_back(index);
    const bool syn_only = (p.flags & (tcp_flag::kSyn | tcp_flag::kAck)) == tcp_flag::kSyn;
    if (syn_only && !flow.has_syn) {
        flow.has_syn = true;
        flow.syn_seq = p.seq;
    }
    if (p.flags & (tcp_flag::kFin | tcp_flag::kRst)) flow.closed = true;
}

// A SYN that cannot belong to the flow so far: another initial sequence number, or any SYN once
// the flow has closed without one.
bool starts_new_connection(const Flow &flow, const PacketSummary &p) {
    if (p.transport != 6 || (p.flags & (tcp_flag::kSyn | tcp_flag::kAck)) != tcp_flag::kSyn) return false;
    if (flow.has_syn) return p.seq != flow.syn_seq;
    return flow.closed;
}

}  // namespace

FlowTable FlowTable::by_tuple(const std::vector<PacketSummary> &packets) {
    FlowTable table;
    table.flow_of.resize(packets.size());
    std::unordered_map<FlowKey, uint32_t, FlowKeyHash> current;
    for (uint32_t i = 0; i < packets.size(); ++i) {
        const PacketSummary &p = packets[i];
        const FlowKey key = FlowKey::of(p.transport, p.src, p.dst);
        auto it = current.find(key);
        if (it == current.end() || starts_new_connection(table.flows[it->second], p)) {
            table.flows.emplace_back();
            current[key] = static_cast<uint32_t>(table.flows.size() - 1);
            it = current.find(key);
        }
        add_packet(table.flows[it->second], i, p);
        table.flow_of[i] = it->second;
    }
    return table;
}

FlowTable FlowTable::by_stream(const std::vector<PacketSummary> &packets, const std::vector<uint64_t> &stream_ids) {
    FlowTable table;
    table.flow_of.resize(packets.size());
    std::unordered_map<uint64_t, uint32_t> index;
    for (uint32_t i = 0; i < packets.size(); ++i) {
        auto [it, added] = index.try_emplace(stream_ids[i], static_cast<uint32_t>(table.flows.size()));
        if (added) table.flows.emplace_back();
        add_packet(table.flows[it->second], i, packets[i]);
        table.flow_of[i] = it->second;
    }
    return table;
}

}  // namespace tcpdiag
