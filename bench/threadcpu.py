#!/usr/bin/python3
"""threadcpu.py - per-thread CPU of a server's process tree over a run,
to tell which thread (if any) bounds a transfer.

Usage: threadcpu.py OUT ROOTPID [INTERVAL]
  Samples every thread of ROOTPID and its descendants every INTERVAL
  seconds (default 0.1; the tree itself is re-read every fifth sample, so
  that a process born during the run, such as Samba's per-connection
  child, is found) until SIGTERM or SIGINT, samples once more, then writes
  one line to OUT:
      top=CPUS topkind=KIND loop=CPUS pool=CPUS other=CPUS threads=N
  For each thread seen in two samples or more, its utilisation is its CPU
  time (schedstat field 1, ns) between the first and the last sample that
  saw it over the wall time between them: a thread born or gone during
  the run is judged over the part of the run it was seen in, not diluted
  by the rest. top: the busiest thread's utilisation (in CPUs, 0-1) and
  its kind; loop, pool, other: the sums over the threads of each kind.
  A thread's kind is where it was found blocked most often
  (/proc/P/task/T/syscall): in epoll_wait/poll, an event loop ("loop";
  wgsmbd's loops, Samba's smbd processes); in futex, a worker waiting
  for work ("pool"; wgsmbd's workers, Samba's pthreadpool); anything else,
  or never seen blocked, "other".
"""
import signal
import sys
import time

from proctree import threads, tree  # the same directory

# x86_64 system call numbers: epoll_wait, epoll_pwait, epoll_pwait2, poll,
# ppoll, select, pselect6; futex
LOOP_CALLS = {232, 281, 441, 7, 271, 23, 270}
POOL_CALLS = {202}


def blocked_in(base):
    """The system call a thread is blocked in, or None if running."""
    try:
        with open(base + "syscall") as f:
            first = f.read().split()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.lstrip("-").isdigit() else None


def sample(pids, now, seen):
    """Update seen[(tid, start)] = [t_first, cpu_first, t_last, cpu_last,
    {kind: count}] from the threads of pids."""
    for tid, start, base, run, _ in threads(pids):
        call = blocked_in(base)
        kind = None
        if call is not None:
            kind = ("loop" if call in LOOP_CALLS else
                    "pool" if call in POOL_CALLS else "other")
        key = (tid, start)
        rec = seen.get(key)
        if rec is None:
            rec = seen[key] = [now, run, now, run, {}]
        rec[2], rec[3] = now, run
        if kind is not None:
            rec[4][kind] = rec[4].get(kind, 0) + 1


def main():
    out_path, root = sys.argv[1], int(sys.argv[2])
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    seen = {}
    pids = tree(root)
    n = 0
    while True:
        sample(pids, time.monotonic(), seen)
        if stop:
            break
        time.sleep(interval)
        n += 1
        if n % 5 == 0:
            pids = tree(root)
    sums = {"loop": 0.0, "pool": 0.0, "other": 0.0}
    top, topkind, counted = 0.0, "none", 0
    for t0, c0, t1, c1, kinds in seen.values():
        if t1 <= t0:
            continue
        util = (c1 - c0) / 1e9 / (t1 - t0)
        kind = max(kinds, key=kinds.get) if kinds else "other"
        sums[kind] += util
        counted += 1
        if util > top:
            top, topkind = util, kind
    with open(out_path, "w") as f:
        f.write("top=%.3f topkind=%s loop=%.3f pool=%.3f other=%.3f "
                "threads=%d\n" % (top, topkind, sums["loop"], sums["pool"],
                                  sums["other"], counted))


if __name__ == "__main__":
    main()
