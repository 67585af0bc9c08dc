"""Every stream as an Elasticsearch / OpenSearch _bulk request body (NDJSON): an action line and
one document per stream, with Elastic Common Schema names where ECS has the field (source.ip,
destination.port, event.outcome, ...) and tcpdiag's own columns under `tcpdiag.`. The index
mapping is tools/scan/opensearch-mapping.json; docs/scan-at-scale.md has the field table."""
import base64
import datetime
import decimal
import hashlib
import ipaddress
import json
import struct

from .verdicts import NOT_FAILURES, family_of, is_failure

ECS_VERSION = "8.11.0"
IANA_NUMBER = {"tcp": 6, "udp": 17}
# Verdicts that say neither success nor failure: the capture saw too little of the stream.
UNKNOWN_OUTCOME = NOT_FAILURES - {"graceful_close"}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# Columns copied as they are under tcpdiag.; empty ones are left out rather than indexed as "".
OWN_TEXT = ("verdict", "reset_by", "cause", "stage", "loss_point", "next_step", "history", "captured",
            "capture_set", "first_file", "last_file", "evidence_file")
OWN_NUMBERS = ("stream", "evidence_frame", "syn_retransmissions", "data_retransmissions")


def split_endpoint(text):
    """("10.1.0.2", 40001) from "10.1.0.2:40001", ("fd01::2", 40001) from "[fd01::2]:40001"."""
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def iso_time(epoch_text):
    """ISO 8601 UTC with microseconds from epoch seconds as the table writes them; Decimal, since a
    float would turn .309327 into .309326."""
    seconds = decimal.Decimal(epoch_text)
    whole = int(seconds)
    micros = int((seconds - whole) * 1000000)
    moment = EPOCH + datetime.timedelta(seconds=whole, microseconds=micros)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def nanoseconds(seconds_text):
    """ECS event.duration is in nanoseconds."""
    return int(decimal.Decimal(seconds_text or "0") * 1000000000)


def community_id(transport, source, destination, seed=0):
    """Community ID v1 (github.com/corelight/community-id-spec) of a TCP or UDP flow: the same
    string Zeek, Suricata, Arkime and Wireshark (`--enable-protocol communityid`) give it, so a
    stream can be looked up in their records."""
    (sip, sport), (dip, dport) = source, destination
    a = (ipaddress.ip_address(sip).packed, sport)
    b = (ipaddress.ip_address(dip).packed, dport)
    if b < a:  # direction does not matter: the smaller (address, port) comes first
        a, b = b, a
    data = struct.pack("!H", seed) + a[0] + b[0] + struct.pack("!BBHH", IANA_NUMBER[transport], 0, a[1], b[1])
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def outcome(verdict):
    if verdict in UNKNOWN_OUTCOME:
        return "unknown"
    return "failure" if is_failure(verdict) else "success"


def endpoint(ip, port):
    return {"ip": ip, "port": port, "address": ip}


def event_fields(row):
    failed = is_failure(row["verdict"])
    event = {"kind": "event", "category": ["network"], "type": ["connection", "error"] if failed else ["connection"],
             "outcome": outcome(row["verdict"]), "dataset": "tcpdiag.streams", "module": "tcpdiag",
             "start": iso_time(row["start_time"]), "end": iso_time(row["end_time"]),
             "duration": nanoseconds(row.get("duration"))}
    if row.get("reason"):
        event["reason"] = row["reason"]
    return event


def network_fields(row, source, destination):
    transport = row["transport"]
    version = ipaddress.ip_address(source[0]).version
    return {"transport": transport, "type": "ipv%d" % version, "iana_number": str(IANA_NUMBER[transport]),
            "packets": int(row.get("packets") or 0), "community_id": community_id(transport, source, destination)}


def own_fields(row):
    own = {c: row[c] for c in OWN_TEXT if row.get(c)}
    own.update({c: int(row[c]) for c in OWN_NUMBERS if row.get(c) not in (None, "")})
    if not own.get("evidence_frame"):  # frame 0: no evidence frame, and no file for it
        own.pop("evidence_frame", None)
        own.pop("evidence_file", None)
    if is_failure(row["verdict"]):  # the failure's family, as the profile's coloring rules group them
        own["family"] = family_of(row["verdict"])
    if row.get("capture_flaws"):
        own["capture_flaws"] = row["capture_flaws"].split(",")
    return own


def document(row):
    """One stream (a row of dicts of strings with outputs.COLUMNS) as an ECS document."""
    source, destination = split_endpoint(row["client"]), split_endpoint(row["server"])
    event = event_fields(row)
    return {"@timestamp": event["start"], "ecs": {"version": ECS_VERSION}, "event": event,
            "network": network_fields(row, source, destination), "source": endpoint(*source),
            "destination": endpoint(*destination), "tcpdiag": own_fields(row)}


def document_id(row):
    """The same stream gets the same _id on every export, so loading a scan again replaces its
    documents instead of adding copies."""
    key = "\0".join(row.get(c, "") for c in ("capture_set", "transport", "client", "server", "start_time"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def bulk_lines(row):
    """The action line and the document of one stream, each ending in a newline. The action names
    no _index, so the URL chooses the index."""
    return (json.dumps({"index": {"_id": document_id(row)}}) + "\n" +
            json.dumps(document(row), ensure_ascii=False, separators=(",", ":")) + "\n")


def write_bulk(path, rows):
    """NDJSON for POST INDEX/_bulk."""
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(bulk_lines(row))
