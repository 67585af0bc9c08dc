// `-z tcpdiag,streams[,text|tsv|json][,filter]`: the per-stream verdict table at the end of a run.
#pragma once

namespace tcpdiag {

void register_streams_tap_ui();

}  // namespace tcpdiag
