#include "verdict.h"

namespace tcpdiag {

namespace {
struct VerdictText {
    const char *name;
    const char *title;
};

constexpr VerdictText kVerdicts[] = {
    {"undecided", "undecided"},
    {"injected_reset", "reset forged in the path"},
    {"refused", "connection refused"},
    {"icmp_unreachable", "ICMP destination unreachable"},
    {"handshake_loss", "handshake packet loss"},
    {"no_response", "no response from the destination host"},
    {"data_loss", "packet loss"},
    {"zero_window_stall", "zero-window stall"},
    {"peer_lost_state", "peer lost the connection state"},
    {"app_reset", "application reset"},
    {"graceful_close", "graceful close"},
    {"open", "open"},
    {"incomplete", "incomplete"},
    {"port_unreachable", "UDP port unreachable"},
    {"response_timeout", "no answer from the server in time"},
};
}  // namespace

const char *verdict_name(Verdict v) {
    return kVerdicts[static_cast<int>(v)].name;
}
const char *verdict_title(Verdict v) {
    return kVerdicts[static_cast<int>(v)].title;
}

const char *actor_name(Actor a) {
    switch (a) {
        case Actor::Client: return "client";
        case Actor::Server: return "server";
        case Actor::Path: return "path";
        case Actor::None: break;
    }
    return "none";
}

const char *cause_name(Cause c) {
    switch (c) {
        case Cause::IdleTimeout: return "idle_timeout";
        case Cause::MtuBlackHole: return "mtu_black_hole";
        case Cause::None: break;
    }
    return "";
}

const char *loss_point_name(LossPoint p) {
    switch (p) {
        case LossPoint::AfterCapture: return "after_capture";
        case LossPoint::BeforeCapture: return "before_capture";
        case LossPoint::None: break;
    }
    return "";
}

bool is_failure(Verdict v) {
    // Incomplete is not a failure: every capture cuts some streams short.
    return v != Verdict::Undecided && v != Verdict::GracefulClose && v != Verdict::Open && v != Verdict::Incomplete;
}

}  // namespace tcpdiag
