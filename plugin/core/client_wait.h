// How long a client has waited for an answer: since its latest new data (a request), or, when it
// has sent nothing yet, since the handshake (a server that speaks first: SMTP, FTP, SSH). Kept only
// for streams whose wait is on, so that streams that were answered, and floods and scans, cost
// nothing; what the wait came to when the client gave up goes to the stream's incidents.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "config.h"
#include "observation.h"
#include "stream_state.h"

namespace tcpdiag {

struct ClientWait {
    int64_t since_us = 0;
    uint32_t frame = 0;             // the request's last segment, or the ACK that completed the handshake
    bool greeting = false;          // waiting for the server to speak first
    bool server_heard = false;      // a packet of the server came during the wait: its silence is seen
    bool client_ack_known = false;  // the client had acknowledged something when the wait began

    // Only a silence the capture could have seen counts: the server's packets came during the
    // wait, or only the client's direction is captured and its ACKs, known since the wait began,
    // would show the server's data.
    bool silence_seen(const StreamState &stream) const {
        return server_heard || (stream.of(Side::Server).packets == 0 && client_ack_known);
    }
};

// How far each side's sequence had come before a segment: new data goes beyond it, a resend or a
// keepalive does not.
struct SentBefore {
    uint32_t next_seq[2] = {0, 0};  // by Side
    bool seq_known[2] = {false, false};

    explicit SentBefore(const StreamState &stream) {
        for (int i = 0; i < 2; ++i) {
            next_seq[i] = stream.side[i].next_seq;
            seq_known[i] = stream.side[i].seq_known;
        }
    }
    bool new_data(Side s, const TcpSegment &seg) const {
        const int i = static_cast<int>(s);
        return seg.payload_len && (!seq_known[i] || seq_after(seg.seq + seg.payload_len, next_seq[i]));
    }
};

class ClientWaits {
  public:
    // After `update()` folded the segment into the stream; `before` is what each side had sent
    // before this segment, taken before `update()`.
    void observe(StreamState &stream, const TcpSegment &segment, const SentBefore &before, const Config &config);
    // The wait still on at the end of what was read, if any.
    const ClientWait *pending(const StreamState &stream) const;

  private:
    void end(StreamState &stream);
    std::unordered_map<uint32_t, ClientWait> waits_;  // by tcp.stream
};

}  // namespace tcpdiag
