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
    if (index >= tcp_.size()) {
        tcp_.resize(size_t{index} + 1);
        tcp_seen_.resize(size_t{index} + 1, false);
    }
    StreamState &st = tcp_[index];
    if (!tcp_seen_[index]) {
        tcp_seen_[index] = true;
        st.transport = Transport::Tcp;
        st.index = index;
    }
    return st;
}

StreamState *Analyzer::udp_stream(uint32_t index) {
    auto it = udp_.find(index);
    return it == udp_.end() ? nullptr : &it->second;
}

FrameNote Analyzer::observe(const TcpSegment &seg) {
    note_observation(seg.frame, seg.time_us);
    FrameNote note{{Transport::Tcp, seg.stream}, {}};
    if (seg.stream >= observations_ * kMaxStreamsPerObservation + kStreamSlack) return note;
    StreamState &st = tcp_stream(seg.stream);
    const bool first = st.first_frame == 0;
    const bool copy = duplicates_.is_copy(seg);  // remembered even as the stream's first packet
    if (copy && !first) {
        ++st.record_flaws().duplicates;
        return note;
    }
    const SentBefore before(st);
    const int64_t previous_time_us = st.last_time_us;
    note.event = update(st, seg, addresses_);
    client_waits_.observe(st, seg, before, config_);
    note_idle_gap(st, seg, previous_time_us, note.event, config_);
    segment_sizes_.observe(st, seg, note.event);
    if (first) tcp_flows_.add(seg.stream, tcp_);
    return note;
}

bool Analyzer::observe(const IcmpError &err, FrameNote &note) {
    note_observation(err.frame, err.time_us);
    if (is_packet_too_big(err.icmp_version, err.type, err.code)) {
        // Path-MTU discovery at work: no verdict of its own, but no MTU black hole either. The
        // frame belongs to the stream all the same (it shows the stream's fields; a cut of the
        // stream's frames keeps it).
        uint32_t index = err.quoted_stream;
        if (err.quoted_transport != Transport::Tcp ||
            !(err.quoted_stream_known || tcp_flows_.find(err.quoted_src, err.quoted_dst, tcp_, index)) ||
            index >= tcp_.size() || !tcp_seen_[index])
            return false;
        segment_sizes_.note_too_big(tcp_[index]);
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
            if (!tcp_flows_.find(err.quoted_src, err.quoted_dst, tcp_, index)) return false;
        }
        if (index < tcp_.size() && tcp_seen_[index]) {
            st = &tcp_[index];
        } else {
            // Wireshark numbered the stream from the quote alone: its only trace in the capture.
            if (!err.quoted_stream_known || index >= observations_ * kMaxStreamsPerObservation + kStreamSlack)
                return false;
            st = &tcp_stream(index);
            start_from_quote(*st, err);
            tcp_flows_.add(index, tcp_);
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
    if (ref.transport == Transport::Tcp)
        return ref.index < tcp_.size() && tcp_seen_[ref.index] ? &tcp_[ref.index] : nullptr;
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

std::vector<const StreamState *> Analyzer::streams() const {
    std::vector<const StreamState *> out;
    for (size_t i = 0; i < tcp_.size(); ++i)
        if (tcp_seen_[i]) out.push_back(&tcp_[i]);
    std::vector<const StreamState *> udp;
    for (const auto &entry : udp_) udp.push_back(&entry.second);
    std::sort(udp.begin(), udp.end(), [](auto *a, auto *b) { return a->index < b->index; });
    out.insert(out.end(), udp.begin(), udp.end());
    return out;
}

}  // namespace tcpdiag
