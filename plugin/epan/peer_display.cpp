#include "peer_display.h"

#include <exception>
#include <string>

#include "../core/twopoint/path_explain.h"
#include "peer_fields.h"
#include "peer_session.h"

namespace tcpdiag {

namespace {

const char *status_name(PeerStatus status) {
    switch (status) {
        case PeerStatus::Seen: return "seen";
        case PeerStatus::Dropped: return "dropped";
        case PeerStatus::Injected: return "injected";
        case PeerStatus::Replayed: return "replayed";
        case PeerStatus::Unknown: return "unknown";
    }
    return "unknown";
}

nstime_t as_nstime(int64_t us) {
    nstime_t t;
    t.secs = static_cast<time_t>(us / 1000000);
    t.nsecs = static_cast<int>((us % 1000000) * 1000);
    return t;
}

// What the frame proves, as an expert entry; nullptr if nothing.
expert_field *expert_of(const FrameMatch *m, const StreamPath &sp, uint32_t frame) {
    if (m && m->status == PeerStatus::Dropped) return &peer_ids.ei_dropped;
    if (m && (m->status == PeerStatus::Injected || m->status == PeerStatus::Replayed)) return &peer_ids.ei_injected;
    if (m && m->status == PeerStatus::Seen && (m->changes & ~change::kExpected)) return &peer_ids.ei_modified;
    if (sp.verdict == PathVerdict::NoResponseConfirmed && sp.evidence_frame == frame) return &peer_ids.ei_no_response;
    return nullptr;
}

// Texts copied into packet memory, so no C++ object lives across Wireshark calls that may longjmp.
struct PeerShown {
    const FrameMatch *match = nullptr;
    const StreamPath *path = nullptr;
    const Correlation *correlation = nullptr;
    expert_field *expert = nullptr;
    const char *note = "", *changed = "", *reason = "", *next_step = "", *suspects = "";
};

bool prepare(packet_info *pinfo, uint8_t transport, uint32_t stream, PeerShown &out) noexcept {
    try {
        TwoPoint *tp = peer_results();
        if (!tp) return false;
        out.path = tp->stream(transport, stream);
        if (!out.path) return false;
        out.correlation = &tp->correlation();
        out.match = tp->frame(pinfo->num, transport, stream);
        out.expert = expert_of(out.match, *out.path, pinfo->num);
        auto copy = [pinfo](const std::string &s) { return wmem_strdup(pinfo->pool, s.c_str()); };
        if (out.match) {
            out.note = copy(frame_note(*out.match));
            out.changed = copy(change_names(out.match->changes));
        }
        out.reason = copy(path_reason(*out.path, *out.correlation));
        out.next_step = copy(path_next_step(*out.path));
        out.suspects = copy(change_suspects(out.path->changes & ~change::kExpected));
        return true;
    } catch (const std::exception &e) {
        g_warning("tcpdiag: frame %u: no two-point result: %s", pinfo->num, e.what());
        return false;
    }
}

}  // namespace

void show_peer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, uint8_t transport, uint32_t stream) {
    PeerShown s;
    if (!prepare(pinfo, transport, stream, s)) return;
    if (!tree) {
        if (s.expert) expert_add_info_format(pinfo, nullptr, s.expert, "%s", s.match ? s.note : s.reason);
        return;
    }
    const FrameMatch *m = s.match;
    const StreamPath &sp = *s.path;
    proto_item *top = proto_tree_add_string_format(tree, peer_ids.hf_verdict, tvb, 0, 0, path_verdict_name(sp.verdict),
                                                   "Peer capture: %s; stream %s", m ? status_name(m->status) : "-",
                                                   path_verdict_name(sp.verdict));
    proto_item_set_generated(top);
    proto_tree *t = proto_item_add_subtree(top, peer_ids.ett);
    auto generated = [](proto_item *item) {
        proto_item_set_generated(item);
        return item;
    };
    if (m) {
        proto_item *status = generated(proto_tree_add_string(t, peer_ids.hf_status, tvb, 0, 0, status_name(m->status)));
        if (s.expert) expert_add_info_format(pinfo, status, s.expert, "%s", s.note);
        generated(proto_tree_add_boolean(t, peer_ids.hf_seen, tvb, 0, 0, m->status == PeerStatus::Seen));
        if (m->peer_frame) generated(proto_tree_add_uint(t, peer_ids.hf_frame, tvb, 0, 0, m->peer_frame));
        if (m->status == PeerStatus::Seen) {
            nstime_t shift = as_nstime(m->shift_us);
            generated(proto_tree_add_time(t, peer_ids.hf_shift, tvb, 0, 0, &shift));
            if (m->delay_known) {
                nstime_t delay = as_nstime(m->delay_us);
                generated(proto_tree_add_time(t, peer_ids.hf_delay, tvb, 0, 0, &delay));
            }
        }
        if (m->changes) generated(proto_tree_add_string(t, peer_ids.hf_changed, tvb, 0, 0, s.changed));
    } else if (s.expert) {
        expert_add_info_format(pinfo, top, s.expert, "%s", s.reason);
    }
    generated(proto_tree_add_string(t, peer_ids.hf_reason, tvb, 0, 0, s.reason));
    generated(proto_tree_add_string(t, peer_ids.hf_next_step, tvb, 0, 0, s.next_step));
    if (*s.suspects) generated(proto_tree_add_string(t, peer_ids.hf_suspects, tvb, 0, 0, s.suspects));
    if (s.correlation->clock_offset_known) {
        nstime_t offset = as_nstime(s.correlation->clock_offset_us);
        generated(proto_tree_add_time(t, peer_ids.hf_clock_offset, tvb, 0, 0, &offset));
    }
}

}  // namespace tcpdiag
