#include "explain.h"

#include "icmp_codes.h"
#include "text_format.h"

namespace tcpdiag {

namespace {

const char *role(Side s) {
    return s == Side::Client ? "client" : "server";
}
const char *Role(Side s) {
    return s == Side::Client ? "Client" : "Server";
}

std::string host(const StreamState &st, Side s) {
    return to_string(s == Side::Client ? st.client().address : st.server().address);
}

double seconds(int64_t us) {
    return static_cast<double>(us) / 1e6;
}

std::string icmp_text(const StreamState &st) {
    const IcmpSeen &icmp = st.icmp();
    return format("ICMP%s Destination Unreachable (%s, code %u)", icmp.icmp_version == 6 ? "v6" : "",
                  unreachable_code_name(icmp.icmp_version, icmp.code), icmp.code);
}

std::string retransmission_reason(const StreamState &st, const Diagnosis &d) {
    const SideIncidents &side = st.incidents(d.evidence_side);
    std::string text = format("%s %s retransmitted %u times without an ACK from the %s (frames %u to %u",
                              Role(d.evidence_side), host(st, d.evidence_side).c_str(), side.unanswered_retransmissions,
                              role(other(d.evidence_side)), side.run_first_frame, side.run_last_frame);
    if (side.run_original_frame) text += format(", resending frame %u", side.run_original_frame);
    text += ")";
    if (st.reset_seen()) {
        const Side r = st.first_reset_side();
        text += format(", then the %s reset the connection (frame %u).", role(r), st.incidents(r).rst_frame);
    } else {
        text += ", then silence until the capture ended.";
    }
    return text;
}

std::string reset_reason(const StreamState &st, const Diagnosis &d) {
    const Side s = d.evidence_side;
    const SideIncidents &side = st.incidents(s);
    if (d.verdict == Verdict::PeerLostState && side.rst_answers_stray)
        return format(
            "%s %s answered the %s's segments, which carried no ACK (a scan, or stray segments), with a RST "
            "(frame %u): it never had this connection.",
            Role(s), host(st, s).c_str(), role(other(s)), side.rst_frame);
    if (d.verdict == Verdict::PeerLostState)
        return format(
            "%s %s answered the %s's segment with a RST without ACK (frame %u): it no longer knows "
            "this connection.",
            Role(s), host(st, s).c_str(), role(other(s)), side.rst_frame);
    if (side.rst_after_own_fin)
        return format(
            "%s %s had closed (FIN, frame %u); its stack then reset the connection (frame %u), answering the %s's "
            "late segments: the application closed with data unread, or aborted.",
            Role(s), host(st, s).c_str(), st.of(s).fin_frame, side.rst_frame, role(other(s)));
    if (side.rst_after_peer_fin)
        return format(
            "The %s closed (FIN, frame %u) and %s %s reset the connection (frame %u) instead of closing its own "
            "side: an abortive close.",
            role(other(s)), st.of(other(s)).fin_frame, role(s), host(st, s).c_str(), side.rst_frame);
    if (!side.rst_has_ack && side.rst_answers_fresh_ack)
        return format(
            "%s %s reset the connection (frame %u) right after the %s acknowledged its data: it ended an exchange "
            "it was in the middle of (an abortive close by its application).",
            Role(s), host(st, s).c_str(), side.rst_frame, role(other(s)));
    if (side.rst_acked_everything)
        return format("%s %s reset the connection (frame %u) after acknowledging all data from the %s.", Role(s),
                      host(st, s).c_str(), side.rst_frame, role(other(s)));
    return format("%s %s reset the connection (frame %u) with %u bytes from the %s unacknowledged.", Role(s),
                  host(st, s).c_str(), side.rst_frame, side.rst_unacked_bytes, role(other(s)));
}

// What the client waited for, and how long: "Client sent a request (frame 12) and got no answer
// for 5.000 s".
std::string wait_text(const StreamState &st, const Diagnosis &d) {
    if (d.wait_greeting)
        return format(
            "Client %s completed the handshake (frame %u) and waited %.3f s for the server to speak first (a "
            "greeting, as SMTP, FTP or SSH servers send); none came",
            host(st, Side::Client).c_str(), d.wait_frame, seconds(d.wait_us));
    return format("Client %s sent a request (frame %u) and got no answer for %.3f s", host(st, Side::Client).c_str(),
                  d.wait_frame, seconds(d.wait_us));
}

// The server's TCP confirmed the client's data: it arrived, the application did not answer.
bool request_acknowledged(const StreamState &st) {
    const SideState &client = st.of(Side::Client), &server = st.of(Side::Server);
    const uint32_t sent = client.next_seq - (client.fin_frame ? 1u : 0u);
    return server.packets && server.ack_known && client.seq_known && !seq_after(sent, server.highest_ack);
}

std::string response_timeout_reason(const StreamState &st, const Diagnosis &d) {
    std::string text = wait_text(st, d) + format("; then the client %s the connection (frame %u).",
                                                 d.reset_by == Actor::Client ? "reset" : "closed", d.evidence_frame);
    if (!d.wait_greeting && request_acknowledged(st))
        text += " The server's TCP acknowledged the request: it arrived, and the application did not answer.";
    return text;
}

// The sentence for the verdict itself.
std::string describe(const StreamState &st, const Diagnosis &d) {
    const SideState &client = st.of(Side::Client), &server = st.of(Side::Server);
    switch (d.verdict) {
        case Verdict::InjectedReset: {
            const SideState &side = st.of(d.evidence_side);
            const SideIncidents &forged = st.incidents(d.evidence_side);
            const char *ttl = st.client().address.family == 6 ? "hop limit" : "TTL";
            const std::string family = side.ttl_min == side.ttl_max
                                           ? std::to_string(side.ttl_min)
                                           : std::to_string(side.ttl_min) + " to " + std::to_string(side.ttl_max);
            std::string text = format(
                "RST at frame %u claims to come from %s but has %s %u, while its %s had %s %s: a device in the "
                "path forged it.",
                d.evidence_frame, host(st, d.evidence_side).c_str(), ttl,
                d.evidence_frame == forged.early_rst_frame ? forged.early_rst_ttl : forged.forged_rst_ttl,
                side.ttl_of_data ? "data" : "other packets", ttl, family.c_str());
            if (side.ttl_split())
                text += format(
                    " Its handshake (frame %u) came with %s %u: a device answered the handshake for the address (a "
                    "SYN proxy or firewall), the host behind it sent the data.",
                    side.first_syn_frame, ttl, side.first_syn_ttl);
            return text;
        }
        case Verdict::Refused:
            return format(
                "Server %s answered the SYN with a reset (frame %u) and no SYN/ACK: nothing listens on port "
                "%u, or the application refuses the connection.",
                host(st, Side::Server).c_str(), st.incidents(Side::Server).rst_frame, st.server().port);
        case Verdict::IcmpUnreachable:
        case Verdict::PortUnreachable:
            return format("%s answered with %s for %s (frame %u).", to_string(st.icmp().reporter).c_str(),
                          icmp_text(st).c_str(), to_string(st.server()).c_str(), st.icmp().frame);
        case Verdict::HandshakeLoss:
            if (d.evidence_kind == FrameEventKind::SynAckRetransmission)
                return format(
                    "Server sent %u SYN/ACKs (frames %u to %u) and the client never completed the handshake%s",
                    server.synacks, server.first_syn_frame, server.last_syn_frame,
                    d.reset_frame ? format("; then the server gave up with a RST (frame %u).", d.reset_frame).c_str()
                                  : ".");
            return format(
                "Client sent %u SYNs (frames %u to %u, TTL %u as it left the client) and got no SYN/ACK, "
                "RST or ICMP answer.",
                client.syns, client.first_syn_frame, client.last_syn_frame, client.first_syn_ttl);
        case Verdict::NoResponse:
            return format(
                "%u SYNs reached %s (frames %u to %u, TTL %u: past the client's first hop) and the host did "
                "not answer.",
                client.syns, host(st, Side::Server).c_str(), client.first_syn_frame, client.last_syn_frame,
                client.first_syn_ttl);
        case Verdict::DataLoss:
            if (d.loss_point == LossPoint::BeforeCapture) {
                const Side s = d.evidence_side;
                return format(
                    "%s %s reset the connection (frame %u) with a sequence number %u bytes beyond the last of its "
                    "data that arrived here, and the %s never acknowledged those bytes: the %s had sent data that "
                    "was lost before it reached the capture point.",
                    Role(s), host(st, s).c_str(), d.evidence_frame, unsigned{st.lost_before_capture().bytes},
                    role(other(s)), role(s));
            }
            return retransmission_reason(st, d);
        case Verdict::ZeroWindowStall: {
            const SideIncidents &side = st.incidents(d.evidence_side);
            return format("%s %s advertised a zero window from frame %u and never opened it again (%.3f s closed).",
                          Role(d.evidence_side), host(st, d.evidence_side).c_str(), side.zero_window_frame,
                          seconds(d.stall_us));
        }
        case Verdict::PeerLostState:
        case Verdict::AppReset: return reset_reason(st, d);
        case Verdict::GracefulClose:
            if (!client.fin_frame || !server.fin_frame) {
                const Side seen = client.fin_frame ? Side::Client : Side::Server;
                return format("%s closed with FIN (frame %u) and its ACKs acknowledge the %s's FIN; no reset.",
                              Role(seen), st.of(seen).fin_frame, role(other(seen)));
            }
            if (d.reset_frame)
                return format(
                    "Both sides closed with FIN (client frame %u, server frame %u), each acknowledged; the %s's RST "
                    "(frame %u) came after the close.",
                    client.fin_frame, server.fin_frame, role(st.first_reset_side()), d.reset_frame);
            return format("Both sides closed with FIN (client frame %u, server frame %u); no reset.", client.fin_frame,
                          server.fin_frame);
        case Verdict::ResponseTimeout: return response_timeout_reason(st, d);
        case Verdict::Open:
            if (d.wait_us)
                return wait_text(st, d) + format(
                                              " by the end of the capture, with the connection still open (%u "
                                              "packets, no reset, loss or stall).",
                                              st.packets());
            return format("Established; no %s in %u packets before the capture ended.",
                          st.incidents(Side::Client).rst_frame || st.incidents(Side::Server).rst_frame
                              ? "loss, stall or reset that ended it"
                              : "reset, loss or stall",
                          st.packets());
        case Verdict::Incomplete: {
            const char *what = !server.packets && client.syns       ? "a SYN, neither answered nor retransmitted"
                               : !server.packets || !client.packets ? "packets in one direction only"
                                                                    : "no completed handshake and no end";
            return format("Only %u packet%s seen, %s: nothing conclusive.", st.packets(), st.packets() == 1 ? "" : "s",
                          what);
        }
        case Verdict::Undecided: break;
    }
    return "No packet seen.";
}

}  // namespace

// Half a conversation: which half is missing and what the captured one shows of it.
std::string one_direction_note(const StreamState &st) {
    Side seen;
    if (!st.one_direction(seen)) return "";
    const SideState &side = st.of(seen);
    if (side.packets <= uint32_t{side.syns} + side.synacks) return "";  // a handshake unanswered: said below
    std::string text = format("Only the %s's %u packets were captured; the %s's side is read from their ACKs",
                              role(seen), side.packets, role(other(seen)));
    if (st.fin_sent(other(seen)) && !st.of(other(seen)).fin_frame) text += ", which acknowledge its FIN";
    return text + ". ";
}

namespace {

// The finer cause behind the verdict.
std::string cause_note(const StreamState &st, const Diagnosis &d) {
    const Side resumer = st.idle_gap().resumed_by_server ? Side::Server : Side::Client;
    switch (d.cause) {
        case Cause::IdleTimeout:
            return format(
                " It came with the first packets after the connection had been idle for %u s (the %s's frame %u "
                "ended the silence): an idle timer, a firewall's, NAT's or load balancer's in the path or the %s's "
                "own, had most likely dropped the connection%s.",
                unsigned{d.idle_s}, role(resumer), d.cause_frame, role(other(resumer)),
                d.verdict == Verdict::PeerLostState
                    ? format(" (or the %s restarted during it)", role(d.evidence_side)).c_str()
                    : "");
        case Cause::MtuBlackHole:
            return format(
                " The lost segments are %u bytes, near the %u-byte MSS the connection negotiated, while smaller "
                "segments of the %s got through, and no ICMP \"fragmentation needed\" or ICMPv6 \"packet too big\" "
                "came back: a hop with a smaller MTU drops them without a word (an MTU black hole).",
                unsigned{d.lost_segment_len}, unsigned{d.negotiated_mss}, role(d.evidence_side));
        case Cause::None: break;
    }
    return "";
}

// Which side of the capture point the loss was on, for a loss seen by its retransmissions.
std::string loss_point_note(const Diagnosis &d) {
    if (d.loss_point != LossPoint::AfterCapture) return "";
    const Side sender = d.evidence_side;
    const char *what =
        d.verdict == Verdict::HandshakeLoss ? (sender == Side::Client ? "SYNs" : "SYN/ACKs") : "lost segments";
    return format(
        " The %s were captured here: they were lost between this capture point and the %s, or the %s's answers were "
        "lost on the way back.",
        what, role(other(sender)), role(other(sender)));
}

// What to do about the cause, before the verdict's own next step.
std::string cause_step(const StreamState &st, const Diagnosis &d) {
    switch (d.cause) {
        case Cause::IdleTimeout:
            return format(
                "compare the idle timeouts of the firewalls, NATs and load balancers between %s and %s (and of the "
                "applications at both ends) with the %u s this connection was idle, and make the application's or "
                "TCP's keepalives (or its pool's idle eviction) shorter than the shortest of them; ",
                host(st, Side::Client).c_str(), host(st, Side::Server).c_str(), unsigned{d.idle_s});
        case Cause::MtuBlackHole:
            return format(
                "find the hop between %s and %s whose MTU is too small for these segments' packets (a tunnel, VPN or "
                "PPPoE link: ping -M do -s SIZE toward %s finds the largest that passes), let ICMP type 3 code 4 "
                "and ICMPv6 type 2 through so that path MTU discovery works, or clamp the MSS on the tunnel or VPN "
                "(iptables TCPMSS --clamp-mss-to-pmtu); ",
                host(st, d.evidence_side).c_str(), host(st, other(d.evidence_side)).c_str(),
                host(st, other(d.evidence_side)).c_str());
        case Cause::None: break;
    }
    return "";
}

}  // namespace

// The capture's own flaws, which the verdict does not count.
std::string capture_flaws_note(const StreamState &st) {
    const CaptureFlaws &f = st.flaws();
    std::string text;
    if (f.duplicates)
        text += format(
            " The capture holds %u duplicate%s of packets (a mirror of both directions, pktmon's copies, "
            "merged captures), left out: no retransmission.",
            f.duplicates, f.duplicates == 1 ? "" : "s");
    if (f.capture_gap)
        text +=
            " The capture missed segments of this stream (Wireshark: previous segment not captured or ACKed "
            "unseen segment): the capturing host dropped them, or they took another path.";
    if (f.truncated) text += " Frames were cut short by the snap length; the lengths are taken from the IP headers.";
    return text;
}

// A RST sent before the SYN/ACK of a handshake that then completed (forget_resets_before_handshake).
std::string early_reset_note(const StreamState &st) {
    std::string text;
    for (Side s : {Side::Client, Side::Server}) {
        const SideIncidents &side = st.incidents(s);
        if (side.rst_ignored && side.rst_frame && side.rst_frame < st.synack_frame)
            text += format(
                " The %s's RST at frame %u, before the SYN/ACK, ended nothing: the handshake completed "
                "after it.",
                role(s), side.rst_frame);
    }
    return text;
}

std::string reason(const StreamState &st, const Diagnosis &d) {
    const std::string text = one_direction_note(st) + describe(st, d) + early_reset_note(st) + loss_point_note(d) +
                             cause_note(st, d) + capture_flaws_note(st);
    if (!d.retransmissions_unknown) return text;
    return text +
           " Retransmissions unknown: Wireshark's TCP sequence analysis is off (Preferences > Protocols > "
           "TCP > Analyze TCP sequence numbers).";
}

namespace {

std::string verdict_step(const StreamState &st, const Diagnosis &d) {
    const std::string server = host(st, Side::Server), client = host(st, Side::Client);
    const unsigned port = st.server().port;
    switch (d.verdict) {
        case Verdict::InjectedReset:
            return "look for a firewall, IPS or WAN accelerator between " + client + " and " + server +
                   " that resets connections; a capture at " + host(st, d.evidence_side) + " will not contain this RST";
        case Verdict::Refused:
            return format(
                "check that port %u is LISTENING on %s (netstat -anob / ss -ltnp); if it is, find out why the "
                "application or a host firewall rule refuses %s",
                port, server.c_str(), client.c_str());
        case Verdict::PortUnreachable:
            return format("nothing listens on UDP port %u at %s: start the service or fix the port the client uses",
                          port, server.c_str());
        case Verdict::IcmpUnreachable:
            return format("review the filtering and routing at %s, which reports %s unreachable (%s)",
                          to_string(st.icmp().reporter).c_str(), to_string(st.server()).c_str(),
                          unreachable_code_name(st.icmp().icmp_version, st.icmp().code));
        case Verdict::HandshakeLoss:
            return format(
                "capture at %s at the same time: if the SYNs are absent there, the network between drops them "
                "(walk the hops with the network team); if they arrive, check that port %u is LISTENING and "
                "audit the host firewall's drops",
                server.c_str(), port);
        case Verdict::NoResponse:
            return format(
                "check that port %u is LISTENING on %s (netstat -anob / ss -ltnp); if it is, audit the host "
                "firewall's drops (Windows: auditpol Filtering Platform Packet Drop, then netsh wfp show state; "
                "Linux: nft list ruleset)",
                port, server.c_str());
        case Verdict::DataLoss:
            if (d.loss_point == LossPoint::BeforeCapture)
                return format(
                    "the %s's data was lost between %s and this capture point: capture at %s, or at the hops toward "
                    "it, to find where its segments are dropped",
                    role(d.evidence_side), host(st, d.evidence_side).c_str(), host(st, d.evidence_side).c_str());
            return "capture at " + host(st, other(d.evidence_side)) +
                   " at the same time: the retransmissions absent there were dropped in between; walk the hops "
                   "between " +
                   client + " and " + server + " with the network team";
        case Verdict::ZeroWindowStall:
            return format(
                "the application receiving on %s stopped reading its socket: look at that process (hung, "
                "blocked or overloaded) at the time of frame %u",
                to_string(d.evidence_side == Side::Client ? st.client() : st.server()).c_str(), d.evidence_frame);
        case Verdict::PeerLostState:
            return "the " + std::string(role(d.evidence_side)) +
                   "'s TCP, or a NAT, firewall or load balancer in between, dropped the connection state: check idle "
                   "timeouts of stateful devices and whether " +
                   host(st, d.evidence_side) + " restarted";
        case Verdict::AppReset:
            return format(
                "identify the application on %s port %u and find out why it aborted the connection (its logs "
                "at the time of frame %u)",
                host(st, d.evidence_side).c_str(),
                d.evidence_side == Side::Client ? st.client().port : st.server().port, d.evidence_frame);
        case Verdict::ResponseTimeout:
            return format(
                "find out why the server application at %s port %u did not answer in time (locks, an exhausted "
                "worker pool, a slow back end: its logs at frame %u); from a capture at the client, capture at the "
                "server too, since an answer lost on the way looks the same from the client",
                server.c_str(), port, d.wait_frame);
        case Verdict::GracefulClose:
            return "nothing to fix in TCP; if the application reports an error, read its payload";
        case Verdict::Open:
            return "the connection was still open when the capture ended: capture longer to see how it ends";
        case Verdict::Incomplete:
            return "capture from before the connection starts to see its handshake and how it ends";
        case Verdict::Undecided: break;
    }
    return "";
}

}  // namespace

std::string next_step(const StreamState &st, const Diagnosis &d) {
    return cause_step(st, d) + verdict_step(st, d);
}

std::string evidence_note(const StreamState &st, const Diagnosis &d, uint32_t frame, const FrameEvent &event) {
    const char *title = verdict_title(d.verdict);
    if (d.cause == Cause::IdleTimeout && frame == d.cause_frame && frame != d.evidence_frame)
        return format("First packet after %u s of silence, the failure followed (%s, cause idle_timeout)",
                      unsigned{d.idle_s}, title);
    switch (event.kind) {
        case FrameEventKind::SynRetransmission:
            return format("SYN retransmission %u with no SYN/ACK (%s)", event.ordinal, title);
        case FrameEventKind::SynAckRetransmission:
            return format("SYN/ACK retransmission %u with no ACK from the client (%s)", event.ordinal, title);
        case FrameEventKind::Retransmission:
            return format("Unanswered retransmission %u by the %s (%s)", event.ordinal, role(event.side), title);
        case FrameEventKind::ZeroWindow:
            return format("%s advertises a zero window and never reopens it (%s)", Role(event.side), title);
        case FrameEventKind::IcmpError: return icmp_text(st) + " (" + title + ")";
        case FrameEventKind::Fin: return format("FIN from the %s (%s)", role(event.side), title);
        case FrameEventKind::Reset:
            if (d.verdict == Verdict::DataLoss && d.loss_point == LossPoint::AfterCapture) {
                const SideIncidents &lossy = st.incidents(d.evidence_side);
                std::string text = format("%s reset the connection after %u unanswered retransmissions by the %s",
                                          Role(event.side), lossy.unanswered_retransmissions, role(d.evidence_side));
                if (lossy.run_original_frame) text += format(" of frame %u", lossy.run_original_frame);
                return text + " (" + title + ")";
            }
            break;
        default: break;
    }
    std::string text = reason(st, d);
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text + " (" + title + ")";
}

}  // namespace tcpdiag
