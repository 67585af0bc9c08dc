#include "registration.h"

#include <epan/prefs-int.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/tfs.h>

#include "dissect.h"
#include "extract.h"
#include "frames_tap.h"
#include "peer_fields.h"
#include "peer_session.h"
#include "session.h"
#include "streams_tap.h"
#include "summary_tap.h"
#include "verdict_menu.h"
#include "ws_compat.h"

namespace tcpdiag {

Ids ids;

namespace {

// Preference storage (Wireshark writes these directly).
guint pref_syn_threshold = Config{}.syn_retransmissions_threshold;
guint pref_data_threshold = Config{}.data_retransmissions_threshold;
guint pref_zero_window_ms = Config{}.zero_window_threshold_ms;
guint pref_response_timeout_ms = Config{}.response_timeout_ms;
guint pref_idle_timeout_s = Config{}.idle_timeout_s;
gint pref_capture_point = static_cast<gint>(CapturePoint::Auto);
ws::PrefBool pref_read_protocol_tree = FALSE;
range_t *pref_greeting_ports = nullptr;  // Wireshark owns it once registered

// Config's default greeting ports, in the preference's notation ("21-23,25,...").
std::string default_greeting_ports() {
    std::string text;
    for (const auto &range : Config{}.greeting_ports) {
        if (!text.empty()) text += ',';
        text += std::to_string(range.first);
        if (range.second != range.first) text += '-' + std::to_string(range.second);
    }
    return text;
}

const enum_val_t kCapturePoints[] = {
    {"auto", "Automatic (from the TTL of the SYN)", static_cast<gint>(CapturePoint::Auto)},
    {"client", "At the client (connecting) side", static_cast<gint>(CapturePoint::Client)},
    {"server", "At the server (destination) side", static_cast<gint>(CapturePoint::Server)},
    {nullptr, nullptr, 0},
};

// One expert entry per failure verdict, so Expert Information groups them by cause.
struct ExpertEntry {
    Verdict verdict;
    const char *name;
    int group;
    int severity;
    const char *summary;
};
const ExpertEntry kExpert[] = {
    {Verdict::InjectedReset, "tcpdiag.expert.injected_reset", PI_SECURITY, PI_WARN, "Reset forged in the path"},
    {Verdict::Refused, "tcpdiag.expert.refused", PI_SEQUENCE, PI_WARN, "Connection refused"},
    {Verdict::IcmpUnreachable, "tcpdiag.expert.icmp_unreachable", PI_RESPONSE_CODE, PI_WARN, "Destination unreachable"},
    {Verdict::HandshakeLoss, "tcpdiag.expert.handshake_loss", PI_SEQUENCE, PI_WARN, "Handshake packet loss"},
    {Verdict::NoResponse, "tcpdiag.expert.no_response", PI_SEQUENCE, PI_WARN, "No response from the destination"},
    {Verdict::DataLoss, "tcpdiag.expert.data_loss", PI_SEQUENCE, PI_WARN, "Packet loss"},
    {Verdict::ZeroWindowStall, "tcpdiag.expert.zero_window_stall", PI_SEQUENCE, PI_WARN, "Zero-window stall"},
    {Verdict::ResponseTimeout, "tcpdiag.expert.response_timeout", PI_RESPONSE_CODE, PI_WARN,
     "No answer from the server in time"},
    {Verdict::PeerLostState, "tcpdiag.expert.peer_lost_state", PI_SEQUENCE, PI_WARN, "Peer lost the connection state"},
    {Verdict::AppReset, "tcpdiag.expert.app_reset", PI_SEQUENCE, PI_WARN, "Application reset"},
    {Verdict::PortUnreachable, "tcpdiag.expert.port_unreachable", PI_RESPONSE_CODE, PI_WARN, "UDP port unreachable"},
};
constexpr size_t kExpertCount = sizeof kExpert / sizeof *kExpert;
expert_field expert_fields[kExpertCount];
expert_field unread_field = EI_INIT;

void register_fields() {
    static const true_false_string kProvisional = {"Provisional (the stream was not read to its end yet)", "Final"};
    static hf_register_info hf[] = {
        {&ids.hf_verdict,
         {"Verdict", "tcpdiag.verdict", FT_STRING, BASE_NONE, nullptr, 0x0,
          "How the stream ended (see docs/verdicts.md)", HFILL}},
        {&ids.hf_stream,
         {"Stream index", "tcpdiag.stream", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "tcp.stream or udp.stream of the stream this verdict is about", HFILL}},
        {&ids.hf_transport,
         {"Transport", "tcpdiag.transport", FT_STRING, BASE_NONE, nullptr, 0x0, "tcp or udp", HFILL}},
        {&ids.hf_reset_by,
         {"Reset by", "tcpdiag.reset_by", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Who ended the stream: client, server, path or none", HFILL}},
        {&ids.hf_reason,
         {"Reason", "tcpdiag.reason", FT_STRING, BASE_NONE, nullptr, 0x0, "Why this verdict, with the numbers", HFILL}},
        {&ids.hf_next_step,
         {"Next step", "tcpdiag.next_step", FT_STRING, BASE_NONE, nullptr, 0x0, "What to check next", HFILL}},
        {&ids.hf_syn_retransmissions,
         {"SYN retransmissions", "tcpdiag.syn_retransmissions", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "SYNs the client sent beyond the first", HFILL}},
        {&ids.hf_data_retransmissions,
         {"Data retransmissions", "tcpdiag.data_retransmissions", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Retransmitted segments, both directions", HFILL}},
        {&ids.hf_evidence_frame,
         {"Evidence frame", "tcpdiag.evidence_frame", FT_FRAMENUM, BASE_NONE, nullptr, 0x0,
          "The frame that proves the verdict", HFILL}},
        {&ids.hf_evidence,
         {"Evidence", "tcpdiag.evidence", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Present only on frames that prove the verdict", HFILL}},
        {&ids.hf_provisional,
         {"Provisional", "tcpdiag.provisional", FT_BOOLEAN, BASE_NONE, TFS(&kProvisional), 0x0,
          "Set in a single pass: the verdict known so far", HFILL}},
        {&ids.hf_history,
         {"History", "tcpdiag.history", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Events in order of first occurrence, upper case for the client: s SYN, h SYN/ACK, "
          "d data, f FIN, r RST, t retransmission, w zero window, i ICMP error",
          HFILL}},
        {&ids.hf_client,
         {"Client", "tcpdiag.client", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Address and port of the side that opened the stream", HFILL}},
        {&ids.hf_server,
         {"Server", "tcpdiag.server", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Address and port of the side that accepted the stream", HFILL}},
        {&ids.hf_role_guessed,
         {"Roles guessed", "tcpdiag.role_guessed", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "No handshake seen: the server is taken to be the lower port", HFILL}},
        {&ids.hf_captured,
         {"Captured directions", "tcpdiag.captured", FT_STRING, BASE_NONE, nullptr, 0x0,
          "both, or client_only / server_only when only one side's packets are in the capture (the other "
          "side is read from its ACKs)",
          HFILL}},
        {&ids.hf_capture_flaws,
         {"Capture flaws", "tcpdiag.capture_flaws", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Flaws of the capture of this stream, which do not change its verdict: duplicates (copies of "
          "packets, left out), capture_gaps (segments the capture missed), truncated (frames cut by the "
          "snap length)",
          HFILL}},
        {&ids.hf_stage,
         {"Stage", "tcpdiag.stage", FT_STRING, BASE_NONE, nullptr, 0x0,
          "How far the conversation got: handshake (never completed), established (no payload yet), request "
          "(payload from the client only), greeting (payload from the server only), exchange (payload both "
          "ways)",
          HFILL}},
        {&ids.hf_cause,
         {"Cause", "tcpdiag.cause", FT_STRING, BASE_NONE, nullptr, 0x0,
          "The finer cause behind the verdict, when the evidence shows one: idle_timeout (the failure came "
          "with the first packets after the connection had been idle for at least idle_timeout_s), "
          "mtu_black_hole (only segments near the negotiated MSS were lost, smaller ones got through, no ICMP "
          "said they were too big)",
          HFILL}},
        {&ids.hf_loss_point,
         {"Loss point", "tcpdiag.loss_point", FT_STRING, BASE_NONE, nullptr, 0x0,
          "For data_loss and handshake_loss, which side of the capture point the loss was on: after_capture "
          "(the lost segments were captured here) or before_capture (they never reached it: a RST beyond "
          "everything that arrived shows they were sent)",
          HFILL}},
        {&ids.hf_failure,
         {"Failure", "tcpdiag.failure", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "The verdict is a failure (anything but graceful_close and open)", HFILL}},
    };
    static gint *ett[] = {&ids.ett};
    proto_register_field_array(ids.proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}

void register_expert() {
    static ei_register_info ei[kExpertCount];
    for (size_t i = 0; i < kExpertCount; ++i) {
        expert_fields[i] = EI_INIT;
        ei[i] = {&expert_fields[i],
                 {kExpert[i].name, kExpert[i].group, kExpert[i].severity, kExpert[i].summary, EXPFILL}};
    }
    expert_module_t *module = expert_register_protocol(ids.proto);
    expert_register_field_array(module, ei, array_length(ei));
    static ei_register_info unread[] = {
        {&unread_field,
         {"tcpdiag.unread", PI_UNDECODED, PI_WARN,
          "tcpdiag could not read this frame's TCP header (an IP fragment, a header cut short or an "
          "encapsulation it does not decode): its stream's diagnosis leaves it out. Set the preference "
          "tcpdiag.read_protocol_tree to read it from Wireshark's dissection",
          EXPFILL}},
    };
    expert_register_field_array(module, unread, array_length(unread));
}

void register_preferences() {
    module_t *module = prefs_register_protocol(ids.proto, session_apply_preferences);
    prefs_register_uint_preference(module, "syn_retransmissions_threshold", "SYN retransmissions for handshake loss",
                                   "Unanswered SYN retransmissions that make handshake_loss or no_response "
                                   "(fewer: incomplete)",
                                   10, &pref_syn_threshold);
    prefs_register_uint_preference(module, "data_retransmissions_threshold", "Unanswered retransmissions for data loss",
                                   "Retransmissions without the peer's ACK advancing that make data_loss. Windows "
                                   "gives up after 5; Linux retries for about 15 minutes",
                                   10, &pref_data_threshold);
    prefs_register_uint_preference(module, "zero_window_threshold_ms", "Zero-window stall (ms)",
                                   "How long a zero window must stay closed, unrecovered, to be a stall", 10,
                                   &pref_zero_window_ms);
    prefs_register_uint_preference(module, "response_timeout_ms", "Response timeout (ms)",
                                   "How long a client must wait for an answer (to its request, or for the server's "
                                   "greeting) before giving up for the stream to be response_timeout",
                                   10, &pref_response_timeout_ms);
    prefs_register_uint_preference(module, "idle_timeout_s", "Idle timeout (s)",
                                   "How long a connection must have been silent in both directions for a failure "
                                   "with the next packets to have the cause idle_timeout (a firewall, NAT or load "
                                   "balancer timed its state out); 0 turns the cause off",
                                   10, &pref_idle_timeout_s);
    prefs_register_enum_preference(module, "capture_point", "Capture point",
                                   "Where the capture was taken: decides handshake_loss (client side) against "
                                   "no_response (the SYNs reached the destination)",
                                   &pref_capture_point, kCapturePoints, FALSE);
    prefs_register_bool_preference(module, "read_protocol_tree", "Read packets from the protocol tree",
                                   "Read each packet's TCP, UDP and ICMP fields from Wireshark's protocol tree "
                                   "instead of decoding the headers: slower (every dissector then builds its "
                                   "tree on the first pass), but it also reads IP fragments and encapsulations "
                                   "tcpdiag does not decode itself (frames it could not read carry the expert "
                                   "info tcpdiag.unread)",
                                   &pref_read_protocol_tree);
    range_convert_str(wmem_epan_scope(), &pref_greeting_ports, default_greeting_ports().c_str(), 65535);
    prefs_register_range_preference(module, "greeting_ports", "Servers that speak first (ports)",
                                    "Server ports of services whose server speaks first (FTP, SSH, Telnet, SMTP, "
                                    "POP3, NNTP, IMAP, MySQL, VNC): only there does a client that leaves, having "
                                    "waited response_timeout_ms after the handshake without a greeting, make a "
                                    "response_timeout",
                                    &pref_greeting_ports, 65535);
    register_peer_preference(module);
}

}  // namespace

expert_field *expert_for(Verdict verdict) {
    for (size_t i = 0; i < kExpertCount; ++i)
        if (kExpert[i].verdict == verdict) return &expert_fields[i];
    return nullptr;
}

bool read_protocol_tree() {
    return pref_read_protocol_tree;
}

expert_field *expert_unread() {
    return &unread_field;
}

Config current_config() {
    Config c;
    c.syn_retransmissions_threshold = pref_syn_threshold;
    c.data_retransmissions_threshold = pref_data_threshold ? pref_data_threshold : 1;
    c.zero_window_threshold_ms = pref_zero_window_ms;
    c.response_timeout_ms = pref_response_timeout_ms;
    c.idle_timeout_s = pref_idle_timeout_s;
    c.capture_point = static_cast<CapturePoint>(pref_capture_point);
    if (pref_greeting_ports) {
        c.greeting_ports.clear();
        for (guint i = 0; i < pref_greeting_ports->nranges; ++i)
            c.greeting_ports.emplace_back(static_cast<uint16_t>(pref_greeting_ports->ranges[i].low),
                                          static_cast<uint16_t>(pref_greeting_ports->ranges[i].high));
    }
    if (module_t *tcp = prefs_find_module("tcp"))
        if (pref_t *analyze = prefs_find_preference(tcp, "analyze_sequence_numbers"))
            c.sequence_analysis = prefs_get_bool_value(analyze, pref_current);
    return c;
}

void register_protocol() {
    ids.proto = proto_register_protocol("TCP failure diagnosis", "TCPDIAG", "tcpdiag");
    register_fields();
    register_peer_fields(ids.proto);
    register_expert();
    register_preferences();
    ids.handle = register_dissector("tcpdiag", dissect, ids.proto);
    register_postdissector(ids.handle);
    ids.tap = register_tap("tcpdiag");
    register_init_routine(session_init);
    register_init_routine(peer_session_init);
    register_cleanup_routine(session_cleanup);
    register_cleanup_routine(peer_session_cleanup);
    register_streams_tap_ui();
    register_frames_tap_ui();
    register_summary_tap_ui();
    register_verdict_menu(ids.proto);
}

void register_handoff() {
    resolve_wanted_fields();
}

}  // namespace tcpdiag
