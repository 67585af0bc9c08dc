"""Which files make one capture: dumpcap's file-set names (PREFIX_NNNNN_YYYYMMDDhhmmss.EXT, as
`dumpcap -b` writes them and Wireshark's File > File Set lists them), or files whose times follow
on from each other and which share connections."""
import os
import re

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".ntar", ".erf", ".snoop")
RING_NAME = re.compile(r"^(?P<prefix>.*)_(?P<number>\d{5,})_(?P<stamp>\d{14})(?P<suffix>(\.[^.]+)*)$")
# Files of one set written by something other than dumpcap: the next may start at most this long
# after the previous ended (and must share a connection with it).
FOLLOW_ON_GAP_S = 300.0


def discover(paths):
    """Capture files named on the command line or found in the folders named, sorted."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            for top, dirs, names in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(top, n) for n in sorted(names) if n.lower().endswith(CAPTURE_SUFFIXES))
        else:
            found.append(path)
    seen, unique = set(), []
    for path in found:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            unique.append(path)
    return unique


def ring_key(path):
    """(folder, prefix, suffix) for a file named as dumpcap names the files of a set, else None."""
    match = RING_NAME.match(os.path.basename(path))
    if not match:
        return None
    return (os.path.dirname(os.path.abspath(path)), match.group("prefix"), match.group("suffix"))


def set_name(key):
    """A ring set's name, from its ring_key: FOLDER/PREFIX_*SUFFIX."""
    folder, prefix, suffix = key
    return os.path.join(folder, prefix + "_*" + suffix)


def ring_number(path):
    return int(RING_NAME.match(os.path.basename(path)).group("number"))


def group(results, shares_connection):
    """Capture sets from analysed files (objects with .path, .first_time, .last_time): a list of
    (name, [results in time order]). `shares_connection(a, b)` says whether file b carries on a
    connection still open at the end of file a."""
    rings, loose = {}, []
    for r in results:
        key = ring_key(r.path)
        (rings.setdefault(key, []) if key else loose).append(r)
    sets = []
    for key, members in sorted(rings.items()):
        members.sort(key=lambda r: ring_number(r.path))
        sets.append((set_name(key), members))
    loose.sort(key=lambda r: (r.first_time is None, r.first_time or 0.0, r.path))
    current = []
    for r in loose:
        previous = current[-1] if current else None
        if previous is not None and _follows_on(previous, r) and shares_connection(previous, r):
            current.append(r)
            continue
        if current:
            sets.append((current[0].path, current))
        current = [r]
    if current:
        sets.append((current[0].path, current))
    return sets


def _follows_on(a, b):
    if a.last_time is None or b.first_time is None:
        return False
    return a.last_time - 1.0 <= b.first_time <= a.last_time + FOLLOW_ON_GAP_S
