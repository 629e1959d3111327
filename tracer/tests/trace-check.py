#!/usr/bin/env python3
"""trace-check.py -- compare a genheap trace with the program's own counters.

Usage: trace-check.py TRACE_TEXT WORKLOAD_OUTPUT

TRACE_TEXT is `babeltrace2 DIR` text output; WORKLOAD_OUTPUT is what
tests/tp-workload printed (see that file).  Only events of the workload's OS
process (vpid) are considered: other genheap programs may be traced into the
same daemon's buffers at the same time.  Checks, per genheap process:

- every event carries the vpid, vtid and procname contexts;
- proc_spawn has schema 2 and the process's name;
- each gc_minor_end either completed the minor (minor_gcs grew by one) or
  is a failed minor (reclaimed 0, minor_gcs unchanged) followed by the
  gc_major pair; completed minors == minor_gcs printed;
- gc_major_end events == full_sweeps, hibernate events == hibernations,
  sum of promotion words == words_promoted, promotions only inside a minor;
- the GC-info block of the last GC end event (gc_minor_end, gc_major_end
  or hibernate) and of proc_exit equals what gh_proc_info() printed;
- binary_alloc events == binaries created, and every one is freed.
Exit 0 when all hold; 1 with one line per broken check otherwise.
"""

import re
import sys
from collections import Counter, defaultdict

GCINFO = [
    "old_heap_block_size", "heap_block_size", "mbuf_size", "recent_size",
    "stack_size", "old_heap_size", "heap_size", "bin_vheap_size",
    "bin_vheap_block_size", "bin_old_vheap_size", "bin_old_vheap_block_size",
    "minor_gcs", "full_sweeps", "hibernations", "words_promoted",
    "words_reclaimed", "gen_gcs", "message_queue_len", "refc_binaries",
]
GC_END_EVENTS = ("gc_minor_end", "gc_major_end", "hibernate")

EVENT_RE = re.compile(r"\bgenheap:(\w+):")
FIELD_RE = re.compile(r'(\w+) = ("(?:[^"\\]|\\.)*"|[^,}\s]+)')


def parse_value(text):
    if text.startswith('"'):
        return text[1:-1]
    try:
        return int(text, 0)
    except ValueError:
        return text


def parse_trace(path):
    """Yields (event name, fields dict) for every genheap event line."""
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = EVENT_RE.search(line)
            if not match:
                continue
            body = line[match.end():]
            fields = {k: parse_value(v) for k, v in FIELD_RE.findall(body)}
            yield match.group(1), fields


def parse_workload(path):
    os_pid, binaries, procs = None, None, {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            words = line.split()
            if not words:
                continue
            pairs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            if words[0] == "workload":
                os_pid = int(pairs["os_pid"])
                binaries = int(pairs["binaries"])
            elif words[0] == "proc":
                info = {k: int(v) for k, v in pairs.items() if k != "name"}
                info["name"] = pairs.get("name", "")
                procs[info["pid"]] = info
    if os_pid is None or not procs:
        sys.exit(f"trace-check: no workload/proc lines in {path}")
    return os_pid, binaries, procs


class Checker:
    def __init__(self):
        self.failures = []

    def expect(self, ok, message):
        if not ok:
            self.failures.append(message)

    def equal(self, what, got, want):
        self.expect(got == want, f"{what}: trace has {got}, expected {want}")


def check_contexts(chk, events):
    missing = [n for n, f in events
               if not all(c in f for c in ("vpid", "vtid", "procname"))]
    chk.expect(not missing, f"{len(missing)} events lack vpid/vtid/procname "
               f"(first: {missing[:1]})")
    names = {f.get("procname") for _, f in events}
    chk.expect(names == {"tp-workload"}, f"procname values {sorted(map(str, names))}")


def check_minors(chk, tag, evs):
    """Completed minors, from the growth of minor_gcs across each minor."""
    completed, start = 0, None
    for i, (name, f) in enumerate(evs):
        if name == "gc_minor_start":
            start = f
        elif name == "promotion":
            chk.expect(start is not None, f"{tag}: promotion outside a minor GC")
        elif name == "gc_minor_end":
            chk.expect(start is not None, f"{tag}: gc_minor_end without start")
            grew = f["minor_gcs"] - (start or f)["minor_gcs"]
            if grew == 1:
                completed += 1
            else:
                nxt = evs[i + 1][0] if i + 1 < len(evs) else None
                chk.expect(grew == 0 and f["reclaimed"] == 0 and
                           nxt == "gc_major_start",
                           f"{tag}: gc_minor_end #{i}: minor_gcs grew by "
                           f"{grew}, reclaimed {f['reclaimed']}, next {nxt}")
            start = None
    return completed


def check_process(chk, pid, want, evs):
    tag = f"process {pid} ({want['name']})"
    names = Counter(n for n, _ in evs)
    spawn = [f for n, f in evs if n == "proc_spawn"]
    chk.expect(len(spawn) == 1, f"{tag}: {len(spawn)} proc_spawn events")
    if spawn:
        chk.equal(f"{tag}: proc_spawn schema", spawn[0].get("schema"), 2)
        chk.equal(f"{tag}: proc_spawn name", spawn[0].get("name"), want["name"])
    chk.equal(f"{tag}: completed minor GCs", check_minors(chk, tag, evs),
              want["minor_gcs"])
    chk.equal(f"{tag}: gc_major_end events", names["gc_major_end"],
              want["full_sweeps"])
    chk.equal(f"{tag}: hibernate events", names["hibernate"],
              want["hibernations"])
    chk.equal(f"{tag}: promoted words",
              sum(f["words"] for n, f in evs if n == "promotion"),
              want["words_promoted"])
    chk.expect(want["minor_gcs"] > 0, f"{tag}: workload made no minor GC")
    ends = [(n, f) for n, f in evs if n in GC_END_EVENTS]
    chk.expect(bool(ends), f"{tag}: no GC end event")
    exits = [f for n, f in evs if n == "proc_exit"]
    chk.expect(len(exits) == 1, f"{tag}: {len(exits)} proc_exit events")
    for what, f in ([(f"last {ends[-1][0]}", ends[-1][1])] if ends else []) + \
                   [("proc_exit", f) for f in exits[:1]]:
        for field in GCINFO:
            chk.equal(f"{tag}: {what} {field}", f.get(field), want[field])


def check_coverage(chk, events):
    """The workload must exercise what the counts are about, or they would
    agree vacuously."""
    names = Counter(n for n, _ in events)
    reasons = Counter(f.get("reason") for n, f in events if n == "gc_major_end")
    for name in ("promotion", "hibernate", "binary_alloc", "proc_exit"):
        chk.expect(names[name] > 0, f"workload produced no {name} event")
    for reason, what in ((0, "fullsweep_after"), (3, "explicit"), (4, "hibernate")):
        chk.expect(reasons[reason] > 0, f"no gc_major_end with reason {reason} ({what})")


def check_binaries(chk, events, created, pids):
    allocs = Counter((f["bin"], f["size"]) for n, f in events
                     if n == "binary_alloc" and f.get("pid") in pids)
    frees = Counter((f["bin"], f["size"]) for n, f in events
                    if n == "binary_free")
    chk.equal("binary_alloc events", sum(allocs.values()), created)
    chk.expect(not (allocs - frees),
               f"{sum((allocs - frees).values())} binaries never freed")


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: trace-check.py TRACE_TEXT WORKLOAD_OUTPUT")
    os_pid, binaries, procs = parse_workload(argv[2])
    events = [(n, f) for n, f in parse_trace(argv[1]) if f.get("vpid") == os_pid]
    chk = Checker()
    chk.expect(bool(events), f"no genheap event with vpid {os_pid}")
    check_contexts(chk, events)
    by_pid = defaultdict(list)
    for name, f in events:
        if "pid" in f and not name.startswith("binary_"):
            by_pid[f["pid"]].append((name, f))
    for pid, want in sorted(procs.items()):
        check_process(chk, pid, want, by_pid.get(pid, []))
    check_binaries(chk, events, binaries, set(procs))
    check_coverage(chk, events)
    for failure in chk.failures:
        print(f"trace-check: {failure}")
    print(f"trace-check: {len(events)} events of vpid {os_pid}, "
          f"{len(procs)} processes, {len(chk.failures)} failed checks")
    return 1 if chk.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
