// What most streams never see: resets, retransmissions, zero windows and ICMP errors. A stream
// keeps them out of line, allocated by the first such event, so that the many streams that only
// open and close (or only send a SYN) stay small.
#pragma once

#include <cstdint>

#include "endpoint.h"

namespace tcpdiag {

// The client gave up waiting for an answer (its first RST or FIN while it waited): how long it had
// waited, since which frame.
struct ClientGaveUp {
    uint32_t waited_ms = 0;    // 49 days at most, far beyond any application's timeout
    uint32_t since_frame = 0;  // its request's last segment, or the handshake's ACK
    uint32_t frame = 0;        // its RST or FIN; 0: it did not give up
    bool greeting = false;     // it had sent nothing: it waited for the server to speak first
    bool by_reset = false;
};

// What happened to one end of a stream, beyond opening and closing it (64 bytes: the fields of a
// group are ordered by width, and the one-byte TTLs sit with the flags, so nothing is padding).
struct SideIncidents {
    // Zero window advertised by this side and not yet reopened.
    int64_t zero_window_since_us = 0;
    uint32_t zero_window_frame = 0;
    uint16_t zero_window_run = 0;
    bool window_closed = false;

    // The first RST claiming to come from this side with a TTL / hop limit outside the range of
    // its earlier packets: kept whatever happens next, it is the mark of a forging device.
    uint8_t forged_rst_ttl = 0;
    uint32_t forged_rst_frame = 0;
    // A RST sent before any other packet of this side: its TTL (early_rst_ttl, below) is judged
    // against the ones that come after it (a forged RST can win the race against the real SYN/ACK).
    uint32_t early_rst_frame = 0;

    // The RST of this side that ended the stream: the first one the peer did not ignore.
    uint32_t rst_frame = 0;
    uint32_t rst_unacked_bytes = 0;  // peer bytes this side had not acknowledged when it reset
    uint8_t early_rst_ttl = 0;
    bool rst_has_ack = false, rst_acked_everything = false;
    bool rst_in_sequence = false;       // its seq is what the peer acknowledged last: acceptable
    bool rst_answers_segment = false;   // the packet before it came from the peer
    bool rst_was_first_packet = false;  // this side sent nothing before it
    // What the exchange had come to when this side reset: its own FIN sent (it had closed), the
    // peer's FIN sent (the peer had finished), both FINs sent and acknowledged (closed already).
    bool rst_after_own_fin = false, rst_after_peer_fin = false, rst_after_close = false;
    // The segment the RST answers acknowledged data this side had just sent (and no more): it was in the middle
    // of an exchange, so its TCP knew the connection.
    bool rst_answers_fresh_ack = false;
    // This side's first packet, answering segments that never carried an ACK (no SYN either): a
    // FIN, NULL or Xmas scan, stray segments of no connection. (Segments of a connection carry one.)
    bool rst_answers_stray = false;
    // An out-of-sequence RST after which the peer still sent something (a challenge ACK, RFC
    // 5961), or a RST before the SYN/ACK of a handshake that then completed: it did not end the
    // connection, and the side's next RST replaces it.
    bool rst_ignored = false;

    // Retransmissions of data the peer had not acknowledged, since its ACK last advanced and
    // since this side last sent new data (its FIN is none): the current unanswered run.
    uint16_t unanswered_retransmissions = 0;
    uint16_t retransmission_run = 0;  // numbers the runs so frames can be tied to the last one
    uint32_t retransmissions = 0;     // data retransmissions, SYNs excluded
    uint32_t run_first_frame = 0, run_last_frame = 0, run_original_frame = 0;
};
static_assert(sizeof(SideIncidents) == 64, "SideIncidents has padding: reorder its fields");

// The latest ICMP error quoting the stream (what matters is whether the stream recovered after it).
struct IcmpSeen {
    uint32_t frame = 0;  // 0: none
    Address reporter;
    uint8_t icmp_version = 4, type = 0, code = 0;
    // A later ACK confirmed new data: the path works again.
    bool ack_progress_after = false;
};

// The latest idle gap of the stream: a packet that is not a resend came after at least
// idle_timeout_s of silence in both directions (keepalives break the silence, as they do for the
// devices in the path).
struct IdleGap {
    uint32_t resume_frame = 0;  // the first packet after it; 0: none
    // The first later segment whose ACK confirmed new data: the connection worked again after the
    // gap. 0: not yet.
    uint32_t answered_frame = 0;
    uint16_t idle_s = 0;  // 18 hours at most, far beyond any device's idle timeout
    bool resumed_by_server = false;
};

// A RST whose sequence number lies beyond everything its sender was seen to send, with the peer's
// ACKs showing those bytes never arrived: data lost before the capture point.
struct LostBeforeCapture {
    uint32_t rst_frame = 0;  // 0: none
    uint16_t bytes = 0;      // how far beyond (65535 at most)
    bool by_server = false;
};

// Flaws of the capture itself, which must not change the verdict (tcpdiag.capture_flaws).
struct CaptureFlaws {
    uint32_t duplicates = 0;   // copies of a packet already seen, left out of the analysis
    bool capture_gap = false;  // segments the capture missed (Wireshark: not captured, ACKed unseen)
    bool truncated = false;    // frames cut short by the snap length
};

// A field added to one of these blocks must be added to same_state() (brief_stream.cpp) too.
struct StreamIncidents {
    SideIncidents side[2];  // client, server
    ClientGaveUp client_gave_up;
    IcmpSeen icmp;
    CaptureFlaws flaws;
    IdleGap idle;
    LostBeforeCapture lost_before_capture;
};

}  // namespace tcpdiag
