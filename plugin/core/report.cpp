#include "report.h"

#include <charconv>
#include <cstdio>

#include "text_format.h"

#include "explain.h"
#include "twopoint/path_explain.h"

namespace tcpdiag {

namespace {

std::string json_escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

// Numbers are written into the row's string in place: a temporary string and an snprintf per cell
// were most of the table's cost at 100,000 streams.
void append_uint(std::string &out, uint64_t v) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

// TSV cells never contain tabs or newlines.
void append_tsv_clean(std::string &out, const std::string &s) {
    const size_t start = out.size();
    out += s;
    if (s.find('\t') == std::string::npos && s.find('\n') == std::string::npos) return;  // as nearly always
    for (size_t i = start; i < out.size(); ++i)
        if (out[i] == '\t' || out[i] == '\n') out[i] = ' ';
}

std::string tsv_clean(const std::string &s) {
    std::string out;
    append_tsv_clean(out, s);
    return out;
}

// Microseconds as seconds with six decimals, exactly: a double has too few digits for today's
// epoch times to the microsecond.
void append_seconds(std::string &out, int64_t us) {
    const uint64_t magnitude = us < 0 ? 0 - static_cast<uint64_t>(us) : static_cast<uint64_t>(us);
    if (us < 0) out += '-';
    append_uint(out, magnitude / 1000000);
    char fraction[8];
    const uint64_t micro = magnitude % 1000000;
    char *end = std::to_chars(fraction, fraction + sizeof fraction, micro).ptr;
    out += '.';
    out.append(6 - static_cast<size_t>(end - fraction), '0');
    out.append(fraction, static_cast<size_t>(end - fraction));
}

std::string seconds(int64_t us) {
    std::string out;
    append_seconds(out, us);
    return out;
}

// As printf's "%.6f".
void append_fixed(std::string &out, double v) {
    char digits[64];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, v, std::chars_format::fixed, 6).ptr);
}

std::string fixed(double v) {
    std::string out;
    append_fixed(out, v);
    return out;
}

const char *const kColumns[] = {"stream",
                                "transport",
                                "client",
                                "server",
                                "verdict",
                                "reset_by",
                                "syn_retransmissions",
                                "data_retransmissions",
                                "evidence_frame",
                                "packets",
                                "duration",
                                "history",
                                "reason",
                                "next_step",
                                "captured",
                                "capture_flaws",
                                "stage",
                                "cause",
                                "loss_point",
                                "start_time",
                                "end_time"};

const char *const kPeerColumns[] = {"peer_verdict", "peer_matched",        "peer_dropped", "peer_injected",
                                    "peer_changed", "peer_evidence_frame", "peer_reason"};

std::string peer_tsv(const StreamRow &r) {
    return "\t" + r.peer_verdict + "\t" + std::to_string(r.peer_matched) + "\t" + std::to_string(r.peer_dropped) +
           "\t" + std::to_string(r.peer_injected) + "\t" + r.peer_changed + "\t" +
           std::to_string(r.peer_evidence_frame) + "\t" + tsv_clean(r.peer_reason);
}

std::string peer_json(const StreamRow &r) {
    return ", \"peer_verdict\": \"" + r.peer_verdict + "\", \"peer_matched\": " + std::to_string(r.peer_matched) +
           ", \"peer_dropped\": " + std::to_string(r.peer_dropped) +
           ", \"peer_injected\": " + std::to_string(r.peer_injected) + ", \"peer_changed\": \"" + r.peer_changed +
           "\", \"peer_evidence_frame\": " + std::to_string(r.peer_evidence_frame) + ", \"peer_reason\": \"" +
           json_escape(r.peer_reason) + "\"";
}

std::string tsv_header(bool with_peer) {
    std::string out;
    for (const char *c : kColumns) out += std::string(out.empty() ? "" : "\t") + c;
    if (with_peer)
        for (const char *c : kPeerColumns) out += std::string("\t") + c;
    return out + "\n";
}

std::string tsv_row(const StreamRow &r, bool with_peer) {
    std::string out;
    out.reserve(256 + r.reason.size() + r.next_step.size());
    const auto text = [&out](const std::string &cell) {
        out += cell;
        out += '\t';
    };
    const auto count = [&out](uint64_t cell) {
        append_uint(out, cell);
        out += '\t';
    };
    count(r.stream);
    text(r.transport);
    text(r.client);
    text(r.server);
    text(r.verdict);
    text(r.reset_by);
    count(r.syn_retransmissions);
    count(r.data_retransmissions);
    count(r.evidence_frame);
    count(r.packets);
    append_fixed(out, r.duration_s);
    out += '\t';
    text(r.history);
    append_tsv_clean(out, r.reason);
    out += '\t';
    append_tsv_clean(out, r.next_step);
    out += '\t';
    text(r.captured);
    text(r.capture_flaws);
    text(r.stage);
    text(r.cause);
    text(r.loss_point);
    append_seconds(out, r.start_time_us);
    out += '\t';
    append_seconds(out, r.end_time_us);
    if (with_peer) out += peer_tsv(r);
    out += '\n';
    return out;
}

std::string json_row(const StreamRow &r, bool with_peer) {
    return "  {\"stream\": " + std::to_string(r.stream) + ", \"transport\": \"" + r.transport + "\", \"client\": \"" +
           r.client + "\", \"server\": \"" + r.server + "\", \"verdict\": \"" + r.verdict + "\", \"reset_by\": \"" +
           r.reset_by + "\", \"syn_retransmissions\": " + std::to_string(r.syn_retransmissions) +
           ", \"data_retransmissions\": " + std::to_string(r.data_retransmissions) +
           ", \"evidence_frame\": " + std::to_string(r.evidence_frame) + ", \"packets\": " + std::to_string(r.packets) +
           ", \"duration\": " + fixed(r.duration_s) + ", \"history\": \"" + json_escape(r.history) +
           "\", \"reason\": \"" + json_escape(r.reason) + "\", \"next_step\": \"" + json_escape(r.next_step) +
           "\", \"captured\": \"" + r.captured + "\", \"capture_flaws\": \"" + r.capture_flaws + "\", \"stage\": \"" +
           r.stage + "\", \"cause\": \"" + r.cause + "\", \"loss_point\": \"" + r.loss_point + "\"" +
           ", \"start_time\": " + seconds(r.start_time_us) + ", \"end_time\": " + seconds(r.end_time_us) +
           (with_peer ? peer_json(r) : "") + "}";
}

// The peer capture's part of the text table: each stream's path verdict, then the flows only the
// peer capture has.
std::string peer_text(const std::vector<StreamRow> &rows, const TwoPointReport &tp) {
    const Correlation &c = *tp.correlation;
    std::string out = "Two-point comparison with " + tp.peer_capture + ": " + std::to_string(c.matched_packets) +
                      " of " + std::to_string(c.local_packets) + " packets matched";
    if (c.clock_offset_known) out += format(", peer clock %+.6f s", double(c.clock_offset_us) / 1e6);
    out += "\n";
    if (!tp.problems.empty()) out += "  note: " + tp.problems + "\n";
    char line[512];
    std::snprintf(line, sizeof line, "%6s %-4s %-22s %7s %7s %8s %-16s %s\n", "Stream", "Prot", "Path verdict",
                  "Matched", "Dropped", "Injected", "Changed", "Path reason");
    out += line;
    for (const StreamRow &r : rows) {
        std::snprintf(line, sizeof line, "%6u %-4s %-22s %7u %7u %8u %-16s ", r.stream, r.transport.c_str(),
                      r.peer_verdict.c_str(), r.peer_matched, r.peer_dropped, r.peer_injected,
                      r.peer_changed.empty() ? "-" : r.peer_changed.c_str());
        out += line + r.peer_reason + "\n";
    }
    for (const PeerOnlyFlow &f : c.peer_only) {
        if (f.transport != 6 && f.transport != 17) continue;
        out += format("  only in the peer capture: %s %s -> %s, %u packet(s) from peer frame %u%s\n",
                      f.transport == 6 ? "tcp" : "udp", to_string(f.a).c_str(), to_string(f.b).c_str(), f.packets,
                      f.first_frame, f.lost_toward_here ? ": sent toward this side, never arrived" : "");
    }
    return out;
}

const char kTextRule[] = "===================================================================\n";

std::string text_header() {
    char line[512];
    std::snprintf(line, sizeof line, "%6s %-4s %-40s %-40s %-18s %-7s %-11s %-14s %3s %4s %8s %10s %-10s %s\n",
                  "Stream", "Prot", "Client", "Server", "Verdict", "ResetBy", "Stage", "Cause", "SYN", "Rtx",
                  "Evidence", "Duration", "History", "Reason");
    return std::string(kTextRule) + "tcpdiag: how every stream ended\n" + line;
}

std::string text_row(const StreamRow &r) {
    char line[512];
    std::snprintf(line, sizeof line, "%6u %-4s %-40s %-40s %-18s %-7s %-11s %-14s %3u %4u %8u %10.3f %-10s ", r.stream,
                  r.transport.c_str(), r.client.c_str(), r.server.c_str(), r.verdict.c_str(), r.reset_by.c_str(),
                  r.stage.c_str(), r.cause.empty() ? "-" : r.cause.c_str(), r.syn_retransmissions,
                  r.data_retransmissions, r.evidence_frame, r.duration_s, r.history.c_str());
    return line + r.reason + "\n";
}

}  // namespace

StreamRow make_row(const Analyzer &analyzer, const StreamState &st, bool with_next_step) {
    const Diagnosis d = analyzer.diagnose(st);
    StreamRow r;
    r.stream = st.index;
    r.transport = st.transport == Transport::Tcp ? "tcp" : "udp";
    r.client = to_string(st.client());
    r.server = to_string(st.server());
    r.verdict = verdict_name(d.verdict);
    r.reset_by = actor_name(d.reset_by);
    r.syn_retransmissions = st.syn_retransmissions();
    r.data_retransmissions = st.data_retransmissions();
    r.evidence_frame = d.evidence_frame;
    r.packets = st.packets();
    r.duration_s = static_cast<double>(st.last_time_us - st.first_time_us) / 1e6;
    r.start_time_us = st.first_time_us;
    r.end_time_us = st.last_time_us;
    r.history = st.history.str();
    r.reason = reason(st, d);
    if (with_next_step) r.next_step = next_step(st, d);  // the text table has no column for it
    r.captured = st.captured_directions();
    r.capture_flaws = st.capture_flaw_names();
    r.stage = st.stage();
    r.cause = cause_name(d.cause);
    r.loss_point = loss_point_name(d.loss_point);
    return r;
}

void add_peer_columns(StreamRow &r, const StreamPath *path, const Correlation &c) {
    if (!path) {
        r.peer_verdict = path_verdict_name(PathVerdict::NotInPeerCapture);
        return;
    }
    r.peer_verdict = path_verdict_name(path->verdict);
    r.peer_matched = path->matched;
    r.peer_dropped = path->dropped_out + path->dropped_in;
    r.peer_injected = path->injected_here + path->injected_there;
    r.peer_changed = change_names(path->changes);
    r.peer_evidence_frame = path->evidence_frame;
    r.peer_reason = path_reason(*path, c);
}

void write_streams_report(const Analyzer &analyzer, ReportFormat format,
                          const std::function<bool(const StreamState &)> &include, const TwoPointReport *two_point,
                          const std::function<void(const std::string &)> &write) {
    const bool with_peer = two_point && two_point->correlation;
    std::vector<StreamRow> peer_rows;  // the text's two-point table follows the streams'
    size_t written = 0;
    if (format == ReportFormat::Tsv) write(tsv_header(with_peer));
    if (format == ReportFormat::Json) write("[\n");
    if (format == ReportFormat::Text) write(text_header());
    analyzer.for_each_stream([&](const StreamState &st) {
        if (include && !include(st)) return;
        StreamRow row = make_row(analyzer, st, format != ReportFormat::Text);
        if (with_peer) add_peer_columns(row, two_point->path_of(st), *two_point->correlation);
        switch (format) {
            case ReportFormat::Tsv: write(tsv_row(row, with_peer)); break;
            case ReportFormat::Json: write((written ? ",\n" : "") + json_row(row, with_peer)); break;
            case ReportFormat::Text:
                write(text_row(row));
                if (with_peer) peer_rows.push_back(std::move(row));
                break;
        }
        ++written;
    });
    if (format == ReportFormat::Json) write(written ? "\n]\n" : "]\n");
    if (format == ReportFormat::Text) {
        write(kTextRule);
        if (with_peer) write(peer_text(peer_rows, *two_point));
    }
}

std::string streams_report(const Analyzer &analyzer, ReportFormat format,
                           const std::function<bool(const StreamState &)> &include, const TwoPointReport *two_point) {
    std::string out;
    write_streams_report(analyzer, format, include, two_point, [&out](const std::string &part) { out += part; });
    return out;
}

}  // namespace tcpdiag
