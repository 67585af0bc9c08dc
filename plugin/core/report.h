// The per-stream table printed by `-z tcpdiag,streams`: text for people, TSV and JSON for scripts.
#pragma once

#include <functional>
#include <string>

#include "analyzer.h"
#include "twopoint/correlation.h"

namespace tcpdiag {

enum class ReportFormat { Text, Tsv, Json };

// The two-point result of a stream, nullptr when the peer capture has none.
using PathLookup = std::function<const StreamPath *(const StreamState &)>;

// With a peer capture: its comparison, and how to find each stream's part of it.
struct TwoPointReport {
    const Correlation *correlation = nullptr;
    PathLookup path_of;
    std::string peer_capture, problems;
};

// One row per stream with a verdict, in order of first appearance (TCP, then UDP).
// `include` picks the streams to list (all when empty). With a peer capture, each row gains the
// peer_* columns and the text ends with the flows only the peer capture has.
std::string streams_report(const Analyzer &analyzer, ReportFormat format,
                           const std::function<bool(const StreamState &)> &include = {},
                           const TwoPointReport *two_point = nullptr);

// The same table handed to `write` piece by piece as its rows are made: at 100,000 streams,
// holding every row and the whole text at once would double what the streams themselves take.
void write_streams_report(const Analyzer &analyzer, ReportFormat format,
                          const std::function<bool(const StreamState &)> &include, const TwoPointReport *two_point,
                          const std::function<void(const std::string &)> &write);

// The values every output shares, so the columns cannot drift apart.
struct StreamRow {
    std::string transport, client, server, verdict, reset_by, history, reason, next_step, captured, capture_flaws,
        stage, cause, loss_point;
    uint32_t stream = 0, syn_retransmissions = 0, data_retransmissions = 0, evidence_frame = 0, packets = 0;
    double duration_s = 0;
    int64_t start_time_us = 0, end_time_us = 0;  // of its first and last packet, since the epoch
    // Two-point columns, with a peer capture only.
    std::string peer_verdict, peer_changed, peer_reason;
    uint32_t peer_matched = 0, peer_dropped = 0, peer_injected = 0, peer_evidence_frame = 0;
};
StreamRow make_row(const Analyzer &analyzer, const StreamState &stream);

}  // namespace tcpdiag
