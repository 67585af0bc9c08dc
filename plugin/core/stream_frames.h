// The frames of each stream, as `-z tcpdiag,frames` lists them: what a tool needs to cut streams
// out of a capture without dissecting it again (tcpdiag-scan stitches connections across files so).
#pragma once

#include <functional>
#include <string>

#include "frame_table.h"

namespace tcpdiag {

// Writes a TSV table, "transport", "stream", "frames": one row per stream in order of its first
// frame, its frames in ascending ranges ("1-3,7,9-12"), ICMP errors quoting it included.
void write_stream_frames(const FrameTable &table, const std::function<void(const std::string &)> &write);

}  // namespace tcpdiag
