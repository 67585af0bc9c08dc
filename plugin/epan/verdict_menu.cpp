#include "verdict_menu.h"

#include <string>

#include "../core/verdict.h"
#include "dissect.h"
#include "registration.h"
#include "session.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

void apply_filter(ext_menubar_gui_type, gpointer, gpointer filter) {
    plugin_if_apply_filter(static_cast<const char *>(filter), TRUE);
}

// The filter for the (first) stream the frame belongs to, from what the first pass stored on it.
void *stream_filter_of(frame_data *frame, void *) {
    const FrameNotes record = frame_table().notes_of(frame->num);
    if (record.count == 0) return nullptr;
    const StreamRef stream = record[0].stream;
    return g_strdup_printf("tcpdiag.stream == %u && tcpdiag.transport == \"%s\"", stream.index,
                           stream.transport == Transport::Tcp ? "tcp" : "udp");
}

void filter_selected_stream(ext_menubar_gui_type, gpointer, gpointer) {
    auto *filter = static_cast<char *>(plugin_if_get_frame_data(stream_filter_of, nullptr));
    if (!filter) return;  // no packet selected, or one in no stream
    plugin_if_apply_filter(filter, TRUE);
    g_free(filter);
}

}  // namespace

void register_verdict_menu(int proto) {
    ext_menu_t *menu = ws::register_plugin_menu(proto, "TCP Diagnosis");
    ext_menubar_add_entry(menu, "Evidence frames", "tcpdiag.evidence: the frames that prove a verdict", apply_filter,
                          const_cast<char *>("tcpdiag.evidence"));
    ext_menubar_add_entry(menu, "Failed streams", "tcpdiag.failure: every stream that did not end well", apply_filter,
                          const_cast<char *>("tcpdiag.failure"));
    ext_menubar_add_entry(menu, "Stream of the selected packet", "The packets of the selected packet's stream",
                          filter_selected_stream, nullptr);
    ext_menubar_add_separator(menu);
    // Registered once for the life of the program: the labels and filters are never freed.
    for (int v = static_cast<int>(Verdict::InjectedReset); v <= static_cast<int>(kLastVerdict); ++v) {
        const Verdict verdict = static_cast<Verdict>(v);
        const std::string label = std::string(verdict_name(verdict)) + " (" + verdict_title(verdict) + ")";
        const std::string filter = std::string("tcpdiag.verdict == \"") + verdict_name(verdict) + "\"";
        ext_menubar_add_entry(menu, label.c_str(), filter.c_str(), apply_filter, g_strdup(filter.c_str()));
    }
}

}  // namespace tcpdiag
