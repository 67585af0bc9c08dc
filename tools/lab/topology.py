"""Three network namespaces (client, router, server) joined by veth pairs.

    client ns                 router ns                     server ns
    c0 10.1.0.2/24  <---->  rc 10.1.0.1/24  rs 10.2.0.1/24  <---->  s0 10.2.0.2/24
       fd01::2/64              fd01::1/64     fd02::1/64               fd02::2/64

Everything lives inside namespaces named tcpdiag-lab-<pid>-<role>: no interface, address or
firewall rule is ever created in the host's namespace, and teardown deletes the namespaces, which
takes their interfaces and rules with them.
"""

import os
import signal
import subprocess
import time

CLIENT4, ROUTER4_C, ROUTER4_S, SERVER4 = "10.1.0.2", "10.1.0.1", "10.2.0.1", "10.2.0.2"
CLIENT6, ROUTER6_C, ROUTER6_S, SERVER6 = "fd01::2", "fd01::1", "fd02::1", "fd02::2"
CLIENT_IF, SERVER_IF = "c0", "s0"
PREFIX = "tcpdiag-lab-"
ROLES = ("client", "router", "server")
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}

# Applied in every namespace before its interfaces exist, so "default" reaches them too.
COMMON_SYSCTLS = {
    # No duplicate address detection: addresses are usable at once.
    "net.ipv6.conf.all.accept_dad": "0",
    "net.ipv6.conf.default.accept_dad": "0",
    # Static routes only: no router solicitations showing up in the captures.
    "net.ipv6.conf.all.accept_ra": "0",
    "net.ipv6.conf.default.accept_ra": "0",
    # ICMP errors are the point of some scenarios: never rate-limit them away.
    "net.ipv4.icmp_ratelimit": "0",
    "net.ipv6.icmp.ratelimit": "0",
}

ROLE_SYSCTLS = {
    "client": {
        # Give up a handshake after 2 SYN retransmissions (about 7 s), not 6 (about 2 min).
        "net.ipv4.tcp_syn_retries": "2",
        # Newer kernels first retry SYNs at a fixed 1 s (4 times by default); the classic doubling
        # (1 s, 2 s, then give up 4 s later) gives the same captures on every kernel.
        "net.ipv4.tcp_syn_linear_timeouts": "0",
        # Give up unacknowledged data after about 6 s instead of about 15 minutes.
        "net.ipv4.tcp_retries2": "4",
    },
    "router": {
        "net.ipv4.ip_forward": "1",
        "net.ipv6.conf.all.forwarding": "1",
        "net.ipv6.conf.default.forwarding": "1",
    },
    "server": {
        "net.ipv4.tcp_synack_retries": "2",
        "net.ipv4.tcp_retries2": "4",
        # A Windows-like initial TTL / hop limit, so the two ends are told apart by TTL.
        "net.ipv4.ip_default_ttl": "128",
        "net.ipv6.conf.all.hop_limit": "128",
        "net.ipv6.conf.default.hop_limit": "128",
    },
}

# Settings that only some kernels have: skipped where they do not exist.
OPTIONAL_SYSCTLS = {"net.ipv4.tcp_syn_linear_timeouts"}

# veth pairs: (namespace role, interface, peer role, peer interface)
LINKS = (("client", CLIENT_IF, "router", "rc"), ("router", "rs", "server", SERVER_IF))

ADDRESSES = {
    ("client", CLIENT_IF): (CLIENT4 + "/24", CLIENT6 + "/64"),
    ("router", "rc"): (ROUTER4_C + "/24", ROUTER6_C + "/64"),
    ("router", "rs"): (ROUTER4_S + "/24", ROUTER6_S + "/64"),
    ("server", SERVER_IF): (SERVER4 + "/24", SERVER6 + "/64"),
}

ROUTES = {"client": (ROUTER4_C, ROUTER6_C), "server": (ROUTER4_S, ROUTER6_S)}


def run(argv, check=True):
    """Run a command on the host side (only `ip` itself and tools wrapped in `ip netns exec`)."""
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()}")
    return res


class Lab:
    """One set of three namespaces; use as a context manager so teardown always happens."""

    def __init__(self, sysctl_overrides=None):
        self.ns = {role: f"{PREFIX}{os.getpid()}-{role}" for role in ROLES}
        self.sysctl_overrides = sysctl_overrides or {}
        self.procs = []  # every process started in a namespace, killed at teardown

    # -- commands inside a namespace ------------------------------------------------------------
    def cmd(self, role, argv):
        return ["ip", "netns", "exec", self.ns[role]] + list(argv)

    def run(self, role, argv, check=True):
        return run(self.cmd(role, argv), check=check)

    def popen(self, role, argv, **kwargs):
        # A new session so that a Ctrl-C on the terminal reaches only run_lab.py, which then
        # stops everything in order.
        proc = subprocess.Popen(self.cmd(role, argv), start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def iptables(self, role, rule, family=4):
        self.run(role, ["iptables" if family == 4 else "ip6tables", "-w"] + list(rule))

    # -- setup and teardown -----------------------------------------------------------------------
    def __enter__(self):
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc):
        self.down()
        return False

    def up(self):
        for role in ROLES:
            run(["ip", "netns", "add", self.ns[role]])
            self.run(role, ["ip", "link", "set", "lo", "up"])
            sysctls = dict(COMMON_SYSCTLS)
            sysctls.update(ROLE_SYSCTLS[role])
            sysctls.update(self.sysctl_overrides.get(role, {}))
            sysctls = {k: v for k, v in sysctls.items()
                       if k not in OPTIONAL_SYSCTLS or sysctl_exists(k)}
            self.run(role, ["sysctl", "-q", "-w"] + [f"{k}={v}" for k, v in sysctls.items()])
        for role, ifname, peer_role, peer_if in LINKS:
            # Created directly inside the namespaces: the host never sees these interfaces.
            run(["ip", "-n", self.ns[role], "link", "add", ifname, "type", "veth",
                 "peer", "name", peer_if, "netns", self.ns[peer_role]])
        for (role, ifname), addrs in ADDRESSES.items():
            for addr in addrs:
                self.run(role, ["ip", "addr", "add", addr, "dev", ifname, "nodad"])
            # Software checksums and no segmentation offload: the captures then look like a wire
            # capture (correct checksums, no 64 KB super-packets).
            self.run(role, ["ethtool", "-K", ifname, "tx", "off", "tso", "off", "gso", "off",
                            "gro", "off"])
            self.run(role, ["ip", "link", "set", ifname, "up"])
        for role, (gw4, gw6) in ROUTES.items():
            self.run(role, ["ip", "route", "add", "default", "via", gw4])
            self.run(role, ["ip", "-6", "route", "add", "default", "via", gw6])
        self.wait_reachable()

    def wait_reachable(self, timeout=5.0):
        """Wait until the server answers a ping through the router, in both IP versions."""
        deadline = time.monotonic() + timeout
        for dst in (SERVER4, SERVER6):
            while self.run("client", ["ping", "-c1", "-W1", dst], check=False).returncode != 0:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"lab network not up: {dst} unreachable from the client")
                time.sleep(0.1)

    def down(self):
        # A second Ctrl-C must not cut the teardown short: hold signals until it is done.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self._down()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _down(self):
        for proc in self.procs:
            stop_process(proc)
        self.procs = []
        for role in ROLES:
            name = self.ns[role]
            if not os.path.exists(f"/run/netns/{name}"):
                continue
            kill_namespace_pids(name)
            run(["ip", "netns", "del", name], check=False)


def sysctl_exists(name):
    return os.path.exists("/proc/sys/" + name.replace(".", "/"))


def stop_process(proc, sig=signal.SIGTERM, timeout=2.0):
    """Stop one process we started (and its session), politely first."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def kill_namespace_pids(name):
    """Kill whatever still runs inside one of our namespaces (a safety net for stray children)."""
    res = run(["ip", "netns", "pids", name], check=False)
    for pid in res.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def pid_alive(pid):
    """True if the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def remove_stale_namespaces():
    """Delete lab namespaces left by a run that was killed outright (its pid no longer exists)."""
    res = run(["ip", "netns", "list"], check=False)
    for line in res.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        pid = name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            kill_namespace_pids(name)
            run(["ip", "netns", "del", name], check=False)
