// All streams of one capture: feeds observations to their stream, answers per-stream verdicts.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <vector>

#include "address_pairs.h"
#include "brief_stream.h"
#include "chunked_array.h"
#include "client_wait.h"
#include "config.h"
#include "diagnosis.h"
#include "duplicates.h"
#include "endpoint.h"
#include "flow_index.h"
#include "observation.h"
#include "segment_sizes.h"
#include "stream_state.h"

namespace tcpdiag {

struct StreamRef {
    Transport transport = Transport::Tcp;
    uint32_t index = 0;
};

// What one frame contributed, kept by the glue so later passes can display it.
struct FrameNote {
    StreamRef stream;
    FrameEvent event;
};

class Analyzer {
  public:
    explicit Analyzer(const Config &config = Config{}) : config_(config) {}

    FrameNote observe(const TcpSegment &segment);
    // Returns false when the error quotes no stream seen so far and cannot start one, or is not
    // one tcpdiag reads (time exceeded, redirect, ...).
    bool observe(const IcmpError &error, FrameNote &note);
    // UDP streams are tracked only once an ICMP error answers them.
    FrameNote observe(const UdpDatagram &datagram);

    // The stream's state, or null. A brief stream (brief_stream.h) is handed out as a copy, valid
    // until four more brief streams are looked up or the Analyzer observes something new: use it
    // at once.
    const StreamState *find(StreamRef ref) const;
    // The verdict of a stream as far as the capture has been read.
    Diagnosis diagnose(const StreamState &stream) const;

    // Every stream in order of first appearance: TCP by tcp.stream, then UDP by udp.stream. The
    // state handed to `visit` is valid during the call.
    void for_each_stream(const std::function<void(const StreamState &)> &visit) const;

    const Config &config() const { return config_; }
    void set_config(const Config &config) {
        config_ = config;
        diagnosis_cache_.clear();
    }
    int64_t end_time_us() const { return end_time_us_; }
    uint32_t last_frame() const { return last_frame_; }  // the highest frame observed

  private:
    // Where a TCP stream's state is, by tcp.stream: 0 not seen, 2 i + 1 brief_[i], 2 i + 2 full_[i].
    static constexpr uint32_t kUnseen = 0;
    static bool is_brief(uint32_t slot) { return slot & 1u; }
    static uint32_t position(uint32_t slot) { return (slot - 1) >> 1; }
    uint32_t slot_of(uint32_t index) const { return index < tcp_slots_.size() ? tcp_slots_[index] : kUnseen; }
    bool tcp_seen(uint32_t index) const { return slot_of(index) != kUnseen; }

    // The stream's full state, made from its brief one or started if it has none.
    StreamState &tcp_stream(uint32_t index);
    // The state `segment` is folded into: the full one, or staging_ for a new or brief stream the
    // segment may leave brief.
    StreamState &stage(uint32_t index, const TcpSegment &segment);
    // After staging: kept brief if the brief form holds all of it, else made a full stream.
    void settle(uint32_t index);
    FlowKey tcp_flow_key(uint32_t index) const;
    void start_from_quote(StreamState &stream, const IcmpError &error);
    StreamState *udp_stream(uint32_t index);
    void note_observation(uint32_t frame, int64_t time_us);

    Config config_;
    // tcp.stream numbers are dense from 0, so an array indexed by them is the table.
    ChunkedArray<uint32_t> tcp_slots_;
    std::deque<StreamState> full_;  // a deque: adding never moves the states
    std::deque<BriefStream> brief_;
    std::vector<uint32_t> free_briefs_;  // positions in brief_ of streams made full since
    StreamState staging_;
    AddressPair staging_pair_;
    AddressPairTable staging_addresses_{AddressPairTable::LatestOnly{}};  // a new stream's pair, until it needs one
    // Copies of brief streams handed out by find(), in turn.
    struct Expanded {
        AddressPair pair;
        StreamState stream;
    };
    mutable std::array<Expanded, 4> expanded_;
    mutable unsigned next_expanded_ = 0;
    std::unordered_map<uint32_t, StreamState> udp_;
    FlowIndex tcp_flows_;         // to match ICMP errors that quote only 8 bytes
    AddressPairTable addresses_;  // the streams' addresses, each pair of hosts once
    DuplicateFilter duplicates_;
    ClientWaits client_waits_;
    SegmentSizeTable segment_sizes_;
    int64_t end_time_us_ = 0;
    uint64_t observations_ = 0;

    // A stream's verdict is asked for on each of its frames in a later pass, and again on every
    // refilter in the GUI; while nothing new was observed it cannot change, so the latest ones
    // are kept, one slot per stream number modulo the cache's size.
    struct CachedDiagnosis {
        uint64_t observations = UINT64_MAX;  // observations_ when it was made; UINT64_MAX: empty
        StreamRef stream;
        Diagnosis diagnosis;
    };
    static constexpr size_t kDiagnosisCacheSlots = 4096;
    mutable std::vector<CachedDiagnosis> diagnosis_cache_;  // allocated by the first diagnose()
    uint32_t last_frame_ = 0;  // bounds the stream numbers Wireshark can have given out so far
};

}  // namespace tcpdiag
