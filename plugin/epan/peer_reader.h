// Reads the peer capture with Wireshark's wiretap library into the two-point diagnosis.
#pragma once

#include "../core/twopoint/two_point.h"

namespace tcpdiag {

// Every record of the file at `path`, decoded where the link type allows; problems (cannot open,
// damaged, too large, no supported link type) are left in two_point.set_peer_problem().
void read_peer_capture(const char *path, TwoPoint &two_point);

}  // namespace tcpdiag
