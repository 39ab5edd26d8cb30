"""threads_loops.py - with `server threads = 2`, each client computer's
connections all live on one event loop, and two computers are served by
different loops (docs/threads.md, issue 16).

Run by test_threads.sh as
  /usr/bin/python3 threads_loops.py PORT SHARE_DIR RO_DIR WGNET CONF

Computers A (127.0.0.51) and B (127.0.0.52) open three connections each
and log on; `wgnet connections --json` names the loop of every
connection and `wgnet statistics --json` what each loop serves. Then A
holds a batch oplock that B's open breaks: the break crosses from B's
loop to A's and both complete. Each connection still answers an ECHO.
Each loop's state-lock counters (`wgnet statistics`) exist and moved
with the traffic.
"""
import json
import os
import struct
import subprocess
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect
import smb2raw as s2

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE_DIR = sys.argv[2]
WGNET, CONF = sys.argv[4], sys.argv[5]
A, B = "127.0.0.51", "127.0.0.52"


def computer(ip):
    return s2.logged_on(PORT, USER, PASSWORD, credits=32, timeout=20,
                        src=ip)


def wgnet(*args):
    r = subprocess.run([WGNET, "-c", CONF] + list(args) + ["--json"],
                       capture_output=True, text=True, timeout=30)
    try:
        return json.loads(r.stdout)
    except ValueError:
        fail("wgnet %s --json" % " ".join(args),
             (r.stdout + r.stderr)[:300])
        sys.exit(1)


def latency():
    """Per command: requests, and per phase the latency counters of
    wgnet statistics (of the timed sample)."""
    st = wgnet("statistics").get("statistics", {})
    out = {}
    for c in st.get("latency", {}).get("commands", []):
        out[c.get("command")] = dict(c.get("phases", {}),
                                     requests={"count": c.get("requests")})
    return out, st.get("loops", [])


def phase(lat, cmd, name, key="count"):
    return lat.get(cmd, {}).get(name, {}).get(key, 0)


# the phases from frame read to reply written, which add up to total
CHAIN = ("lock", "pre", "handler", "async", "reply", "flush", "write")


def check_latency(c):
    """Request latency (loop.h): N ECHOs and N READs sent on one
    connection are each counted once, one in 8 is timed, every phase's
    histogram holds its count, the timed phases add up to the total, the
    worker phases lie within async, and each loop reports its scheduler
    run delay."""
    n = 80
    fid = c.create("lat.dat", disposition=s2.FILE_OVERWRITE_IF)
    c.write(fid, b"y" * 8192)
    before, _ = latency()
    for _ in range(n):
        c.echo()
    for _ in range(n):
        c.read(fid, 0, 4096)
    # the last timed reply is put down once its writev returned, which
    # may be just after the client had it: look again until it is there
    for _ in range(50):
        after, loops = latency()
        d = [phase(after, cmd, "total") - phase(before, cmd, "total")
             for cmd in ("ECHO", "READ")]
        if all(x >= 1 for x in d):
            break
        time.sleep(0.1)
    for cmd in ("ECHO", "READ"):
        req = phase(after, cmd, "requests") - phase(before, cmd, "requests")
        expect("latency: %s requests counted once each (%d)" % (cmd, n),
               req == n, "%d" % req)
        d = {k: phase(after, cmd, k) - phase(before, cmd, k)
             for k in ("total",) + CHAIN}
        expect("latency: about one %s in 8 timed (at random), each in "
               "total, lock and handler" % cmd,
               1 <= d["total"] <= n // 2 and
               d["lock"] == d["handler"] == d["total"], "deltas %r" % d)
        s = {k: phase(after, cmd, k, "sum_ns") -
             phase(before, cmd, k, "sum_ns") for k in ("total",) + CHAIN}
        chain = sum(s[k] for k in CHAIN)
        expect("latency: %s's phases add up to its total" % cmd,
               abs(chain - s["total"]) <= 10 * len(CHAIN) * n +
               s["total"] // 100, "sums %r" % s)
    expect("latency: ECHO never goes async",
           phase(after, "ECHO", "async") == 0 and
           phase(after, "ECHO", "worker_run") == 0, "%r" % after["ECHO"])
    bad = [(cmd, k, v) for cmd, ph in after.items() for k, v in ph.items()
           if k != "requests" and
           (v.get("histogram_count") != v.get("count") or
            sum(b[2] for b in v.get("buckets", [])) != v.get("count") or
            not v.get("p50_ns", 0) <= v.get("p99_ns", 0))]
    expect("latency: every histogram holds its count, p50 <= p99",
           not bad, "%r" % bad)
    timed = sum(ph.get("total", {}).get("count", 0)
                for ph in after.values())
    sent = sum(ph["requests"]["count"] for ph in after.values())
    expect("latency: about one request in 8 is timed",
           sent // 20 <= timed <= sent // 4, "%d of %d" % (timed, sent))
    wk = [(cmd, ph) for cmd, ph in after.items()
          if ph.get("worker_run", {}).get("count", 0) >
          ph.get("async", {}).get("count", 0) or
          sum(ph.get(k, {}).get("sum_ns", 0) for k in
              ("worker_queue", "worker_run", "worker_back")) >
          ph.get("async", {}).get("sum_ns", 0) * 1.01 + 1000]
    expect("latency: worker phases lie within async", not wk, "%r" % wk)
    expect("latency: each loop reports time on a CPU and run delay",
           len(loops) == 2 and all(p.get("cpu_us", 0) > 0 and
                                   "run_delay_us" in p for p in loops),
           "%r" % loops)
    r = subprocess.run([WGNET, "-c", CONF, "statistics"],
                       capture_output=True, text=True, timeout=30)
    if os.environ.get("WG_SHOW"):
        # WG_SHOW=FILE: the table here, the JSON reading in FILE
        print(r.stdout)
        with open(os.environ["WG_SHOW"], "w") as f:
            json.dump(wgnet("statistics"), f)
    expect("wgnet statistics prints the latency table with ECHO and READ",
           "Request latency" in r.stdout and
           "\n  ECHO " in r.stdout and "\n  READ " in r.stdout,
           r.stdout[-1500:])
    c.close(fid)


def main():
    conns = {A: [computer(A) for _ in range(3)],
             B: [computer(B) for _ in range(3)]}
    listing = wgnet("connections").get("connections", [])
    loops = {A: set(), B: set()}
    for c in listing:
        if c.get("ip") in loops:
            loops[c["ip"]].add(c.get("loop"))
    for ip in (A, B):
        expect("all three connections of %s are on one loop" % ip,
               len(loops[ip]) == 1, "loops %s" % sorted(loops[ip]))
    expect("the two computers are served by different loops",
           loops[A] != loops[B], "A %s, B %s" % (loops[A], loops[B]))
    st = wgnet("statistics").get("statistics", {})
    per = st.get("loops", [])
    expect("statistics list two loops, each serving one computer with "
           "three connections",
           len(per) == 2 and all(p.get("computers") == 1 and
                                 p.get("connections") == 3 for p in per),
           "loops %r" % per)

    # an oplock break from B's loop to A's connection
    a, b = conns[A][0], conns[B][1]
    fid_a, level = a.create_oplock("shared.txt", s2.OPLOCK_BATCH,
                                   disposition=s2.FILE_OVERWRITE_IF)
    expect("A holds a batch oplock", level == s2.OPLOCK_BATCH,
           "level 0x%02x" % level)
    mid = b.send(s2.CREATE, b.create_body("shared.txt"))
    bfid, blevel = a.wait_break(timeout=10)
    expect("A is sent the break B's open caused, across loops",
           bfid == fid_a, "fid %s" % bfid.hex())
    a.oplock_ack(fid_a, s2.OPLOCK_II)
    r = b.wait(mid, timeout=10)
    expect("B's open completes once A acknowledged",
           r.status == s2.STATUS_SUCCESS, "status 0x%08x" % r.status)

    echoed = 0
    for ip in (A, B):
        for c in conns[ip]:
            c.echo()
            echoed += 1
    expect("every connection still answers ECHO", echoed == 6, "")
    # an overwrite of a large file: truncated on a worker, then answered
    # (create.c, create_trunc_send), the oplock granted after it
    big = os.path.join(SHARE_DIR, "big-overwrite.dat")
    c = conns[A][2]
    fid = c.create("big-overwrite.dat", disposition=s2.FILE_OVERWRITE_IF)
    for off in range(0, 3 << 20, 65536):
        c.write(fid, b"x" * 65536, off)
    c.close(fid)
    expect("a 3 MiB file written", os.path.getsize(big) == 3 << 20,
           "size %d" % os.path.getsize(big))
    r = c.call(s2.CREATE, c.create_body("big-overwrite.dat",
                                        disposition=s2.FILE_OVERWRITE_IF,
                                        oplock=s2.OPLOCK_BATCH),
               what="CREATE overwrite")
    action, eof = struct.unpack_from("<I", r.body, 4)[0], \
        struct.unpack_from("<Q", r.body, 48)[0]
    expect("a 3 MiB file opened with OVERWRITE_IF is overwritten, empty "
           "in the reply and on disk, and holds its batch oplock",
           action == 3 and eof == 0 and os.path.getsize(big) == 0 and
           r.body[2] == s2.OPLOCK_BATCH,
           "action %d eof %d size %d oplock 0x%02x" %
           (action, eof, os.path.getsize(big), r.body[2]))
    c.write(r.body[64:80], b"new")
    c.close(r.body[64:80])
    with open(big, "rb") as f:
        got = f.read()
    expect("what is written after the overwrite is all the file holds",
           got == b"new", "%d bytes" % len(got))

    # the state lock as each loop took it: counters exist and move
    per2 = wgnet("statistics").get("statistics", {}).get("loops", [])
    keys = ("lock_acquired", "lock_contended", "lock_wait_us",
            "lock_wait_max_us", "wakes")
    expect("statistics give each loop's state-lock counters",
           len(per2) == 2 and all(k in p for p in per2 for k in keys),
           "loops %r" % per2)
    if len(per2) == 2 and len(per) == 2:
        expect("each loop took the state lock, more since the first "
               "reading (traffic from its computer)",
               all(per2[i].get("lock_acquired", 0) >
                   per[i].get("lock_acquired", 0) > 0 for i in (0, 1)),
               "before %r after %r" % (per, per2))
        expect("contended acquisitions are a subset of all",
               all(p.get("lock_contended", 0) <= p.get("lock_acquired", 0)
                   for p in per2), "loops %r" % per2)
    # how long each loop held the state lock, and doing what: every
    # ended hold is in the histogram and under one site; loop 0 (the
    # control socket's) holds the lock as it answers, so one of its
    # acquisitions has not ended yet; the other loop's have all ended
    hkeys = ("count", "total_us", "max_us", "max_site", "histogram",
             "sites")
    buckets = ("lt_10us", "lt_100us", "lt_1ms", "lt_10ms", "ge_10ms")
    holds = [p.get("lock_holds", {}) for p in per2]
    expect("statistics give each loop's lock holds: count, time, longest, "
           "histogram and sites",
           len(holds) == 2 and
           all(k in h for h in holds for k in hkeys) and
           all(b in h.get("histogram", {}) for h in holds for b in buckets),
           "holds %r" % holds)
    if len(holds) == 2 and all("sites" in h for h in holds):
        expect("the hold histogram and the sites each add up to the holds",
               all(sum(h["histogram"].values()) == h["count"] ==
                   sum(s["count"] for s in h["sites"]) for h in holds),
               "holds %r" % holds)
        expect("every acquisition but loop 0's current one has ended",
               holds[0]["count"] == per2[0]["lock_acquired"] - 1 and
               holds[1]["count"] == per2[1]["lock_acquired"],
               "holds %r loops %r" % (holds, per2))
        names = [s["site"] for h in holds for s in h["sites"]]
        expect("the holds name SMB2 CREATE and worker completions",
               "SMB2 CREATE" in names and "worker done" in names,
               "sites %r" % names)
        expect("each site's longest hold is within its total and the "
               "loop's longest",
               all(s["max_us"] <= s["total_us"] and
                   s["max_us"] <= h["max_us"]
                   for h in holds for s in h["sites"]), "holds %r" % holds)
    r = subprocess.run([WGNET, "-c", CONF, "statistics"],
                       capture_output=True, text=True, timeout=30)
    expect("wgnet statistics prints the state lock of each loop",
           r.stdout.count("state lock, loop") == 2, r.stdout[-600:])
    expect("wgnet statistics prints how long each loop held it",
           r.stdout.count("lock held, loop") == 2, r.stdout[-900:])
    check_latency(conns[B][0])
    for ip in (A, B):
        for c in conns[ip]:
            c.close_socket()
    return wgcheck.summary("threads_loops")


if __name__ == "__main__":
    sys.exit(main())
