// The verdict of one stream: one pure function of its state and the configuration.
#pragma once

#include <cstdint>
#include <string>

#include "config.h"
#include "stream_state.h"
#include "verdict.h"

namespace tcpdiag {

struct Diagnosis {
    Verdict verdict = Verdict::Undecided;
    Actor reset_by = Actor::None;
    uint32_t evidence_frame = 0;  // the one frame that proves the verdict best
    // Frames carrying this event (of this side, in this run) prove the verdict too.
    FrameEventKind evidence_kind = FrameEventKind::None;
    Side evidence_side = Side::Client;
    uint16_t evidence_run = 0;
    uint32_t reset_frame = 0;              // the RST that ended a lossy or stalled stream, also proof
    bool retransmissions_unknown = false;  // Wireshark's sequence analysis was off
    int64_t stall_us = 0;                  // how long the zero window stayed closed (zero_window_stall)
    // How long the client waited for an answer: until it gave up (response_timeout), or until the
    // capture ended (open). 0 when it was not waiting.
    int64_t wait_us = 0;
    uint32_t wait_frame = 0;                 // its request's last segment (or the handshake's ACK), also proof
    bool wait_greeting = false;              // it waited for the server to speak first
    LossPoint loss_point = LossPoint::None;  // data_loss and handshake_loss only
    // The finer cause (tcpdiag.cause), and the frame that shows it.
    Cause cause = Cause::None;
    uint32_t cause_frame = 0;                           // idle_timeout: the first packet after the idle gap
    uint16_t idle_s = 0;                                // idle_timeout: how long the connection had been silent
    uint16_t lost_segment_len = 0, negotiated_mss = 0;  // mtu_black_hole
};

struct ClientWait;
struct SegmentSizes;

// Decide the verdict. `end_time_us` is the capture's last timestamp (how long a stall lasted);
// `pending`: the client's wait still on when the capture ended, if any; `sizes`: the stream's
// segment sizes, if it sent large segments.
Diagnosis diagnose(const StreamState &stream, const Config &config, int64_t end_time_us,
                   const ClientWait *pending = nullptr, const SegmentSizes *sizes = nullptr);

// Does this frame event prove the diagnosis? (The evidence frame itself always does.)
bool proves(const Diagnosis &diagnosis, uint32_t frame, const FrameEvent &event);

}  // namespace tcpdiag
