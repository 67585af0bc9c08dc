#include "flow_pairing.h"

#include <unordered_map>

#include "../endpoint.h"
#include "key_index.h"
#include "packet_keys.h"

namespace tcpdiag {

namespace {

// Enough packets to recognise a flow; the rest would only repeat the vote.
constexpr size_t kVotingPackets = 32;
// A key shared by more packets than this (empty keep-alives, say) says nothing about the flow.
constexpr ptrdiff_t kAmbiguousKey = 8;

struct Vote {
    uint32_t peer_flow;
    bool flipped;
    uint32_t count;
};

void add_vote(std::vector<Vote> &votes, uint32_t flow, bool flipped) {
    for (Vote &v : votes)
        if (v.peer_flow == flow && v.flipped == flipped) {
            ++v.count;
            return;
        }
    votes.push_back({flow, flipped, 1});
}

bool same_ends(const Flow &a, const Flow &b, bool flipped) {
    return a.ends[0] == b.ends[flipped ? 1 : 0] && a.ends[1] == b.ends[flipped ? 0 : 1];
}

}  // namespace

std::vector<FlowPair> pair_flows(const FlowTable &local_flows, const std::vector<PacketSummary> &local,
                                 const FlowTable &peer_flows, const std::vector<PacketSummary> &peer) {
    KeyIndex exact, stamped;
    for (uint32_t i = 0; i < peer.size(); ++i) {
        exact.add(exact_key(peer[i], peer[i].seq, peer[i].ack), i);
        if (has_stamp(peer[i])) stamped.add(stamp_key(peer[i]), i);
    }
    exact.seal();
    stamped.seal();
    std::unordered_map<FlowKey, std::vector<uint32_t>, FlowKeyHash> peer_by_tuple;
    for (uint32_t f = 0; f < peer_flows.flows.size(); ++f) {
        const Flow &flow = peer_flows.flows[f];
        peer_by_tuple[FlowKey::of(flow.transport, flow.ends[0], flow.ends[1])].push_back(f);
    }

    std::vector<bool> taken(peer_flows.flows.size(), false), paired(local_flows.flows.size(), false);
    std::vector<FlowPair> pairs;
    for (uint32_t lf = 0; lf < local_flows.flows.size(); ++lf) {
        const Flow &flow = local_flows.flows[lf];
        std::vector<Vote> votes;
        for (size_t k = 0; k < flow.packets.size() && k < kVotingPackets; ++k) {
            const PacketSummary &p = local[flow.packets[k]];
            auto range = exact.find(exact_key(p, p.seq, p.ack));
            if (range.first == range.second && has_stamp(p)) range = stamped.find(stamp_key(p));
            if (range.second - range.first > kAmbiguousKey) continue;
            for (auto *e = range.first; e != range.second; ++e) {
                const uint32_t pf = peer_flows.flow_of[e->second];
                const bool flipped = flow.direction_of(p) != peer_flows.flows[pf].direction_of(peer[e->second]);
                add_vote(votes, pf, flipped);
            }
        }
        const Vote *best = nullptr;
        for (const Vote &v : votes) {
            if (taken[v.peer_flow]) continue;
            const bool better = !best || v.count > best->count ||
                                (v.count == best->count && same_ends(flow, peer_flows.flows[v.peer_flow], v.flipped));
            if (better) best = &v;
        }
        if (best) {
            taken[best->peer_flow] = true;
            paired[lf] = true;
            pairs.push_back({lf, best->peer_flow, best->flipped, true});
        }
    }
    // Nothing shared: the same tuple, if the peer has it (every packet lost or changed).
    for (uint32_t lf = 0; lf < local_flows.flows.size(); ++lf) {
        if (paired[lf]) continue;
        const Flow &flow = local_flows.flows[lf];
        auto it = peer_by_tuple.find(FlowKey::of(flow.transport, flow.ends[0], flow.ends[1]));
        if (it == peer_by_tuple.end()) continue;
        for (uint32_t pf : it->second) {
            if (taken[pf]) continue;
            taken[pf] = true;
            pairs.push_back({lf, pf, !(peer_flows.flows[pf].ends[0] == flow.ends[0]), false});
            break;
        }
    }
    return pairs;
}

}  // namespace tcpdiag
