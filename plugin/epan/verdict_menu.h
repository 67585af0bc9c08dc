// A "TCP Diagnosis" menu in the GUI's menu bar: each entry applies the display filter of a verdict,
// of the failed streams, of the evidence frames or of the selected packet's stream. The statistics
// dialogs Wireshark gives a plugin
// cannot apply a filter when a row is picked; this menu is what the plugin interface allows.
#pragma once

namespace tcpdiag {

void register_verdict_menu(int proto);

}  // namespace tcpdiag
