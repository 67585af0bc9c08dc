#include "correlation.h"

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_map>

#include "../observation.h"
#include "flow_pairing.h"
#include "flow_table.h"
#include "packet_compare.h"
#include "pair_matcher.h"

namespace tcpdiag {

const char *path_verdict_name(PathVerdict verdict) {
    switch (verdict) {
        case PathVerdict::InjectedInPath: return "injected_in_path";
        case PathVerdict::NoResponseConfirmed: return "no_response_confirmed";
        case PathVerdict::DroppedInPath: return "dropped_in_path";
        case PathVerdict::ModifiedInPath: return "modified_in_path";
        case PathVerdict::SameAtBothEnds: return "same_at_both_ends";
        case PathVerdict::NotCovered: return "not_covered";
        case PathVerdict::NotInPeerCapture: return "not_in_peer_capture";
    }
    return "not_in_peer_capture";
}

namespace {

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
// Claims near the edge of the other capture need room for the packet's flight.
constexpr int64_t kMinFlightMarginUs = 10'000;
constexpr int64_t kUnknownClockMarginUs = 1'000'000;

enum Side : int8_t { kUnknownSide = 0, kOutbound = 1, kInbound = -1 };

bool syn_only(const PacketSummary &p) {
    return (p.flags & (tcp_flag::kSyn | tcp_flag::kAck)) == tcp_flag::kSyn;
}

// The direction of the flow's first SYN without ACK, -1 if none.
int syn_direction(const Flow &flow, const std::vector<PacketSummary> &packets) {
    for (uint32_t i : flow.packets)
        if (syn_only(packets[i])) return flow.direction_of(packets[i]);
    return -1;
}

// Sent by a host on this very link: the TTL is still one a stack starts with.
bool sent_here(uint8_t ttl) {
    return ttl == 64 || ttl == 128 || ttl == 255 || ttl == 32;
}

class Correlator {
  public:
    Correlator(const std::vector<LocalPacket> &local, const std::vector<PacketSummary> &peer, TimeSpan local_span,
               TimeSpan peer_span, uint64_t peer_capture_drops)
        : peer_(peer), local_span_(local_span), peer_span_(peer_span) {
        out_.peer_capture_drops = peer_capture_drops;
        local_.reserve(local.size());
        std::vector<uint64_t> streams;
        streams.reserve(local.size());
        for (const LocalPacket &lp : local) {
            local_.push_back(lp.packet);
            streams.push_back(uint64_t(lp.packet.transport) << 32 | lp.stream);
            local_span_.add(lp.packet.time_us);
        }
        for (const PacketSummary &p : peer_) peer_span_.add(p.time_us);
        local_flows_ = FlowTable::by_stream(local_, streams);
        peer_flows_ = FlowTable::by_tuple(peer_);
        out_.local_packets = static_cast<uint32_t>(local_.size());
        out_.peer_packets = static_cast<uint32_t>(peer_.size());
        out_.frames.resize(local_.size());
        stream_of_.reserve(local.size());
        for (const LocalPacket &lp : local) stream_of_.push_back(lp.stream);
    }

    Correlation run() {
        pairs_ = pair_flows(local_flows_, local_, peer_flows_, peer_);
        peer_flow_pair_.assign(peer_flows_.flows.size(), -1);
        local_flow_pair_.assign(local_flows_.flows.size(), -1);
        peer_matched_.assign(peer_.size(), false);
        for (size_t k = 0; k < pairs_.size(); ++k) {
            peer_flow_pair_[pairs_[k].peer_flow] = static_cast<int>(k);
            local_flow_pair_[pairs_[k].local_flow] = static_cast<int>(k);
            matches_.push_back(match_pair(pairs_[k], local_flows_.flows[pairs_[k].local_flow], local_,
                                          peer_flows_.flows[pairs_[k].peer_flow], peer_));
            record_matches(k);
        }
        sides_.assign(local_flows_.flows.size(), {kUnknownSide, kUnknownSide});
        for (size_t k = 0; k < pairs_.size(); ++k) orient_by_matches(k);
        orient_the_rest();
        estimate_clock();
        judge_problem();
        classify_unmatched_local();
        for (uint32_t f = 0; f < local_flows_.flows.size(); ++f) out_.streams.push_back(stream_path(f));
        collect_peer_only();
        return std::move(out_);
    }

  private:
    int local_dir(uint32_t i) const { return local_flows_.flows[local_flows_.flow_of[i]].direction_of(local_[i]); }

    void record_matches(size_t k) {
        // Hop count of the path per direction: the usual TTL drop; a different one is a change.
        std::vector<int> drops[2];
        for (auto [i, j] : matches_[k].matched) drops[local_dir(i)].push_back(int(local_[i].ttl) - int(peer_[j].ttl));
        int usual[2] = {0, 0};
        for (int d = 0; d < 2; ++d) {
            std::vector<int> sorted = drops[d];
            std::sort(sorted.begin(), sorted.end());
            if (!sorted.empty()) usual[d] = sorted[sorted.size() / 2];
        }
        for (auto [i, j] : matches_[k].matched) {
            FrameMatch &m = out_.frames[i];
            m.status = PeerStatus::Seen;
            m.peer_frame = peer_[j].frame;
            m.shift_us = peer_[j].time_us - local_[i].time_us;
            m.changes = compare_packets(local_[i], peer_[j]);
            if (int(local_[i].ttl) - int(peer_[j].ttl) != usual[local_dir(i)]) m.changes |= change::kTtl;
            peer_matched_[j] = true;
            ++out_.matched_packets;
        }
        // Merged at one capture point, split at the other; and packets one capture holds twice.
        for (auto [i, j] : matches_[k].local_resegmented) mark_seen(i, j, change::kResegmented);
        for (auto [j, i] : matches_[k].peer_resegmented) peer_matched_[j] = true;
        for (auto [i, j] : matches_[k].local_duplicates) mark_seen(i, j, 0);
        for (auto [j, i] : matches_[k].peer_duplicates) peer_matched_[j] = true;
    }

    void mark_seen(uint32_t i, uint32_t j, uint32_t changes) {
        FrameMatch &m = out_.frames[i];
        m.status = PeerStatus::Seen;
        m.peer_frame = peer_[j].frame;
        m.shift_us = peer_[j].time_us - local_[i].time_us;
        m.changes = changes;
    }

    // The packet is older at the capture point it reaches first: higher TTL, earlier time.
    void orient_by_matches(size_t k) {
        const uint32_t lf = pairs_[k].local_flow;
        int ttl_vote[2] = {0, 0};
        std::vector<int64_t> shifts[2];
        for (auto [i, j] : matches_[k].matched) {
            const int d = local_dir(i);
            ttl_vote[d] += local_[i].ttl > peer_[j].ttl ? 1 : local_[i].ttl < peer_[j].ttl ? -1 : 0;
            shifts[d].push_back(peer_[j].time_us - local_[i].time_us);
        }
        auto &side = sides_[lf];
        for (int d = 0; d < 2; ++d)
            if (ttl_vote[d]) side[d] = ttl_vote[d] > 0 ? kOutbound : kInbound;
        if (!side[0] && !side[1] && !shifts[0].empty() && !shifts[1].empty()) {
            // Same TTL at both points: the direction that takes longer (peer minus here) goes out.
            const int64_t s0 = *std::min_element(shifts[0].begin(), shifts[0].end());
            const int64_t s1 = *std::min_element(shifts[1].begin(), shifts[1].end());
            if (s0 != s1) side[0] = s0 > s1 ? kOutbound : kInbound;
        }
        complete(side);
        for (int d = 0; d < 2; ++d)
            if (side[d]) vote_address(local_flows_.flows[lf].ends[d].address, side[d]);
    }

    static void complete(std::array<Side, 2> &side) {
        if (!side[0] && side[1]) side[0] = Side(-side[1]);
        if (!side[1] && side[0]) side[1] = Side(-side[0]);
    }

    void vote_address(const Address &a, Side side) { address_side_[FlowKey::of(0, {a, 0}, {a, 0})] += side; }

    Side side_of_address(const Address &a) const {
        auto it = address_side_.find(FlowKey::of(0, {a, 0}, {a, 0}));
        if (it == address_side_.end()) return kUnknownSide;
        return it->second > 0 ? kOutbound : it->second < 0 ? kInbound : kUnknownSide;
    }

    // Streams without a telling match: by what their addresses did elsewhere, else by a TTL no
    // router has decremented yet.
    void orient_the_rest() {
        for (uint32_t f = 0; f < local_flows_.flows.size(); ++f) {
            auto &side = sides_[f];
            const Flow &flow = local_flows_.flows[f];
            for (int d = 0; d < 2 && !side[0] && !side[1]; ++d) side[d] = side_of_address(flow.ends[d].address);
            complete(side);
            if (side[0] || side[1]) continue;
            for (uint32_t i : flow.packets)
                if (sent_here(local_[i].ttl)) {
                    side[local_dir(i)] = kOutbound;
                    break;
                }
            complete(side);
        }
    }

    // NTP-style from the fastest packet each way: out = offset + delay, in = offset - delay. Per
    // stream, then the median over streams: one false match cannot move every stream's clock.
    void estimate_clock() {
        int64_t fastest_out = kNoTime, fastest_in = kNoTime;
        std::vector<int64_t> offsets;
        for (size_t k = 0; k < pairs_.size(); ++k) {
            int64_t out = kNoTime, in = kNoTime;
            for (auto [i, j] : matches_[k].matched) {
                const Side s = sides_[pairs_[k].local_flow][local_dir(i)];
                const int64_t shift = peer_[j].time_us - local_[i].time_us;
                if (s == kOutbound && (out == kNoTime || shift < out)) out = shift;
                if (s == kInbound && (in == kNoTime || shift > in)) in = shift;
            }
            if (out != kNoTime && in != kNoTime) offsets.push_back((out + in) / 2);
            if (out != kNoTime && (fastest_out == kNoTime || out < fastest_out)) fastest_out = out;
            if (in != kNoTime && (fastest_in == kNoTime || in > fastest_in)) fastest_in = in;
        }
        if (!offsets.empty()) {
            std::nth_element(offsets.begin(), offsets.begin() + offsets.size() / 2, offsets.end());
            out_.clock_offset_known = true;
            out_.clock_offset_us = offsets[offsets.size() / 2];
        } else if (fastest_out != kNoTime && fastest_in != kNoTime) {
            out_.clock_offset_known = true;  // each direction matched only in other streams
            out_.clock_offset_us = (fastest_out + fastest_in) / 2;
        } else {
            // One way only: take the fastest packet as instant; no delay can be told.
            out_.clock_offset_us = fastest_out != kNoTime ? fastest_out : fastest_in != kNoTime ? fastest_in : 0;
        }
        // The slow end of the flights bounds the margin: the 95th percentile, so a stray match
        // cannot widen it (with the offset from one direction, the spread of the shifts).
        std::vector<int64_t> delays;
        const bool any_match = fastest_out != kNoTime || fastest_in != kNoTime;
        for (size_t k = 0; k < pairs_.size(); ++k)
            for (auto [i, j] : matches_[k].matched) {
                FrameMatch &m = out_.frames[i];
                m.outbound = sides_[pairs_[k].local_flow][local_dir(i)] == kOutbound;
                const int64_t delay =
                    m.outbound ? m.shift_us - out_.clock_offset_us : out_.clock_offset_us - m.shift_us;
                delays.push_back(delay < 0 ? -delay : delay);
                if (!out_.clock_offset_known) continue;
                m.delay_known = true;
                m.delay_us = delay;
            }
        int64_t slow = 0;
        if (!delays.empty()) {
            const size_t at = delays.size() * 95 / 100;
            std::nth_element(delays.begin(), delays.begin() + at, delays.end());
            slow = delays[at];
        }
        margin_us_ = any_match ? std::max(kMinFlightMarginUs, 4 * slow) : kUnknownClockMarginUs;
    }

    void judge_problem() {
        const bool overlap = !local_span_.empty() && !peer_span_.empty() &&
                             peer_span_.first <= local_span_.last + margin_us_ &&
                             local_span_.first <= peer_span_.last + margin_us_;
        if (out_.matched_packets == 0 && !overlap) {
            out_.problem = peer_.empty() ? "the peer capture has no TCP or UDP packet"
                                         : "no packet is in both captures and their times do not overlap: not a "
                                           "capture of the same traffic";
            unrelated_ = true;
        } else if (out_.matched_packets == 0) {
            out_.problem = "no packet is in both captures; their clocks are taken to agree";
        } else if (!out_.clock_offset_known) {
            out_.problem = "packets matched in one direction only: clock offset and delays unknown";
        }
    }

    // Would the peer's capture point have seen this packet, had it passed? (its clock: + offset)
    bool peer_was_capturing(int64_t local_time, Side side) const {
        if (peer_span_.empty()) return false;
        const int64_t t = local_time + out_.clock_offset_us;
        return side == kOutbound ? t >= peer_span_.first && t + margin_us_ <= peer_span_.last
                                 : t - margin_us_ >= peer_span_.first && t <= peer_span_.last;
    }
    bool here_was_capturing(int64_t peer_time, Side side_here) const {
        const int64_t t = peer_time - out_.clock_offset_us;
        return side_here == kInbound ? t >= local_span_.first && t + margin_us_ <= local_span_.last
                                     : t - margin_us_ >= local_span_.first && t <= local_span_.last;
    }

    void classify_unmatched_local() {
        if (unrelated_) return;
        for (const PairMatches &pm : matches_)
            for (auto [i, j] : pm.local_replays) {
                out_.frames[i].status = PeerStatus::Replayed;
                out_.frames[i].peer_frame = peer_[j].frame;
                out_.frames[i].changes = compare_packets(local_[i], peer_[j]);
            }
        for (uint32_t i = 0; i < local_.size(); ++i) {
            FrameMatch &m = out_.frames[i];
            const Side side = sides_[local_flows_.flow_of[i]][local_dir(i)];
            m.outbound = side == kOutbound;
            if (m.status == PeerStatus::Replayed && side != kInbound) {
                // Sent from here twice and passed there once: that copy is judged as any leftover
                // (lost, if the peer was capturing); with the side unknown, no claim.
                m.status = PeerStatus::Unknown;
                m.peer_frame = 0;
                m.changes = 0;
            }
            if (m.status != PeerStatus::Unknown || side == kUnknownSide) continue;
            if (peer_was_capturing(local_[i].time_us, side))
                m.status = side == kOutbound ? PeerStatus::Dropped : PeerStatus::Injected;
        }
    }

    StreamPath stream_path(uint32_t f) {
        const Flow &flow = local_flows_.flows[f];
        StreamPath sp;
        sp.transport = flow.transport;
        sp.stream = stream_of_[flow.packets.front()];
        bool syn_seen_there = false, answered = false;
        // The SYN's receiver answered if anything came back from it (SYN/ACK or RST).
        const int local_syn_dir = syn_direction(flow, local_);
        for (uint32_t i : flow.packets) {
            const FrameMatch &m = out_.frames[i];
            answered |= local_syn_dir >= 0 && flow.direction_of(local_[i]) != local_syn_dir;
            switch (m.status) {
                case PeerStatus::Seen:
                    ++sp.matched;
                    sp.changes |= m.changes;
                    syn_seen_there |= syn_only(local_[i]);
                    if ((m.changes & ~change::kExpected) && !sp.evidence_frame) sp.evidence_frame = local_[i].frame;
                    break;
                case PeerStatus::Dropped: ++sp.dropped_out; break;
                case PeerStatus::Injected:
                case PeerStatus::Replayed: ++sp.injected_here; break;
                case PeerStatus::Unknown:
                    // Sent while the peer capture was not running, or from a side not known: no claim.
                    ++sp.uncovered;
                    if (!sp.first_uncovered) sp.first_uncovered = local_[i].frame;
                    break;
            }
        }
        const int k = local_flow_pair_[f];
        uint32_t first_injected_there = 0, first_dropped_in = 0;
        if (k >= 0 && !unrelated_) {
            const FlowPair &pair = pairs_[k];
            const Flow &pf = peer_flows_.flows[pair.peer_flow];
            sp.peer_flow_found = true;
            sp.peer_a = pf.ends[pair.flipped ? 1 : 0];
            sp.peer_b = pf.ends[pair.flipped ? 0 : 1];
            sp.seq_offset[0] = matches_[k].seq_offset[0];
            sp.seq_offset[1] = matches_[k].seq_offset[1];
            // A copy the peer has twice: arrived there, this side sent it once (injected); sent from
            // there, a copy that never arrived here is counted with the losses below.
            for (auto [j, i] : matches_[k].peer_replays) {
                const int d = pf.direction_of(peer_[j]) ^ (pair.flipped ? 1 : 0);
                if (sides_[f][d] != kOutbound) continue;
                ++sp.injected_there;
                if (!first_injected_there) first_injected_there = peer_[j].frame;
                peer_matched_[j] = true;  // accounted for
            }
            const int peer_syn_dir = syn_direction(pf, peer_);
            for (uint32_t j : pf.packets) {
                answered |= peer_syn_dir >= 0 && pf.direction_of(peer_[j]) != peer_syn_dir;
                if (peer_matched_[j]) continue;
                const int d = pf.direction_of(peer_[j]) ^ (pair.flipped ? 1 : 0);
                const Side side = sides_[f][d];
                if (side == kUnknownSide || !here_was_capturing(peer_[j].time_us, side)) {
                    ++sp.uncovered;
                    continue;
                }
                if (side == kInbound) {
                    ++sp.dropped_in;
                    if (!first_dropped_in) first_dropped_in = peer_[j].frame;
                } else {
                    ++sp.injected_there;
                    if (!first_injected_there) first_injected_there = peer_[j].frame;
                }
            }
        }
        sp.verdict = verdict_of(sp, flow, syn_seen_there, answered);
        if (out_.peer_capture_drops && rests_on_peer_gaps(sp)) {
            sp.verdict = PathVerdict::NotCovered;
            sp.peer_capture_dropped = true;
        }
        pick_evidence(sp, flow, first_injected_there, first_dropped_in);
        return sp;
    }

    PathVerdict verdict_of(const StreamPath &sp, const Flow &flow, bool syn_seen_there, bool answered) const {
        if (sp.injected_here || sp.injected_there) return PathVerdict::InjectedInPath;
        if (flow.transport == 6 && syn_seen_there && !answered) return PathVerdict::NoResponseConfirmed;
        if (sp.dropped_out || sp.dropped_in) return PathVerdict::DroppedInPath;
        if (sp.changes & ~change::kExpected) return PathVerdict::ModifiedInPath;
        // Both captures must have run over the whole stream to say it crossed unchanged.
        if (sp.matched && sp.uncovered) return PathVerdict::NotCovered;
        if (sp.matched) return PathVerdict::SameAtBothEnds;
        return PathVerdict::NotInPeerCapture;
    }

    // Only packets missing from the peer capture show the loss or forgery: if its capturing host
    // dropped packets, they may be among those, and the path is not proven guilty.
    static bool rests_on_peer_gaps(const StreamPath &sp) {
        return (sp.verdict == PathVerdict::DroppedInPath || sp.verdict == PathVerdict::InjectedInPath) &&
               sp.dropped_in == 0 && sp.injected_there == 0;
    }

    void pick_evidence(StreamPath &sp, const Flow &flow, uint32_t first_injected_there, uint32_t first_dropped_in) {
        auto first_local = [&](auto wanted) -> uint32_t {
            for (uint32_t i : flow.packets)
                if (wanted(out_.frames[i], local_[i])) return local_[i].frame;
            return 0;
        };
        switch (sp.verdict) {
            case PathVerdict::InjectedInPath:
                sp.evidence_frame = first_local([](const FrameMatch &m, const PacketSummary &) {
                    return m.status == PeerStatus::Injected || m.status == PeerStatus::Replayed;
                });
                sp.evidence_peer_frame = first_injected_there;
                break;
            case PathVerdict::NoResponseConfirmed:
                sp.evidence_frame = first_local([](const FrameMatch &m, const PacketSummary &p) {
                    return m.status == PeerStatus::Seen && syn_only(p);
                });
                break;
            case PathVerdict::DroppedInPath:
                sp.evidence_frame = first_local(
                    [](const FrameMatch &m, const PacketSummary &) { return m.status == PeerStatus::Dropped; });
                sp.evidence_peer_frame = first_dropped_in;
                break;
            case PathVerdict::ModifiedInPath: break;  // set while counting: the first changed packet
            case PathVerdict::NotCovered:
                sp.evidence_frame =
                    sp.peer_capture_dropped ? first_local([](const FrameMatch &m, const PacketSummary &) {
                        return m.status == PeerStatus::Dropped || m.status == PeerStatus::Injected ||
                               m.status == PeerStatus::Replayed;
                    })
                                            : sp.first_uncovered;
                break;
            case PathVerdict::SameAtBothEnds:
            case PathVerdict::NotInPeerCapture: sp.evidence_frame = 0; break;
        }
    }

    void collect_peer_only() {
        if (unrelated_) return;
        for (uint32_t pf = 0; pf < peer_flows_.flows.size(); ++pf) {
            if (peer_flow_pair_[pf] >= 0) continue;
            const Flow &flow = peer_flows_.flows[pf];
            PeerOnlyFlow po;
            po.transport = flow.transport;
            po.a = flow.ends[0];
            po.b = flow.ends[1];
            po.packets = static_cast<uint32_t>(flow.packets.size());
            po.first_frame = peer_[flow.packets.front()].frame;
            // Sent from the peer's side (its address is known to be over there, or the packet
            // still has a sender's initial TTL at the peer) while this capture ran.
            const PacketSummary &first = peer_[flow.packets.front()];
            const Side sender = side_of_address(first.src.address);
            const bool from_there = sender == kInbound || (sender == kUnknownSide && sent_here(first.ttl));
            po.lost_toward_here = from_there && here_was_capturing(first.time_us, kInbound);
            out_.peer_only.push_back(po);
        }
    }

    const std::vector<PacketSummary> &peer_;
    std::vector<PacketSummary> local_;
    std::vector<uint32_t> stream_of_;
    TimeSpan local_span_, peer_span_;
    FlowTable local_flows_, peer_flows_;
    std::vector<FlowPair> pairs_;
    std::vector<PairMatches> matches_;
    std::vector<int> peer_flow_pair_, local_flow_pair_;
    std::vector<bool> peer_matched_;
    std::vector<std::array<Side, 2>> sides_;
    // Which side of the path each address sends from: + here, - there (keyed as a flow to itself).
    std::unordered_map<FlowKey, int, FlowKeyHash> address_side_;
    int64_t margin_us_ = kUnknownClockMarginUs;
    bool unrelated_ = false;
    Correlation out_;
};

}  // namespace

Correlation correlate(const std::vector<LocalPacket> &local, const std::vector<PacketSummary> &peer,
                      TimeSpan local_span, TimeSpan peer_span, uint64_t peer_capture_drops) {
    return Correlator(local, peer, local_span, peer_span, peer_capture_drops).run();
}

}  // namespace tcpdiag
