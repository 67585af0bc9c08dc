// Sentences for the two-point verdict: what the two captures show, and what to do next.
#pragma once

#include <string>

#include "correlation.h"

namespace tcpdiag {

std::string path_reason(const StreamPath &path, const Correlation &correlation);
std::string path_next_step(const StreamPath &path);
// The devices known to make these changes, for the analyst to look for in the path.
std::string change_suspects(uint32_t changes);
// One line for a frame: where it was or was not seen, and what changed on the way.
std::string frame_note(const FrameMatch &match);

}  // namespace tcpdiag
