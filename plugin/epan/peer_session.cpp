#include "peer_session.h"

#include <exception>

#include "../core/twopoint/packet_decoder.h"
#include "frame_reader.h"
#include "peer_fields.h"
#include "peer_reader.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

TwoPoint *current = nullptr;

bool configured() {
    const char *path = peer_capture_path();
    return path && *path;
}

// The stream Wireshark gave the decoded packet: the observation with the same endpoints. Pings
// have no stream: their addresses and identifier group them.
bool stream_of(const PacketSummary &p, const FrameObservations &obs, uint32_t &stream) {
    if (p.transport == 1 || p.transport == 58) {
        // Hosts reuse identifiers (Windows pings with 1): the addresses keep sessions apart.
        stream = static_cast<uint32_t>(FlowKeyHash()(FlowKey::of(p.transport, p.src, p.dst)));
        return true;
    }
    if (p.transport == 6) {
        for (int i = 0; i < obs.tcp_count; ++i)
            if (obs.tcp[i].src == p.src && obs.tcp[i].dst == p.dst) {
                stream = obs.tcp[i].stream;
                return true;
            }
    } else {
        for (int i = 0; i < obs.udp_count; ++i)
            if (obs.udp[i].src == p.src && obs.udp[i].dst == p.dst) {
                stream = obs.udp[i].stream;
                return true;
            }
    }
    return false;
}

}  // namespace

void peer_session_init() {
    delete current;
    current = configured() ? new TwoPoint() : nullptr;
}

void peer_session_cleanup() {
    delete current;
    current = nullptr;
}

void peer_note_frame(packet_info *pinfo) {
    if (current && !current->correlated()) current->note_local_time(frame_time_us(pinfo));
}

void peer_collect(tvbuff_t *tvb, packet_info *pinfo, const FrameObservations &obs) {
    if (!current || current->correlated()) return;
    try {
        const int link_type = linktype_of_encapsulation(ws::frame_encapsulation(pinfo));
        if (link_type < 0) return;
        const guint length = tvb_captured_length(tvb);
        auto packet = decode_packet(link_type, tvb_get_ptr(tvb, 0, length), length);
        LocalPacket local;
        if (!packet || !stream_of(*packet, obs, local.stream)) return;
        packet->frame = pinfo->num;
        packet->time_us = frame_time_us(pinfo);
        local.packet = *packet;
        current->add_local(local);
    } catch (const std::exception &e) {
        g_warning("tcpdiag: frame %u not kept for the peer comparison: %s", pinfo->num, e.what());
    }
}

TwoPoint *peer_results() {
    if (!current) return nullptr;
    if (!current->correlated()) {
        try {
            read_peer_capture(peer_capture_path(), *current);
            current->correlation();
            const std::string problems = current->problems();
            if (!problems.empty()) g_warning("tcpdiag: peer capture %s: %s", peer_capture_path(), problems.c_str());
        } catch (const std::exception &e) {
            g_warning("tcpdiag: no two-point diagnosis: %s", e.what());
            delete current;
            current = nullptr;
        }
    }
    return current;
}

}  // namespace tcpdiag
