#include "dissect.h"

#include <exception>
#include <string>

#include <epan/expert.h>
#include <epan/tap.h>

#include "../core/explain.h"
#include "extract.h"
#include "frame_reader.h"
#include "peer_display.h"
#include "peer_session.h"
#include "registration.h"
#include "session.h"

namespace tcpdiag {

namespace {

constexpr int kMaxNotes = 3 * FrameObservations::kMax;

// First pass: feed the frame to the analysis and remember what it was, for later passes.
FrameNotes observe(tvbuff_t *tvb, proto_tree *tree, packet_info *pinfo) noexcept {
    try {
        // Kept from frame to frame, so a frame clears only the slots the last one used.
        static FrameObservations obs;
        obs.reset();
        if (read_protocol_tree())
            extract(tree, pinfo, obs);
        else if (!read_frame(tvb, pinfo, obs))
            frame_table().mark_unread(pinfo->num);
        peer_collect(tvb, pinfo, obs);
        static FrameNote notes[kMaxNotes];  // each written before it is read
        int count = 0;
        Analyzer &analyzer = session();
        for (int i = 0; i < obs.icmp_count; ++i)
            if (analyzer.observe(obs.icmp[i], notes[count])) ++count;
        for (int i = 0; i < obs.tcp_count; ++i) notes[count++] = analyzer.observe(obs.tcp[i]);
        for (int i = 0; i < obs.udp_count; ++i) notes[count++] = analyzer.observe(obs.udp[i]);
        if (count == 0) return {};
        frame_table().add(pinfo->num, notes, count);
        return frame_table().notes_of(pinfo->num);
    } catch (const std::exception &e) {
        g_warning("tcpdiag: frame %u not analysed: %s", pinfo->num, e.what());
        return {};
    }
}

// The texts for one note, copied into the packet's memory so no C++ object lives across
// Wireshark calls (which may longjmp).
struct Shown {
    const StreamState *stream;
    Diagnosis diagnosis;
    bool is_evidence;
    const char *client, *server, *history, *reason, *next_step, *evidence, *capture_flaws;
};

char *pool_copy(packet_info *pinfo, const std::string &s) {
    return wmem_strdup(pinfo->pool, s.c_str());
}

bool prepare(proto_tree *tree, packet_info *pinfo, const FrameNote &note, Shown &out) noexcept {
    try {
        const Analyzer &analyzer = session();
        out.stream = analyzer.find(note.stream);
        if (!out.stream) return false;
        const StreamState &st = *out.stream;
        out.diagnosis = analyzer.diagnose(st);
        out.is_evidence = is_failure(out.diagnosis.verdict) && proves(out.diagnosis, pinfo->num, note.event);
        // Each text costs a formatting on every frame of the stream: build it only when someone will
        // read it (a visible tree, a display filter or column naming its field). A field added
        // with "" to a tree that does not show it is dropped unseen.
        const auto wanted = [tree](int hf) { return tree && proto_field_is_referenced(tree, hf); };
        out.client = wanted(ids.hf_client) ? pool_copy(pinfo, to_string(st.client())) : "";
        out.server = wanted(ids.hf_server) ? pool_copy(pinfo, to_string(st.server())) : "";
        out.history = wanted(ids.hf_history) ? pool_copy(pinfo, st.history.str()) : "";
        out.capture_flaws = wanted(ids.hf_capture_flaws) ? pool_copy(pinfo, st.capture_flaw_names()) : "";
        out.reason = wanted(ids.hf_reason) ? pool_copy(pinfo, reason(st, out.diagnosis)) : "";
        out.next_step = wanted(ids.hf_next_step) ? pool_copy(pinfo, next_step(st, out.diagnosis)) : "";
        out.evidence =
            out.is_evidence ? pool_copy(pinfo, evidence_note(st, out.diagnosis, pinfo->num, note.event)) : nullptr;
        return true;
    } catch (const std::exception &e) {
        g_warning("tcpdiag: frame %u not shown: %s", pinfo->num, e.what());
        return false;
    }
}

uint8_t transport_number(const StreamState &st) {
    return static_cast<uint8_t>(st.transport);
}

// The fields of one note. A field nobody reads (no visible tree, no filter or column naming it) is
// not added at all: even a call Wireshark discards costs more than the test, on every frame.
class FieldAdder {
  public:
    FieldAdder(tvbuff_t *tvb, proto_tree *tree) : tvb_(tvb), tree_(tree) {}
    bool wanted(int hf) const { return proto_field_is_referenced(tree_, hf); }
    proto_item *string(int hf, const char *value) {
        return wanted(hf) ? generated(proto_tree_add_string(tree_, hf, tvb_, 0, 0, value)) : nullptr;
    }
    void uint(int hf, uint32_t value) {
        if (wanted(hf)) generated(proto_tree_add_uint(tree_, hf, tvb_, 0, 0, value));
    }
    void boolean(int hf, bool value) {
        if (wanted(hf)) generated(proto_tree_add_boolean(tree_, hf, tvb_, 0, 0, value));
    }

  private:
    static proto_item *generated(proto_item *item) {
        proto_item_set_generated(item);
        return item;
    }
    tvbuff_t *tvb_;
    proto_tree *tree_;
};

// A tree nobody sees (a display filter's, a column's) keeps only the fields it was asked for,
// wherever they hang, and Wireshark never fakes an item at the top of a tree: the tcpdiag item costs
// a real node on every frame of both passes. It is needed only when someone sees the tree, names
// "tcpdiag" itself, or wants real protocol items (the protocol hierarchy statistics).
bool protocol_item_wanted(proto_tree *tree) {
    if (PTREE_DATA(tree)->visible || !PTREE_DATA(tree)->fake_protocols) return true;
    return proto_registrar_get_nth(ids.proto)->ref_type != HF_REF_TYPE_INDIRECT;
}

void show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const Shown &s, bool provisional) {
    const StreamState &st = *s.stream;
    const Diagnosis &d = s.diagnosis;
    const char *verdict = verdict_name(d.verdict);
    proto_tree *t = tree;
    if (protocol_item_wanted(tree)) {
        proto_item *top = proto_tree_add_item(tree, ids.proto, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(top);
        proto_item_append_text(top, ": %s (%s stream %u%s)", verdict, st.transport == Transport::Tcp ? "tcp" : "udp",
                               st.index, provisional ? ", provisional" : "");
        t = proto_item_add_subtree(top, ids.ett);
    }
    FieldAdder add(tvb, t);
    add.string(ids.hf_verdict, verdict);
    add.uint(ids.hf_stream, st.index);
    add.string(ids.hf_transport, st.transport == Transport::Tcp ? "tcp" : "udp");
    add.string(ids.hf_reset_by, actor_name(d.reset_by));
    add.string(ids.hf_reason, s.reason);
    add.string(ids.hf_next_step, s.next_step);
    add.uint(ids.hf_syn_retransmissions, st.syn_retransmissions());
    add.uint(ids.hf_data_retransmissions, st.data_retransmissions());
    if (d.evidence_frame) add.uint(ids.hf_evidence_frame, d.evidence_frame);
    add.string(ids.hf_client, s.client);
    add.string(ids.hf_server, s.server);
    add.string(ids.hf_history, s.history);
    add.boolean(ids.hf_failure, is_failure(d.verdict));
    if (st.role_guessed) add.boolean(ids.hf_role_guessed, true);
    if (add.wanted(ids.hf_captured)) add.string(ids.hf_captured, st.captured_directions());
    if (add.wanted(ids.hf_stage)) add.string(ids.hf_stage, st.stage());
    if (d.cause != Cause::None) add.string(ids.hf_cause, cause_name(d.cause));
    if (d.loss_point != LossPoint::None) add.string(ids.hf_loss_point, loss_point_name(d.loss_point));
    if (s.capture_flaws[0]) add.string(ids.hf_capture_flaws, s.capture_flaws);
    add.boolean(ids.hf_provisional, provisional);
    if (s.evidence) {
        // The expert info goes on the item when there is one, else on the frame.
        proto_item *item = add.string(ids.hf_evidence, s.evidence);
        if (expert_field *ei = expert_for(d.verdict)) expert_add_info_format(pinfo, item, ei, "%s", s.evidence);
    }
    // The peer comparison exists once the whole capture has been read.
    if (!provisional) show_peer(tvb, pinfo, t, transport_number(st), st.index);
}

void annotate_evidence(tvbuff_t *tvb, packet_info *pinfo, const FrameNotes *record, bool first_pass) {
    for (int i = 0; i < record->count; ++i) {
        Shown shown;
        if (!prepare(nullptr, pinfo, (*record)[i], shown)) continue;
        if (shown.evidence)
            if (expert_field *ei = expert_for(shown.diagnosis.verdict))
                expert_add_info_format(pinfo, nullptr, ei, "%s", shown.evidence);
        if (!first_pass) show_peer(tvb, pinfo, nullptr, transport_number(*shown.stream), shown.stream->index);
    }
}

// A frame whose TCP could not be read: said on the frame, so the analyst can filter for it.
void mark_unread(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree) {
    proto_item *item = nullptr;
    if (tree) {
        item = proto_tree_add_item(tree, ids.proto, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(item);
        proto_item_append_text(item, ": frame not read (see the expert info)");
    }
    expert_add_info(pinfo, item, expert_unread());
}

}  // namespace

int dissect(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *) {
    const bool first_pass = !pinfo->fd->visited;
    if (first_pass) peer_note_frame(pinfo);
    const FrameNotes notes = first_pass ? observe(tvb, tree, pinfo) : frame_table().notes_of(pinfo->num);
    if (frame_table().unread(pinfo->num)) mark_unread(tvb, pinfo, tree);
    if (notes.count == 0) return 0;
    const FrameNotes *record = &notes;
    if (have_tap_listener(ids.tap)) {
        // Taps run after the frame's dissection: they get a copy in the packet's memory (made only
        // when one listens, as -z tcpdiag,... and the summary do; most runs have none).
        auto *copy = wmem_new(pinfo->pool, FrameNotes);
        *copy = notes;
        tap_queue_packet(ids.tap, pinfo, copy);
    }
    if (!tree || !proto_field_is_referenced(tree, ids.proto)) {
        // Nobody reads tcpdiag's tree (an invisible first-pass tree, or none in a later tshark
        // pass): skip the display work, but `-z expert` may still want the evidence.
        static const int expert_tap = find_tap_id("expert");
        if (have_tap_listener(expert_tap)) annotate_evidence(tvb, pinfo, record, first_pass);
        return 0;
    }
    for (int i = 0; i < record->count; ++i) {
        bool repeated = false;  // a stream seen twice in one frame is shown once
        for (int j = 0; j < i; ++j)
            repeated |= (*record)[j].stream.transport == (*record)[i].stream.transport &&
                        (*record)[j].stream.index == (*record)[i].stream.index;
        Shown shown;
        if (!repeated && prepare(tree, pinfo, (*record)[i], shown)) show(tvb, pinfo, tree, shown, first_pass);
    }
    return tvb_captured_length(tvb);
}

}  // namespace tcpdiag
