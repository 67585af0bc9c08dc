"""tcpdiag's verdicts as the scan groups them: the families of the tcpdiag profile's coloring
rules (docs/verdicts/*.md name each verdict's family) and the verdicts that are not failures."""

# Not failures: every capture cuts some streams short, and these end well (docs/verdicts.md).
NOT_FAILURES = frozenset({"graceful_close", "open", "incomplete"})

FAMILIES = {
    "handshake_loss": "loss",
    "no_response": "loss",
    "data_loss": "loss",
    "refused": "refusals",
    "icmp_unreachable": "refusals",
    "port_unreachable": "refusals",
    "injected_reset": "resets",
    "peer_lost_state": "resets",
    "app_reset": "resets",
    "zero_window_stall": "stalls",
    "response_timeout": "stalls",
}


def is_failure(verdict):
    return verdict not in NOT_FAILURES


def family_of(verdict):
    """The verdict's family (loss, refusals, resets, stalls), or "other" for a verdict newer than
    this table."""
    return FAMILIES.get(verdict, "other")
