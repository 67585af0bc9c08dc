// The symbols Wireshark's plugin loader looks for. They must have C linkage and be exported:
// with C++ linkage the loader silently skips the plugin.
#include <epan/proto.h>

#include "registration.h"
#include "ws_compat.h"

#ifndef TCPDIAG_VERSION
#define TCPDIAG_VERSION "0.0.0"
#endif

extern "C" {

// Declared with WS_DLL_PUBLIC (which says extern) first: a plain const would get internal linkage.
WS_DLL_PUBLIC const char plugin_version[];
WS_DLL_PUBLIC const int plugin_want_major;
WS_DLL_PUBLIC const int plugin_want_minor;
const char plugin_version[] = TCPDIAG_VERSION;
const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void) {
    return tcpdiag::ws::kPluginDescription;
}

void plugin_register(void) {
    static proto_plugin plugin;
    plugin.register_protoinfo = tcpdiag::register_protocol;
    plugin.register_handoff = tcpdiag::register_handoff;
    proto_register_plugin(&plugin);
}

}  // extern "C"
