// Builds the segments of one TCP conversation with consistent sequence numbers, so a test
// states a scenario as a few calls: syn(), synack(), data(), retransmit(), rst() ...
#pragma once

#include <vector>

#include <string>

#include <catch2/catch_test_macros.hpp>

#include "analyzer.h"
#include "duplicates.h"
#include "explain.h"

namespace tcpdiag::test {

// The stream a test built, its verdict and its reason.
inline const StreamState &stream_of(const Analyzer &a, uint32_t stream = 0) {
    const StreamState *st = a.find({Transport::Tcp, stream});
    REQUIRE(st != nullptr);
    return *st;
}
inline Diagnosis diagnosis_of(const Analyzer &a) {
    return a.diagnose(stream_of(a));
}
inline std::string reason_of(const Analyzer &a) {
    return reason(stream_of(a), a.diagnose(stream_of(a)));
}

inline Endpoint endpoint(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
    const uint8_t bytes[4] = {a, b, c, d};
    return {Address::ipv4(bytes), port};
}

class StreamBuilder {
  public:
    explicit StreamBuilder(Analyzer &analyzer, uint32_t stream = 0)
        : analyzer_(analyzer),
          stream_(stream),
          client_(endpoint(10, 0, 0, 1, 40000)),
          server_(endpoint(10, 0, 0, 2, 445)) {}

    uint8_t client_ttl = 64, server_ttl = 61;
    uint16_t mss = 0;  // announced by the SYN and SYN/ACK when set

    // The server's port, set before the first segment (the default, 445, is SMB's: the client speaks first).
    StreamBuilder &to_port(uint16_t port) {
        server_.port = port;
        return *this;
    }
    StreamBuilder &at(double seconds) {
        time_us_ = static_cast<int64_t>(seconds * 1e6);
        return *this;
    }
    StreamBuilder &after(double seconds) {
        time_us_ += static_cast<int64_t>(seconds * 1e6);
        return *this;
    }

    FrameNote syn() { return send(Side::Client, tcp_flag::kSyn, 0, false, true); }
    FrameNote syn_with_data(uint32_t len) { return send(Side::Client, tcp_flag::kSyn, len, false, true); }  // TFO
    FrameNote syn_retransmission() { return send(Side::Client, tcp_flag::kSyn, 0, true, false); }
    FrameNote send_syn_from_server() { return send(Side::Server, tcp_flag::kSyn, 0, false, true); }
    FrameNote synack() { return send(Side::Server, tcp_flag::kSyn | tcp_flag::kAck, 0, false, true); }
    FrameNote synack_retransmission() { return send(Side::Server, tcp_flag::kSyn | tcp_flag::kAck, 0, true, false); }
    FrameNote ack(Side s) { return send(s, tcp_flag::kAck, 0, false, true); }
    FrameNote handshake() {
        syn();
        synack();
        return ack(Side::Client);
    }
    FrameNote data(Side s, uint32_t len) { return send(s, tcp_flag::kAck | tcp_flag::kPsh, len, false, true); }
    // The next segment carries this ACK number, whatever the peer sent (a tool's crafted
    // segment, another connection's late segment).
    StreamBuilder &with_ack(uint32_t ack) {
        forced_ack_ = ack;
        force_ack_ = true;
        return *this;
    }
    // A full-size segment of a message that goes on: no PSH.
    FrameNote segment(Side s, uint32_t len) { return send(s, tcp_flag::kAck, len, false, true); }
    // Resend the last data segment of side s (same seq and length).
    FrameNote retransmit(Side s) { return send(s, tcp_flag::kAck | tcp_flag::kPsh, last_len_[idx(s)], true, false); }
    FrameNote fin(Side s) { return send(s, tcp_flag::kFin | tcp_flag::kAck, 0, false, true); }
    // A segment with just these flags (a scanner's FIN, NULL or Xmas probe).
    FrameNote bare(Side s, uint16_t flags) { return send(s, flags, 0, false, true); }
    FrameNote rst(Side s, bool with_ack = true, uint8_t ttl = 0) {
        return send(s, tcp_flag::kRst | (with_ack ? tcp_flag::kAck : 0), 0, false, false, ttl);
    }
    // Data this side sent that never reached the capture point.
    void lost(Side s, uint32_t len) { next_seq_[idx(s)] += len; }
    // Data (len bytes, plus a FIN or SYN counted as one) this side sent and the peer received,
    // but that the capture does not hold: the other direction of a one-direction capture.
    void unseen(Side s, uint32_t len) {
        next_seq_[idx(s)] += len;
        seen_seq_[idx(s)] = next_seq_[idx(s)];
    }
    // An ACK that confirms nothing new (e.g. a challenge ACK answering an out-of-window RST).
    FrameNote duplicate_ack(Side s) {
        repeat_ack_ = true;
        return ack(s);
    }
    FrameNote zero_window(Side s) {
        window_[idx(s)] = 0;
        return ack(s);
    }
    FrameNote open_window(Side s) {
        window_[idx(s)] = 65535;
        return ack(s);
    }

    // The next segment carries Wireshark's retransmission flag whatever it carries.
    StreamBuilder &flag_as_retransmission() {
        flag_next_ = true;
        return *this;
    }

    uint32_t last_frame() const { return next_frame_ - 1; }

    // The last segment captured again, `gap_us` later (a mirror port, pktmon, merged captures).
    FrameNote copy_of_last(int64_t gap_us = 5) {
        TcpSegment copy = last_segment_;
        copy.frame = next_frame_++;
        copy.time_us += gap_us;
        copy.retransmission = true;  // what Wireshark makes of it
        return analyzer_.observe(copy);
    }

  private:
    static int idx(Side s) { return static_cast<int>(s); }

    FrameNote send(Side s, uint16_t flags, uint32_t len, bool retransmission, bool advance, uint8_t ttl = 0) {
        const int i = idx(s), p = 1 - i;
        TcpSegment seg;
        seg.frame = next_frame_++;
        seg.time_us = time_us_;
        time_us_ += 10000;
        seg.stream = stream_;
        seg.src = s == Side::Client ? client_ : server_;
        seg.dst = s == Side::Client ? server_ : client_;
        seg.flags = flags;
        seg.payload_len = len;
        seg.retransmission = retransmission || flag_next_;
        flag_next_ = false;
        seg.window = window_[i];
        seg.ttl = ttl ? ttl : (s == Side::Client ? client_ttl : server_ttl);
        seg.ack = force_ack_ ? forced_ack_ : repeat_ack_ ? last_ack_[i] : seen_seq_[p];
        repeat_ack_ = force_ack_ = false;
        last_ack_[i] = seg.ack;
        seg.seq = retransmission ? last_seq_[i] : next_seq_[i];
        if (!retransmission && len) {  // the last data segment, which retransmit() resends
            last_seq_[i] = next_seq_[i];
            last_len_[i] = len;
        }
        if (advance) next_seq_[i] += len + ((flags & tcp_flag::kSyn) ? 1 : 0) + ((flags & tcp_flag::kFin) ? 1 : 0);
        if (advance) seen_seq_[i] = next_seq_[i];
        seg.signature = segment_signature(seg, ip_id_[i]++, 0, nullptr, 0);  // a resend gets a new IP ID
        if (flags & tcp_flag::kSyn) seg.mss = mss;
        last_segment_ = seg;
        return analyzer_.observe(seg);
    }

    Analyzer &analyzer_;
    uint32_t stream_;
    Endpoint client_, server_;
    uint32_t next_frame_ = 1;
    int64_t time_us_ = 1000000;
    uint32_t next_seq_[2] = {1000, 5000};
    uint32_t last_seq_[2] = {1000, 5000};
    uint32_t last_len_[2] = {0, 0};
    uint32_t seen_seq_[2] = {1000, 5000};  // what the peer can acknowledge: lost data excluded
    uint32_t last_ack_[2] = {0, 0};
    bool repeat_ack_ = false;
    bool force_ack_ = false;
    uint32_t forced_ack_ = 0;
    bool flag_next_ = false;
    uint16_t ip_id_[2] = {0x4000, 0x9000};
    TcpSegment last_segment_;
    uint16_t window_[2] = {65535, 65535};
};

}  // namespace tcpdiag::test
