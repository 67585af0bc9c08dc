// The pcapng interface statistics blocks (ISB) of a capture read with wiretap: when each
// interface's capture started and ended, and how many packets its capturing host dropped.
#pragma once

#include <wiretap/wtap.h>

#include "../core/twopoint/two_point.h"

namespace tcpdiag {

// Call once every record has been read: wiretap attaches an ISB at the end of the file to its
// interface only when it reaches it. `packets`: the times of the records read, which tell the
// unit of the start and end times (see the .cpp). Nothing is known from a pcap file.
CaptureStatistics read_capture_statistics(wtap *wth, const TimeSpan &packets);

}  // namespace tcpdiag
