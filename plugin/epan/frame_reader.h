// Reads one frame for the analysis without a protocol tree: tcpdiag's own decoder for the
// headers, Wireshark's TCP and UDP conversations for stream numbers and retransmission flags.
// A tree forced on the first pass would make every dissector do its display work on every
// packet, which costs more than all of tcpdiag's analysis.
#pragma once

#include <cstdint>

#include <epan/packet.h>

#include "../core/frame_observations.h"

namespace tcpdiag {

// The pcap LINKTYPE_ of a wiretap encapsulation, for the link types tcpdiag decodes; -1 otherwise.
int linktype_of_encapsulation(int wtap_encap);

int64_t frame_time_us(const packet_info *pinfo);

// Drops what read_frame keeps of Wireshark's conversations, before Wireshark frees them.
void forget_conversations();

// Fills `out`, empty so far, with the frame's TCP segments, ICMP errors and UDP datagrams. Returns
// false when the frame carries TCP that could not be read this way (an IP fragment, a header cut
// short, an encapsulation the decoder does not know): those frames need the protocol tree.
bool read_frame(tvbuff_t *tvb, packet_info *pinfo, FrameObservations &out);

}  // namespace tcpdiag
