// The per-stream table printed by `-z tcpdiag,streams`: text for people, TSV and JSON for scripts.
#pragma once

#include <functional>
#include <string>

#include "analyzer.h"

namespace tcpdiag {

enum class ReportFormat { Text, Tsv, Json };

// One row per stream with a verdict, in order of first appearance (TCP, then UDP).
// `include` picks the streams to list (all when empty).
std::string streams_report(const Analyzer &analyzer, ReportFormat format,
                           const std::function<bool(const StreamState &)> &include = {});

// The values every output shares, so the columns cannot drift apart.
struct StreamRow {
    std::string transport, client, server, verdict, reset_by, history, reason, next_step;
    uint32_t stream = 0, syn_retransmissions = 0, data_retransmissions = 0, evidence_frame = 0, packets = 0;
    double duration_s = 0;
};
StreamRow make_row(const Analyzer &analyzer, const StreamState &stream);

}  // namespace tcpdiag
