#include "peer_reader.h"

#include <string>

#include "../core/twopoint/packet_decoder.h"
#include "capture_statistics.h"
#include "frame_reader.h"
#include "ws_compat.h"

namespace tcpdiag {

void read_peer_capture(const char *path, TwoPoint &two_point) {
    int err = 0;
    gchar *err_info = nullptr;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    if (!wth) {
        two_point.set_peer_problem(std::string("cannot read the peer capture ") + path + ": " + wtap_strerror(err) +
                                   (err_info ? std::string(" (") + err_info + ")" : ""));
        g_free(err_info);
        return;
    }
    ws::RecordReader reader;
    uint32_t frame = 0, decoded = 0;
    bool truncated = false;
    TimeSpan records;
    while (reader.next(wth, &err, &err_info)) {
        ++frame;  // Wireshark numbers every record, packets or not
        const wtap_rec &rec = reader.record();
        if (rec.presence_flags & WTAP_HAS_TS) {
            const int64_t time_us = int64_t(rec.ts.secs) * 1000000 + rec.ts.nsecs / 1000;
            records.add(time_us);
            two_point.note_peer_time(time_us);
        }
        if (rec.rec_type != REC_TYPE_PACKET) continue;
        const int link_type = linktype_of_encapsulation(rec.rec_header.packet_header.pkt_encap);
        if (link_type < 0) continue;
        auto packet = decode_packet(link_type, reader.data(), rec.rec_header.packet_header.caplen);
        if (!packet) continue;
        packet->frame = frame;
        packet->time_us = int64_t(rec.ts.secs) * 1000000 + rec.ts.nsecs / 1000;
        ++decoded;
        if (!two_point.add_peer(*packet)) {
            truncated = true;
            break;
        }
    }
    // Only a capture read to its end has its closing statistics.
    if (!truncated && err == 0) two_point.note_peer_statistics(read_capture_statistics(wth, records));
    std::string problem;
    if (truncated) {
        problem = "the peer capture has more than " + std::to_string(two_point.peer_limit()) +
                  " TCP/UDP packets; only the first ones, up to frame " + std::to_string(frame) + ", were compared";
    } else if (err != 0) {
        problem = std::string("the peer capture is damaged after frame ") + std::to_string(frame) + ": " +
                  wtap_strerror(err) + (err_info ? std::string(" (") + err_info + ")" : "") +
                  "; the frames before it were compared";
    } else if (frame > 0 && decoded == 0) {
        problem =
            "the peer capture has no TCP or UDP packet on a link type tcpdiag decodes (Ethernet, Linux "
            "cooked, raw IP, loopback)";
    }
    if (!problem.empty()) two_point.set_peer_problem(problem);
    g_free(err_info);
    wtap_close(wth);
}

}  // namespace tcpdiag
