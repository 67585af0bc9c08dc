#include "pair_matcher.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "packet_changes.h"
#include "packet_compare.h"
#include "packet_keys.h"

namespace tcpdiag {

namespace {

// Packets of one flow direction, by key, in capture order.
using Groups = std::unordered_map<uint64_t, std::vector<uint32_t>>;

// Copies of one key weighed pair by pair up to this many pairs; beyond, paired in order.
constexpr size_t kMaxCopyPairs = 4096;

uint32_t most_common(const std::vector<uint32_t> &values) {
    std::unordered_map<uint32_t, uint32_t> counts;
    uint32_t best = 0, best_count = 0;
    for (uint32_t v : values)
        if (++counts[v] > best_count) {
            best = v;
            best_count = counts[v];
        }
    return best;
}

int64_t median(std::vector<int64_t> values) {
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

// Flags and sequence number: one segment whatever was done to its payload. Pure ACKs share
// their sequence number with every other ACK of the direction, so they get a key of their own.
uint64_t sequence_key(const PacketSummary &p, uint32_t seq) {
    constexpr uint16_t kSynFinRst = 0x07;
    // UDP has no sequence number and every ping session numbers from 1: nothing to go by.
    if (p.transport != 6 || (p.payload_len == 0 && !(p.flags & kSynFinRst)))
        return key_mix(reinterpret_cast<uintptr_t>(&p), 2);
    return key_mix(key_mix(p.flags, seq), 1);
}

// A replay worth the name: a segment that carries something (data, SYN, FIN, RST), stamped by its
// sender. Pure ACKs repeat their stamps whenever a 16-bit IP ID wraps.
bool replayable(const PacketSummary &p) {
    constexpr uint16_t kSynFinRst = 0x07;
    return p.transport == 6 && has_stamp(p) && (p.payload_len > 0 || (p.flags & kSynFinRst));
}

// A copy made on the path has other header values than the packet it copies; the same packet
// captured twice (a SPAN of both directions, -i any on a bridge) has none.
bool differs(const PacketSummary &copy, const PacketSummary &original) {
    return (compare_packets(copy, original) & ~(change::kTtl | change::kAddress | change::kPort)) != 0;
}

// The stamp key, or one no other packet has when the sender stamped nothing.
uint64_t stamped_or_unique(const PacketSummary &p) {
    return has_stamp(p) ? stamp_key(p) : key_mix(reinterpret_cast<uintptr_t>(&p), 3);
}

class Matcher {
  public:
    Matcher(const FlowPair &pair, const Flow &lf, const std::vector<PacketSummary> &local, const Flow &pf,
            const std::vector<PacketSummary> &peer)
        : pair_(pair), lf_(lf), local_(local), pf_(pf), peer_(peer) {}

    PairMatches run() {
        estimate_sequence_offsets();
        match_round([this](const PacketSummary &p, int d) { return exact_key(p, mapped_seq(p, d), mapped_ack(p, d)); },
                    [](const PacketSummary &q, int) { return exact_key(q, q.seq, q.ack); });
        find_resegmented();
        match_round([this](const PacketSummary &p, int d) { return sequence_key(p, mapped_seq(p, d)); },
                    [](const PacketSummary &q, int) { return sequence_key(q, q.seq); });
        match_round([](const PacketSummary &p, int) { return stamped_or_unique(p); },
                    [](const PacketSummary &q, int) { return stamped_or_unique(q); });
        find_replays();
        return std::move(out_);
    }

  private:
    int local_dir(uint32_t i) const { return lf_.direction_of(local_[i]); }
    // The local direction a peer packet travels in.
    int peer_dir(uint32_t j) const { return pf_.direction_of(peer_[j]) ^ (pair_.flipped ? 1 : 0); }
    uint32_t mapped_seq(const PacketSummary &p, int d) const { return p.seq + out_.seq_offset[d]; }
    uint32_t mapped_ack(const PacketSummary &p, int d) const { return p.ack + out_.seq_offset[1 - d]; }

    // A middlebox that randomises initial sequence numbers adds one constant per direction.
    void estimate_sequence_offsets() {
        if (lf_.transport != 6) return;
        Groups peer_by_stamp[2];
        for (uint32_t j : pf_.packets)
            if (has_stamp(peer_[j])) peer_by_stamp[peer_dir(j)][stamp_key(peer_[j])].push_back(j);
        std::vector<uint32_t> offsets[2];
        for (uint32_t i : lf_.packets) {
            const int d = local_dir(i);
            if (!has_stamp(local_[i])) continue;
            auto it = peer_by_stamp[d].find(stamp_key(local_[i]));
            if (it != peer_by_stamp[d].end() && it->second.size() == 1)
                offsets[d].push_back(peer_[it->second.front()].seq - local_[i].seq);
        }
        for (int d = 0; d < 2; ++d) {
            if (offsets[d].empty()) offsets[d] = offsets_by_payload(d);
            if (!offsets[d].empty()) out_.seq_offset[d] = most_common(offsets[d]);
        }
    }

    // A SYN proxy translates the TCP timestamps too, so no stamps agree: segments whose payload
    // occurs once in each capture give the offset instead.
    std::vector<uint32_t> offsets_by_payload(int d) const {
        Groups local_by_content, peer_by_content;
        for (uint32_t i : lf_.packets)
            if (local_dir(i) == d && local_[i].payload_len) local_by_content[content_key(local_[i])].push_back(i);
        for (uint32_t j : pf_.packets)
            if (peer_dir(j) == d && peer_[j].payload_len) peer_by_content[content_key(peer_[j])].push_back(j);
        std::vector<uint32_t> offsets;
        for (const auto &[key, locals] : local_by_content) {
            auto it = peer_by_content.find(key);
            if (locals.size() == 1 && it != peer_by_content.end() && it->second.size() == 1)
                offsets.push_back(peer_[it->second.front()].seq - local_[locals.front()].seq);
        }
        return offsets;
    }

    template <typename LocalKey, typename PeerKey>
    void match_round(LocalKey local_key, PeerKey peer_key) {
        Groups local_groups[2], peer_groups[2];
        for (uint32_t i : lf_.packets)
            if (!local_done_.count(i)) local_groups[local_dir(i)][local_key(local_[i], local_dir(i))].push_back(i);
        for (uint32_t j : pf_.packets)
            if (!peer_done_.count(j)) peer_groups[peer_dir(j)][peer_key(peer_[j], peer_dir(j))].push_back(j);
        for (int d = 0; d < 2; ++d) {
            // Unambiguous first: they give the time shift that places the copies.
            for (auto &[key, locals] : local_groups[d]) {
                auto it = peer_groups[d].find(key);
                if (it != peer_groups[d].end() && locals.size() == 1 && it->second.size() == 1)
                    accept(locals.front(), it->second.front(), d);
            }
            const bool shift_known = !shifts_[d].empty();
            const int64_t shift = shift_known ? median(shifts_[d]) : 0;
            for (auto &[key, locals] : local_groups[d]) {
                auto it = peer_groups[d].find(key);
                if (it == peer_groups[d].end() || (locals.size() == 1 && it->second.size() == 1)) continue;
                if (locals.size() * it->second.size() > kMaxCopyPairs)
                    pair_in_order(locals, it->second, d);
                else
                    pair_copies(locals, it->second, d, shift_known, shift);
            }
        }
    }

    // Many packets alike (identical datagrams, a long run of duplicate ACKs): weighing every pair
    // would grow with the square, so they pair in capture order, as far as both lists go.
    void pair_in_order(const std::vector<uint32_t> &locals, const std::vector<uint32_t> &peers, int d) {
        size_t a = 0, b = 0;
        while (a < locals.size() && b < peers.size()) {
            if (local_done_.count(locals[a])) {
                ++a;
            } else if (peer_done_.count(peers[b])) {
                ++b;
            } else {
                accept(locals[a++], peers[b++], d);
            }
        }
    }

    // Retransmitted copies and duplicate ACKs: same stamps first, then nearest to the shift seen so far.
    void pair_copies(const std::vector<uint32_t> &locals, const std::vector<uint32_t> &peers, int d, bool shift_known,
                     int64_t shift) {
        struct Candidate {
            int64_t cost;
            uint32_t i, j;
        };
        std::vector<Candidate> candidates;
        for (size_t a = 0; a < locals.size(); ++a)
            for (size_t b = 0; b < peers.size(); ++b) {
                // Without a shift, copies pair in order.
                const int64_t gap = peer_[peers[b]].time_us - local_[locals[a]].time_us - shift;
                int64_t cost = shift_known ? std::llabs(gap) : std::llabs(int64_t(a) - int64_t(b));
                // The sender's own stamps (IP ID, timestamps) tell duplicate ACKs and copies apart.
                if (has_stamp(local_[locals[a]]) && stamp_key(local_[locals[a]]) == stamp_key(peer_[peers[b]]))
                    cost = -1;
                candidates.push_back({cost, locals[a], peers[b]});
            }
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const Candidate &x, const Candidate &y) { return x.cost < y.cost; });
        for (const Candidate &c : candidates)
            if (!local_done_.count(c.i) && !peer_done_.count(c.j)) accept(c.i, c.j, d);
    }

    void accept(uint32_t i, uint32_t j, int d) {
        local_done_[i] = j;
        peer_done_[j] = i;
        out_.matched.emplace_back(i, j);
        shifts_[d].push_back(peer_[j].time_us - local_[i].time_us);
    }

    // A packet left over whose sender's stamps equal a matched one: a copy made on the path.
    void find_replays() {
        Groups matched_local[2], matched_peer[2];
        for (auto &[i, j] : local_done_) {
            if (!has_stamp(local_[i])) continue;
            matched_local[local_dir(i)][stamp_key(local_[i])].push_back(i);
            matched_peer[peer_dir(j)][stamp_key(peer_[j])].push_back(j);
        }
        for (uint32_t i : lf_.packets) {
            if (local_done_.count(i) || !has_stamp(local_[i])) continue;
            auto it = matched_peer[local_dir(i)].find(stamp_key(local_[i]));
            if (it == matched_peer[local_dir(i)].end()) continue;
            const uint32_t j = it->second.front();
            if (!differs(local_[i], peer_[j]))
                out_.local_duplicates.emplace_back(i, j);
            else if (replayable(local_[i]))
                out_.local_replays.emplace_back(i, j);
        }
        for (uint32_t j : pf_.packets) {
            if (peer_done_.count(j) || !has_stamp(peer_[j])) continue;
            auto it = matched_local[peer_dir(j)].find(stamp_key(peer_[j]));
            if (it == matched_local[peer_dir(j)].end()) continue;
            const uint32_t i = it->second.front();
            if (!differs(peer_[j], local_[i]))
                out_.peer_duplicates.emplace_back(j, i);
            else if (replayable(peer_[j]))
                out_.peer_replays.emplace_back(j, i);
        }
    }

    // Segments that one capture point saw merged and the other split (TSO / GRO on the capturing
    // host, or a middlebox that resegments): leftovers on each side whose bytes the other side's
    // leftovers cover exactly. Matched segments never count, so a lost original stays lost even
    // when its retransmission crossed.
    void find_resegmented() {
        if (lf_.transport != 6) return;
        for (int d = 0; d < 2; ++d) {
            std::vector<Span> local_left, peer_left;
            const uint32_t base = base_seq(d);
            for (uint32_t i : lf_.packets)
                if (!local_done_.count(i) && local_dir(i) == d && local_[i].payload_len)
                    local_left.push_back({rel(mapped_seq(local_[i], d), base), local_[i].payload_len, i});
            for (uint32_t j : pf_.packets)
                if (!peer_done_.count(j) && peer_dir(j) == d && peer_[j].payload_len)
                    peer_left.push_back({rel(peer_[j].seq, base), peer_[j].payload_len, j});
            if (local_left.empty() || peer_left.empty()) continue;
            find_merges(local_left, peer_left, true, out_);
            find_merges(peer_left, local_left, false, out_);
        }
        // Taken: the later rounds must not pair them again.
        for (auto [i, j] : out_.local_resegmented) local_done_.emplace(i, j);
        for (auto [j, i] : out_.peer_resegmented) peer_done_.emplace(j, i);
    }

    struct Span {
        int64_t start;
        uint32_t len;
        uint32_t packet;
    };
    uint32_t base_seq(int d) const {
        for (uint32_t i : lf_.packets)
            if (local_dir(i) == d) return mapped_seq(local_[i], d);
        return 0;
    }
    static int64_t rel(uint32_t seq, uint32_t base) { return static_cast<int32_t>(seq - base); }

    // Each segment of `big` whose bytes are tiled exactly by two or more segments of `small`, which
    // lie wholly inside it: (big, small) for all of them. One-for-one leftovers are not merges:
    // they are left to the rounds that judge rewritten payloads.
    static void find_merges(const std::vector<Span> &big, std::vector<Span> small, bool big_is_local,
                            PairMatches &out) {
        std::sort(small.begin(), small.end(), [](const Span &a, const Span &b) { return a.start < b.start; });
        for (const Span &seg : big) {
            const int64_t end = seg.start + int64_t(seg.len);
            auto it = std::lower_bound(small.begin(), small.end(), seg.start,
                                       [](const Span &s, int64_t v) { return s.start < v; });
            int64_t covered_to = seg.start;
            std::vector<uint32_t> pieces;
            for (; it != small.end() && it->start <= covered_to && it->start + int64_t(it->len) <= end; ++it) {
                covered_to = std::max(covered_to, it->start + int64_t(it->len));
                pieces.push_back(it->packet);
            }
            if (covered_to != end || pieces.size() < 2) continue;
            for (uint32_t piece : pieces) {
                if (big_is_local) {
                    out.local_resegmented.emplace_back(seg.packet, piece);
                    out.peer_resegmented.emplace_back(piece, seg.packet);
                } else {
                    out.peer_resegmented.emplace_back(seg.packet, piece);
                    out.local_resegmented.emplace_back(piece, seg.packet);
                }
            }
        }
    }

    const FlowPair &pair_;
    const Flow &lf_;
    const std::vector<PacketSummary> &local_;
    const Flow &pf_;
    const std::vector<PacketSummary> &peer_;
    PairMatches out_;
    std::unordered_map<uint32_t, uint32_t> local_done_, peer_done_;
    std::vector<int64_t> shifts_[2];
};

}  // namespace

PairMatches match_pair(const FlowPair &pair, const Flow &local_flow, const std::vector<PacketSummary> &local,
                       const Flow &peer_flow, const std::vector<PacketSummary> &peer) {
    return Matcher(pair, local_flow, local, peer_flow, peer).run();
}

}  // namespace tcpdiag
