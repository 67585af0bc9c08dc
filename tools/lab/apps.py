#!/usr/bin/python3
"""The lab's socket programs, run inside a namespace with `ip netns exec`.

    apps.py server --listen 10.2.0.2:8080 [--listen [fd02::2]:8082:4096] [--udp-echo 10.2.0.2:3344]
    apps.py client PLAN_JSON

Only the standard library: it runs in the namespaces, not in the lab's own process.

Server: one thread per connection. Each request is one line; its first word says what to do:
    hello        reply "hello", wait for the next request
    bye          reply, then close (the server's FIN comes first)
    wait-bye     reply, then wait for the client's FIN and close
    abort        close at once with SO_LINGER 0: the kernel sends RST+ACK
    unread       reply, wait 0.5 s while the client's next data arrives, close without reading it:
                 closing with unread data makes the kernel send RST+ACK
    stall        stop reading for good: the receive window fills and reaches zero
    late TEXT    wait 0.5 s (the request gets its own ACK first), then reply TEXT in upper case
                 (so a marker the router looks for can travel in the reply and not in the request)
    late-abort TEXT  as late, then 3.5 s later abort (SO_LINGER 0) with the reply unacknowledged
    delayed S TEXT   wait S seconds, then reply TEXT in upper case (a slow back end)
    ignore       never answer (a hung application): read on, close when the client does
    other        echoed back
A listener on GREETING_PORT speaks first: it sends "220 ready" on every connection before reading
(as SMTP, FTP and SSH servers do), then serves as above.
A listener's optional third field is its SO_RCVBUF (set before listen, so accepted sockets
inherit it). A UDP echo port answers every datagram.

Client: PLAN_JSON is a list of connections {proto, src, sport, dst, dport, steps}, all run at once,
one thread each, each bound to its own source port so the streams are named by it. Steps:
    send:TEXT    send the line TEXT (for UDP: one datagram)
    recv[:S]     read one line (or one datagram), waiting at most S seconds (default 20)
    recv-eof     read until the peer's FIN
    close        close normally (FIN unless the socket is already dead)
    abort        close with SO_LINGER 0 (RST)
    wait:S       sleep S seconds
    flood:S      write as fast as the socket takes it for S seconds
    pause        print "paused SPORT", then wait for "resume SPORT" on stdin
    hold         keep the socket open until the process is stopped
An error in a step is recorded and the next step still runs: a step on a dead socket is harmless.
When a connection's steps are done it prints "done SPORT <what happened>".
"""

import errno
import json
import socket
import struct
import sys
import threading
import time

FOREVER = threading.Event()  # never set: waiting on it blocks until the process is stopped
print_lock = threading.Lock()


def say(line):
    with print_lock:
        print(line, flush=True)


def parse_endpoint(text):
    """'10.2.0.2:8080[:extra]' or '[fd02::2]:8080[:extra]' -> (host, port, extra or None)."""
    if text.startswith("["):
        host, rest = text[1:].split("]:", 1)
    else:
        host, rest = text.split(":", 1)
    port, _, extra = rest.partition(":")
    return host, int(port), (int(extra) if extra else None)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def abort(sock):
    """Close with linger time 0: the kernel discards the connection and sends a RST."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def read_line(sock, buf):
    """Return (line, rest) or (None, b"") at EOF."""
    while b"\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line.decode(errors="replace"), rest


# ---- server ---------------------------------------------------------------------------------------

GREETING_PORT = 8085


def serve_connection(conn, greet=False):
    buf = b""
    try:
        if greet:
            conn.sendall(b"220 ready\n")
        while True:
            line, buf = read_line(conn, buf)
            if line is None:
                conn.close()
                return
            verb, _, arg = line.partition(" ")
            if verb == "hello":
                conn.sendall(b"hello\n")
            elif verb == "bye":
                conn.sendall(b"bye\n")
                conn.close()
                return
            elif verb == "wait-bye":
                conn.sendall(b"bye\n")
                while conn.recv(4096):
                    pass
                conn.close()
                return
            elif verb == "abort":
                abort(conn)
                return
            elif verb == "unread":
                conn.sendall(b"unread\n")
                time.sleep(0.5)
                conn.close()
                return
            elif verb == "stall":
                FOREVER.wait()
            elif verb == "ignore":
                continue
            elif verb == "delayed":
                seconds, _, text = arg.partition(" ")
                time.sleep(float(seconds))
                conn.sendall(text.upper().encode() + b"\n")
            elif verb in ("late", "late-abort"):
                time.sleep(0.5)
                conn.sendall(arg.upper().encode() + b"\n")
                if verb == "late-abort":
                    time.sleep(3.5)
                    abort(conn)
                    return
            else:
                conn.sendall(line.encode() + b"\n")
    except OSError:
        # Reset, timed out or killed under us: nothing left to say on this socket.
        conn.close()


def accept_loop(listener):
    greet = listener.getsockname()[1] == GREETING_PORT
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(conn, greet), daemon=True).start()


def udp_echo_loop(sock):
    while True:
        data, peer = sock.recvfrom(2048)
        sock.sendto(data, peer)


def run_server(args):
    listens, udp_echoes = [], []
    it = iter(args)
    for opt in it:
        (listens if opt == "--listen" else udp_echoes).append(parse_endpoint(next(it)))
    for host, port, rcvbuf in listens:
        sock = socket.socket(family_of(host), socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.bind((host, port))
        sock.listen(128)
        threading.Thread(target=accept_loop, args=(sock,), daemon=True).start()
    for host, port, _ in udp_echoes:
        sock = socket.socket(family_of(host), socket.SOCK_DGRAM)
        sock.bind((host, port))
        threading.Thread(target=udp_echo_loop, args=(sock,), daemon=True).start()
    say("ready")
    FOREVER.wait()


# ---- client ---------------------------------------------------------------------------------------

class Resumes:
    """Reads "resume SPORT" lines from stdin and wakes the connection paused on that port."""

    def __init__(self):
        self.events = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def event(self, sport):
        with self.lock:
            return self.events.setdefault(sport, threading.Event())

    def _read(self):
        for line in sys.stdin:
            words = line.split()
            if len(words) == 2 and words[0] == "resume":
                self.event(int(words[1])).set()


def errname(exc):
    """ETIMEDOUT and the like from the kernel; "timeout" when our own socket timeout expired."""
    if exc.errno:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return "timeout" if isinstance(exc, socket.timeout) else type(exc).__name__


def run_step(sock, step, state, conn, resumes):
    verb, _, arg = step.partition(":")
    udp = conn["proto"] == "udp"
    if verb == "send":
        sock.sendall(arg.encode() + (b"" if udp else b"\n"))
    elif verb == "recv":
        sock.settimeout(float(arg) if arg else 20.0)
        if udp:
            sock.recv(2048)
        else:
            line, state["buf"] = read_line(sock, state["buf"])
            if line is None:
                return "eof"
    elif verb == "recv-eof":
        sock.settimeout(20.0)
        while sock.recv(4096):
            pass
    elif verb == "close":
        sock.close()
    elif verb == "abort":
        abort(sock)
    elif verb == "wait":
        time.sleep(float(arg))
    elif verb == "flood":
        sock.settimeout(0.1)
        end = time.monotonic() + float(arg)
        chunk = b"x" * 1000
        while time.monotonic() < end:
            try:
                sock.send(chunk)
            except socket.timeout:
                pass  # the window is full: keep trying until the time is up
    elif verb == "pause":
        say(f"paused {conn['sport']}")
        resumes.event(conn["sport"]).wait()
    elif verb == "hold":
        state["hold"] = True
    else:
        raise ValueError(f"unknown step {step!r}")
    return "ok"


def run_connection(conn, resumes):
    kind = socket.SOCK_DGRAM if conn["proto"] == "udp" else socket.SOCK_STREAM
    sock = socket.socket(family_of(conn["dst"]), kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((conn["src"], conn["sport"]))
    sock.settimeout(30.0)
    try:
        sock.connect((conn["dst"], conn["dport"]))
    except OSError as exc:
        sock.close()
        say(f"done {conn['sport']} connect:{errname(exc)}")
        return
    state = {"buf": b"", "hold": False}
    results = []
    for step in conn["steps"]:
        try:
            result = run_step(sock, step, state, conn, resumes)
        except OSError as exc:
            result = errname(exc)
        results.append(f"{step.split(':')[0]}:{result}")
    say(f"done {conn['sport']} " + " ".join(results))
    if state["hold"]:
        FOREVER.wait()
    sock.close()


def run_client(plan_json):
    plan = json.loads(plan_json)
    resumes = Resumes()
    threads = [threading.Thread(target=run_connection, args=(conn, resumes), daemon=True)
               for conn in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "server":
        run_server(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "client":
        run_client(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
