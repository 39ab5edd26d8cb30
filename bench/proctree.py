#!/usr/bin/python3
"""proctree.py - /proc figures for a server and all its descendants.

Usage: proctree.py WHAT PID
  cpu    CPU time in clock ticks of PID's process tree: for every live
         process in the tree (zombies included), utime + stime + cutime +
         cstime. A child that was reaped is no longer listed, but the kernel
         has added its utime + stime + cutime + cstime to its parent's
         cutime/cstime, so every process that ever ran in the tree is counted
         exactly once: Samba's per-connection children that exited during a
         run are in the parent's cutime/cstime once the parent has reaped
         them (bench/run.sh waits for that before sampling).
  pss    sum of Pss (KiB) from /proc/N/smaps_rollup over the tree
  rss    sum of VmRSS (KiB) over the tree
  nproc  number of processes in the tree
  pids   the pids of the tree, space-separated (to pin them with taskset)
  all    "cpu pss rss nproc" on one line
  ticks  the clock ticks per second (for converting cpu)
Threads belong to their process: /proc/N/stat sums them.
"""
import os
import sys


def stat_fields(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        data = f.read().decode("latin-1")
    # comm may hold spaces and parentheses: split after the last ')'
    rest = data[data.rindex(")") + 2:].split()
    return rest  # rest[0] is field 3 (state)


def threads(pids):
    """(tid, starttime, base, run_ns, wait_ns) for every thread of pids
    now: base is its /proc/P/task/T/ directory, run and wait the first two
    fields of its schedstat (ns on a CPU, ns runnable but waiting). A
    thread's id with its start time tells it from a later one reusing the
    id. Threads that end while being read are left out."""
    for pid in pids:
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            base = "/proc/%d/task/%s/" % (pid, tid)
            try:
                with open(base + "stat", "rb") as f:
                    data = f.read().decode("latin-1")
                start = data[data.rindex(")") + 2:].split()[19]  # field 22
                with open(base + "schedstat") as f:
                    run, wait = f.read().split()[:2]
            except (OSError, ValueError, IndexError):
                continue
            yield int(tid), start, base, int(run), int(wait)


def tree(root):
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            ppid = int(stat_fields(pid)[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu(pids):
    total = 0
    for pid in pids:
        try:
            f = stat_fields(pid)
        except OSError:
            continue
        # fields 14-17 (utime stime cutime cstime) are rest[11:15]
        total += sum(int(x) for x in f[11:15])
    return total


def field_kib(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss(pids):
    return sum(field_kib("/proc/%d/smaps_rollup" % p, "Pss:") for p in pids)


def rss(pids):
    return sum(field_kib("/proc/%d/status" % p, "VmRSS:") for p in pids)


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "ticks":
        print(os.sysconf("SC_CLK_TCK"))
        return 0
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 64
    what, root = sys.argv[1], int(sys.argv[2])
    if not os.path.exists("/proc/%d" % root):
        sys.stderr.write("proctree: no process %d\n" % root)
        return 1
    pids = tree(root)
    if what == "cpu":
        print(cpu(pids))
    elif what == "pss":
        print(pss(pids))
    elif what == "rss":
        print(rss(pids))
    elif what == "nproc":
        print(len(pids))
    elif what == "pids":
        print(" ".join(str(p) for p in pids))
    elif what == "all":
        print(cpu(pids), pss(pids), rss(pids), len(pids))
    else:
        sys.stderr.write(__doc__)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())
