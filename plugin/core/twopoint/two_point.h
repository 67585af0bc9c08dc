// The two-point diagnosis of one capture file: collects this capture's packets as they are
// dissected and the peer capture's packets as they are read, correlates them once, and answers
// per frame and per stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlation.h"

namespace tcpdiag {

// What a pcapng capture says of itself in its interface statistics blocks (ISB).
struct CaptureStatistics {
    TimeSpan ran;          // the earliest isb_starttime to the latest isb_endtime; empty if not given
    uint64_t dropped = 0;  // isb_ifdrop + isb_osdrop over its interfaces
};

class TwoPoint {
  public:
    // A peer capture far larger than this one is read only this far: each peer packet costs
    // memory, and beyond several times this capture's size it cannot match anything more.
    static constexpr uint64_t kPeerPacketsPerLocal = 16;
    static constexpr uint64_t kPeerPacketsMinimum = 1'000'000;

    explicit TwoPoint(uint64_t peer_minimum = kPeerPacketsMinimum) : peer_minimum_(peer_minimum) {}

    void add_local(const LocalPacket &packet) { local_.push_back(packet); }
    // Every record of either capture, TCP or not, widens the time it is known to have run.
    void note_local_time(int64_t time_us) { local_span_.add(time_us); }
    void note_peer_time(int64_t time_us) { peer_span_.add(time_us); }
    // The capture ran over its whole recorded span, even where no packet came.
    void note_peer_statistics(const CaptureStatistics &stats);

    // False once the peer capture has given as many packets as will be used.
    bool add_peer(const PacketSummary &packet);
    uint64_t peer_limit() const;
    // Why the peer capture could not be read in full ("" if it was).
    void set_peer_problem(std::string problem) { peer_problem_ = std::move(problem); }

    // Correlates what has been collected; later calls return the same result.
    const Correlation &correlation();
    bool correlated() const { return done_; }

    // This frame's packet, if it belongs to that stream.
    const FrameMatch *frame(uint32_t frame_number, uint8_t transport, uint32_t stream_index) const;
    const StreamPath *stream(uint8_t transport, uint32_t stream_index) const;
    // The problems with the peer capture and the correlation, joined; "" if none.
    std::string problems() const;

  private:
    std::string reader_problems() const;

    uint64_t peer_minimum_;
    std::vector<LocalPacket> local_;
    std::vector<PacketSummary> peer_;
    std::string peer_problem_;
    TimeSpan local_span_, peer_span_;
    uint64_t peer_capture_drops_ = 0;
    bool done_ = false;
    Correlation result_;
    std::unordered_map<uint32_t, uint32_t> frame_index_;  // frame number -> first local packet
    std::vector<uint64_t> frame_stream_;                  // per local packet: transport << 32 | stream
    std::unordered_map<uint64_t, uint32_t> stream_index_;
};

}  // namespace tcpdiag
