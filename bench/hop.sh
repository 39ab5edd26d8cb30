#!/bin/bash
#
# bench/hop.sh - the cost of the worker hop (smbd/fs/workers.c's shape)
# against inline syscalls and io_uring, per operation (issue 16). Builds
# bench/hop.c, runs it R times on a tmpfs (and optionally on a directory
# of another filesystem) and prints a markdown table: median and
# (min-max) over the runs of p50/p99 wall time and CPU time per operation.
#
# Usage (Debian 12; no root needed, no daemon involved):
#   apt-get install gcc liburing-dev python3
#   bench/hop.sh [--runs R] [--ops N] [--bigops N] [--workers W]
#                [--dir DIR] [--quick] [--out FILE]
#
#   --runs R     runs of the whole set (default 3)
#   --ops N      operations per open/stat case (default 20000)
#   --bigops N   operations per 1 MiB case; 64 KiB cases do 4x (default 2000)
#   --workers W  hop worker threads (default 4, as the daemon's pool)
#   --dir DIR    also measure in DIR (e.g. the current filesystem); it
#                makes its files there and removes them afterwards
#   --quick      1 run, 3000 ops, 300 big ops
#   --out FILE   also write the report to FILE and the raw lines to
#                FILE.tsv
#
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=3
OPS=20000
BIGOPS=2000
WORKERS=4
XDIR=
OUT=

usage() {
	sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--ops) OPS=$2; shift ;;
	--bigops) BIGOPS=$2; shift ;;
	--workers) WORKERS=$2; shift ;;
	--dir) XDIR=$2; shift ;;
	--quick) RUNS=1; OPS=3000; BIGOPS=300 ;;
	--out) OUT=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "hop.sh: unknown argument $1" >&2; usage >&2; exit 64 ;;
	esac
	shift
done

WORK=$(mktemp -d /tmp/hop.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
HOP=$WORK/hop
cc -O2 -pthread -o "$HOP" "$ROOT/bench/hop.c" -luring || {
	echo "hop.sh: build failed (apt-get install liburing-dev)" >&2
	exit 1
}

RAW=$WORK/raw.tsv
: > "$RAW"
run_set() {	# FSNAME [DIR]
	local fs=$1 dir=${2:-} i sub
	for i in $(seq 1 "$RUNS"); do
		echo "# $(date +%T) run $i/$RUNS on $fs" >&2
		if [ -n "$dir" ]; then
			sub=$(mktemp -d "$dir/hop.XXXXXX") || exit 1
			"$HOP" -d "$sub" -o "$OPS" -b "$BIGOPS" -w "$WORKERS" \
				2>"$WORK/err" | grep -v '^#' |
				sed "s/^/$fs\t$i\t/" >> "$RAW"
			rmdir "$sub"
		else
			"$HOP" -o "$OPS" -b "$BIGOPS" -w "$WORKERS" \
				2>"$WORK/err" | grep -v '^#' |
				sed "s/^/$fs\t$i\t/" >> "$RAW"
		fi
		sed 's/^/# /' "$WORK/err" >&2
		cp "$WORK/err" "$WORK/err.$fs"
	done
}

run_set tmpfs
if [ -n "$XDIR" ]; then
	XFS=$(df --output=fstype "$XDIR" | tail -n 1 | tr -c 'a-z0-9\n' _)
	run_set "$XFS" "$XDIR"
fi

report() {
	python3 - "$RAW" "$RUNS" "$OPS" "$BIGOPS" "$WORKERS" \
		"$(uname -r)" "$(nproc)" "$WORK" <<'EOF'
import sys, statistics
raw, runs, ops, bigops, workers, kernel, ncpu, work = sys.argv[1:9]
rows = {}
order = []
for line in open(raw):
    f = line.rstrip('\n').split('\t')
    fs, run, op, mode, depth = f[0], f[1], f[2], f[3], f[4]
    vals = [float(x) for x in f[6:10]]
    errs = int(f[10])
    key = (fs, op, depth, mode)
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append((vals, errs))

def cell(xs, nd=1):
    m = statistics.median(xs)
    if len(xs) == 1:
        return f"{m:.{nd}f}"
    return f"{m:.{nd}f} ({min(xs):.{nd}f}–{max(xs):.{nd}f})"

print(f"## Worker hop vs inline vs io_uring (bench/hop.sh)\n")
print(f"Kernel {kernel}, {ncpu} CPUs; {runs} run(s); {ops} ops per "
      f"open/stat case, {int(bigops) * 4} per 64 KiB, {bigops} per 1 MiB; "
      f"hop pool of {workers} workers. Median (min–max) over the runs. "
      f"CPU = whole process (workers and io-wq threads included), "
      f"loop = the issuing thread alone, µs per operation.\n")
fss = []
for k in order:
    if k[0] not in fss:
        fss.append(k[0])
for fs in fss:
    try:
        notes = open(f"{work}/err.{fs}").read().strip().splitlines()
    except OSError:
        notes = []
    print(f"### {fs}\n")
    for n in notes:
        print(f"* {n}")
    if notes:
        print()
    print("| op | in flight | mode | p50 µs | p99 µs | CPU µs/op | "
          "loop CPU µs/op | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for k in order:
        if k[0] != fs:
            continue
        r = rows[k]
        cols = [cell([v[0][i] for v in r], 1 if i < 2 else 2)
                for i in range(4)]
        errs = sum(v[1] for v in r)
        print(f"| {k[1]} | {k[2]} | {k[3]} | " + " | ".join(cols) +
              f" | {errs} |")
    print()
    # the summary: what the hop costs over inline, what io_uring would
    med = {k: statistics.median([v[0][2] for v in rows[k]])
           for k in order if k[0] == fs}
    lmed = {k: statistics.median([v[0][3] for v in rows[k]])
            for k in order if k[0] == fs}
    print("Summary (median CPU µs per operation; loop thread in brackets):\n")
    print("| op | inline | hop, 1 in flight | uring, 1 | hop, 8 in flight | "
          "uring, 8 |")
    print("|---|---|---|---|---|---|")
    ops_seen = []
    for k in order:
        if k[0] == fs and k[1] not in ops_seen:
            ops_seen.append(k[1])
    for op in ops_seen:
        def g(mode, depth):
            k = (fs, op, depth, mode)
            if k not in med:
                return "–"
            return f"{med[k]:.2f} [{lmed[k]:.2f}]"
        print(f"| {op} | {g('inline', '1')} | {g('hop', '1')} | "
              f"{g('uring', '1')} | {g('hop', '8')} | {g('uring', '8')} |")
    print()
EOF
}

if [ -n "$OUT" ]; then
	report | tee "$OUT"
	cp "$RAW" "$OUT.tsv"
else
	report
fi
