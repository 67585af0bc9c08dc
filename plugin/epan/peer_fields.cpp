#include "peer_fields.h"

#include <epan/packet.h>

namespace tcpdiag {

PeerIds peer_ids;

namespace {
const char *pref_peer_capture = "";
}

void register_peer_fields(int proto) {
    static hf_register_info hf[] = {
        {&peer_ids.hf_status,
         {"Peer capture", "tcpdiag.peer.status", FT_STRING, BASE_NONE, nullptr, 0x0,
          "This frame in the peer capture: seen, dropped (sent from this side, never arrived there), injected "
          "(arrived here, never sent there), replayed, unknown",
          HFILL}},
        {&peer_ids.hf_seen,
         {"Seen in the peer capture", "tcpdiag.peer.seen", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "The same packet is in the peer capture", HFILL}},
        {&peer_ids.hf_frame,
         {"Peer frame", "tcpdiag.peer.frame", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Frame number of the same packet in the peer capture (for a replay: of the original)", HFILL}},
        {&peer_ids.hf_delay,
         {"One-way delay", "tcpdiag.peer.delay", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
          "Time between the two capture points, with the clock offset taken out", HFILL}},
        {&peer_ids.hf_shift,
         {"Peer time shift", "tcpdiag.peer.shift", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
          "Peer capture's timestamp minus this one: clock offset plus or minus the delay", HFILL}},
        {&peer_ids.hf_changed,
         {"Changed in the path", "tcpdiag.peer.changed", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Header fields that differ between the two captures of this packet", HFILL}},
        {&peer_ids.hf_verdict,
         {"Path verdict", "tcpdiag.peer.verdict", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Where the stream's packets went between the two capture points", HFILL}},
        {&peer_ids.hf_reason,
         {"Path reason", "tcpdiag.peer.reason", FT_STRING, BASE_NONE, nullptr, 0x0,
          "What the two captures show about this stream", HFILL}},
        {&peer_ids.hf_next_step,
         {"Path next step", "tcpdiag.peer.next_step", FT_STRING, BASE_NONE, nullptr, 0x0,
          "What to check next, from the two-point comparison", HFILL}},
        {&peer_ids.hf_suspects,
         {"Suspected devices", "tcpdiag.peer.suspects", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Device classes known to make the changes seen", HFILL}},
        {&peer_ids.hf_clock_offset,
         {"Peer clock offset", "tcpdiag.peer.clock_offset", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
          "Peer capture's clock minus this capture's clock, estimated from the fastest packet each way", HFILL}},
    };
    static int *ett[] = {&peer_ids.ett};
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    static ei_register_info ei[] = {
        {&peer_ids.ei_dropped,
         {"tcpdiag.peer.expert.dropped", PI_SEQUENCE, PI_WARN, "Dropped between the capture points", EXPFILL}},
        {&peer_ids.ei_injected,
         {"tcpdiag.peer.expert.injected", PI_SECURITY, PI_WARN, "Injected between the capture points", EXPFILL}},
        {&peer_ids.ei_modified,
         {"tcpdiag.peer.expert.modified", PI_PROTOCOL, PI_WARN, "Modified between the capture points", EXPFILL}},
        {&peer_ids.ei_no_response,
         {"tcpdiag.peer.expert.no_response", PI_SEQUENCE, PI_WARN, "Reached the server, not answered", EXPFILL}},
        {&peer_ids.ei_problem, {"tcpdiag.peer.expert.problem", PI_MALFORMED, PI_WARN, "Peer capture problem", EXPFILL}},
    };
    expert_module_t *module = expert_register_protocol(proto);
    expert_register_field_array(module, ei, array_length(ei));
}

void register_peer_preference(module_t *module) {
    prefs_register_filename_preference(module, "peer_capture", "Peer capture (other end of the path)",
                                       "A capture taken at the same time at the other end of the path (client or "
                                       "server side). tcpdiag then says per packet whether it was seen there, and "
                                       "per stream where packets were dropped, changed or forged. Needs two passes "
                                       "(tshark -2) for the per-packet fields.",
                                       &pref_peer_capture, FALSE);
}

const char *peer_capture_path() {
    return pref_peer_capture;
}

}  // namespace tcpdiag
