// Fields, expert info and the preference of the two-point diagnosis (tcpdiag.peer.*).
#pragma once

#include <epan/expert.h>
#include <epan/prefs.h>

namespace tcpdiag {

struct PeerIds {
    int ett = -1;
    int hf_status = -1, hf_seen = -1, hf_frame = -1, hf_delay = -1, hf_shift = -1, hf_changed = -1, hf_verdict = -1,
        hf_reason = -1, hf_next_step = -1, hf_clock_offset = -1, hf_suspects = -1;
    expert_field ei_dropped = EI_INIT, ei_injected = EI_INIT, ei_modified = EI_INIT, ei_no_response = EI_INIT,
                 ei_problem = EI_INIT;
};
extern PeerIds peer_ids;

void register_peer_fields(int proto);
void register_peer_preference(module_t *module);

// The peer capture the user named; nullptr or "" when none.
const char *peer_capture_path();

}  // namespace tcpdiag
