#include "analyzer.h"

#include <algorithm>

#include "icmp_codes.h"
#include "idle_gap.h"

namespace tcpdiag {

namespace {
// Wireshark numbers streams in order of appearance, at most a few per frame (tunnels, ICMP
// quotes of flows seen nowhere else), so an index beyond that bound is corrupt: growing the
// table to it would waste memory.
constexpr uint64_t kMaxStreamsPerObservation = 8;
constexpr uint64_t kStreamSlack = 1024;
}  // namespace

void Analyzer::note_observation(uint32_t frame, int64_t time_us) {
    ++observations_;
    last_frame_ = std::max(last_frame_, frame);
    end_time_us_ = std::max(end_time_us_, time_us);
}

// A stream seen only in an ICMP error's quote: no handshake, so the lower port is the server's.
void Analyzer::start_from_quote(StreamState &st, const IcmpError &err) {
    const bool src_is_client = err.quoted_src.port > err.quoted_dst.port;
    st.set_endpoints(src_is_client ? err.quoted_src : err.quoted_dst, src_is_client ? err.quoted_dst : err.quoted_src,
                     addresses_);
    st.role_guessed = true;
}

StreamState &Analyzer::tcp_stream(uint32_t index) {
    while (tcp_slots_.size() <= index) tcp_slots_.push_back(kUnseen);
    const uint32_t slot = tcp_slots_[index];
    if (slot != kUnseen && !is_brief(slot)) return full_[position(slot)];
    full_.emplace_back();
    StreamState &st = full_.back();
    if (slot == kUnseen) {
        st.transport = Transport::Tcp;
        st.index = index;
    } else {
        expand(brief_[position(slot)], index, staging_pair_, st);
        st.set_endpoints(st.client(), st.server(), addresses_);
        free_briefs_.push_back(position(slot));
    }
    tcp_slots_[index] = static_cast<uint32_t>(full_.size()) * 2;
    return st;
}

StreamState &Analyzer::stage(uint32_t index, const TcpSegment &seg) {
    const uint32_t slot = slot_of(index);
    if (slot != kUnseen && !is_brief(slot)) return full_[position(slot)];
    // Only a SYN or a RST, without data, can leave a stream brief: any other goes to its full state
    // at once (most streams, at their SYN/ACK), without passing through staging.
    const uint16_t kind = seg.flags & (tcp_flag::kSyn | tcp_flag::kAck | tcp_flag::kRst | tcp_flag::kFin);
    if (seg.payload_len || (kind != tcp_flag::kSyn && !(kind & tcp_flag::kRst))) return tcp_stream(index);
    if (slot == kUnseen) {
        staging_ = StreamState();
        staging_.transport = Transport::Tcp;
        staging_.index = index;
    } else {
        expand(brief_[position(slot)], index, staging_pair_, staging_);
    }
    return staging_;
}

void Analyzer::settle(uint32_t index) {
    while (tcp_slots_.size() <= index) tcp_slots_.push_back(kUnseen);
    uint32_t &slot = tcp_slots_[index];
    BriefStream brief;
    if (make_brief(staging_, brief)) {
        if (slot == kUnseen) {
            if (free_briefs_.empty()) {
                brief_.emplace_back();
                slot = static_cast<uint32_t>(brief_.size() - 1) * 2 + 1;
            } else {
                slot = free_briefs_.back() * 2 + 1;
                free_briefs_.pop_back();
            }
        }
        brief_[position(slot)] = brief;
    } else {
        // Its addresses were the staging pair's: from now on they are kept with the other streams'.
        staging_.set_endpoints(staging_.client(), staging_.server(), addresses_);
        if (slot != kUnseen) free_briefs_.push_back(position(slot));
        full_.push_back(std::move(staging_));
        slot = static_cast<uint32_t>(full_.size()) * 2;
    }
}

FlowKey Analyzer::tcp_flow_key(uint32_t index) const {
    constexpr uint8_t kTcp = static_cast<uint8_t>(Transport::Tcp);
    const uint32_t slot = slot_of(index);
    if (!is_brief(slot)) {
        const StreamState &st = full_[position(slot)];
        return FlowKey::of(kTcp, st.client(), st.server());
    }
    const BriefStream &b = brief_[position(slot)];
    return FlowKey::of(kTcp, {Address::from_bytes(4, b.client_address.data()), b.client_port},
                       {Address::from_bytes(4, b.server_address.data()), b.server_port});
}

StreamState *Analyzer::udp_stream(uint32_t index) {
    auto it = udp_.find(index);
    return it == udp_.end() ? nullptr : &it->second;
}

FrameNote Analyzer::observe(const TcpSegment &seg) {
    note_observation(seg.frame, seg.time_us);
    FrameNote note{{Transport::Tcp, seg.stream}, {}};
    if (seg.stream >= observations_ * kMaxStreamsPerObservation + kStreamSlack) return note;
    StreamState &st = stage(seg.stream, seg);
    const bool staged = &st == &staging_;
    const bool first = st.first_frame == 0;
    const bool copy = duplicates_.is_copy(seg);  // remembered even as the stream's first packet
    if (copy && !first) {
        ++tcp_stream(seg.stream).record_flaws().duplicates;
        return note;
    }
    const SentBefore before(st);
    const int64_t previous_time_us = st.last_time_us;
    note.event = update(st, seg, staged ? staging_addresses_ : addresses_);
    client_waits_.observe(st, seg, before, config_);
    note_idle_gap(st, seg, previous_time_us, note.event, config_);
    segment_sizes_.observe(st, seg, note.event);
    if (staged) settle(seg.stream);
    if (first) tcp_flows_.add(seg.stream, [this](uint32_t index) { return tcp_flow_key(index); });
    return note;
}

bool Analyzer::observe(const IcmpError &err, FrameNote &note) {
    note_observation(err.frame, err.time_us);
    const auto key_of = [this](uint32_t index) { return tcp_flow_key(index); };
    if (is_packet_too_big(err.icmp_version, err.type, err.code)) {
        // Path-MTU discovery at work: no verdict of its own, but no MTU black hole either. The
        // frame belongs to the stream all the same (it shows the stream's fields; a cut of the
        // stream's frames keeps it).
        uint32_t index = err.quoted_stream;
        if (err.quoted_transport != Transport::Tcp ||
            !(err.quoted_stream_known || tcp_flows_.find(err.quoted_src, err.quoted_dst, key_of, index)) ||
            !tcp_seen(index))
            return false;
        segment_sizes_.note_too_big(tcp_stream(index));
        note.stream = {Transport::Tcp, index};
        note.event = FrameEvent{};
        return true;
    }
    if (!is_destination_unreachable(err.icmp_version, err.type, err.code)) return false;
    StreamState *st = nullptr;
    uint32_t index = err.quoted_stream;
    if (err.quoted_transport == Transport::Udp) {
        if (!err.quoted_stream_known) return false;
        st = udp_stream(index);
        if (!st) {
            st = &udp_[index];
            st->transport = Transport::Udp;
            st->index = index;
            st->set_endpoints(err.quoted_src, err.quoted_dst, addresses_);
        }
    } else {
        if (!err.quoted_stream_known) {
            // A short quote leaves Wireshark without a stream number: find it by addresses and ports.
            if (!tcp_flows_.find(err.quoted_src, err.quoted_dst, key_of, index)) return false;
        }
        if (tcp_seen(index)) {
            st = &tcp_stream(index);
        } else {
            // Wireshark numbered the stream from the quote alone: its only trace in the capture.
            if (!err.quoted_stream_known || index >= observations_ * kMaxStreamsPerObservation + kStreamSlack)
                return false;
            st = &tcp_stream(index);
            start_from_quote(*st, err);
            tcp_flows_.add(index, key_of);
        }
    }
    note.stream = {err.quoted_transport, index};
    note.event = update(*st, err);
    return true;
}

FrameNote Analyzer::observe(const UdpDatagram &dg) {
    note_observation(dg.frame, dg.time_us);
    FrameNote note{{Transport::Udp, dg.stream}, {FrameEventKind::Datagram, Side::Client, 0, 0}};
    if (StreamState *st = udp_stream(dg.stream)) note.event = update(*st, dg, addresses_);
    return note;
}

const StreamState *Analyzer::find(StreamRef ref) const {
    if (ref.transport == Transport::Tcp) {
        const uint32_t slot = slot_of(ref.index);
        if (slot == kUnseen) return nullptr;
        if (!is_brief(slot)) return &full_[position(slot)];
        Expanded &copy = expanded_[next_expanded_++ % expanded_.size()];
        expand(brief_[position(slot)], ref.index, copy.pair, copy.stream);
        return &copy.stream;
    }
    auto it = udp_.find(ref.index);
    return it == udp_.end() ? nullptr : &it->second;
}

Diagnosis Analyzer::diagnose(const StreamState &stream) const {
    if (diagnosis_cache_.empty()) diagnosis_cache_.resize(kDiagnosisCacheSlots);
    CachedDiagnosis &slot = diagnosis_cache_[stream.index % kDiagnosisCacheSlots];
    if (slot.observations == observations_ && slot.stream.index == stream.index &&
        slot.stream.transport == stream.transport)
        return slot.diagnosis;
    const bool tcp = stream.transport == Transport::Tcp;
    slot.diagnosis = tcpdiag::diagnose(stream, config_, end_time_us_, tcp ? client_waits_.pending(stream) : nullptr,
                                       tcp ? segment_sizes_.find(stream) : nullptr);
    slot.observations = observations_;
    slot.stream = {stream.transport, stream.index};
    return slot.diagnosis;
}

void Analyzer::for_each_stream(const std::function<void(const StreamState &)> &visit) const {
    Expanded copy;
    for (uint32_t i = 0; i < tcp_slots_.size(); ++i) {
        const uint32_t slot = tcp_slots_[i];
        if (slot == kUnseen) continue;
        if (!is_brief(slot)) {
            visit(full_[position(slot)]);
            continue;
        }
        expand(brief_[position(slot)], i, copy.pair, copy.stream);
        visit(copy.stream);
    }
    std::vector<const StreamState *> udp;
    for (const auto &entry : udp_) udp.push_back(&entry.second);
    std::sort(udp.begin(), udp.end(), [](auto *a, auto *b) { return a->index < b->index; });
    for (const StreamState *st : udp) visit(*st);
}

}  // namespace tcpdiag
