// Protocol, fields, expert info and preferences of tcpdiag, and the ids Wireshark gave them.
#pragma once

#include <epan/expert.h>
#include <epan/packet.h>

#include "../core/config.h"
#include "../core/verdict.h"

namespace tcpdiag {

void register_protocol();
void register_handoff();

// Ids filled in at registration.
struct Ids {
    int proto = -1;
    int tap = -1;
    int ett = -1;
    int hf_verdict = -1, hf_stream = -1, hf_transport = -1, hf_reset_by = -1, hf_reason = -1, hf_next_step = -1,
        hf_syn_retransmissions = -1, hf_data_retransmissions = -1, hf_evidence_frame = -1, hf_evidence = -1,
        hf_provisional = -1, hf_history = -1, hf_client = -1, hf_server = -1, hf_role_guessed = -1, hf_failure = -1,
        hf_captured = -1, hf_capture_flaws = -1, hf_stage = -1, hf_cause = -1, hf_loss_point = -1;
    dissector_handle_t handle = nullptr;
};
extern Ids ids;

// The expert-info entry that annotates evidence of this verdict (nullptr: none).
expert_field *expert_for(Verdict verdict);

// The expert info on frames whose TCP could not be read without the protocol tree.
expert_field *expert_unread();

// The preferences as the core's configuration.
Config current_config();
// Whether frames are read from the protocol tree (tcpdiag.read_protocol_tree) rather than decoded.
bool read_protocol_tree();

}  // namespace tcpdiag
