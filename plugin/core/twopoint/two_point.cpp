#include "two_point.h"

#include <algorithm>

#include "../text_format.h"

namespace tcpdiag {

uint64_t TwoPoint::peer_limit() const {
    return std::max(peer_minimum_, kPeerPacketsPerLocal * local_.size());
}

bool TwoPoint::add_peer(const PacketSummary &packet) {
    if (peer_.size() >= peer_limit()) return false;
    peer_.push_back(packet);
    return true;
}

void TwoPoint::note_peer_statistics(const CaptureStatistics &stats) {
    if (!stats.ran.empty()) {
        peer_span_.add(stats.ran.first);
        peer_span_.add(stats.ran.last);
    }
    peer_capture_drops_ += stats.dropped;
}

const Correlation &TwoPoint::correlation() {
    if (done_) return result_;
    done_ = true;
    result_ = correlate(local_, peer_, local_span_, peer_span_, peer_capture_drops_);
    result_.problem = problems();  // every sentence about the comparison carries the reader's problems too
    frame_stream_.reserve(local_.size());
    for (uint32_t i = 0; i < local_.size(); ++i) {
        frame_index_.try_emplace(local_[i].packet.frame, i);
        frame_stream_.push_back(uint64_t(local_[i].packet.transport) << 32 | local_[i].stream);
    }
    for (uint32_t s = 0; s < result_.streams.size(); ++s)
        stream_index_[uint64_t(result_.streams[s].transport) << 32 | result_.streams[s].stream] = s;
    // The packets are summarised in the result now; keep the memory for Wireshark.
    std::vector<LocalPacket>().swap(local_);
    std::vector<PacketSummary>().swap(peer_);
    return result_;
}

const FrameMatch *TwoPoint::frame(uint32_t frame_number, uint8_t transport, uint32_t stream_index) const {
    auto it = frame_index_.find(frame_number);
    if (it == frame_index_.end() || frame_stream_[it->second] != (uint64_t(transport) << 32 | stream_index))
        return nullptr;
    return &result_.frames[it->second];
}

const StreamPath *TwoPoint::stream(uint8_t transport, uint32_t stream_index) const {
    auto it = stream_index_.find(uint64_t(transport) << 32 | stream_index);
    return it == stream_index_.end() ? nullptr : &result_.streams[it->second];
}

std::string TwoPoint::problems() const {
    const std::string problem = reader_problems();
    if (peer_capture_drops_ == 0) return problem;
    const std::string drops =
        format("the peer capture's interface statistics report %llu packet(s) dropped by its capturing host",
               static_cast<unsigned long long>(peer_capture_drops_));
    if (problem.find(drops) != std::string::npos) return problem;  // already in the correlation's own
    return problem.empty() ? drops : problem + "; " + drops;
}

std::string TwoPoint::reader_problems() const {
    if (peer_problem_.empty() || result_.problem.find(peer_problem_) != std::string::npos) return result_.problem;
    // An unreadable or empty peer capture explains the correlation's own complaint.
    if (result_.problem.empty() || result_.peer_packets == 0) return peer_problem_;
    return peer_problem_ + "; " + result_.problem;
}

}  // namespace tcpdiag
