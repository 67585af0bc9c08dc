#include "client_wait.h"

#include <algorithm>
#include <cstdint>

namespace tcpdiag {

void ClientWaits::end(StreamState &stream) {
    SideState &client = stream.of(Side::Client);
    if (!client.waiting) return;
    client.waiting = false;
    waits_.erase(stream.index);
}

void ClientWaits::observe(StreamState &stream, const TcpSegment &seg, const SentBefore &before, const Config &config) {
    SideState &client = stream.of(Side::Client);
    SideState &server = stream.of(Side::Server);
    const bool closes = seg.flags & (tcp_flag::kRst | tcp_flag::kFin);
    if (!stream.is_client(seg.src)) {
        // New data the client was not waiting for is the server's own request (SIP, a server
        // push): what the client sends next answers it. A resend, or the rest of a message whose
        // last segment (PSH) had not come yet, is still the answer.
        if (before.new_data(Side::Server, seg)) {
            if (client.waiting || !stream.server_message_open) server.spoke_unprompted = !client.waiting;
            stream.server_message_open = !(seg.flags & tcp_flag::kPsh);
        }
        // An answer, or the server closing: the client has nothing left to wait for.
        if (seg.payload_len || closes) {
            end(stream);
        } else if (client.waiting) {
            waits_[stream.index].server_heard = true;  // its ACKs show its direction was captured
        }
        return;
    }
    if (closes) {
        if (client.waiting && !stream.client_gave_up().frame) {
            const ClientWait &wait = waits_[stream.index];
            // Its closing segment's ACK moving on acknowledges data of the server: an answer.
            const bool answered = client.last_ack_advanced && wait.client_ack_known;
            if (wait.silence_seen(stream) && !answered) {
                ClientGaveUp &gave_up = stream.record_client_gave_up();
                // Capture clocks step back now and then: a wait is never negative.
                const int64_t waited_ms = std::max<int64_t>(0, (seg.time_us - wait.since_us) / 1000);
                gave_up.waited_ms = static_cast<uint32_t>(std::min<int64_t>(waited_ms, UINT32_MAX));
                gave_up.since_frame = wait.frame;
                gave_up.frame = seg.frame;
                gave_up.greeting = wait.greeting;
                gave_up.by_reset = seg.flags & tcp_flag::kRst;
            }
        }
        end(stream);
        return;
    }
    // The client's ACK moving on past the handshake shows the server sent data or its FIN, captured
    // or not (half a conversation, a capture that missed the reply).
    if (client.last_ack_advanced && stream.established_frame != seg.frame) end(stream);
    const bool new_data = !seg.retransmission && before.new_data(Side::Client, seg);
    // A request resent after a loss reached the server only then: the wait starts over.
    const bool resent = seg.payload_len && seg.retransmission && client.waiting;
    // A wait for a greeting, only where the server should speak first.
    const bool handshake_done = stream.established_frame == seg.frame && !stream.history_has_data() &&
                                config.server_speaks_first(stream.server().port);
    if (new_data && server.spoke_unprompted) {  // an answer to the server, not a request
        server.spoke_unprompted = false;
        return;
    }
    if (!new_data && !resent && !handshake_done) return;
    // Waiting for a greeting, the SYN/ACK shows the server's direction is captured; a request's
    // wait needs a packet of the server after it (its ACK).
    const bool greeting = handshake_done && !new_data && !resent;
    const bool heard = greeting || (client.waiting && waits_[stream.index].server_heard && resent);
    waits_[stream.index] = {seg.time_us, seg.frame, greeting, heard, client.ack_known};
    client.waiting = true;
}

const ClientWait *ClientWaits::pending(const StreamState &stream) const {
    if (!stream.of(Side::Client).waiting) return nullptr;
    auto it = waits_.find(stream.index);
    return it == waits_.end() ? nullptr : &it->second;
}

}  // namespace tcpdiag
