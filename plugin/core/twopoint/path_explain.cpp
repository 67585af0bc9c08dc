#include "path_explain.h"

#include "../text_format.h"
#include "packet_changes.h"

namespace tcpdiag {

namespace {

std::string frame_ref(const char *what, uint32_t frame) {
    return frame ? format(" (%s frame %u)", what, frame) : std::string();
}

// "3 packet(s) sent from this side never reached the peer's capture point (first: frame 12)"
std::string count_part(uint32_t count, const char *what, const char *ref_what, uint32_t frame) {
    return format("%u %s%s", count, what, count && frame ? format(" (first: %s %u)", ref_what, frame).c_str() : "");
}

std::string join_nonzero(const std::string &a, uint32_t a_count, const std::string &b, uint32_t b_count) {
    if (a_count && b_count) return a + ", and " + b;
    return a_count ? a : b;
}

}  // namespace

std::string change_suspects(uint32_t changes) {
    std::string s;
    auto add = [&](const char *text) {
        if (!s.empty()) s += "; ";
        s += text;
    };
    if (changes & change::kMss) add("MSS clamping: a router, firewall or VPN gateway adjusting TCP MSS");
    if (changes & (change::kSeq | change::kAck))
        add("sequence-number randomisation by a firewall, or a WAN accelerator / optimiser");
    if (changes & (change::kWindowScale | change::kSackPermitted | change::kTimestamps | change::kOptions))
        add("a firewall or WAN optimiser that strips or rewrites TCP options");
    if (changes & change::kWindow) add("a traffic shaper or WAN optimiser rewriting the receive window");
    if (changes & (change::kPayload | change::kLength)) add("a proxy, ALG or WAN optimiser rewriting payload");
    if (changes & change::kTtl) add("a device that re-originates packets (proxy, load balancer) or a path change");
    if (changes & change::kFlags) add("a firewall or IPS rewriting TCP flags");
    if (changes & (change::kAddress | change::kPort)) add("NAT (expected when the two ends see other addresses)");
    return s;
}

std::string path_reason(const StreamPath &p, const Correlation &c) {
    std::string r;
    switch (p.verdict) {
        case PathVerdict::InjectedInPath:
            r = join_nonzero(count_part(p.injected_here, "packet(s) arrived here that the peer's side never sent",
                                        "frame", p.evidence_frame),
                             p.injected_here,
                             count_part(p.injected_there, "packet(s) arrived at the peer that this side never sent",
                                        "peer frame", p.evidence_peer_frame),
                             p.injected_there) +
                ": forged or replayed between the capture points";
            break;
        case PathVerdict::NoResponseConfirmed:
            r = format(
                "the SYN reached the server's capture point%s and nothing answered it there: the server "
                "host dropped it",
                frame_ref("frame", p.evidence_frame).c_str());
            break;
        case PathVerdict::DroppedInPath:
            r = join_nonzero(count_part(p.dropped_out,
                                        "packet(s) sent from this side never reached the peer's "
                                        "capture point",
                                        "frame", p.evidence_frame),
                             p.dropped_out,
                             count_part(p.dropped_in, "packet(s) sent from the peer's side never reached this one",
                                        "peer frame", p.evidence_peer_frame),
                             p.dropped_in) +
                ": lost between the two points";
            break;
        case PathVerdict::ModifiedInPath:
            r = format("every packet crossed, but headers changed between the capture points: %s%s",
                       change_names(p.changes & ~change::kExpected).c_str(),
                       frame_ref("first:", p.evidence_frame).c_str());
            break;
        case PathVerdict::SameAtBothEnds:
            r = format("all %u packet(s) were seen at both capture points, unchanged%s", p.matched,
                       (p.changes & change::kExpected) ? " but for NAT" : "");
            break;
        case PathVerdict::NotCovered:
            if (p.peer_capture_dropped) {
                r = format(
                    "%u packet(s) were seen at both capture points; %u missing from the peer capture%s may be "
                    "among the %llu packet(s) its capturing host dropped (its interface statistics): the two "
                    "captures cannot say whether the path lost them",
                    p.matched, p.dropped_out + p.injected_here, frame_ref("first here:", p.evidence_frame).c_str(),
                    static_cast<unsigned long long>(c.peer_capture_drops));
                break;
            }
            r = format(
                "%u packet(s) were seen at both capture points, but %u were sent while the other capture was "
                "not running%s: the two captures cannot say what happened to those",
                p.matched, p.uncovered, frame_ref("first here:", p.evidence_frame).c_str());
            break;
        case PathVerdict::NotInPeerCapture: r = "the peer capture has no packet of this stream"; break;
    }
    if (!c.problem.empty()) r += " (" + c.problem + ")";
    return r;
}

std::string path_next_step(const StreamPath &p) {
    switch (p.verdict) {
        case PathVerdict::InjectedInPath:
            return "find the device between the capture points that forges or replays segments (firewall, IPS, "
                   "WAN accelerator): capture at intermediate hops";
        case PathVerdict::NoResponseConfirmed:
            return "on the server: check the port is LISTENING and audit the host firewall's drops";
        case PathVerdict::DroppedInPath:
            return "walk the hops between the two capture points with the network team to find the one that drops";
        case PathVerdict::ModifiedInPath:
            return "look in the path for: " + change_suspects(p.changes & ~change::kExpected);
        case PathVerdict::SameAtBothEnds:
            return "the network delivered everything: the ends themselves decided how this stream ended";
        case PathVerdict::NotCovered:
            if (p.peer_capture_dropped)
                return "capture again at the peer so that it drops nothing: a larger buffer (dumpcap -B), a "
                       "capture filter for this traffic, a faster disk";
            return "capture at both points over the whole life of the stream: start both captures before it opens "
                   "and stop them after it ends";
        case PathVerdict::NotInPeerCapture:
            return "check that the peer capture was taken at the same time, on the path of this stream";
    }
    return "";
}

std::string frame_note(const FrameMatch &m) {
    switch (m.status) {
        case PeerStatus::Seen: {
            std::string s = format("seen in the peer capture as frame %u", m.peer_frame);
            if (m.delay_known) s += format(", %.3f ms one way", double(m.delay_us) / 1000.0);
            if (m.changes) s += ", changed: " + change_names(m.changes);
            return s;
        }
        case PeerStatus::Dropped: return "sent from this side, never reached the peer's capture point";
        case PeerStatus::Injected: return "arrived from the peer's side, but never passed the peer's capture point";
        case PeerStatus::Replayed:
            return format("a copy of peer frame %u with changed %s: replayed in the path", m.peer_frame,
                          change_names(m.changes).c_str());
        case PeerStatus::Unknown: return "not in the peer capture (outside its time span or side unknown)";
    }
    return "";
}

}  // namespace tcpdiag
