#include "streams_tap.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <set>
#include <string>
#include <utility>

#include <epan/tap.h>

#include "../core/report.h"
#include "dissect.h"
#include "peer_fields.h"
#include "peer_session.h"
#include "session.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

constexpr char kCommand[] = "tcpdiag,streams";

struct StreamsListener {
    ReportFormat format = ReportFormat::Text;
    bool filtered = false;
    // The filter reads tcpdiag's own fields: in a single pass they hold provisional verdicts.
    bool filter_on_verdicts = false;
    // A single pass taps each frame right after reading it; a second pass taps frames read long ago.
    bool tapped_while_reading = false, tapped_after_reading = false;
    // Streams with at least one packet that passed the filter (used only when filtered).
    std::set<std::pair<int, uint32_t>> selected;
};

tap_packet_status on_packet(void *data, packet_info *pinfo, epan_dissect_t *, const void *record_ptr, tap_flags_t) {
    auto *listener = static_cast<StreamsListener *>(data);
    if (!listener->filtered) return TAP_PACKET_DONT_REDRAW;
    (pinfo->num >= session().last_frame() ? listener->tapped_while_reading : listener->tapped_after_reading) = true;
    const auto *record = static_cast<const FrameNotes *>(record_ptr);
    try {
        for (int i = 0; i < record->count; ++i)
            listener->selected.emplace(static_cast<int>((*record)[i].stream.transport), (*record)[i].stream.index);
    } catch (const std::exception &) {
        return TAP_PACKET_FAILED;
    }
    return TAP_PACKET_DONT_REDRAW;
}

void on_draw(void *data) {
    auto *listener = static_cast<StreamsListener *>(data);
    try {
        const Analyzer &analyzer = session();
        TwoPointReport two_point;
        if (TwoPoint *tp = peer_results()) {
            two_point.correlation = &tp->correlation();
            two_point.path_of = [tp](const StreamState &st) {
                return tp->stream(static_cast<uint8_t>(st.transport), st.index);
            };
            two_point.peer_capture = peer_capture_path();
            two_point.problems = tp->problems();
        }
        std::function<bool(const StreamState &)> include;
        if (listener->filtered)
            include = [listener](const StreamState &st) {
                return listener->selected.count({static_cast<int>(st.transport), st.index}) > 0;
            };
        write_streams_report(analyzer, listener->format, include, &two_point,
                             [](const std::string &part) { std::fputs(part.c_str(), stdout); });
        if (listener->filter_on_verdicts && listener->tapped_while_reading && !listener->tapped_after_reading)
            std::fputs(
                "tcpdiag: the filter reads tcpdiag fields, which hold provisional verdicts in a single pass; "
                "run tshark with -2 for final ones\n",
                stderr);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "tcpdiag: cannot print the stream table: %s\n", e.what());
    }
}

void on_finish(void *data) {
    delete static_cast<StreamsListener *>(data);
}

// "tcpdiag,streams", "tcpdiag,streams,tsv", "tcpdiag,streams,json,tcp.port==445", "tcpdiag,streams,ip.addr==10.0.0.1"
bool init(const char *opt_arg, void *) {
    auto *listener = new (std::nothrow) StreamsListener;
    if (!listener) {
        std::fprintf(stderr, "tshark: not enough memory for %s\n", kCommand);
        return false;
    }
    const char *rest = opt_arg + std::strlen(kCommand);
    if (*rest == ',') ++rest;
    static const std::pair<const char *, ReportFormat> kFormats[] = {
        {"text", ReportFormat::Text}, {"tsv", ReportFormat::Tsv}, {"json", ReportFormat::Json}};
    for (const auto &f : kFormats) {
        const size_t n = std::strlen(f.first);
        if (std::strncmp(rest, f.first, n) == 0 && (rest[n] == '\0' || rest[n] == ',')) {
            listener->format = f.second;
            rest += n;
            if (*rest == ',') ++rest;
            break;
        }
    }
    listener->filtered = *rest != '\0';
    listener->filter_on_verdicts = std::strstr(rest, "tcpdiag") != nullptr;
    GString *error = register_tap_listener("tcpdiag", listener, listener->filtered ? rest : nullptr,
                                           TL_REQUIRES_NOTHING, nullptr, on_packet, on_draw, on_finish);
    if (error) {
        std::fprintf(stderr, "tshark: Couldn't register %s tap: %s\n", kCommand, error->str);
        g_string_free(error, TRUE);
        delete listener;
        return false;
    }
    return true;
}

}  // namespace

void register_streams_tap_ui() {
    static stat_tap_ui ui = {REGISTER_STAT_GROUP_GENERIC, nullptr, kCommand, ws::stat_tap_init<init>, 0, nullptr};
    register_stat_tap_ui(&ui, nullptr);
}

}  // namespace tcpdiag
