// Per-stream state accumulated packet by packet: compact, updated in O(1).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "address_pairs.h"
#include "endpoint.h"
#include "history.h"
#include "observation.h"
#include "stream_incidents.h"

namespace tcpdiag {

enum class Side : uint8_t { Client = 0, Server = 1 };

// RFC 1982 serial-number comparison: sequence numbers wrap at 2^32.
inline bool seq_after(uint32_t a, uint32_t b) {
    return static_cast<int32_t>(a - b) > 0;
}
inline Side other(Side s) {
    return s == Side::Client ? Side::Server : Side::Client;
}

// What every stream keeps of one end of it (32 bytes); the rest is in SideIncidents.
struct SideState {
    SideState()
        : seq_known(false),
          ack_known(false),
          last_ack_advanced(false),
          last_ack_step_one(false),
          ttl_of_data(false),
          waiting(false),
          spoke_unprompted(false),
          acked_peer_data(false) {}

    uint32_t packets = 0;
    // Sequence space: next_seq is the highest seq+len (+SYN/FIN) this side sent,
    // highest_ack the highest ACK it sent (how much of the peer's data it confirmed).
    uint32_t next_seq = 0, highest_ack = 0;

    // Handshake packets, retransmissions included (counted apart: a simultaneous open has both),
    // up to 255 each: no stack resends a SYN that often.
    uint32_t first_syn_frame = 0, last_syn_frame = 0;  // of this side's SYNs or SYN/ACKs
    uint8_t syns = 0, synacks = 0;
    uint16_t mss = 0;  // the MSS its SYN (or SYN/ACK) announced: the largest segment it takes; 0 unknown
    uint32_t fin_frame = 0;

    // TTL / hop limit of this side's packets other than RSTs, to judge a later RST: of its
    // data-bearing packets once it sent one (a SYN proxy answers the handshake for an address, the
    // host behind it sends the data).
    uint8_t ttl_min = 0, ttl_max = 0;
    uint8_t first_syn_ttl = 0;
    bool seq_known : 1;
    bool ack_known : 1;
    bool last_ack_advanced : 1;  // this side's latest segment acknowledged new data of the peer
    bool last_ack_step_one : 1;  // its ACK last moved by one: past the peer's FIN, when nothing followed
    bool ttl_of_data : 1;        // ttl_min/ttl_max are those of its data-bearing packets
    bool waiting : 1;            // (the client) waits for an answer: ClientWaits keeps since when
    bool spoke_unprompted : 1;   // (the server) its latest data came unasked: the client's next answers it
    bool acked_peer_data : 1;    // its ACK moved on by more than one: the peer sent payload

    // Its handshake came with a TTL outside the family of its data: two devices speak for it.
    bool ttl_split() const {
        return ttl_of_data && first_syn_ttl && (first_syn_ttl < ttl_min || first_syn_ttl > ttl_max);
    }
};

// One stream, as far as the capture has been read. Frame numbers are 32-bit, as in Wireshark.
// A field added here must be added to same_state() (brief_stream.cpp) too.
struct StreamState {
    StreamState() : role_guessed(false), sizes_tracked(false), server_message_open(false), last_sent_by_server(false) {}

    int64_t first_time_us = 0, last_time_us = 0;
    uint32_t index = 0;  // tcp.stream / udp.stream
    uint32_t first_frame = 0;
    uint32_t synack_frame = 0;       // first SYN/ACK
    uint32_t established_frame = 0;  // first client ACK after the SYN/ACK
    SideState side[2];
    History history;
    Transport transport = Transport::Tcp;
    bool role_guessed : 1;
    bool sizes_tracked : 1;        // it sent a large segment: SegmentSizeTable keeps its segment sizes
    bool server_message_open : 1;  // the server's latest data had no PSH: more of that message follows
    bool last_sent_by_server : 1;  // who sent the previous packet: last_sender()

    Side last_sender() const { return last_sent_by_server ? Side::Server : Side::Client; }
    void set_last_sender(Side s) { last_sent_by_server = s == Side::Server; }

    SideState &of(Side s) { return side[static_cast<int>(s)]; }
    const SideState &of(Side s) const { return side[static_cast<int>(s)]; }
    uint32_t packets() const { return side[0].packets + side[1].packets; }
    // Either side sent payload (the history's data letters).
    bool history_has_data() const {
        return history.has(history_letter::kData, true) || history.has(history_letter::kData, false);
    }
    // The counts every output shows (docs/verdicts.md, "Counts").
    uint32_t syn_retransmissions() const { return side[0].syns > 1 ? side[0].syns - 1u : 0u; }
    uint32_t data_retransmissions() const {
        return incidents(Side::Client).retransmissions + incidents(Side::Server).retransmissions;
    }
    // The stream was opened by a handshake, or (no SYN/ACK seen) both sides sent more than SYNs,
    // or only one side was captured and its ACKs show the other answered.
    bool established() const;
    // Only one side's packets were captured (asymmetric routing, a mirror of one direction): the
    // side that was, or nothing when both or neither were.
    bool one_direction(Side &captured) const;
    // The side sent a FIN: captured, or read from the ACKs of the only side captured.
    bool fin_sent(Side s) const;
    // Which directions the capture holds (tcpdiag.captured; stable): "both", "client_only",
    // "server_only".
    const char *captured_directions() const;
    // How far the conversation got (tcpdiag.stage; stable): "handshake" (never completed),
    // "established" (no payload yet), "request" (payload from the client only), "greeting"
    // (payload from the server only), "exchange" (payload both ways). The half not captured is
    // read from the ACKs of the other.
    const char *stage() const;
    // A RST that ended the stream (ignored ones do not count).
    bool reset_seen() const { return ended_by_reset(Side::Client) || ended_by_reset(Side::Server); }
    bool ended_by_reset(Side s) const { return incidents(s).rst_frame && !incidents(s).rst_ignored; }
    Side first_reset_side() const;

    Endpoint client() const;
    Endpoint server() const;
    // Whether `e` is the client, asked of every segment: compared in place, no Endpoint built.
    bool is_client(const Endpoint &e) const {
        return e.port == client_port_ && (addresses_ ? e.address == addresses_->client : !e.address.known());
    }
    // The addresses go to `addresses`, which must outlive the stream.
    void set_endpoints(const Endpoint &client, const Endpoint &server, AddressPairTable &addresses);
    // The addresses are `pair`'s, which must outlive the stream.
    void set_endpoints(const AddressPair &pair, uint16_t client_port, uint16_t server_port) {
        addresses_ = &pair;
        client_port_ = client_port;
        server_port_ = server_port;
    }

    // Resets, retransmissions, zero windows, ICMP errors: all zero until the first one happens.
    const SideIncidents &incidents(Side s) const;
    const IcmpSeen &icmp() const;
    const ClientGaveUp &client_gave_up() const;
    ClientGaveUp &record_client_gave_up();
    const CaptureFlaws &flaws() const;
    CaptureFlaws &record_flaws();
    const LostBeforeCapture &lost_before_capture() const;
    const IdleGap &idle_gap() const;
    IdleGap &record_idle_gap();
    LostBeforeCapture &record_lost_before_capture();
    // tcpdiag.capture_flaws (stable names): "duplicates", "capture_gaps", "truncated", comma-
    // separated; empty when the capture of this stream is whole.
    std::string capture_flaw_names() const;
    // For recording one: the first call allocates.
    SideIncidents &record_incidents(Side s);
    IcmpSeen &record_icmp();
    // Whether the block of incidents was allocated: with none, every one of them is zero.
    bool has_incidents() const { return incidents_ != nullptr; }
    // Null while nothing happened: clearing a run or a closed window then costs no allocation.
    SideIncidents *recorded_incidents(Side s);

  private:
    uint16_t client_port_ = 0, server_port_ = 0;
    const AddressPair *addresses_ = nullptr;  // null until the first packet
    std::unique_ptr<StreamIncidents> incidents_;
};
// Captures of millions of short streams (SYN floods, scans) keep one of these per stream.
static_assert(sizeof(StreamState) <= 128, "StreamState must stay within 128 bytes");

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

// Fold one segment into the stream; returns what this frame was. The first segment decides who is
// the client, and the stream's addresses go to `addresses`.
FrameEvent update(StreamState &stream, const TcpSegment &segment, AddressPairTable &addresses);
// Record an ICMP error quoting the stream.
FrameEvent update(StreamState &stream, const IcmpError &error);
// Record a UDP datagram of the stream.
FrameEvent update(StreamState &stream, const UdpDatagram &datagram, AddressPairTable &addresses);

}  // namespace tcpdiag
