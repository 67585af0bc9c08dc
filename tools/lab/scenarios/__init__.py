"""Every lab scenario, in the order run_lab.py runs them."""

import importlib

NAMES = [
    "graceful_close",
    "refused",
    "handshake_loss",
    "no_response",
    "data_loss",
    "loss_recovered",
    "app_reset",
    "app_reset_unread",
    "peer_lost_state",
    "injected_reset",
    "syn_proxy",
    "icmp_admin_prohibited",
    "icmp_host_unreachable",
    "udp_port_unreachable",
    "zero_window_stall",
    "response_timeout",
    "idle_timeout",
    "mtu_black_hole",
    "server_speaks_first",
    "mss_clamp",
    "nat",
    "ipv6",
    "peer_capture_stops",
    "busy_mixed",
]


def load(name):
    return importlib.import_module(f"scenarios.{name}").SCENARIO


def all_scenarios():
    return [load(name) for name in NAMES]
