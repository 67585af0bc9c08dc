#include "session.h"

#include <epan/proto.h>

#include "extract.h"
#include "registration.h"

namespace tcpdiag {

namespace {
Analyzer *current = nullptr;
}

Analyzer &session() {
    if (!current) current = new Analyzer(current_config());
    return *current;
}

void session_init() {
    delete current;
    current = new Analyzer(current_config());
    // Ask for the fields only while enabled: otherwise every run would pay for a tree nobody reads.
    if (proto_is_protocol_enabled(find_protocol_by_id(ids.proto))) request_wanted_fields(true);
}

void session_cleanup() {
    request_wanted_fields(false);
    delete current;
    current = nullptr;
}

void session_apply_preferences() {
    if (current) current->set_config(current_config());
}

}  // namespace tcpdiag
