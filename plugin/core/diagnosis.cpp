#include "diagnosis.h"

#include <algorithm>

#include "client_wait.h"
#include "icmp_codes.h"
#include "idle_gap.h"
#include "segment_sizes.h"

namespace tcpdiag {

namespace {

Actor actor_of(Side s) {
    return s == Side::Client ? Actor::Client : Actor::Server;
}

Diagnosis make(Verdict v, Actor by, uint32_t frame, FrameEventKind kind = FrameEventKind::None,
               Side side = Side::Client, uint16_t run = 0) {
    Diagnosis d;
    d.verdict = v;
    d.reset_by = by;
    d.evidence_frame = frame;
    d.evidence_kind = kind;
    d.evidence_side = side;
    d.evidence_run = run;
    return d;
}

Actor reset_actor(const StreamState &st) {
    return st.reset_seen() ? actor_of(st.first_reset_side()) : Actor::None;
}

uint32_t first_reset_frame(const StreamState &st) {
    return st.reset_seen() ? st.incidents(st.first_reset_side()).rst_frame : 0;
}

// A SYN that still carries the sender's initial TTL was captured before its first hop.
bool is_initial_ttl(uint8_t ttl) {
    return ttl == 64 || ttl == 128 || ttl == 255;
}

bool captured_at_destination(const StreamState &st, const Config &config) {
    switch (config.capture_point) {
        case CapturePoint::Client: return false;
        case CapturePoint::Server: return true;
        case CapturePoint::Auto: break;
    }
    const uint8_t ttl = st.of(Side::Client).first_syn_ttl;
    return ttl != 0 && !is_initial_ttl(ttl);
}

// The first RST of this side whose TTL lies outside the range of the side's other packets: the
// ones before it, or, for a RST that came before any of them, the ones after it.
uint32_t forged_rst_frame(const StreamState &st, Side s) {
    const SideIncidents &side = st.incidents(s);
    const SideState &sender = st.of(s);
    const bool early_forged = side.early_rst_frame && sender.ttl_max &&
                              (side.early_rst_ttl < sender.ttl_min || side.early_rst_ttl > sender.ttl_max);
    return early_forged ? side.early_rst_frame : side.forged_rst_frame;
}

// Rule 1: a RST whose TTL does not fit its claimed sender (the earliest such RST).
bool injected(const StreamState &st, Diagnosis &out) {
    const uint32_t c = forged_rst_frame(st, Side::Client), s = forged_rst_frame(st, Side::Server);
    if (!c && !s) return false;
    const Side forged = (c && (!s || c < s)) ? Side::Client : Side::Server;
    out = make(Verdict::InjectedReset, Actor::Path, forged == Side::Client ? c : s, FrameEventKind::None, forged);
    return true;
}

// Rule 2: the server's first packet is a RST answering the SYN; no SYN/ACK.
bool refused(const StreamState &st, Diagnosis &out) {
    const SideIncidents &server = st.incidents(Side::Server);
    if (st.of(Side::Client).syns == 0 || st.synack_frame || !st.ended_by_reset(Side::Server) ||
        !server.rst_was_first_packet)
        return false;
    out = make(Verdict::Refused, Actor::Server, server.rst_frame, FrameEventKind::Reset, Side::Server);
    return true;
}

// Rule 3: ICMP Destination Unreachable, and the stream did not recover after it.
bool icmp_unreachable(const StreamState &st, Diagnosis &out) {
    const IcmpSeen &icmp = st.icmp();
    if (!icmp.frame) return false;
    const bool recovered = icmp.ack_progress_after || (st.of(Side::Client).fin_frame && st.of(Side::Server).fin_frame);
    if (recovered) return false;
    const Actor by = icmp.reporter == st.server().address ? Actor::Server : Actor::Path;
    const bool port = is_port_unreachable(icmp.icmp_version, icmp.type, icmp.code);
    const Verdict v = (st.transport == Transport::Udp && port) ? Verdict::PortUnreachable : Verdict::IcmpUnreachable;
    out = make(v, by, icmp.frame, FrameEventKind::IcmpError);
    return true;
}

// Rule 4: SYNs (or SYN/ACKs) retransmitted and never answered.
// The server answered the client's SYN: with a RST, or with a segment acknowledging it. A stray
// segment from that port whose ACK belongs to no SYN of the client (another connection's late
// FIN) is no answer.
bool answered_syn(const StreamState &st) {
    const SideState &client = st.of(Side::Client), &server = st.of(Side::Server);
    if (!server.packets) return false;
    if (st.incidents(Side::Server).rst_frame) return true;
    return !server.ack_known || !client.seq_known || server.highest_ack == client.next_seq;
}

bool handshake_unanswered(const StreamState &st, const Config &config, Diagnosis &out) {
    const SideState &client = st.of(Side::Client), &server = st.of(Side::Server);
    const uint32_t threshold = config.syn_retransmissions_threshold;
    if (client.syns > threshold && !st.synack_frame && !answered_syn(st) && !st.established()) {
        const Verdict v = captured_at_destination(st, config) ? Verdict::NoResponse : Verdict::HandshakeLoss;
        out = make(v, Actor::None, client.last_syn_frame, FrameEventKind::SynRetransmission, Side::Client);
        if (v == Verdict::HandshakeLoss) out.loss_point = LossPoint::AfterCapture;
        return true;
    }
    // The server may give up with a RST: as for data, the reset after unanswered resends is the loss.
    const bool server_gave_up = st.reset_seen() && st.first_reset_side() == Side::Server;
    if (server.synacks > threshold && !st.established_frame && (!st.reset_seen() || server_gave_up)) {
        out = make(Verdict::HandshakeLoss, reset_actor(st), server.last_syn_frame, FrameEventKind::SynAckRetransmission,
                   Side::Server);
        out.reset_frame = first_reset_frame(st);
        out.loss_point = LossPoint::AfterCapture;
        return true;
    }
    return false;
}

// Rule 5: a side retransmitted and the peer's ACK never advanced again (the segments were
// captured: lost after the capture point); or a side reset with a sequence number beyond all it
// was seen to send, bytes its peer never acknowledged (lost before the capture point).
bool data_loss(const StreamState &st, const Config &config, Diagnosis &out) {
    for (Side s : {Side::Client, Side::Server}) {
        const SideIncidents &side = st.incidents(s);
        if (side.unanswered_retransmissions < config.data_retransmissions_threshold) continue;
        out = make(Verdict::DataLoss, reset_actor(st), side.run_last_frame, FrameEventKind::Retransmission, s,
                   side.retransmission_run);
        out.reset_frame = first_reset_frame(st);
        out.loss_point = LossPoint::AfterCapture;
        return true;
    }
    // The side's reset ended the stream (that one, or the next after the peer's challenge ACK): one
    // it recovered from, going on to close, was no loss.
    const LostBeforeCapture &lost = st.lost_before_capture();
    const Side s = lost.by_server ? Side::Server : Side::Client;
    if (!lost.rst_frame || !st.ended_by_reset(s)) return false;
    out = make(Verdict::DataLoss, actor_of(s), lost.rst_frame, FrameEventKind::None, s);
    out.loss_point = LossPoint::BeforeCapture;
    return true;
}

// Rule 6: a zero window that stayed closed long enough and never reopened.
bool zero_window_stall(const StreamState &st, const Config &config, int64_t end_time_us, Diagnosis &out) {
    for (Side s : {Side::Client, Side::Server}) {
        const SideIncidents &side = st.incidents(s);
        if (!side.window_closed) continue;
        const int64_t end = st.reset_seen() ? st.last_time_us : end_time_us;
        if (end - side.zero_window_since_us < int64_t{config.zero_window_threshold_ms} * 1000) continue;
        out = make(Verdict::ZeroWindowStall, reset_actor(st), side.zero_window_frame, FrameEventKind::ZeroWindow, s,
                   side.zero_window_run);
        out.stall_us = end - side.zero_window_since_us;
        out.reset_frame = first_reset_frame(st);
        return true;
    }
    return false;
}

// Rule 7: the client waited for an answer (to its request, or for the server's greeting) at least
// response_timeout_ms and gave up, resetting or closing, before the server had closed. Loss and a
// closed window explain a silence first (rules 5 and 6).
bool response_timeout(const StreamState &st, const Config &config, Diagnosis &out) {
    const ClientGaveUp &gave_up = st.client_gave_up();
    if (!gave_up.frame || gave_up.waited_ms < config.response_timeout_ms) return false;
    out = make(Verdict::ResponseTimeout, gave_up.by_reset ? Actor::Client : Actor::None, gave_up.frame,
               FrameEventKind::None, Side::Client);
    out.wait_us = int64_t{gave_up.waited_ms} * 1000;
    out.wait_frame = gave_up.since_frame;
    out.wait_greeting = gave_up.greeting;
    return true;
}

// A RST without ACK answering the peer, from a side that had neither closed nor seen the peer
// close, nor just had its own data acknowledged: the reset of a TCP that does not know the
// connection. A side that had closed, or whose peer had, knew it: its stack reset late segments of
// a connection it had just ended; so did a side whose data the answered segment acknowledged.
// A RST answering stray segments (no ACK, no SYN: a scan) comes from a TCP that never had the
// connection, with ACK or without.
bool lost_state(const SideIncidents &side) {
    if (side.rst_answers_stray) return true;
    return !side.rst_has_ack && side.rst_answers_segment && !side.rst_after_own_fin && !side.rst_after_peer_fin &&
           !side.rst_answers_fresh_ack;
}

// Rules 8 and 9: who reset an established stream, and whether it still knew the connection. A
// RST after both FINs were sent and acknowledged comes after a graceful close (rule 10).
bool reset(const StreamState &st, Diagnosis &out) {
    if (!st.reset_seen() || !(st.established() || st.synack_frame)) return false;
    const Side s = st.first_reset_side();
    const SideIncidents &side = st.incidents(s);
    if (side.rst_after_close) return false;
    // The client's RST answering the SYN/ACK aborts the handshake it began (a SYN scan's kernel,
    // an application that gave up): no connection was established to be reset.
    const bool handshake_done =
        st.synack_frame ? st.established_frame && st.established_frame < side.rst_frame : st.established();
    if (!handshake_done && s == Side::Client) return false;
    // The server's, answering a client ACK that fits none of its SYN/ACKs (a middlebox rewrote
    // the numbers), is the reset of a TCP that does not know that connection.
    const Verdict v = lost_state(side) ? Verdict::PeerLostState : Verdict::AppReset;
    out = make(v, actor_of(s), side.rst_frame, FrameEventKind::Reset, s);
    return true;
}

// The rules in precedence order (docs/verdicts.md); the first that matches decides.
Diagnosis decide(const StreamState &st, const Config &config, int64_t end_time_us, const ClientWait *pending) {
    Diagnosis d;
    if (st.first_frame == 0) return d;
    if (injected(st, d) || refused(st, d) || icmp_unreachable(st, d) || handshake_unanswered(st, config, d) ||
        data_loss(st, config, d) || zero_window_stall(st, config, end_time_us, d) || response_timeout(st, config, d) ||
        reset(st, d))
        return d;
    const uint32_t client_fin = st.of(Side::Client).fin_frame, server_fin = st.of(Side::Server).fin_frame;
    if (st.fin_sent(Side::Client) && st.fin_sent(Side::Server)) {
        Diagnosis d = make(Verdict::GracefulClose, Actor::None, client_fin > server_fin ? client_fin : server_fin,
                           FrameEventKind::Fin);
        d.reset_frame = first_reset_frame(st);  // a RST after the close, if any
        return d;
    }
    if (st.established() && (st.of(Side::Client).packets || st.of(Side::Server).packets)) {
        Diagnosis open = make(Verdict::Open, Actor::None, st.established_frame ? st.established_frame : st.first_frame);
        // Still waiting when the capture ended: the reason says for how long.
        if (pending && pending->silence_seen(st) &&
            end_time_us - pending->since_us >= int64_t{config.response_timeout_ms} * 1000) {
            open.wait_us = end_time_us - pending->since_us;
            open.wait_frame = pending->frame;
            open.wait_greeting = pending->greeting;
        }
        return open;
    }
    return make(Verdict::Incomplete, Actor::None, st.first_frame);
}

// The frame at which the verdict's failure began: the reset, or the first sending of the data
// that was lost. 0 for the failures an idle timer in the path or at the peer does not explain: a
// reset by the side that ended the silence was its own choice (its application's idle timeout).
uint32_t failure_start(const StreamState &st, const Diagnosis &d) {
    const bool reset_by_resumer = d.reset_by == (st.idle_gap().resumed_by_server ? Actor::Server : Actor::Client);
    switch (d.verdict) {
        case Verdict::InjectedReset: return d.evidence_frame;
        case Verdict::PeerLostState:
        case Verdict::AppReset: return reset_by_resumer ? 0 : d.evidence_frame;
        case Verdict::DataLoss: {
            const SideIncidents &side = st.incidents(d.evidence_side);
            return side.run_original_frame ? side.run_original_frame : side.run_first_frame;
        }
        default: return 0;
    }
}

// Cause idle_timeout: the failure came with the first packets after an idle gap.
bool idle_timeout(const StreamState &st, Diagnosis &d) {
    if (!failed_after_idle_gap(st, failure_start(st, d))) return false;
    d.cause = Cause::IdleTimeout;
    d.cause_frame = st.idle_gap().resume_frame;
    d.idle_s = st.idle_gap().idle_s;
    return true;
}

// The MSS the connection negotiated: the smaller of the two announced (the one known, if only one).
uint16_t negotiated_mss(const StreamState &st) {
    const uint16_t c = st.of(Side::Client).mss, s = st.of(Side::Server).mss;
    return c && s ? std::min(c, s) : c ? c : s;
}

// TCP options (timestamps, SACK blocks) take up to 40 bytes of a full-size segment's MSS.
constexpr uint16_t kOptionsSlack = 64;

// Cause mtu_black_hole: a loss of large segments only, near the negotiated MSS, that no ICMP
// explained.
bool mtu_black_hole(const StreamState &st, const SegmentSizes *sizes, Diagnosis &d) {
    if (d.verdict != Verdict::DataLoss || d.loss_point != LossPoint::AfterCapture || !sizes || sizes->too_big_reported)
        return false;
    const SideSizes &lossy = sizes->side[static_cast<int>(d.evidence_side)];
    const uint16_t mss = negotiated_mss(st);
    const bool smaller_got_through = st.of(other(d.evidence_side)).acked_peer_data;
    if (!mss || lossy.run_min_len < kLargeSegment || lossy.run_min_len <= lossy.largest_acked_len ||
        lossy.run_min_len + kOptionsSlack < mss || !smaller_got_through)
        return false;
    d.cause = Cause::MtuBlackHole;
    d.lost_segment_len = lossy.run_min_len;
    d.negotiated_mss = mss;
    return true;
}

// The finer causes, the first that matches.
void find_cause(const StreamState &st, const SegmentSizes *sizes, Diagnosis &d) {
    if (mtu_black_hole(st, sizes, d)) return;
    idle_timeout(st, d);
}

}  // namespace

Diagnosis diagnose(const StreamState &st, const Config &config, int64_t end_time_us, const ClientWait *pending,
                   const SegmentSizes *sizes) {
    Diagnosis d = decide(st, config, end_time_us, pending);
    if (st.transport == Transport::Tcp) find_cause(st, sizes, d);
    d.retransmissions_unknown = st.transport == Transport::Tcp && !config.sequence_analysis;
    return d;
}

bool proves(const Diagnosis &d, uint32_t frame, const FrameEvent &event) {
    if (frame == d.evidence_frame || (d.reset_frame && frame == d.reset_frame)) return true;
    if (d.verdict == Verdict::ResponseTimeout && frame == d.wait_frame) return true;
    if (d.cause_frame && frame == d.cause_frame) return true;
    if (d.evidence_kind == FrameEventKind::None || event.kind != d.evidence_kind) return false;
    switch (d.evidence_kind) {
        case FrameEventKind::Fin:
        case FrameEventKind::IcmpError: return true;
        case FrameEventKind::SynRetransmission:
        case FrameEventKind::SynAckRetransmission: return event.side == d.evidence_side;
        case FrameEventKind::Retransmission:
        case FrameEventKind::ZeroWindow: return event.side == d.evidence_side && event.run == d.evidence_run;
        default: return false;  // a reset proves it only as the evidence frame: later RSTs repeat it
    }
}

}  // namespace tcpdiag
