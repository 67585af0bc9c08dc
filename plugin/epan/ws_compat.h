// Every Wireshark-version difference tcpdiag depends on, in one place (4.0 to 4.6).
#pragma once

#include <cstdint>
#include <cstdlib>

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

// What a dissector stored on a frame with p_add_proto_data(wmem_file_scope(), ...), for a frame the
// GUI hands over (plugin_if_get_frame_data) without a packet_info: the lookup only reads pinfo->fd.
inline void *frame_proto_data(frame_data *frame, int proto) {
    packet_info pinfo{};
    pinfo.fd = frame;
    return p_get_proto_data(wmem_file_scope(), &pinfo, proto, 0);
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
