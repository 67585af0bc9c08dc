// Builds one TCP conversation as two captures see it: one at the client, one at the server,
// with a path in between that can delay, drop, translate, rewrite or forge packets, and a clock
// offset between the two machines.
#pragma once

#include <algorithm>
#include <functional>
#include <vector>

#include "twopoint/correlation.h"

namespace tcpdiag::test {

inline Address ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    const uint8_t bytes[4] = {a, b, c, d};
    return Address::ipv4(bytes);
}

class TwoPointBuilder {
  public:
    int64_t delay_us = 2'000;             // one way, client to server and back
    int64_t clock_offset_us = 3'600'000;  // the server's clock minus the client's
    uint32_t stream = 0;
    uint32_t client_seq = 1000, server_seq = 5000;  // next sequence number of each side
    uint32_t ts_ = 100;                             // the senders' TCP timestamp clock
    Endpoint client{ipv4(10, 1, 0, 2), 40001}, server{ipv4(10, 2, 0, 2), 8080};
    // NAT: how the server sees the client.
    Endpoint client_at_server{ipv4(10, 1, 0, 2), 40001};

    // A packet from the client (or server) at time t (sender's clock, microseconds from start).
    PacketSummary &send(bool from_client, uint16_t flags, uint32_t payload_len, uint64_t payload_id = 0) {
        PacketSummary p;
        p.transport = 6;
        p.src = from_client ? client : server;
        p.dst = from_client ? server : client;
        p.ttl = from_client ? 64 : 128;
        p.ip_id = next_ip_id_++;
        p.flags = flags;
        uint32_t &seq = from_client ? client_seq : server_seq;
        p.seq = seq;
        p.ack = from_client ? server_seq : client_seq;
        p.window = 501;
        p.options.has_timestamps = true;
        p.options.ts_value = ++ts_;
        p.payload_len = payload_len;
        p.hashed_len = static_cast<uint16_t>(payload_len > 64 ? 64 : payload_len);
        p.payload_hash = payload_len ? 0x1000 + payload_id : 0xcbf29ce484222325ull;
        if (flags & 0x02) p.options.mss = 1460, p.options.kinds |= 1u << 2;
        seq += payload_len + ((flags & 0x03) ? 1 : 0);
        wire_.push_back({p, from_client, now_us_});
        now_us_ += 10'000;
        return wire_.back().packet;
    }
    // The last packet sent again, unchanged but for the sender's stamps.
    void retransmit_last() {
        Wire w = wire_.back();
        w.packet.options.ts_value = ++ts_;
        w.packet.ip_id = next_ip_id_++;
        w.sent_us = now_us_;
        now_us_ += 200'000;
        wire_.push_back(w);
    }
    void handshake() {
        send(true, 0x02, 0);
        send(false, 0x12, 0);
        send(true, 0x10, 0);
    }

    // Which packets the path loses (by index in sending order), and what it does to the rest.
    std::vector<size_t> lost;
    // The server's capture stopped this long after the start (client clock); negative: it ran on.
    int64_t peer_stops_us = -1;
    std::function<void(PacketSummary &, bool from_client)> rewrite;
    size_t sent() const { return wire_.size(); }

    // Packets only one end sees: forged by a device between the points.
    void forge_at_client(PacketSummary p) {
        forged_client_.push_back({p, false, now_us_});
        now_us_ += 10'000;
    }
    void forge_at_server(PacketSummary p) {
        forged_server_.push_back({p, true, now_us_});
        now_us_ += 10'000;
    }

    void build(std::vector<LocalPacket> &at_client, std::vector<PacketSummary> &at_server) const {
        for (size_t k = 0; k < wire_.size(); ++k) {
            const Wire &w = wire_[k];
            const bool is_lost = std::find(lost.begin(), lost.end(), k) != lost.end();
            PacketSummary client_view = w.packet, server_view = w.packet;
            if (w.from_client) {
                client_view.time_us = w.sent_us;
                server_view.time_us = w.sent_us + delay_us + clock_offset_us;
                server_view.ttl = static_cast<uint8_t>(w.packet.ttl - 1);
                server_view.src = client_at_server;
            } else {
                server_view.time_us = w.sent_us + clock_offset_us;
                client_view.time_us = w.sent_us + delay_us;
                client_view.ttl = static_cast<uint8_t>(w.packet.ttl - 1);
                server_view.dst = client_at_server;
            }
            PacketSummary &far_view = w.from_client ? server_view : client_view;
            if (rewrite) rewrite(far_view, w.from_client);
            if (w.from_client || !is_lost) add_client(at_client, client_view);
            if (!w.from_client || !is_lost) add_server(at_server, server_view);
        }
        for (const Wire &w : forged_client_) {
            PacketSummary p = w.packet;
            p.time_us = w.sent_us;
            add_client(at_client, p);
        }
        for (const Wire &w : forged_server_) {
            PacketSummary p = w.packet;
            p.time_us = w.sent_us + clock_offset_us;
            add_server(at_server, p);
        }
        // Each capture ran a little before the first packet and after the last.
        std::sort(at_client.begin(), at_client.end(),
                  [](auto &a, auto &b) { return a.packet.time_us < b.packet.time_us; });
        std::sort(at_server.begin(), at_server.end(), [](auto &a, auto &b) { return a.time_us < b.time_us; });
        for (size_t i = 0; i < at_client.size(); ++i) at_client[i].packet.frame = static_cast<uint32_t>(i + 1);
        for (size_t i = 0; i < at_server.size(); ++i) at_server[i].frame = static_cast<uint32_t>(i + 1);
    }

    Correlation correlate_at_client() const {
        std::vector<LocalPacket> local;
        std::vector<PacketSummary> peer;
        build(local, peer);
        TimeSpan local_span, peer_span;
        local_span.add(-1'000'000);
        local_span.add(now_us_ + 1'000'000);
        peer_span.add(clock_offset_us - 1'000'000);
        if (peer_stops_us < 0) {
            peer_span.add(now_us_ + clock_offset_us + 1'000'000);
        } else {
            const int64_t stop = peer_stops_us + clock_offset_us;
            peer_span.add(stop);
            peer.erase(
                std::remove_if(peer.begin(), peer.end(), [&](const PacketSummary &p) { return p.time_us > stop; }),
                peer.end());
        }
        return correlate(local, peer, local_span, peer_span);
    }

    // Frame numbers in the client capture of packets sent in this order (lost ones included).
    const FrameMatch &client_frame(const Correlation &c, uint32_t frame) const { return c.frames.at(frame - 1); }

  private:
    struct Wire {
        PacketSummary packet;
        bool from_client;
        int64_t sent_us;
    };
    void add_client(std::vector<LocalPacket> &v, const PacketSummary &p) const { v.push_back({p, stream}); }
    static void add_server(std::vector<PacketSummary> &v, const PacketSummary &p) { v.push_back(p); }

    std::vector<Wire> wire_, forged_client_, forged_server_;
    int64_t now_us_ = 0;

    uint16_t next_ip_id_ = 1;
};

}  // namespace tcpdiag::test
