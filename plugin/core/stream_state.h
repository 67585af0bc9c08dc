// Per-stream state accumulated packet by packet: compact, updated in O(1).
#pragma once

#include <cstdint>

#include "endpoint.h"
#include "history.h"
#include "observation.h"

namespace tcpdiag {

enum class Side : uint8_t { Client = 0, Server = 1 };
inline Side other(Side s) {
    return s == Side::Client ? Side::Server : Side::Client;
}

// What one end of a stream did.
struct SideState {
    uint32_t packets = 0;
    uint64_t payload_bytes = 0;

    // Sequence space: next_seq is the highest seq+len (+SYN/FIN) this side sent,
    // highest_ack the highest ACK it sent (how much of the peer's data it confirmed).
    bool seq_known = false, ack_known = false;
    uint32_t next_seq = 0, highest_ack = 0;

    // TTL / hop limit of this side's packets other than RSTs, to judge a later RST.
    uint8_t ttl_min = 0, ttl_max = 0;

    // Handshake packets, retransmissions included (counted apart: a simultaneous open has both).
    uint16_t syns = 0, synacks = 0;
    uint32_t first_syn_frame = 0, last_syn_frame = 0;  // of this side's SYNs or SYN/ACKs
    uint8_t first_syn_ttl = 0;
    uint32_t fin_frame = 0;

    // The RST of this side that ended the stream: the first one the peer did not ignore.
    uint32_t rst_frame = 0;
    bool rst_has_ack = false, rst_acked_everything = false;
    bool rst_in_sequence = false;       // its seq is what the peer acknowledged last: acceptable
    bool rst_answers_segment = false;   // the packet before it came from the peer
    bool rst_was_first_packet = false;  // this side sent nothing before it
    // An out-of-sequence RST after which the peer still sent something (a challenge ACK, RFC
    // 5961): it did not end the connection, and the side's next RST replaces it.
    bool rst_ignored = false;
    uint32_t rst_unacked_bytes = 0;  // peer bytes this side had not acknowledged when it reset

    // The first RST claiming to come from this side with a TTL / hop limit outside the range of
    // its earlier packets: kept whatever happens next, it is the mark of a forging device.
    uint32_t forged_rst_frame = 0;
    uint8_t forged_rst_ttl = 0;

    uint32_t retransmissions = 0;  // data retransmissions, SYNs excluded
    // Retransmissions of data the peer had not acknowledged, since its ACK last advanced and
    // since this side last sent new data: the current unanswered run.
    uint16_t unanswered_retransmissions = 0;
    uint16_t retransmission_run = 0;  // numbers the runs so frames can be tied to the last one
    uint32_t run_first_frame = 0, run_last_frame = 0, run_original_frame = 0;

    // Zero window advertised by this side and not yet reopened.
    bool window_closed = false;
    uint16_t zero_window_run = 0;
    uint32_t zero_window_frame = 0;
    int64_t zero_window_since_us = 0;
};

// The latest ICMP error quoting the stream (what matters is whether the stream recovered after it).
struct IcmpSeen {
    uint32_t frame = 0;  // 0: none
    Address reporter;
    uint8_t icmp_version = 4, type = 0, code = 0;
};

struct StreamState {
    Transport transport = Transport::Tcp;
    uint32_t index = 0;  // tcp.stream / udp.stream
    Endpoint client, server;
    bool role_guessed = false;

    uint32_t first_frame = 0, last_frame = 0;
    int64_t first_time_us = 0, last_time_us = 0;
    uint32_t synack_frame = 0;             // first SYN/ACK
    uint32_t established_frame = 0;        // first client ACK after the SYN/ACK
    uint32_t last_ack_progress_frame = 0;  // last frame whose ACK confirmed new data
    bool any_sender = false;
    Side last_sender = Side::Client;  // who sent the previous packet
    SideState side[2];
    IcmpSeen icmp;
    History history;

    SideState &of(Side s) { return side[static_cast<int>(s)]; }
    const SideState &of(Side s) const { return side[static_cast<int>(s)]; }
    uint32_t packets() const { return side[0].packets + side[1].packets; }
    // The counts every output shows (docs/verdicts.md, "Counts").
    uint32_t syn_retransmissions() const { return side[0].syns > 1 ? side[0].syns - 1u : 0u; }
    uint32_t data_retransmissions() const { return side[0].retransmissions + side[1].retransmissions; }
    // The stream was opened by a handshake, or (no SYN/ACK seen) both sides sent more than SYNs.
    bool established() const;
    // A RST that ended the stream (ignored ones do not count).
    bool reset_seen() const { return ended_by_reset(Side::Client) || ended_by_reset(Side::Server); }
    bool ended_by_reset(Side s) const { return of(s).rst_frame && !of(s).rst_ignored; }
    Side first_reset_side() const;
};

// Which side sent the segment; decides roles on the stream's first packet.
Side side_of(StreamState &stream, const TcpSegment &segment);

// Events recorded per frame, so later passes can tell which frames prove the verdict.
enum class FrameEventKind : uint8_t {
    None,
    Syn,
    SynRetransmission,
    SynAck,
    SynAckRetransmission,
    Retransmission,
    ZeroWindow,
    Fin,
    Reset,
    IcmpError,
    Datagram,
};

struct FrameEvent {
    FrameEventKind kind = FrameEventKind::None;
    Side side = Side::Client;
    uint16_t run = 0;      // retransmission or zero-window run it belongs to
    uint16_t ordinal = 0;  // e.g. 2 for the second SYN retransmission
};

// Fold one segment into the stream; returns what this frame was.
FrameEvent update(StreamState &stream, const TcpSegment &segment);
// Record an ICMP error quoting the stream.
FrameEvent update(StreamState &stream, const IcmpError &error);
// Record a UDP datagram of the stream.
FrameEvent update(StreamState &stream, const UdpDatagram &datagram);

}  // namespace tcpdiag
