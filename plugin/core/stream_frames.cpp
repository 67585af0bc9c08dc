#include "stream_frames.h"

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tcpdiag {

namespace {

struct FrameRange {
    uint32_t first, last;
};

struct StreamFrames {
    Transport transport;
    uint32_t index;
    std::vector<FrameRange> ranges;
};

uint64_t key_of(const StreamRef &ref) {
    return uint64_t{ref.transport == Transport::Udp ? 1u : 0u} << 32 | ref.index;
}

void add_frame(StreamFrames &stream, uint32_t frame) {
    auto &ranges = stream.ranges;
    if (!ranges.empty() && frame <= ranges.back().last + 1) {
        if (frame > ranges.back().last) ranges.back().last = frame;
        return;  // the next frame of a run, or a second note of the same frame
    }
    ranges.push_back({frame, frame});
}

std::string row_of(const StreamFrames &stream) {
    std::string row = stream.transport == Transport::Udp ? "udp\t" : "tcp\t";
    row += std::to_string(stream.index);
    char separator = '\t';
    for (const FrameRange &r : stream.ranges) {
        row += separator;
        row += std::to_string(r.first);
        if (r.last != r.first) row += '-' + std::to_string(r.last);
        separator = ',';
    }
    row += '\n';
    return row;
}

}  // namespace

void write_stream_frames(const FrameTable &table, const std::function<void(const std::string &)> &write) {
    std::vector<StreamFrames> streams;
    std::unordered_map<uint64_t, size_t> position;  // stream -> its place in `streams`
    const uint32_t last = table.last_frame();
    for (uint32_t frame = 1; frame <= last; ++frame) {
        const FrameNotes notes = table.notes_of(frame);
        for (int i = 0; i < notes.count; ++i) {
            const StreamRef ref = notes[i].stream;
            const auto found = position.emplace(key_of(ref), streams.size());
            if (found.second) streams.push_back({ref.transport, ref.index, {}});
            add_frame(streams[found.first->second], frame);
        }
    }
    write("transport\tstream\tframes\n");
    for (const StreamFrames &stream : streams) write(row_of(stream));
}

}  // namespace tcpdiag
