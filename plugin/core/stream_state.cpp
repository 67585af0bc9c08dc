#include "stream_state.h"

namespace tcpdiag {

namespace {

// What incidents() shows for a stream that had none.
constexpr StreamIncidents kNoIncidents{};

int idx(Side s) {
    return static_cast<int>(s);
}

template <typename T>
void saturating_increment(T &counter) {
    if (counter < static_cast<T>(~T{0})) ++counter;
}

void note_frame(StreamState &stream, uint32_t frame, int64_t time_us) {
    if (stream.first_frame == 0) {
        stream.first_frame = frame;
        stream.first_time_us = time_us;
    }
    stream.last_time_us = time_us;
}

// Data-bearing packets come from the host itself; once it sent one, only they set the range.
void note_ttl(SideState &side, uint8_t ttl, bool carries_payload) {
    if (ttl == 0 || (side.ttl_of_data && !carries_payload)) return;
    if (carries_payload && !side.ttl_of_data) {
        side.ttl_of_data = true;
        side.ttl_min = side.ttl_max = ttl;
        return;
    }
    if (side.ttl_max == 0 || ttl < side.ttl_min) side.ttl_min = ttl;
    if (ttl > side.ttl_max) side.ttl_max = ttl;
}

// The peer acknowledged everything `sender` sent, its FIN included (the FIN is its last byte).
bool fin_acknowledged(const SideState &sender, const SideState &peer) {
    return sender.seq_known && peer.ack_known && !seq_after(sender.next_seq, peer.highest_ack);
}

// The RST's sequence number lies beyond the last byte its sender was seen to send, and the peer
// acknowledged nothing beyond that byte either: the sender sent data that never reached the
// capture point (nor the peer). Kept whatever happens next (the peer's challenge ACK makes the
// sender reset again, in sequence). A jump beyond any window is no data of this connection.
void note_reset_beyond_arrived(StreamState &stream, Side s, const TcpSegment &seg) {
    const SideState &me = stream.of(s), &peer = stream.of(other(s));
    constexpr uint32_t kMaxInFlight = 1u << 24;
    if (stream.lost_before_capture().rst_frame || !me.seq_known || !peer.ack_known ||
        !seq_after(seg.seq, me.next_seq) || seg.seq - me.next_seq >= kMaxInFlight ||
        seq_after(peer.highest_ack, me.next_seq) || !stream.established())
        return;
    LostBeforeCapture &lost = stream.record_lost_before_capture();
    lost.rst_frame = seg.frame;
    lost.bytes = static_cast<uint16_t>(seg.seq - me.next_seq > UINT16_MAX ? UINT16_MAX : seg.seq - me.next_seq);
    lost.by_server = s == Side::Server;
}

// The client's ACK acknowledges the SYN/ACK, or data the server sent after it: one whose number
// belongs to nothing the server sent (a tool's crafted segment) completes no handshake.
bool acknowledges_synack(const StreamState &stream, const TcpSegment &seg) {
    constexpr uint32_t kMaxBehind = 1u << 20;  // the server's data sent before the client's first ACK
    const SideState &server = stream.of(Side::Server);
    if (!server.seq_known) return true;
    if (!stream.history.has(history_letter::kData, false)) return seg.ack == server.next_seq;
    return server.next_seq - seg.ack <= kMaxBehind;
}

FrameEvent note_reset(StreamState &stream, Side s, const TcpSegment &seg) {
    const SideState &me = stream.of(s);
    const SideState &peer = stream.of(other(s));
    SideIncidents &mine = stream.record_incidents(s);
    // A TTL outside the range of this address's earlier packets was set by someone else.
    if (!mine.forged_rst_frame && seg.ttl && me.ttl_max && (seg.ttl < me.ttl_min || seg.ttl > me.ttl_max)) {
        mine.forged_rst_frame = seg.frame;
        mine.forged_rst_ttl = seg.ttl;
    }
    if (!mine.early_rst_frame && seg.ttl && !me.ttl_max) {
        mine.early_rst_frame = seg.frame;
        mine.early_rst_ttl = seg.ttl;
    }
    note_reset_beyond_arrived(stream, s, seg);
    if (mine.rst_frame && !mine.rst_ignored) return {};  // later resets only repeat the first
    mine.rst_ignored = false;
    mine.rst_frame = seg.frame;
    mine.rst_was_first_packet = me.packets == 1;
    mine.rst_has_ack = seg.flags & tcp_flag::kAck;
    mine.rst_in_sequence = !peer.ack_known || seg.seq == peer.highest_ack;
    // packets() counts this RST already: more than one means another segment came before it.
    mine.rst_answers_segment = stream.packets() > 1 && stream.last_sender() == other(s);
    // ...data it had sent, that is (a first ACK of its SYN alone shows no exchange): an ACK beyond
    // it is one this TCP must reset (RFC 9293 3.10.7.3), unless the RST carries on from it: the
    // capture missed the bytes that ACK acknowledged.
    const bool sent_data = stream.history.has(history_letter::kData, s == Side::Client) || peer.acked_peer_data;
    mine.rst_answers_fresh_ack = mine.rst_answers_segment && peer.last_ack_advanced && me.seq_known && sent_data &&
                                 (!seq_after(peer.highest_ack, me.next_seq) || seg.seq == peer.highest_ack);
    mine.rst_answers_stray =
        mine.rst_was_first_packet && mine.rst_answers_segment && !peer.ack_known && peer.syns == 0 && peer.synacks == 0;
    mine.rst_after_own_fin = me.fin_frame != 0;
    mine.rst_after_peer_fin = peer.fin_frame != 0;
    mine.rst_after_close = me.fin_frame && peer.fin_frame && fin_acknowledged(me, peer) && fin_acknowledged(peer, me);
    const uint32_t confirmed = mine.rst_has_ack ? seg.ack : me.highest_ack;
    const bool confirmed_known = mine.rst_has_ack || me.ack_known;
    mine.rst_unacked_bytes =
        (peer.seq_known && confirmed_known && seq_after(peer.next_seq, confirmed)) ? peer.next_seq - confirmed : 0;
    mine.rst_acked_everything = mine.rst_unacked_bytes == 0;
    return {FrameEventKind::Reset, s, 0, 0};
}

FrameEvent note_syn(StreamState &stream, Side s, const TcpSegment &seg) {
    SideState &me = stream.of(s);
    const bool synack = seg.flags & tcp_flag::kAck;
    uint8_t &count = synack ? me.synacks : me.syns;
    saturating_increment(count);
    if (seg.mss) me.mss = seg.mss;
    if (me.first_syn_frame == 0) {
        me.first_syn_frame = seg.frame;
        me.first_syn_ttl = seg.ttl;
    }
    me.last_syn_frame = seg.frame;
    if (synack && stream.synack_frame == 0) stream.synack_frame = seg.frame;
    const uint16_t retransmission = static_cast<uint16_t>(count - 1);
    if (synack)
        return {retransmission ? FrameEventKind::SynAckRetransmission : FrameEventKind::SynAck, s, 0, retransmission};
    return {retransmission ? FrameEventKind::SynRetransmission : FrameEventKind::Syn, s, 0, retransmission};
}

// A retransmission counts towards loss only if it resends data the peer has not acknowledged;
// resending acknowledged data (a lost ACK, a spurious timeout) says nothing about the path ahead.
// Every segment Wireshark flags counts in `retransmissions`; only one that repeats bytes sent
// before (`resent`) can be part of a run.
FrameEvent note_retransmission(StreamState &stream, Side s, const TcpSegment &seg, bool resent) {
    const SideState &peer = stream.of(other(s));
    SideIncidents &mine = stream.record_incidents(s);
    saturating_increment(mine.retransmissions);
    const uint32_t end = seg.seq + seg.payload_len + ((seg.flags & tcp_flag::kFin) ? 1 : 0);
    // Nothing of the peer captured: no ACK of it can answer the resend.
    const bool unanswered = peer.packets == 0 || (peer.ack_known && seq_after(end, peer.highest_ack));
    // A bare FIN resent is no data at risk: both applications may have closed (a lost last ACK).
    if (!resent || !unanswered || !seg.payload_len) return {};
    if (mine.unanswered_retransmissions == 0) {
        saturating_increment(mine.retransmission_run);
        mine.run_first_frame = seg.frame;
        mine.run_original_frame = seg.rto_frame;
    }
    saturating_increment(mine.unanswered_retransmissions);
    mine.run_last_frame = seg.frame;
    return {FrameEventKind::Retransmission, s, mine.retransmission_run, mine.unanswered_retransmissions};
}

// The ACK of this side confirmed new data of the peer: the peer's retransmissions are answered,
// and the path works after an earlier ICMP error. (The first pass reads frames in order, so an
// ACK after the error has the higher frame number.)
void note_ack(StreamState &stream, Side s, const TcpSegment &seg) {
    SideState &me = stream.of(s);
    me.last_ack_advanced = !me.ack_known || seq_after(seg.ack, me.highest_ack);
    if (!me.last_ack_advanced) return;
    me.last_ack_step_one = me.ack_known && seg.ack - me.highest_ack == 1;
    if (me.ack_known && seg.ack - me.highest_ack > 1) me.acked_peer_data = true;
    me.highest_ack = seg.ack;
    me.ack_known = true;
    if (SideIncidents *peer = stream.recorded_incidents(other(s))) peer->unanswered_retransmissions = 0;
    if (stream.icmp().frame && seg.frame > stream.icmp().frame) stream.record_icmp().ack_progress_after = true;
}

// A RST sent before the SYN/ACK ended nothing when the handshake then completed: both TCPs went
// on (an IDS-evasion or injection tool's early RST, a stray RST from an earlier attempt). Its
// forged-TTL mark stays.
void forget_resets_before_handshake(StreamState &stream) {
    for (Side s : {Side::Client, Side::Server})
        if (SideIncidents *side = stream.recorded_incidents(s))
            if (side->rst_frame && side->rst_frame < stream.synack_frame) side->rst_ignored = true;
}

// Returns true when the segment carries data beyond anything this side sent before.
bool note_sequence(SideState &me, const TcpSegment &seg) {
    const uint32_t next =
        seg.seq + seg.payload_len + ((seg.flags & tcp_flag::kSyn) ? 1 : 0) + ((seg.flags & tcp_flag::kFin) ? 1 : 0);
    // A SYN starts the side's sequence space over: a resent SYN/ACK may carry a new ISN.
    const bool advanced = !me.seq_known || (seg.flags & tcp_flag::kSyn) || seq_after(next, me.next_seq);
    if (advanced) me.next_seq = next;
    me.seq_known = true;
    return advanced;
}

// Returns true when this segment closed the window (a new zero-window run starts).
bool note_window(StreamState &stream, Side s, const TcpSegment &seg) {
    if (seg.window != 0) {
        if (SideIncidents *mine = stream.recorded_incidents(s)) mine->window_closed = false;
        return false;
    }
    // After the peer's FIN no more data can come: a window closed then holds nothing up.
    if (stream.of(other(s)).fin_frame) return false;
    SideIncidents &mine = stream.record_incidents(s);
    if (mine.window_closed) return false;
    mine.window_closed = true;
    saturating_increment(mine.zero_window_run);
    mine.zero_window_frame = seg.frame;
    mine.zero_window_since_us = seg.time_us;
    return true;
}

// Which side sent the segment; decides roles on the stream's first packet.
Side side_of(StreamState &stream, const TcpSegment &seg, AddressPairTable &addresses) {
    if (stream.packets() == 0 && stream.first_frame == 0) {
        const bool syn = seg.flags & tcp_flag::kSyn, ack = seg.flags & tcp_flag::kAck;
        bool src_is_client;
        if (syn) {
            src_is_client = !ack;  // SYN comes from the client, SYN/ACK from the server
        } else {
            src_is_client = seg.src.port > seg.dst.port;  // midstream: the lower port is most likely the service
            stream.role_guessed = true;
        }
        stream.set_endpoints(src_is_client ? seg.src : seg.dst, src_is_client ? seg.dst : seg.src, addresses);
    }
    return stream.is_client(seg.src) ? Side::Client : Side::Server;
}

}  // namespace

bool StreamState::one_direction(Side &captured) const {
    if ((side[0].packets == 0) == (side[1].packets == 0)) return false;
    captured = side[0].packets ? Side::Client : Side::Server;
    return true;
}

const char *StreamState::captured_directions() const {
    Side seen;
    if (!one_direction(seen)) return "both";
    return seen == Side::Client ? "client_only" : "server_only";
}

const char *StreamState::stage() const {
    if (transport == Transport::Tcp && !established()) return "handshake";
    bool sent[2] = {history.has(history_letter::kData, true), history.has(history_letter::kData, false)};
    Side captured;
    if (transport == Transport::Tcp && one_direction(captured))
        sent[idx(other(captured))] = of(captured).acked_peer_data;
    if (sent[0] && sent[1]) return "exchange";
    if (sent[0]) return "request";
    return sent[1] ? "greeting" : "established";
}

bool StreamState::fin_sent(Side s) const {
    if (of(s).fin_frame) return true;
    Side captured;
    // The only captured side acknowledged one more byte last of all: the peer's FIN.
    return one_direction(captured) && captured == other(s) && of(captured).last_ack_step_one;
}

bool StreamState::established() const {
    Side captured;
    if (one_direction(captured)) {
        // Its ACKs acknowledge the peer's SYN, in more than the handshake's packets and more than
        // one segment (a lone midstream segment shows nothing of the peer). Without a handshake,
        // they must move at least once: an ACK that never moves shows no peer at all.
        const SideState &seen = of(captured);
        const bool peer_shown = seen.syns || seen.synacks || seen.acked_peer_data || seen.last_ack_step_one;
        return seen.ack_known && peer_shown && seen.packets > uint32_t{seen.syns} + seen.synacks + 1;
    }
    if (synack_frame) return established_frame != 0;
    // No SYN/ACK seen (a midstream capture, or one that dropped it): both sides sent something
    // other than a SYN.
    return side[0].packets > side[0].syns && side[1].packets > side[1].syns;
}

Side StreamState::first_reset_side() const {
    const uint32_t c = ended_by_reset(Side::Client) ? incidents(Side::Client).rst_frame : 0;
    const uint32_t s = ended_by_reset(Side::Server) ? incidents(Side::Server).rst_frame : 0;
    if (c && (!s || c < s)) return Side::Client;
    return Side::Server;
}

Endpoint StreamState::client() const {
    return {addresses_ ? addresses_->client : Address{}, client_port_};
}

Endpoint StreamState::server() const {
    return {addresses_ ? addresses_->server : Address{}, server_port_};
}

void StreamState::set_endpoints(const Endpoint &client, const Endpoint &server, AddressPairTable &addresses) {
    addresses_ = addresses.intern(client.address, server.address);
    client_port_ = client.port;
    server_port_ = server.port;
}

const SideIncidents &StreamState::incidents(Side s) const {
    return (incidents_ ? *incidents_ : kNoIncidents).side[idx(s)];
}

const ClientGaveUp &StreamState::client_gave_up() const {
    return (incidents_ ? *incidents_ : kNoIncidents).client_gave_up;
}

ClientGaveUp &StreamState::record_client_gave_up() {
    if (!incidents_) incidents_ = std::make_unique<StreamIncidents>();
    return incidents_->client_gave_up;
}

const IcmpSeen &StreamState::icmp() const {
    return (incidents_ ? *incidents_ : kNoIncidents).icmp;
}

SideIncidents &StreamState::record_incidents(Side s) {
    if (!incidents_) incidents_ = std::make_unique<StreamIncidents>();
    return incidents_->side[idx(s)];
}

IcmpSeen &StreamState::record_icmp() {
    if (!incidents_) incidents_ = std::make_unique<StreamIncidents>();
    return incidents_->icmp;
}

const CaptureFlaws &StreamState::flaws() const {
    return (incidents_ ? *incidents_ : kNoIncidents).flaws;
}

CaptureFlaws &StreamState::record_flaws() {
    if (!incidents_) incidents_ = std::make_unique<StreamIncidents>();
    return incidents_->flaws;
}

const LostBeforeCapture &StreamState::lost_before_capture() const {
    return (incidents_ ? *incidents_ : kNoIncidents).lost_before_capture;
}

const IdleGap &StreamState::idle_gap() const {
    return (incidents_ ? *incidents_ : kNoIncidents).idle;
}

LostBeforeCapture &StreamState::record_lost_before_capture() {
    if (!incidents_) incidents_ = std::make_unique<StreamIncidents>();
    return incidents_->lost_before_capture;
}

IdleGap &StreamState::record_idle_gap() {
    if (!incidents_) incidents_ = std::make_unique<StreamIncidents>();
    return incidents_->idle;
}

std::string StreamState::capture_flaw_names() const {
    const CaptureFlaws &f = flaws();
    std::string names;
    for (const char *name : {f.duplicates ? "duplicates" : nullptr, f.capture_gap ? "capture_gaps" : nullptr,
                             f.truncated ? "truncated" : nullptr})
        if (name) names += (names.empty() ? "" : ",") + std::string(name);
    return names;
}

SideIncidents *StreamState::recorded_incidents(Side s) {
    return incidents_ ? &incidents_->side[idx(s)] : nullptr;
}

FrameEvent update(StreamState &stream, const TcpSegment &seg, AddressPairTable &addresses) {
    const Side s = side_of(stream, seg, addresses);
    SideState &me = stream.of(s);
    const bool client = s == Side::Client;
    note_frame(stream, seg.frame, seg.time_us);
    saturating_increment(me.packets);
    if (seg.capture_gap) stream.record_flaws().capture_gap = true;
    if (seg.truncated) stream.record_flaws().truncated = true;

    FrameEvent event{FrameEventKind::None, s, 0, 0};
    if (seg.flags & tcp_flag::kRst) {
        stream.history.add(history_letter::kReset, client);
        event = note_reset(stream, s, seg);
    } else {
        // A TCP that accepted a reset sends nothing more; one that answers an out-of-sequence
        // RST with a challenge ACK (RFC 5961: an ACK, no data) ignored it. Data or a FIN right
        // after the RST was already on its way when the RST was sent: it crossed the RST.
        const bool carries_data = seg.payload_len || (seg.flags & tcp_flag::kFin);
        if (SideIncidents *peer = stream.recorded_incidents(other(s)))
            if (peer->rst_frame && !peer->rst_in_sequence && !carries_data) peer->rst_ignored = true;
        note_ttl(me, seg.ttl, seg.payload_len != 0);
        me.last_ack_advanced = false;
        if (seg.flags & tcp_flag::kAck) note_ack(stream, s, seg);
        const bool new_data = note_sequence(me, seg) && (seg.payload_len || (seg.flags & tcp_flag::kFin));
        // A resend repeats bytes sent before. Wireshark also flags new data as a retransmission when
        // its own numbering is off (a SYN/ACK resent with a new ISN, a capture that missed the
        // original): the sequence numbers say which it is.
        const bool resent = seg.retransmission && !new_data;
        // Sending new bytes on: not stuck (the window moved). A FIN needs no window: an application
        // may close while its data is still being resent into the loss.
        if (new_data && seg.payload_len)
            if (SideIncidents *mine = stream.recorded_incidents(s)) mine->unanswered_retransmissions = 0;

        if (seg.flags & tcp_flag::kSyn) {
            const bool synack = seg.flags & tcp_flag::kAck;
            stream.history.add(synack ? history_letter::kSynAck : history_letter::kSyn, client);
            event = note_syn(stream, s, seg);
        } else {
            if (client && stream.synack_frame && !stream.established_frame && (seg.flags & tcp_flag::kAck) &&
                acknowledges_synack(stream, seg)) {
                stream.established_frame = seg.frame;
                forget_resets_before_handshake(stream);
            }
            if (seg.payload_len) stream.history.add(history_letter::kData, client);
            if (seg.flags & tcp_flag::kFin) {
                stream.history.add(history_letter::kFin, client);
                if (!me.fin_frame) me.fin_frame = seg.frame;
                event.kind = FrameEventKind::Fin;
            }
            if (note_window(stream, s, seg)) {
                stream.history.add(history_letter::kZeroWindow, client);
                event = {FrameEventKind::ZeroWindow, s, stream.incidents(s).zero_window_run, 0};
            }
            if (seg.retransmission && (seg.payload_len || (seg.flags & tcp_flag::kFin))) {
                stream.history.add(history_letter::kRetransmission, client);
                const FrameEvent retransmission = note_retransmission(stream, s, seg, resent);
                if (retransmission.kind != FrameEventKind::None) event = retransmission;
            }
        }
    }
    stream.set_last_sender(s);
    return event;
}

FrameEvent update(StreamState &stream, const IcmpError &error) {
    const bool about_client_packet = stream.is_client(error.quoted_src);
    note_frame(stream, error.frame, error.time_us);
    stream.history.add(history_letter::kIcmp, about_client_packet);
    IcmpSeen &icmp = stream.record_icmp();
    icmp.frame = error.frame;
    icmp.reporter = error.reporter;
    icmp.icmp_version = error.icmp_version;
    icmp.type = error.type;
    icmp.code = error.code;
    icmp.ack_progress_after = false;
    return {FrameEventKind::IcmpError, about_client_packet ? Side::Client : Side::Server, 0, 0};
}

FrameEvent update(StreamState &stream, const UdpDatagram &datagram, AddressPairTable &addresses) {
    if (stream.first_frame == 0) stream.set_endpoints(datagram.src, datagram.dst, addresses);
    note_frame(stream, datagram.frame, datagram.time_us);
    const Side s = stream.is_client(datagram.src) ? Side::Client : Side::Server;
    saturating_increment(stream.of(s).packets);
    stream.history.add(history_letter::kData, s == Side::Client);
    return {FrameEventKind::Datagram, s, 0, 0};
}

}  // namespace tcpdiag
