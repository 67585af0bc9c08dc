// The analysis of the capture file currently open: created when a file is opened (or
// re-dissected), dropped when it is closed.
#pragma once

#include "../core/analyzer.h"
#include "../core/frame_table.h"

namespace tcpdiag {

Analyzer &session();
// What each frame contributed, from the first pass.
FrameTable &frame_table();

void session_init();
void session_cleanup();
void session_apply_preferences();

}  // namespace tcpdiag
