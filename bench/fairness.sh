#!/bin/bash
#
# bench/fairness.sh - issue 9's fairness benchmark: ten normal client
# computers (127.0.0.11..20) doing small-file work while one hostile
# computer (127.0.0.50) runs each attack of tests/clients/hostile.py in
# turn, against wgsmbd and against Samba's smbd on the same machine.
#
# Per phase (none, pattern, backlog, sessions, listings, trees, locks) and
# per server: the normal clients' cycle latency p50/p99 (bench/fairload.py
# client: create, write 4 KiB, read, close, list a directory, delete), the
# p99 ratio to the phase without attacker, and wgsmbd's peak VmRSS. One
# daemon of each server serves every phase (state left by one attack is
# part of the next phase); a daemon that dies is restarted and the table
# says so. Prints a markdown table; bench/README.md explains it.
#
# Usage (as root; Debian 12):
#   apt-get install samba python3-impacket
#   bench/fairness.sh [--quick] [--secs S] [--phases "none pattern ..."]
#                     [--no-samba] [--out FILE] [--keep]
#
# --quick: 6 s per phase (about 2 minutes in all); default 20 s per phase
# (about 6 minutes). Environment: WGSMBD (default build/wgsmbd),
# FAIR_RSS_CAP_MIB (default 4096: an attack stops once the server's VmRSS
# is over it, so that one run cannot take a shared machine down).
#
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
. "$BENCH/lib.sh"
WGSMBD=${WGSMBD:-$ROOT/build/wgsmbd}
WGNET=${WGNET:-$(dirname "$WGSMBD")/wgnet}
PY=/usr/bin/python3
LOAD=$BENCH/fairload.py
SECS=20
PHASES="none pattern backlog sessions listings trees locks"
DO_SAMBA=1
OUT=
KEEP=0
CAP=${FAIR_RSS_CAP_MIB:-4096}
NCLIENTS=10
ATTACKER=127.0.0.50

usage() {
	sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) SECS=6 ;;
	--secs) SECS=$2; shift ;;
	--phases) PHASES=${2//,/ }; shift ;;
	--no-samba) DO_SAMBA=0 ;;
	--out) OUT=$2; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "fairness.sh: unknown argument $1" >&2; usage >&2; exit 64 ;;
	esac
	shift
done

[ "$(id -u)" -eq 0 ] || die "run as root (starts Samba, adds a system user)"
[ -x "$WGSMBD" ] || die "$WGSMBD is not built (meson setup build && ninja -C build)"
"$PY" -c 'import impacket' 2>/dev/null || die "python3-impacket is missing"
if [ "$DO_SAMBA" = 1 ]; then
	for t in /usr/sbin/smbd smbpasswd; do
		command -v "$t" >/dev/null || die "$t is missing (apt-get install samba, or --no-samba)"
	done
fi

# ---------------------------------------------------------------- setup

WORK=$(make_dir /tmp/wgfair.XXXXXX)
FS=$(make_dir /dev/shm/wgfair.XXXXXX)
SAMBA_USER=wgbench
USER_PASS='B3nch!pw'
WG_PID=
SB_PID=
SAMPLER=
KIDS=()

cleanup() {
	local p
	for p in "${KIDS[@]}" $SAMPLER; do
		kill -KILL "$p" 2>/dev/null
	done
	kill_daemons $WG_PID $SB_PID
	sb_del_user
	rm -rf "$FS"
	if [ "$KEEP" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT_WG=$(free_port)
PORT_SB=$(free_port)
while [ "$PORT_SB" = "$PORT_WG" ]; do PORT_SB=$(free_port); done

# The same tree in both shares: small/ (listed by the clients), big20k/
# and big5k/ (attacked), big.bin (2 MiB, read by the backlog attack).
"$PY" "$ROOT/tests/clients/hostile.py" tree 8 "$FS/wg" "$FS/samba" ||
	die "cannot make the share trees"
chmod -R a+rwX "$FS/wg" "$FS/samba"

WG_CONF=$WORK/wg/wgsmb.conf
wg_conf "$WG_CONF" WGFAIR "$PORT_WG" "$FS/wg" "edition = workstation" \
	"# the ten normal computers and the attacker" "max sessions = 11"
wg_add_user "$WG_CONF" "$SAMBA_USER" "$USER_PASS"

SB_CONF=$WORK/sb/smb.conf
if [ "$DO_SAMBA" = 1 ]; then
	sb_conf "$SB_CONF" SBFAIR "$PORT_SB" "$FS/samba"
	sb_add_user "$SB_CONF" "$SAMBA_USER" "$USER_PASS"
fi

# ---------------------------------------------------------------- servers

start_server() {	# wg|samba
	if [ "$1" = wg ]; then
		start_daemon WG_PID "$PORT_WG" wgsmbd "$WORK/wg/log" 65536 \
			"$WGSMBD" -F -c "$WG_CONF"
	else
		start_daemon SB_PID "$PORT_SB" "Samba smbd" "$WORK/sb/out" 65536 \
			/usr/sbin/smbd -F -s "$SB_CONF"
		sleep 1
	fi
}

# VmRSS of the server's whole process tree (Samba forks per connection),
# sampled every 0.2 s into FILE until killed; the max is the peak.
start_sampler() {	# PID FILE
	(
		while kill -0 "$1" 2>/dev/null; do
			"$PY" "$BENCH/proctree.py" rss "$1" 2>/dev/null
			sleep 0.2
		done
	) >"$2" &
	SAMPLER=$!
}

# ---------------------------------------------------------------- phases

RESULTS=$WORK/results.tsv
: >"$RESULTS"

# run_phase SERVER PHASE: ten clients for SECS, the attacker too unless
# PHASE is none; one line per phase in $RESULTS.
run_phase() {
	local srv=$1 phase=$2 port pid i d=$WORK/$1.$2 note=
	if [ "$srv" = wg ]; then port=$PORT_WG; pid=$WG_PID; else port=$PORT_SB; pid=$SB_PID; fi
	if ! kill -0 "$pid" 2>/dev/null; then
		log "$srv died before phase $phase: restarting it"
		start_server "$srv"
		if [ "$srv" = wg ]; then pid=$WG_PID; else pid=$SB_PID; fi
		note="restarted"
	fi
	mkdir -p "$d"
	start_sampler "$pid" "$d/rss"
	KIDS=()
	for i in $(seq 11 $((10 + NCLIENTS))); do
		timeout $((SECS + 40)) "$PY" "$LOAD" client "$port" "127.0.0.$i" "$SECS" \
			"$SAMBA_USER" "$USER_PASS" bench "$d/lat.$i" >"$d/client.$i" 2>&1 &
		KIDS+=($!)
	done
	if [ "$phase" != none ]; then
		sleep 0.5	# the clients log on first
		timeout $((SECS + 30)) "$PY" "$LOAD" attack "$phase" "$port" "$ATTACKER" \
			"$((SECS - 1))" "$SAMBA_USER" "$USER_PASS" bench "$pid" "$CAP" \
			>"$d/attack" 2>&1 &
		KIDS+=($!)
	fi
	for i in "${KIDS[@]}"; do
		wait "$i" 2>/dev/null
	done
	KIDS=()
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	SAMPLER=
	kill -0 "$pid" 2>/dev/null || note="${note:+$note, }died"
	grep -q '^GUARD' "$d/attack" 2>/dev/null && note="${note:+$note, }attack stopped at ${CAP} MiB"
	"$PY" - "$d" "$srv" "$phase" "$note" >>"$RESULTS" <<-'EOF'
		import glob, sys
		d, srv, phase, note = sys.argv[1:5]
		lat = []
		for f in glob.glob(d + "/lat.*"):
		    lat += [float(x) for x in open(f) if x.strip()]
		lat.sort()
		def pct(p):
		    if not lat:
		        return ""
		    return "%.2f" % lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))]
		errs = 0
		for f in glob.glob(d + "/client.*"):
		    for line in open(f):
		        if line.startswith("CLIENT "):
		            errs += int(line.split("errors=")[1])
		rss = [int(x) for x in open(d + "/rss") if x.strip().isdigit()]
		print("\t".join([srv, phase, pct(50), pct(99), str(len(lat)),
		                 str(errs), str(max(rss) if rss else ""), note]))
	EOF
	log "$srv $phase: $(tail -n 1 "$RESULTS" | cut -f3-)"
	sleep 2		# let the server settle before the next phase
}

T0=$(date +%s)
log "wgsmbd $WGSMBD on port $PORT_WG$([ "$DO_SAMBA" = 1 ] && echo ", Samba $(/usr/sbin/smbd -V) on port $PORT_SB"); $SECS s per phase; phases: $PHASES"
SERVERS=wg
[ "$DO_SAMBA" = 1 ] && SERVERS="wg samba"
for srv in $SERVERS; do
	start_server "$srv"
	for phase in $PHASES; do
		log "$srv: phase $phase"
		run_phase "$srv" "$phase"
	done
	if [ "$srv" = wg ]; then stop_pid "$WG_PID" 5; WG_PID=; else stop_pid "$SB_PID" 5; SB_PID=; fi
done
T1=$(date +%s)

{
	echo "<!-- bench/fairness.sh --secs $SECS; $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) CPUs;" \
		"$((T1 - T0)) s; wgsmbd $WGSMBD ($(git -C "$ROOT" describe --always --dirty 2>/dev/null))$(
		[ "$DO_SAMBA" = 1 ] && echo ", Samba $(/usr/sbin/smbd -V | sed 's/^Version //')") -->"
	"$PY" - "$RESULTS" <<-'EOF'
		import sys
		rows = {}
		order = []
		for line in open(sys.argv[1]):
		    srv, phase, p50, p99, n, errs, rss, note = (line.rstrip("\n").split("\t") + [""] * 8)[:8]
		    rows[(srv, phase)] = (p50, p99, n, errs, rss, note)
		    if phase not in order:
		        order.append(phase)
		def f(x):
		    return float(x) if x else None
		def ratio(srv, phase):
		    base = rows.get((srv, "none"))
		    cur = rows.get((srv, phase))
		    if not base or not cur or not f(base[1]) or f(cur[1]) is None:
		        return "-"
		    return "%.1fx" % (f(cur[1]) / f(base[1]))
		def cell(srv, phase, i):
		    r = rows.get((srv, phase))
		    return r[i] if r and r[i] else "-"
		print("| phase | wgsmb p50 (ms) | wgsmb p99 (ms) | p99 ratio vs no-attacker "
		      "| Samba p50 (ms) | Samba p99 (ms) | Samba ratio | wgsmb peak RSS (MiB) "
		      "| cycles wgsmb / Samba | errors wgsmb / Samba |")
		print("|---|---|---|---|---|---|---|---|---|---|")
		peak = 0
		for ph in order:
		    rss = cell("wg", ph, 4)
		    if rss != "-":
		        peak = max(peak, int(rss))
		        rss = "%.0f" % (int(rss) / 1024.0)
		    note = rows.get(("wg", ph), ("",) * 6)[5]
		    snote = rows.get(("samba", ph), ("",) * 6)[5]
		    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s |" % (
		        ph + (" (wgsmb: %s)" % note if note else "") +
		        (" (Samba: %s)" % snote if snote else ""),
		        cell("wg", ph, 0), cell("wg", ph, 1), ratio("wg", ph),
		        cell("samba", ph, 0), cell("samba", ph, 1), ratio("samba", ph),
		        rss, cell("wg", ph, 2), cell("samba", ph, 2),
		        cell("wg", ph, 3), cell("samba", ph, 3)))
		print()
		print("wgsmbd peak VmRSS over the whole run: %.0f MiB (target < 256 MiB); "
		      "target p99 ratio <= 2.0x" % (peak / 1024.0))
	EOF
} >"$WORK/report.md"
cat "$WORK/report.md"
[ -n "$OUT" ] && cp "$WORK/report.md" "$OUT"
exit 0
