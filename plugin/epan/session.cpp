#include "session.h"

#include <epan/proto.h>

#include "extract.h"
#include "frame_reader.h"
#include "registration.h"

namespace tcpdiag {

namespace {
Analyzer *current = nullptr;
FrameTable *frames = nullptr;
}  // namespace

Analyzer &session() {
    if (!current) current = new Analyzer(current_config());
    return *current;
}

FrameTable &frame_table() {
    if (!frames) frames = new FrameTable;
    return *frames;
}

void session_init() {
    delete current;
    current = new Analyzer(current_config());
    delete frames;
    frames = new FrameTable;
    forget_conversations();
    // Ask for the fields only when they are read: a tree on the first pass costs more than the analysis.
    request_wanted_fields(read_protocol_tree() && proto_is_protocol_enabled(find_protocol_by_id(ids.proto)));
}

void session_cleanup() {
    request_wanted_fields(false);
    delete current;
    current = nullptr;
    delete frames;
    frames = nullptr;
    forget_conversations();
}

void session_apply_preferences() {
    if (current) current->set_config(current_config());
}

}  // namespace tcpdiag
