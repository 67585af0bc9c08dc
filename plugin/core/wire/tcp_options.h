// TCP options that the diagnosis reads: the MSS a SYN announces.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tcpdiag {

// The value of the MSS option (kind 2, length 4) among `len` bytes of TCP options; 0 when there is
// none or the options are malformed (a length that runs past the end stops the walk).
uint16_t mss_option(const uint8_t *options, size_t len);

}  // namespace tcpdiag
