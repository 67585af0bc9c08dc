// `-z tcpdiag,summary[,filter]` and Statistics > TCP Failure Diagnosis Summary in the GUI: streams
// per verdict with the busiest server ports and addresses of each.
#pragma once

namespace tcpdiag {

void register_summary_tap_ui();

}  // namespace tcpdiag
