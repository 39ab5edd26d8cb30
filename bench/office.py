#!/usr/bin/python3
"""office.py - the figures of one ten-computer run from its latency files.

Usage: office.py LATFILE...
Each LATFILE is what one `loadgen -L LATFILE office ID` wrote: one line
"OP MICROSECONDS" per operation done. Prints, over all the files
together, one line per operation
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
    for path in sys.argv[1:]:
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2:
                        lat.setdefault(parts[0], []).append(int(parts[1]))
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
