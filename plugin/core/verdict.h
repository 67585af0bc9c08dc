// The verdict vocabulary: one line per verdict, in precedence order (docs/verdicts.md).
#pragma once

#include <cstdint>

namespace tcpdiag {

enum class Verdict : uint8_t {
    Undecided,        // no packet seen yet
    InjectedReset,    // a RST whose TTL does not fit the claimed sender: forged in the path
    Refused,          // SYN answered by RST, no SYN/ACK
    IcmpUnreachable,  // ICMP Destination Unreachable quotes the stream and it never recovered
    HandshakeLoss,    // SYN (or SYN/ACK) retransmitted, unanswered, seen at the sending side
    NoResponse,       // the same, seen where the SYNs had arrived at the destination
    DataLoss,         // retransmissions never acknowledged, then reset or silence
    ZeroWindowStall,  // a zero window that never opened again
    PeerLostState,    // RST without ACK: the peer no longer knows the connection
    AppReset,         // RST with ACK, nothing above explains it: the application aborted
    GracefulClose,    // FIN from both sides, no reset
    Open,             // established and fine when the capture ended
    Incomplete,       // too little seen to judge
    PortUnreachable,  // UDP answered by ICMP port unreachable
    // The client got no answer for response_timeout_ms and gave up (after zero_window_stall in
    // precedence, before peer_lost_state: see diagnosis.cpp).
    ResponseTimeout,
};

// The last verdict of the enum: tables and loops over every verdict end here.
constexpr Verdict kLastVerdict = Verdict::ResponseTimeout;

// The finer cause behind a verdict (tcpdiag.cause), when the evidence shows one.
enum class Cause : uint8_t {
    None,
    // The failure came with the first packets after the connection had been idle for at least
    // idle_timeout_s: an idle timer (a firewall's, NAT's or load balancer's) dropped its state.
    IdleTimeout,
    // data_loss of segments all larger than any of that side the peer acknowledged, near the
    // negotiated MSS, while smaller ones got through, and no ICMP said they were too big: a hop
    // with a smaller MTU drops them silently.
    MtuBlackHole,
};

// Which side of the capture point the loss of data_loss and handshake_loss happened on
// (tcpdiag.loss_point).
enum class LossPoint : uint8_t {
    None,
    // The lost segments were captured here: lost between the capture point and the receiver, or
    // their ACKs lost on the way back.
    AfterCapture,
    // They never reached the capture point: a RST (or a segment) beyond everything that arrived
    // shows they were sent.
    BeforeCapture,
};

// Who ended the stream.
enum class Actor : uint8_t { None, Client, Server, Path };

// Stable strings: display filters, coloring rules and scripts depend on them.
const char *verdict_name(Verdict verdict);
const char *actor_name(Actor actor);
// "" for Cause::None (the field is then absent).
const char *cause_name(Cause cause);
// "" for LossPoint::None (the field is then absent).
const char *loss_point_name(LossPoint point);
// A short human title, e.g. "application reset".
const char *verdict_title(Verdict verdict);
// True for the verdicts that describe a failure (all but graceful_close, open, incomplete).
bool is_failure(Verdict verdict);

}  // namespace tcpdiag
