#!/usr/bin/env python3
"""latency.py - where wgsmbd's small requests spent their time during one
office run (issue 16), from two readings of `wgnet statistics --json`
taken as the run began and as it ended (bench/run.sh, bench_office).

  latency.py BEFORE.json AFTER.json SECONDS TITLE

Prints to stdout:
  RECORD KEY VALUE        one line per figure bench/run.sh records:
                          lat_<CMD>_<phase>_{mean,p50} in us,
                          lat_run_delay (loop threads' run delay, ms per s)
  then a markdown table:  per command of stat, open+read and create+write
                          (CREATE, QUERY_INFO, READ, WRITE, CLOSE), the
                          requests and how many were timed (one in 8, at
                          random), then mean / p50 of each phase in us.

The phases are wgsmbd's (smbd/loop.h, "Request latency"): total = frame
read -> reply written; lock, pre, handler, async, reply, flush and write
add up to it; worker queue / run / back are within async.
"""
import json
import sys

CMDS = ("CREATE", "QUERY_INFO", "READ", "WRITE", "CLOSE")
PHASES = ("total", "lock", "pre", "handler", "async", "worker_queue",
          "worker_run", "worker_back", "reply", "flush", "write")
SHORT = {"worker_queue": "wq", "worker_run": "wrun", "worker_back": "wback"}


def load(path):
    with open(path) as f:
        st = json.load(f).get("statistics", {})
    lat = {}
    for c in st.get("latency", {}).get("commands", []):
        lat[c.get("command")] = dict(c.get("phases", {}),
                                     requests={"count": c.get("requests", 0)})
    return lat, st.get("loops", [])


def delta(a, b):
    """Phase b minus phase a: (count, sum_ns, {(lo, hi): count})."""
    bk = {}
    for lo, hi, n in b.get("buckets", []):
        bk[(lo, hi)] = bk.get((lo, hi), 0) + n
    for lo, hi, n in a.get("buckets", []):
        bk[(lo, hi)] = bk.get((lo, hi), 0) - n
    return (b.get("count", 0) - a.get("count", 0),
            b.get("sum_ns", 0) - a.get("sum_ns", 0),
            {k: v for k, v in bk.items() if v > 0})


def median(bk):
    """The median in ns, interpolated in its bucket."""
    n = sum(bk.values())
    if n == 0:
        return 0.0
    want = max(1, n * 0.5)
    seen = 0
    for (lo, hi) in sorted(bk):
        c = bk[(lo, hi)]
        if seen + c >= want:
            return lo + (hi - lo) * (want - seen) / c
        seen += c
    return 0.0


def main():
    before, loops0 = load(sys.argv[1])
    after, loops1 = load(sys.argv[2])
    secs = float(sys.argv[3])
    title = sys.argv[4]
    rows = []
    for cmd in CMDS:
        cells = []
        n = 0
        for ph in PHASES:
            cnt, tot, bk = delta(before.get(cmd, {}).get(ph, {}),
                                 after.get(cmd, {}).get(ph, {}))
            if ph == "total":
                n = cnt
            if cnt <= 0:
                cells.append("-")
                continue
            mean = tot / cnt / 1e3
            p50 = median(bk) / 1e3
            print("RECORD lat_%s_%s_mean %.1f" % (cmd, ph, mean))
            print("RECORD lat_%s_%s_p50 %.1f" % (cmd, ph, p50))
            # requests that went async (or had jobs) are a share of all
            share = "" if cnt == n or ph == "total" else \
                " (%d%%)" % (100 * cnt // max(n, 1))
            cells.append("%.0f / %.0f%s" % (mean, p50, share) if mean >= 10
                         else "%.1f / %.1f%s" % (mean, p50, share))
        req = after.get(cmd, {}).get("requests", {}).get("count", 0) - \
            before.get(cmd, {}).get("requests", {}).get("count", 0)
        if n > 0:
            rows.append("| %s | %d (%d) | %s |" % (cmd, req, n,
                                                   " | ".join(cells)))
    delay = sum(l.get("run_delay_us", 0) for l in loops1) - \
        sum(l.get("run_delay_us", 0) for l in loops0)
    cpu = sum(l.get("cpu_us", 0) for l in loops1) - \
        sum(l.get("cpu_us", 0) for l in loops0)
    if secs > 0:
        print("RECORD lat_run_delay %.1f" % (delay / 1e3 / secs))
        print("RECORD lat_loop_cpu %.2f" % (cpu / 1e6 / secs))
    print()
    print("#### %s" % title)
    print()
    print("Mean / p50 in us of each phase of wgsmbd's requests during the "
          "run, of the one in 8 it timed (at random); (n%%) is the share of "
          "the timed requests that had the phase. Loop threads: %.2f CPUs on a CPU, %.1f ms per second "
          "runnable but waiting for one (%d loops)."
          % (cpu / 1e6 / secs if secs > 0 else 0,
             delay / 1e3 / secs if secs > 0 else 0, len(loops1)))
    print()
    print("| command | requests (timed) | %s |" %
          " | ".join(SHORT.get(p, p) for p in PHASES))
    print("|---|---|%s" % ("---|" * len(PHASES)))
    for r in rows:
        print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
