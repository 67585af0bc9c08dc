#include "frames_tap.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <epan/tap.h>

#include "../core/stream_frames.h"
#include "session.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

constexpr char kCommand[] = "tcpdiag,frames";

// Nothing per packet: the frame table the dissector fills holds every frame's streams.
tap_packet_status on_packet(void *, packet_info *, epan_dissect_t *, const void *, tap_flags_t) {
    return TAP_PACKET_DONT_REDRAW;
}

void on_draw(void *) {
    try {
        write_stream_frames(frame_table(), [](const std::string &part) { std::fputs(part.c_str(), stdout); });
    } catch (const std::exception &e) {
        std::fprintf(stderr, "tcpdiag: cannot print the frames of the streams: %s\n", e.what());
    }
}

bool init(const char *opt_arg, void *) {
    if (std::strcmp(opt_arg, kCommand) != 0) {
        std::fprintf(stderr, "tshark: %s takes no options (got \"%s\")\n", kCommand, opt_arg);
        return false;
    }
    // The listener needs no state of its own; a distinct address tells it apart from others.
    static char listener;
    GString *error =
        register_tap_listener("tcpdiag", &listener, nullptr, TL_REQUIRES_NOTHING, nullptr, on_packet, on_draw, nullptr);
    if (error) {
        std::fprintf(stderr, "tshark: Couldn't register %s tap: %s\n", kCommand, error->str);
        g_string_free(error, TRUE);
        return false;
    }
    return true;
}

}  // namespace

void register_frames_tap_ui() {
    static stat_tap_ui ui = {REGISTER_STAT_GROUP_GENERIC, nullptr, kCommand, ws::stat_tap_init<init>, 0, nullptr};
    register_stat_tap_ui(&ui, nullptr);
}

}  // namespace tcpdiag
