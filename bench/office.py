#!/usr/bin/python3
"""office.py - the figures of one ten-computer run from its latency files.

Usage: office.py [--start] LATFILE...
Each LATFILE is what one `loadgen -L LATFILE office ID` wrote: one line
"OP MICROSECONDS" per operation done; a paced computer (loadgen -R) writes
"OP FROM_DUE FROM_START": the latency from the time the operation was due
on its timetable and from the time it actually started. The figures are
of the second field, or with --start of the third (the second where a line
has no third). Prints, over all the files together, one line per
operation
    OP COUNT P50 P99
(latencies in microseconds, nearest-rank percentiles) and a last line
    all COUNT
"""
import math
import sys


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0
    k = max(0, math.ceil(p / 100.0 * len(sorted_vals)) - 1)
    return sorted_vals[k]


def main():
    lat = {}
    args = sys.argv[1:]
    col = 1
    if args and args[0] == "--start":
        col = 2
        args = args[1:]
    for path in args:
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 2:
                        v = parts[col] if len(parts) > col else parts[1]
                        lat.setdefault(parts[0], []).append(int(v))
        except OSError as e:
            sys.stderr.write("office.py: %s\n" % e)
    total = 0
    for op in sorted(lat):
        v = sorted(lat[op])
        total += len(v)
        print("%s %d %d %d" % (op, len(v), pct(v, 50), pct(v, 99)))
    print("all %d" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
