#pragma once

namespace tcpdiag {

// -z tcpdiag,frames: the frames of every stream, as ranges (core/stream_frames.h).
void register_frames_tap_ui();

}  // namespace tcpdiag
