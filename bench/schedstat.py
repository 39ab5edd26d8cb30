#!/usr/bin/python3
"""schedstat.py - the scheduler's account of a server's process tree over
a run: CPU time and run delay (time runnable but waiting for a CPU) summed
over every thread of every process in the tree, processes that start or
exit during the run included.

Usage: schedstat.py OUT ROOTPID [INTERVAL]
  Samples /proc/P/task/T/schedstat (field 1: ns on a CPU, field 2: ns
  runnable waiting) of every thread of ROOTPID and its descendants every
  INTERVAL seconds (default 0.2) until SIGTERM or SIGINT, samples once more,
  then writes one line to OUT:
      wall=SECS cpu=SECS delay=SECS tasks=N born=N gone=N
  wall: from the first sample to the last. A thread seen in the first
  sample counts from that sample's values; one born later counts from 0
  (its whole life is inside the window); one that exited counts up to the
  last sample that saw it, so up to INTERVAL of its end is missed (gone
  says how many). Threads are told apart by thread id and start time, so
  a reused id is a new thread. Symmetric for wgsmbd (one process, its loop
  and worker threads) and Samba (a process per client connection plus
  its helpers, each with its threads).
"""
import signal
import sys
import time

from proctree import threads, tree  # the same directory


def sample(root):
    """{(tid, starttime): (cpu_ns, delay_ns)} of the tree's threads now."""
    return {(tid, start): (run, wait)
            for tid, start, _, run, wait in threads(tree(root))}


def main():
    out_path, root = sys.argv[1], int(sys.argv[2])
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    t0 = time.monotonic()
    first = sample(root)
    last = dict(first)
    gone = set()
    while not stop:
        time.sleep(interval)
        now = sample(root)
        gone |= set(last) - set(now)
        gone -= set(now)
        last.update(now)
    now = sample(root)
    t1 = time.monotonic()
    gone |= set(last) - set(now)
    gone -= set(now)
    last.update(now)
    cpu = delay = 0
    for key, (run, wait) in last.items():
        r0, w0 = first.get(key, (0, 0))
        cpu += run - r0
        delay += wait - w0
    with open(out_path, "w") as f:
        f.write("wall=%.3f cpu=%.6f delay=%.6f tasks=%d born=%d gone=%d\n"
                % (t1 - t0, cpu / 1e9, delay / 1e9, len(last),
                   len(set(last) - set(first)), len(gone)))


if __name__ == "__main__":
    main()
