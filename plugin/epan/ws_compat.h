// Every Wireshark-version difference tcpdiag depends on, in one place (4.0 to 4.6).
#pragma once

#include <cstdint>
#include <cstdlib>

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-udp.h>
#include <epan/ftypes/ftypes.h>
#include <epan/packet_info.h>
#include <epan/plugin_if.h>
#include <epan/proto.h>
#include <epan/proto_data.h>
#include <epan/stat_tap_ui.h>
#include <ws_version.h>

#define TCPDIAG_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

// 4.4 added plugin_describe() so the loader can tell what a plugin provides.
#define TCPDIAG_HAS_PLUGIN_DESCRIBE TCPDIAG_WS_AT_LEAST(4, 4)
#if TCPDIAG_HAS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>  // WS_PLUGIN_DESC_*; not installed before 4.4
#endif

namespace tcpdiag::ws {

// field_info::value is an embedded fvalue_t in 4.0 and a pointer from 4.2; overloads hide which.
inline fvalue_t *fv(fvalue_t *value) {
    return value;
}
inline fvalue_t *fv(fvalue_t &value) {
    return &value;
}
inline fvalue_t *value_of(field_info *fi) {
    return fv(fi->value);
}

// A boolean preference is stored in a gboolean in 4.0 and in a bool from 4.2.
#if TCPDIAG_WS_AT_LEAST(4, 2)
using PrefBool = bool;
#else
using PrefBool = gboolean;
#endif

// What plugin_describe() tells the loader (4.4+). Older loaders never look the symbol up.
#if TCPDIAG_HAS_PLUGIN_DESCRIBE
constexpr uint32_t kPluginDescription = WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
#else
constexpr uint32_t kPluginDescription = 0;
#endif

// The stat-tap init callback returns bool (success) from 4.6 and void before. Write it as
// `bool init(const char *, void *)` and register stat_tap_init<init>. Before 4.6 tshark cannot be
// told that a -z argument failed, so it exits, as tshark's own statistics do.
#if TCPDIAG_WS_AT_LEAST(4, 6)
template <bool (*Init)(const char *, void *)>
bool stat_tap_init(const char *opt_arg, void *userdata) {
    return Init(opt_arg, userdata);
}
#else
template <bool (*Init)(const char *, void *)>
void stat_tap_init(const char *opt_arg, void *userdata) {
    if (!Init(opt_arg, userdata)) std::exit(1);
}
#endif

// The stat group the Qt GUI lists in its Statistics menu (GENERIC ones get no menu entry). 4.0 named
// it REGISTER_PACKET_STAT_GROUP_UNSORTED when it split packet from log statistics.
constexpr register_stat_group_t kStatisticsMenuGroup = REGISTER_PACKET_STAT_GROUP_UNSORTED;

// The GUI's plugin interface (epan/plugin_if.h): a menu in the menu bar whose entries call back into
// the plugin, and plugin_if_apply_filter() to set the display filter. Used as in 4.0; Qt draws
// plugin menus at the end of the menu bar, after Help.
inline ext_menu_t *register_plugin_menu(int proto, const char *label) {
    return ext_menubar_register_menu(proto, label, TRUE);
}

// What Wireshark's own TCP analysis holds for one segment, read from the conversation the TCP
// dissector keeps (struct tcp_analysis, installed in packet-tcp.h) rather than from a protocol
// tree, so the first pass can run without one. `ta` is cleared for every segment the TCP
// dissector handles and then set if the segment has analysis flags, so right after the frame's
// dissection it describes that frame's segment.
struct TcpAnalysis {
    uint32_t stream = 0;
    bool retransmission = false;  // as tcp.analysis.retransmission: fast and spurious included
    uint32_t rto_frame = 0;       // as tcp.analysis.rto_frame
    bool capture_gap = false;     // as tcp.analysis.lost_segment or tcp.analysis.ack_lost_segment
};
// TCP_A_* are private to packet-tcp.c; these values have been the same in every release.
constexpr uint16_t kTcpARetransmission = 0x0001, kTcpALostPacket = 0x0002, kTcpAAckLostPacket = 0x0004,
                   kTcpAFastRetransmission = 0x0400, kTcpASpuriousRetransmission = 0x4000;

// The TCP conversation between these endpoints at this frame, and the data the TCP dissector keeps
// in it (nullptr if none: the TCP dissector did not reach it, or another conversation strategy is
// configured).
inline conversation_t *tcp_conversation_of(uint32_t frame, const address *src, const address *dst, uint16_t sport,
                                           uint16_t dport) {
    return find_conversation(frame, src, dst, CONVERSATION_TCP, sport, dport, 0);
}
inline struct tcp_analysis *tcp_data_of(conversation_t *conv, int proto_tcp) {
    return conv ? static_cast<struct tcp_analysis *>(conversation_get_proto_data(conv, proto_tcp)) : nullptr;
}

// Whether the TCP dissector used this conversation for a segment of the frame being read on the
// first pass: a new conversation starts at its frame, and Wireshark moves an existing one's
// last_frame forward to each frame it is used in (4.0 to 4.6).
inline bool used_in_frame(const conversation_t *conv, uint32_t frame) {
    return conv->last_frame == frame;
}

// tcp.stream and the analysis of the segment the TCP dissector has just dissected in `tcpd`.
inline TcpAnalysis segment_analysis(const struct tcp_analysis &tcpd) {
    TcpAnalysis out;
    out.stream = tcpd.stream;
    const struct tcp_acked *ta = tcpd.ta;
    if (!ta) return out;
    out.retransmission =
        (ta->flags & (kTcpARetransmission | kTcpAFastRetransmission | kTcpASpuriousRetransmission)) != 0;
    const bool timed = ta->rto_ts.secs || ta->rto_ts.nsecs;
    out.rto_frame = (ta->flags & kTcpARetransmission) && timed ? ta->rto_frame : 0;
    out.capture_gap = (ta->flags & (kTcpALostPacket | kTcpAAckLostPacket)) != 0;
    return out;
}

// udp.stream of the UDP conversation between these endpoints at this frame.
inline bool udp_stream_of(uint32_t frame, const address *src, const address *dst, uint16_t sport, uint16_t dport,
                          int proto_udp, uint32_t &stream) {
    conversation_t *conv = find_conversation(frame, src, dst, CONVERSATION_UDP, sport, dport, 0);
    auto *udpd = conv ? static_cast<struct udp_analysis *>(conversation_get_proto_data(conv, proto_udp)) : nullptr;
    if (!udpd) return false;
    stream = udpd->stream;
    return true;
}

// Whether a protocol was dissected somewhere in the frame (tree or not).
inline bool frame_has_protocol(const packet_info *pinfo, int proto) {
    return pinfo->proto_layers && wmem_map_lookup(pinfo->proto_layers, GINT_TO_POINTER(proto));
}

// The frame's data source of this name ("Reassembled IPv4"...): 4.6 looks up the source, then its tvb.
inline tvbuff_t *data_source_tvb(packet_info *pinfo, const char *name) {
#if TCPDIAG_WS_AT_LEAST(4, 6)
    const struct data_source *source = get_data_source_by_name(pinfo, name);
    return source ? get_data_source_tvb(source) : nullptr;
#else
    return get_data_source_tvb_by_name(pinfo, name);
#endif
}

}  // namespace tcpdiag::ws

// Reading a capture file with wiretap. From 4.6 a wtap_rec carries its own data buffer and
// wtap_read() lost its Buffer argument.
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>

namespace tcpdiag::ws {

class RecordReader {
  public:
#if TCPDIAG_WS_AT_LEAST(4, 6)
    RecordReader() {
        wtap_rec_init(&rec_, 1514);
    }
    ~RecordReader() {
        wtap_rec_cleanup(&rec_);
    }
    bool next(wtap *wth, int *err, gchar **err_info) {
        gint64 offset;
        wtap_rec_reset(&rec_);
        return wtap_read(wth, &rec_, err, err_info, &offset);
    }
    const guint8 *data() const {
        return ws_buffer_start_ptr(&rec_.data);
    }
#else
    RecordReader() {
        wtap_rec_init(&rec_);
        ws_buffer_init(&buf_, 1514);
    }
    ~RecordReader() {
        wtap_rec_cleanup(&rec_);
        ws_buffer_free(&buf_);
    }
    bool next(wtap *wth, int *err, gchar **err_info) {
        gint64 offset;
        wtap_rec_reset(&rec_);
        return wtap_read(wth, &rec_, &buf_, err, err_info, &offset);
    }
    const guint8 *data() const {
        return ws_buffer_start_ptr(&buf_);
    }
#endif
    const wtap_rec &record() const {
        return rec_;
    }
    RecordReader(const RecordReader &) = delete;
    RecordReader &operator=(const RecordReader &) = delete;

  private:
    wtap_rec rec_;
#if !TCPDIAG_WS_AT_LEAST(4, 6)
    Buffer buf_;
#endif
};

// The link-layer encapsulation (WTAP_ENCAP_*) of the frame being dissected.
inline int frame_encapsulation(const packet_info *pinfo) {
    return pinfo->rec ? pinfo->rec->rec_header.packet_header.pkt_encap : -1;
}

}  // namespace tcpdiag::ws
