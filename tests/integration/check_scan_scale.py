#!/usr/bin/env python3
"""tcpdiag-scan beyond one machine (docs/scan-at-scale.md).

(a) `--ecs FILE` is a valid _bulk body for the index mapping: action and document lines
alternate, each action has a unique _id and no _index; every document field is declared in the
mapping (dynamic strict) with a value of its type; source/destination are the JSON's client and
server; event.outcome is "failure" exactly for the failing verdicts; network.community_id is the
one Wireshark computes for the same flow.
(b) Capture sets spread over GNU parallel's slots (`-S 2/:`, the --sshlogin form that runs
locally) with one `tcpdiag-scan --json` per set give, concatenated, the streams of one run over
all the sets.

    check_scan_scale.py --plugin build/plugins/4.0/epan/tcpdiag.so --scan tools/scan/tcpdiag-scan \
        --mapping tools/scan/opensearch-mapping.json CAPTURE...   (the first three are cut into sets)
"""
import argparse
import datetime
import glob
import ipaddress
import json
import os
import subprocess
import sys

from checks import check, finish
from tshark_runner import Tshark

# Published Community ID v1 values (the pycommunityid and Rust communityid READMEs).
COMMUNITY_ID_VECTORS = [("tcp", ("127.0.0.1", 1234), ("10.0.0.1", 80), "1:mgRgpIZSu0KHDp/QrtcWZpkJpMU="),
                        ("tcp", ("10.0.0.1", 10), ("10.0.0.2", 20), "1:9j2Dzwrw7T9E+IZi4b4IVT66HBI="),
                        ("udp", ("192.168.1.42", 4242), ("8.8.8.8", 53), "1:vTdrngJjlP5eZ9mw9JtnKyn99KM=")]


# --- (a) the bulk file against the mapping ---------------------------------------------------

def is_date(value):
    """ISO 8601 with a time and a zone, as the mapping's default date format takes it."""
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def is_ip(value):
    try:
        ipaddress.ip_address(value)
        return True
    except (TypeError, ValueError):
        return False


VALUE_CHECKS = {"keyword": lambda v: isinstance(v, str), "text": lambda v: isinstance(v, str), "ip": is_ip,
                "date": is_date, "long": lambda v: isinstance(v, int) and not isinstance(v, bool)}


def mapping_problems(doc, properties, prefix=""):
    """Fields of `doc` the mapping does not declare, or whose value is not of the mapped type (an
    array counts as its elements, as in Elasticsearch)."""
    problems = []
    for name, value in doc.items():
        field = prefix + name
        spec = properties.get(name)
        if spec is None:
            problems.append("%s: not in the mapping" % field)
        elif "properties" in spec:
            problems += mapping_problems(value, spec["properties"], field + ".") if isinstance(value, dict) \
                else ["%s: not an object" % field]
        else:
            values = value if isinstance(value, list) else [value]
            bad = [v for v in values if not VALUE_CHECKS[spec["type"]](v)]
            if bad or not values:
                problems.append("%s: %r is not %s" % (field, value, spec["type"]))
    return problems


def endpoint_text(ip, port):
    return ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)


def wireshark_community_ids(tshark, captures):
    """{(transport, endpoints either way round): Community ID} from Wireshark's own dissector."""
    ids = {}
    # The hash is the protocol's own item up to 4.4, the field communityid.hash from 4.6 on.
    known = tshark.run(["-G", "fields"]).stdout
    hash_field = "communityid.hash" if "\tcommunityid.hash\t" in known else "communityid"
    for capture in captures:
        fields = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "udp.srcport", "tcp.dstport",
                  "udp.dstport", hash_field]
        args = ["--enable-protocol", "communityid", "-r", tshark.stage(capture), "-Y", "(tcp || udp) && !icmp && !icmpv6",
                "-T", "fields", "-E", "occurrence=f"] + [a for f in fields for a in ("-e", f)]
        for line in tshark.run(args).stdout.splitlines():
            v4s, v6s, v4d, v6d, tsp, usp, tdp, udp, cid = line.split("\t")
            transport = "tcp" if tsp else "udp"
            ends = frozenset({endpoint_text(v4s or v6s, int(tsp or usp)), endpoint_text(v4d or v6d, int(tdp or udp))})
            ids[(transport, ends)] = cid
    return ids


def check_bulk(lines, json_rows, mapping, verdicts, wireshark_ids):
    """The bulk file's lines against the JSON rows of the same run, in the same order."""
    check(len(lines) == 2 * len(json_rows), "%d bulk lines for %d streams" % (len(lines), len(json_rows)))
    actions, docs = [json.loads(line) for line in lines[0::2]], [json.loads(line) for line in lines[1::2]]
    check(all(list(a) == ["index"] and "_index" not in a["index"] for a in actions),
          "an action line is not {\"index\": {...}} without _index")
    ids = [a.get("index", {}).get("_id") for a in actions]
    check(None not in ids and len(set(ids)) == len(ids), "document _ids missing or not unique")
    for doc, row in zip(docs, json_rows):
        label = "%s %s -> %s" % (row["transport"], row["client"], row["server"])
        problems = mapping_problems(doc, mapping["mappings"]["properties"])
        check(not problems, label + ": " + "; ".join(problems))
        src, dst = doc["source"], doc["destination"]
        check(endpoint_text(src["ip"], src["port"]) == row["client"], label + ": source is not the client")
        check(endpoint_text(dst["ip"], dst["port"]) == row["server"], label + ": destination is not the server")
        failed = verdicts.is_failure(row["verdict"])
        check((doc["event"]["outcome"] == "failure") == failed,
              "%s: %s has event.outcome %s" % (label, row["verdict"], doc["event"]["outcome"]))
        own = doc["tcpdiag"]
        check((own["verdict"], own.get("evidence_file", ""), own.get("evidence_frame", 0)) ==
              (row["verdict"], row["evidence_file"], int(row["evidence_frame"])), label + ": tcpdiag fields differ")
        start = datetime.datetime.fromisoformat(doc["event"]["start"]).timestamp()
        check(abs(start - float(row["start_time"])) < 1e-5 and doc["@timestamp"] == doc["event"]["start"],
              label + ": event.start is not start_time")
        check(abs(doc["event"]["duration"] / 1e9 - float(row["duration"])) < 1e-6,
              label + ": event.duration is not the duration in nanoseconds")
        expected = wireshark_ids.get((row["transport"], frozenset({row["client"], row["server"]})))
        check(doc["network"]["community_id"] == expected,
              "%s: community_id %s, Wireshark says %s" % (label, doc["network"]["community_id"], expected))
    return docs


# --- running the scan ------------------------------------------------------------------------

def run_as_user(tshark, cmd, cwd):
    _, env = tshark.command([])
    cmd, env = tshark.command_of(cmd, env)
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (cmd, proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def read_json_lines(*paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            rows += [{k: str(v) for k, v in json.loads(line).items()} for line in f]
    return rows


def make_set(capture, folder):
    """A capture set as dumpcap's ring buffer would leave it: `editcap -c 20` into folder/ring_*."""
    os.makedirs(folder)
    subprocess.run(["editcap", "-c", "20", capture, os.path.join(folder, "ring.pcapng")], check=True)
    for f in glob.glob(os.path.join(folder, "*")):
        os.chmod(f, 0o644)
    os.chmod(folder, 0o755)
    return folder


def stream_keys(rows):
    return sorted((r["capture_set"], r["verdict"], r["client"], r["server"], r["evidence_file"], r["evidence_frame"])
                  for r in rows)


def check_parallel(tshark, scan, captures, work):
    """(b): one job per set on GNU parallel's local slots; the union against one run over all."""
    sets = [make_set(c, os.path.join(work, "set%d" % n)) for n, c in enumerate(captures)]
    results = os.path.join(work, "results")
    os.makedirs(results)
    os.chmod(results, 0o777)
    command = ["parallel", "--will-cite", "-S", "2/:", "/usr/bin/python3", scan, "--json", results + "/{#}.json",
               "{}", ":::"] + sets
    print("running: " + " ".join(command))
    run_as_user(tshark, command, work)
    parts = sorted(glob.glob(os.path.join(results, "*.json")))
    check(len(parts) == len(sets), "%d result files for %d sets" % (len(parts), len(sets)))
    union = read_json_lines(*parts)
    whole = os.path.join(work, "whole.json")
    run_as_user(tshark, ["/usr/bin/python3", scan, "--json", whole] + sets, work)
    reference = read_json_lines(whole)
    check(len({r["capture_set"] for r in union}) == len(sets), "parallel jobs did not give one capture set each")
    check(reference and stream_keys(union) == stream_keys(reference),
          "parallel union (%d streams) differs from one run over all sets (%d streams)" % (len(union), len(reference)))
    print("ok: %d sets on GNU parallel's slots: %d streams, as one run over all" % (len(sets), len(union)))


def check_export(tshark, scan, mapping, verdicts, captures, work):
    js, bulk = os.path.join(work, "streams.json"), os.path.join(work, "streams.ndjson")
    run_as_user(tshark, ["/usr/bin/python3", scan, "--json", js, "--ecs", bulk] + captures, work)
    with open(bulk, encoding="utf-8") as f:
        lines = f.read().splitlines()
    rows = read_json_lines(js)
    docs = check_bulk(lines, rows, mapping, verdicts, wireshark_community_ids(tshark, captures))
    outcomes = {d["event"]["outcome"] for d in docs}
    # Without both kinds of streams (and IPv6, if given) the checks above prove little.
    check({"success", "failure"} <= outcomes, "the captures gave only outcomes %s" % sorted(outcomes))
    if any(r["client"].startswith("[") for r in rows):
        check(any(d["network"]["type"] == "ipv6" for d in docs), "no document has network.type ipv6")
    print("ok: %d documents valid for the mapping, outcomes %s" % (len(docs), sorted(outcomes)))


def check_vectors(ecs):
    for transport, source, destination, expected in COMMUNITY_ID_VECTORS:
        for a, b in ((source, destination), (destination, source)):
            got = ecs.community_id(transport, a, b)
            check(got == expected, "community_id(%s %s %s) = %s, not %s" % (transport, a, b, got, expected))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--scan", required=True)
    parser.add_argument("--mapping", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    scan = os.path.abspath(args.scan)
    sys.path.insert(0, os.path.dirname(scan))
    from tcpdiag_scan import ecs, verdicts
    with open(args.mapping) as f:
        mapping = json.load(f)
    check(mapping["mappings"].get("dynamic") == "strict", "the mapping is not dynamic: strict")
    check_vectors(ecs)
    with Tshark(args.plugin) as tshark:
        work = os.path.join(tshark.workdir, "scale")
        os.makedirs(work)
        os.chmod(work, 0o777)
        captures = [tshark.stage(c) for c in args.captures]
        check_export(tshark, scan, mapping, verdicts, captures, work)
        check_parallel(tshark, scan, captures[:3], work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
