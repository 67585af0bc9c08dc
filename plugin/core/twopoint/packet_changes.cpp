#include "packet_changes.h"

namespace tcpdiag {

std::string change_names(uint32_t changes) {
    static const char *const kNames[] = {"address",        "port",       "seq",     "ack",        "mss", "window_scale",
                                         "sack_permitted", "timestamps", "options", "window",     "ttl", "ip_id",
                                         "payload",        "length",     "flags",   "resegmented"};
    std::string out;
    for (unsigned bit = 0; bit < sizeof kNames / sizeof kNames[0]; ++bit)
        if (changes & (1u << bit)) {
            if (!out.empty()) out += ',';
            out += kNames[bit];
        }
    return out;
}

}  // namespace tcpdiag
