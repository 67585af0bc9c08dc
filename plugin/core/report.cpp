#include "report.h"

#include <cstdio>

#include "explain.h"

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

// TSV cells never contain tabs or newlines.
std::string tsv_clean(std::string s) {
    for (char &c : s)
        if (c == '\t' || c == '\n') c = ' ';
    return s;
}

std::string fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
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
                                "next_step"};

std::string tsv(const std::vector<StreamRow> &rows) {
    std::string out;
    for (const char *c : kColumns) out += std::string(out.empty() ? "" : "\t") + c;
    out += "\n";
    for (const StreamRow &r : rows) {
        out += std::to_string(r.stream) + "\t" + r.transport + "\t" + r.client + "\t" + r.server + "\t" + r.verdict +
               "\t" + r.reset_by + "\t" + std::to_string(r.syn_retransmissions) + "\t" +
               std::to_string(r.data_retransmissions) + "\t" + std::to_string(r.evidence_frame) + "\t" +
               std::to_string(r.packets) + "\t" + fixed(r.duration_s) + "\t" + r.history + "\t" + tsv_clean(r.reason) +
               "\t" + tsv_clean(r.next_step) + "\n";
    }
    return out;
}

std::string json(const std::vector<StreamRow> &rows) {
    std::string out = "[\n";
    for (size_t i = 0; i < rows.size(); ++i) {
        const StreamRow &r = rows[i];
        out += "  {\"stream\": " + std::to_string(r.stream) + ", \"transport\": \"" + r.transport +
               "\", \"client\": \"" + r.client + "\", \"server\": \"" + r.server + "\", \"verdict\": \"" + r.verdict +
               "\", \"reset_by\": \"" + r.reset_by +
               "\", \"syn_retransmissions\": " + std::to_string(r.syn_retransmissions) +
               ", \"data_retransmissions\": " + std::to_string(r.data_retransmissions) +
               ", \"evidence_frame\": " + std::to_string(r.evidence_frame) +
               ", \"packets\": " + std::to_string(r.packets) + ", \"duration\": " + fixed(r.duration_s) +
               ", \"history\": \"" + json_escape(r.history) + "\", \"reason\": \"" + json_escape(r.reason) +
               "\", \"next_step\": \"" + json_escape(r.next_step) + "\"}";
        out += i + 1 < rows.size() ? ",\n" : "\n";
    }
    return out + "]\n";
}

std::string text(const std::vector<StreamRow> &rows) {
    std::string out =
        "===================================================================\n"
        "tcpdiag: how every stream ended\n";
    char line[512];
    std::snprintf(line, sizeof line, "%6s %-4s %-40s %-40s %-18s %-7s %3s %4s %8s %10s %-10s %s\n", "Stream", "Prot",
                  "Client", "Server", "Verdict", "ResetBy", "SYN", "Rtx", "Evidence", "Duration", "History", "Reason");
    out += line;
    for (const StreamRow &r : rows) {
        std::snprintf(line, sizeof line, "%6u %-4s %-40s %-40s %-18s %-7s %3u %4u %8u %10.3f %-10s ", r.stream,
                      r.transport.c_str(), r.client.c_str(), r.server.c_str(), r.verdict.c_str(), r.reset_by.c_str(),
                      r.syn_retransmissions, r.data_retransmissions, r.evidence_frame, r.duration_s, r.history.c_str());
        out += line + r.reason + "\n";
    }
    return out + "===================================================================\n";
}

}  // namespace

StreamRow make_row(const Analyzer &analyzer, const StreamState &st) {
    const Diagnosis d = analyzer.diagnose(st);
    StreamRow r;
    r.stream = st.index;
    r.transport = st.transport == Transport::Tcp ? "tcp" : "udp";
    r.client = to_string(st.client);
    r.server = to_string(st.server);
    r.verdict = verdict_name(d.verdict);
    r.reset_by = actor_name(d.reset_by);
    r.syn_retransmissions = st.syn_retransmissions();
    r.data_retransmissions = st.data_retransmissions();
    r.evidence_frame = d.evidence_frame;
    r.packets = st.packets();
    r.duration_s = static_cast<double>(st.last_time_us - st.first_time_us) / 1e6;
    r.history = st.history.str();
    r.reason = reason(st, d);
    r.next_step = next_step(st, d);
    return r;
}

std::string streams_report(const Analyzer &analyzer, ReportFormat format,
                           const std::function<bool(const StreamState &)> &include) {
    std::vector<StreamRow> rows;
    for (const StreamState *st : analyzer.streams())
        if (!include || include(*st)) rows.push_back(make_row(analyzer, *st));
    switch (format) {
        case ReportFormat::Tsv: return tsv(rows);
        case ReportFormat::Json: return json(rows);
        case ReportFormat::Text: break;
    }
    return text(rows);
}

}  // namespace tcpdiag
