// Thresholds and hints that decide verdicts; the plugin exposes them as preferences.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace tcpdiag {

enum class CapturePoint : uint8_t {
    Auto,    // decide from the TTL / hop limit of the client's SYN
    Client,  // the capture was taken at (or near) the connecting host
    Server,  // the capture was taken at (or near) the destination host
};

struct Config {
    // Unanswered SYN retransmissions that make handshake_loss / no_response.
    uint32_t syn_retransmissions_threshold = 1;
    // Retransmissions without the peer's ACK advancing that make data_loss. Windows gives up
    // after 5 (TcpMaxDataRetransmissions); Linux retries for ~15 minutes, so 3 catches both.
    uint32_t data_retransmissions_threshold = 3;
    // How long a zero window must stay closed, unrecovered, to be a stall.
    uint32_t zero_window_threshold_ms = 2000;
    // How long a client must wait for an answer (to its request, or for the server's greeting)
    // before giving up for the stream to be a response_timeout.
    uint32_t response_timeout_ms = 3000;
    // How long a connection must have been silent in both directions for a failure that comes with
    // the next packets to be blamed on an idle timer (tcpdiag.cause idle_timeout). Firewalls and
    // NATs time out idle TCP state after minutes to hours; load balancers often after 60 s or less.
    // Gaps are measured as the packets are read: a changed value needs the capture read again.
    uint32_t idle_timeout_s = 30;
    // Ports of the services whose server speaks first (FTP, SSH, Telnet, SMTP, POP3, NNTP, IMAP,
    // MySQL, VNC): only there is a client that waits after the handshake and leaves waiting for a
    // greeting. Elsewhere (HTTP, TLS) a connection opened and closed unused is a browser's or a
    // pool's spare, not a timeout. Ranges of ports, both ends included.
    std::vector<std::pair<uint16_t, uint16_t>> greeting_ports = {
        {21, 23}, {25, 25}, {110, 110}, {119, 119}, {143, 143}, {587, 587}, {2525, 2525}, {3306, 3306}, {5900, 5900}};
    CapturePoint capture_point = CapturePoint::Auto;
    // Wireshark's "Analyze TCP sequence numbers": without it no segment is flagged as a
    // retransmission, so retransmission counts are unknown, not zero.
    bool sequence_analysis = true;

    bool server_speaks_first(uint16_t port) const {
        for (const auto &range : greeting_ports)
            if (port >= range.first && port <= range.second) return true;
        return false;
    }
};

}  // namespace tcpdiag
