"""tcpdiag-scan: tcpdiag's verdicts over folders of captures, file sets and ring buffers."""
