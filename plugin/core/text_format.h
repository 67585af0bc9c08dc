// printf-style formatting into a std::string, for the sentences tcpdiag writes.
#pragma once

#include <string>

namespace tcpdiag {

// Cut at 511 characters: every sentence tcpdiag writes is far shorter.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace tcpdiag
