#include "brief_stream.h"

#include <cstring>
#include <type_traits>

namespace tcpdiag {

namespace {

constexpr uint8_t kSeqKnown = 1, kRstHasAck = 2;

// Compared byte for byte: neither has padding, so equal bytes are equal fields.
static_assert(std::has_unique_object_representations_v<SideState>, "SideState has padding");
static_assert(std::has_unique_object_representations_v<SideIncidents>, "SideIncidents has padding");
template <typename T>
bool same_bytes(const T &a, const T &b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// The blocks below have padding, so they are compared field by field: a field added to one of
// them must be added here, or brief streams would lose it.
bool same(const ClientGaveUp &a, const ClientGaveUp &b) {
    return a.waited_ms == b.waited_ms && a.since_frame == b.since_frame && a.frame == b.frame &&
           a.greeting == b.greeting && a.by_reset == b.by_reset;
}
bool same(const IcmpSeen &a, const IcmpSeen &b) {
    return a.frame == b.frame && a.reporter == b.reporter && a.icmp_version == b.icmp_version && a.type == b.type &&
           a.code == b.code && a.ack_progress_after == b.ack_progress_after;
}
bool same(const CaptureFlaws &a, const CaptureFlaws &b) {
    return a.duplicates == b.duplicates && a.capture_gap == b.capture_gap && a.truncated == b.truncated;
}
bool same(const IdleGap &a, const IdleGap &b) {
    return a.resume_frame == b.resume_frame && a.answered_frame == b.answered_frame && a.idle_s == b.idle_s &&
           a.resumed_by_server == b.resumed_by_server;
}
bool same(const LostBeforeCapture &a, const LostBeforeCapture &b) {
    return a.rst_frame == b.rst_frame && a.bytes == b.bytes && a.by_server == b.by_server;
}

// `frame` (0: none) comes within 65,535 frames after `first`.
bool fits_delta(uint32_t first, uint32_t frame) {
    return frame == 0 || (frame >= first && frame - first <= UINT16_MAX);
}

std::array<uint8_t, 4> ipv4_bytes(const Address &a) {
    return {a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]};
}

bool same_incidents(const StreamState &a, const StreamState &b) {
    if (!a.has_incidents() && !b.has_incidents()) return true;  // as for most streams
    return same_bytes(a.incidents(Side::Client), b.incidents(Side::Client)) &&
           same_bytes(a.incidents(Side::Server), b.incidents(Side::Server)) &&
           same(a.client_gave_up(), b.client_gave_up()) && same(a.icmp(), b.icmp()) && same(a.flaws(), b.flaws()) &&
           same(a.idle_gap(), b.idle_gap()) && same(a.lost_before_capture(), b.lost_before_capture());
}

}  // namespace

bool same_state(const StreamState &a, const StreamState &b) {
    return a.first_time_us == b.first_time_us && a.last_time_us == b.last_time_us && a.index == b.index &&
           a.first_frame == b.first_frame && a.synack_frame == b.synack_frame &&
           a.established_frame == b.established_frame && same_bytes(a.side[0], b.side[0]) &&
           same_bytes(a.side[1], b.side[1]) && a.history == b.history && a.transport == b.transport &&
           a.role_guessed == b.role_guessed && a.sizes_tracked == b.sizes_tracked &&
           a.server_message_open == b.server_message_open && a.last_sender() == b.last_sender() &&
           a.client() == b.client() && a.server() == b.server() && same_incidents(a, b);
}

bool make_brief(const StreamState &st, BriefStream &brief) {
    // What no brief stream has, checked first: most streams fail here, on their second packet.
    const SideState &client = st.of(Side::Client), &server = st.of(Side::Server);
    if (st.transport != Transport::Tcp || st.synack_frame || client.synacks || server.packets > 1 ||
        st.last_time_us < st.first_time_us || st.last_time_us - st.first_time_us > UINT32_MAX ||
        !fits_delta(st.first_frame, client.last_syn_frame) ||
        !fits_delta(st.first_frame, st.incidents(Side::Server).rst_frame))
        return false;
    const Endpoint c = st.client(), s = st.server();
    if (c.address.family != 4 || s.address.family != 4) return false;

    BriefStream b;
    b.first_time_us = st.first_time_us;
    b.last_time_delta_us = static_cast<uint32_t>(st.last_time_us - st.first_time_us);
    b.first_frame = st.first_frame;
    b.last_syn_delta = static_cast<uint16_t>(client.last_syn_frame - st.first_frame);
    b.next_seq = client.next_seq;
    b.client_address = ipv4_bytes(c.address);
    b.server_address = ipv4_bytes(s.address);
    b.client_port = c.port;
    b.server_port = s.port;
    b.mss = client.mss;
    b.syns = client.syns;
    b.ttl_min = client.ttl_min;
    b.ttl_max = client.ttl_max;
    b.first_syn_ttl = client.first_syn_ttl;
    b.flags = client.seq_known ? kSeqKnown : 0;
    if (server.packets) {
        const SideIncidents &rst = st.incidents(Side::Server);
        b.rst_delta = static_cast<uint16_t>(rst.rst_frame - st.first_frame);
        b.rst_ttl = rst.early_rst_ttl;
        if (rst.rst_has_ack) b.flags |= kRstHasAck;
    }
    // Whatever else the stream holds, the brief form would lose: it must give the stream back.
    AddressPair pair;
    StreamState again;
    expand(b, st.index, pair, again);
    if (!same_state(st, again)) return false;
    brief = b;
    return true;
}

void expand(const BriefStream &b, uint32_t index, AddressPair &pair, StreamState &out) {
    out = StreamState();
    out.transport = Transport::Tcp;
    out.index = index;
    out.first_frame = b.first_frame;
    out.first_time_us = b.first_time_us;
    out.last_time_us = b.first_time_us + b.last_time_delta_us;
    pair.client = Address::from_bytes(4, b.client_address.data());
    pair.server = Address::from_bytes(4, b.server_address.data());
    out.set_endpoints(pair, b.client_port, b.server_port);

    SideState &client = out.of(Side::Client);
    client.packets = b.syns;
    client.next_seq = b.next_seq;
    client.first_syn_frame = b.first_frame;
    client.last_syn_frame = b.first_frame + b.last_syn_delta;
    client.syns = b.syns;
    client.mss = b.mss;
    client.ttl_min = b.ttl_min;
    client.ttl_max = b.ttl_max;
    client.first_syn_ttl = b.first_syn_ttl;
    client.seq_known = b.flags & kSeqKnown;
    out.history.add(history_letter::kSyn, true);
    out.set_last_sender(Side::Client);
    if (!b.rst_delta) return;
    const uint32_t rst_frame = b.first_frame + b.rst_delta;

    // The server's first packet, a RST answering the SYN: in sequence (the client acknowledged
    // nothing), and acknowledging everything the client sent.
    out.of(Side::Server).packets = 1;
    out.history.add(history_letter::kReset, false);
    SideIncidents &rst = out.record_incidents(Side::Server);
    if (b.rst_ttl) {
        rst.early_rst_frame = rst_frame;
        rst.early_rst_ttl = b.rst_ttl;
    }
    rst.rst_frame = rst_frame;
    rst.rst_was_first_packet = true;
    rst.rst_has_ack = b.flags & kRstHasAck;
    rst.rst_in_sequence = true;
    rst.rst_answers_segment = true;
    rst.rst_acked_everything = true;
    out.set_last_sender(Side::Server);
}

}  // namespace tcpdiag
