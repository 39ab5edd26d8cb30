#!/bin/bash
#
# bench/run.sh - wgsmbd and Samba's smbd side by side on one machine.
#
# Starts both servers on two loopback ports with equivalent shares on the
# same tmpfs, runs every benchmark against both, interleaved (wgsmb,
# Samba, wgsmb, Samba ...) for R rounds, and prints a markdown table with
# the median and range per metric, the ratio wgsmb/Samba and the targets
# of issue 16 (issue 6's where it sets none). bench/README.md says what each number means.
#
# Usage (as root; Debian 12):
#   apt-get install samba smbclient samba-testsuite libsmbclient-dev \
#       iperf3 python3 meson ninja-build gcc pkg-config libtalloc-dev \
#       libtevent-dev nettle-dev
#   bench/run.sh [--quick] [--rounds R] [--out FILE] [--no-10k|--only-10k]
#                [--no-office|--only-office|--only-ops|--only-cycles]
#                [--only-put]
#                [--cpus 1|2|1,2] [--copier-mibs N]
#                [--office-secs S] [--wg-loop-priority N] [--keep]
#                [--office-rate N|--no-equal-load]
#
# Environment: WGSMBD (default build/wgsmbd; built with meson if missing),
# WGSMB_REV (the revision to name in the report, default git describe),
# BENCH_TMPFS_SIZE (default 4g), BENCH_NICE (e.g. -5: run the servers and
# clients at that nice level, to shield them from other load; default off).
#
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
. "$BENCH/lib.sh"
WGSMBD=${WGSMBD:-$ROOT/build/wgsmbd}
PY=/usr/bin/python3

ROUNDS=3
QUICK=0
DO_10K=1
ONLY_BIG=0
KEEP=0
OUT=
HOLD_K=500		# sessions held for the memory figure
HOLD_PROCS=4		# loadgen processes that open them
BIG_K=10000		# concurrent idle sessions in one daemon
BIG_PROCS=8
CYCLE_SECS=8
CYCLE_JOBS=2		# loadgen workers for session cycles
OPS_SECS=5		# open+fstat+close, stat
IO_BYTES=$((1024 * 1024 * 1024))
ECHO_SECS=5
ECHO_PROCS=4		# smbtorture torture:nprocs (connections)
IPERF_SECS=5
DO_OFFICE=1
ONLY_OFFICE=0
ONLY_OPS=0		# only open+fstat+close, stat and ECHO (per-request cost)
ONLY_CYCLES=0		# only session cycles (server CPU per cycle)
ONLY_PUT=0		# only smbclient put: plain, signed, encrypted
OFFICE_CLIENTS=9	# office computers 127.0.0.2..10; the copier is .11
OFFICE_SECS=30
OFFICE_BULK=$((256 * 1024 * 1024))
OFFICE_CPUS=		# server CPU counts to run the office section with
COPIER_MIBS=200		# the paced (equal-work) office runs: copier MiB/s; 0 = none
EQUAL_LOAD=1		# office at equal offered load (round 1), both servers
OFFICE_RATE=		# its total ops/s; empty: EQUAL_PCT% of Samba's closed loop
EQUAL_PCT=80
WG_LOOP_PRIORITY=	# wgsmbd's `loop priority` (nice of its loop threads)

usage() {	# the comment block at the top, from its third line
	awk 'NR < 3 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--rounds) ROUNDS=$2; shift ;;
	--out) OUT=$2; shift ;;
	--no-10k) DO_10K=0 ;;
	--only-10k) ONLY_BIG=1 ;;
	--no-office) DO_OFFICE=0 ;;
	--only-office) ONLY_OFFICE=1 ;;
	--only-ops) ONLY_OPS=1 ;;
	--only-cycles) ONLY_CYCLES=1 ;;
	--only-put) ONLY_PUT=1 ;;
	--office-secs) OFFICE_SECS=$2; shift ;;
	--cpus) OFFICE_CPUS=$2; shift ;;
	--copier-mibs) COPIER_MIBS=$2; shift ;;
	--wg-loop-priority) WG_LOOP_PRIORITY=$2; shift ;;
	--office-rate) OFFICE_RATE=$2; shift ;;
	--no-equal-load) EQUAL_LOAD=0 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 64 ;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then
	ROUNDS=1
	HOLD_K=100
	BIG_K=1000
	BIG_PROCS=2
	CYCLE_SECS=3
	OPS_SECS=2
	IO_BYTES=$((256 * 1024 * 1024))
	ECHO_SECS=3
	IPERF_SECS=2
	OFFICE_SECS=10
fi
if [ "$ONLY_BIG" = 1 ]; then
	ROUNDS=0
	DO_10K=1
	DO_OFFICE=0
fi
if [ "$ONLY_OFFICE" = 1 ]; then
	DO_10K=0
	DO_OFFICE=1
	IO_BYTES=$((1024 * 1024))	# the source file is not used
fi
if [ "$ONLY_PUT" = 1 ]; then
	DO_10K=0
	DO_OFFICE=0
fi
if [ "$ONLY_OPS" = 1 ] || [ "$ONLY_CYCLES" = 1 ]; then
	DO_10K=0
	DO_OFFICE=0
	IO_BYTES=$((1024 * 1024))	# the source file is not used
fi
OFFICE_CPUS=${OFFICE_CPUS:-$(nproc)}
case $COPIER_MIBS in
[0-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]) ;;
*) die "--copier-mibs takes MiB/s, 0-9999 (0: no paced run)" ;;
esac
case $OFFICE_RATE in
''|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]|[1-9][0-9][0-9][0-9][0-9]) ;;
*) die "--office-rate takes total office operations/s, 1-99999" ;;
esac
case $WG_LOOP_PRIORITY in
''|-[1-9]|-1[0-9]|-20|[0-9]|1[0-9]) ;;
*) die "--wg-loop-priority takes a nice value, -20 to 19" ;;
esac
NCPU=$(nproc)		# /proc/stat's "cpu" line sums these
for c in ${OFFICE_CPUS//,/ }; do
	case $c in
	[1-9]|[1-9][0-9]) [ "$c" -le "$(nproc)" ] ||
		die "--cpus $c: this machine has $(nproc) CPUs" ;;
	*) die "--cpus takes CPU counts, e.g. 1 or 1,2" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (starts Samba, adds a system user, mounts a tmpfs)"
for t in /usr/sbin/smbd smbpasswd smbclient smbtorture iperf3 pkg-config cc \
	taskset "$PY"; do
	command -v "$t" >/dev/null || die "$t is missing (see the apt-get line in $0)"
done
pkg-config --exists smbclient || die "libsmbclient-dev is missing"

if [ ! -x "$WGSMBD" ]; then
	log "building wgsmbd (meson, release)"
	(cd "$ROOT" && { [ -d build ] || meson setup build --buildtype=release; } &&
		ninja -C build) >&2 || die "cannot build wgsmbd"
fi
WGNET=${WGNET:-$(dirname "$WGSMBD")/wgnet}

# ---------------------------------------------------------------- setup

WORK=$(make_dir /tmp/wgbench.XXXXXX)
FS=$WORK/fs
FS_MOUNTED=0
SAMBA_USER=wgbench
WG_PID=
SB_PID=
HOLDERS=()

cleanup() {
	local p
	for p in "${HOLDERS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	kill_daemons $WG_PID $SB_PID
	if [ "$FS_MOUNTED" = 1 ]; then
		umount "$FS" 2>/dev/null || umount -l "$FS"
	fi
	sb_del_user
	if [ "$KEEP" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
		[ "$FS" = "$WORK/fs" ] || rm -rf "$FS"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both shares on one tmpfs: our own, sized, or /dev/shm if we cannot mount.
mkdir -p "$FS"
if mount -t tmpfs -o "size=${BENCH_TMPFS_SIZE:-4g},mode=755" wgbench "$FS" 2>/dev/null; then
	FS_MOUNTED=1
else
	avail=$(df -k --output=avail /dev/shm | tail -1)
	[ "$avail" -gt $((IO_BYTES * 3 / 1024)) ] || die "cannot mount a tmpfs and /dev/shm is too small"
	FS=$(make_dir /dev/shm/wgbench.XXXXXX)
	log "using /dev/shm ($FS)"
fi

PORT_WG=${BENCH_PORT_WG:-$(free_port)}
PORT_SB=$(free_port)
IPERF_PORT=$(free_port)
USER_NAME=$SAMBA_USER
USER_PASS='B3nch!pw'
CCONF=$WORK/client/smb.conf
RESULTS=$WORK/results.tsv
: >"$RESULTS"
TICKS=$("$PY" "$BENCH/proctree.py" ticks)

mkdir -p "$WORK/client"/{cache,lock,state,private,home} "$FS/wg" "$FS/samba"
chmod 777 "$FS/wg" "$FS/samba"
export HOME=$WORK/client/home	# no ~/.smb/smb.conf for the client library

log "source file: $((IO_BYTES >> 20)) MiB on tmpfs"
dd if=/dev/zero of="$FS/src.dat" bs=1M count=$((IO_BYTES >> 20)) status=none ||
	die "cannot write $FS/src.dat"
chmod 644 "$FS/src.dat"
# One file, two names: both servers read the same pages.
ln "$FS/src.dat" "$FS/wg/get.dat"
ln "$FS/src.dat" "$FS/samba/get.dat"

cc -O2 -o "$WORK/loadgen" "$BENCH/loadgen.c" $(pkg-config --cflags --libs smbclient) ||
	die "cannot build loadgen"
cc -shared -fPIC -o "$WORK/bindaddr.so" "$ROOT/tests/shim/bindaddr.c" -ldl ||
	die "cannot build the source-address shim"
LOADGEN=$WORK/loadgen
cc -O2 -o "$WORK/floor" "$BENCH/floor.c" || die "cannot build floor"

cat >"$CCONF" <<EOF
[global]
workgroup = WORKGROUP
client min protocol = SMB2_02
cache directory = $WORK/client/cache
lock directory = $WORK/client/lock
state directory = $WORK/client/state
private dir = $WORK/client/private
name resolve order = host
EOF

WG_CONF=$WORK/wg/wgsmb.conf
wg_conf "$WG_CONF" WGBENCH "$PORT_WG" "$FS/wg" "edition = server" \
	${WG_LOOP_PRIORITY:+"loop priority = $WG_LOOP_PRIORITY"}
wg_add_user "$WG_CONF" "$USER_NAME" "$USER_PASS"

SB_CONF=$WORK/sb/smb.conf
sb_conf "$SB_CONF" SBBENCH "$PORT_SB" "$FS/samba"
sb_add_user "$SB_CONF" "$USER_NAME" "$USER_PASS"

# ---------------------------------------------------------------- servers

NICE=()
[ -n "${BENCH_NICE:-}" ] && NICE=(nice -n "$BENCH_NICE")

# The daemons get the highest fd limit we may set: 10,000 sessions need
# 10,000 sockets in wgsmbd.
start_wg() {
	start_daemon WG_PID "$PORT_WG" wgsmbd "$WORK/wg/log" "$(ulimit -Hn)" \
		"${NICE[@]}" "$WGSMBD" -F -c "$WG_CONF"
}

start_sb() {
	start_daemon SB_PID "$PORT_SB" "Samba smbd" "$WORK/sb/out" "$(ulimit -Hn)" \
		"${NICE[@]}" /usr/sbin/smbd -F -s "$SB_CONF"
	sleep 1		# smbd-notifyd, smbd-cleanupd
	SB_IDLE_NPROC=$("$PY" "$BENCH/proctree.py" nproc "$SB_PID")
}

restart() {	# wg|samba: a fresh server (clean heap, no old children)
	if [ "$1" = wg ]; then
		stop_pid "$WG_PID"; WG_PID=; start_wg
	else
		stop_pid "$SB_PID"; SB_PID=
		# Samba's children of the old server may still be exiting
		sleep 0.5
		start_sb
	fi
}

pid_of() { [ "$1" = wg ] && echo "$WG_PID" || echo "$SB_PID"; }
port_of() { [ "$1" = wg ] && echo "$PORT_WG" || echo "$PORT_SB"; }
dir_of() { [ "$1" = wg ] && echo "$FS/wg" || echo "$FS/samba"; }

# Wait until Samba's per-connection children have exited and been reaped,
# so that their CPU time is in the parent's cutime/cstime.
settle() {
	local i n
	if [ "$1" = wg ]; then
		sleep 0.2
		return 0
	fi
	for i in $(seq 1 150); do
		n=$("$PY" "$BENCH/proctree.py" nproc "$SB_PID")
		[ "$n" -le "$SB_IDLE_NPROC" ] && return 0
		sleep 0.2
	done
	log "Samba still has $n processes (idle: $SB_IDLE_NPROC)"
}

# ---------------------------------------------------------------- sampling

# /proc/stat "cpu" line: TOTAL BUSY STEAL IRQ (jiffies, all CPUs; IRQ is
# irq + softirq, part of BUSY)
sys_cpu() {
	local _c u n s i w q sq st rest
	read -r _c u n s i w q sq st rest </proc/stat
	SYS_TOTAL=$((u + n + s + i + w + q + sq + st))
	SYS_BUSY=$((u + n + s + q + sq))
	SYS_STEAL=$st
	SYS_IRQ=$((q + sq))
}

# CPU of this script's reaped children (the clients): cutime + cstime.
self_cpu() {
	local line f
	read -r line </proc/$$/stat
	line=${line##*) }
	read -r -a f <<<"$line"
	SELF_CPU=$((f[13] + f[14]))
}

# measure_begin SERVER / measure_end SERVER: sample steal, the server's
# CPU and the other load around a run. measure_end sets M_SRV_TICKS,
# M_STEAL, M_OTHER and M_WALL.
measure_begin() {
	M_PID=$(pid_of "$1")
	M_S0=$("$PY" "$BENCH/proctree.py" cpu "$M_PID")
	self_cpu; M_C0=$SELF_CPU
	sys_cpu; M_T0=$SYS_TOTAL; M_B0=$SYS_BUSY; M_ST0=$SYS_STEAL
	M_W0=$(date +%s%N)
}

measure_end() {
	local w1 s1
	w1=$(date +%s%N)
	M_WALL=$(awk -v ns="$((w1 - M_W0))" 'BEGIN { printf "%.6f", ns / 1e9 }')
	settle "$1"
	sys_cpu
	self_cpu
	s1=$("$PY" "$BENCH/proctree.py" cpu "$M_PID")
	M_SRV_TICKS=$((s1 - M_S0))
	local dt=$((SYS_TOTAL - M_T0)) db=$((SYS_BUSY - M_B0))
	local dst=$((SYS_STEAL - M_ST0)) dc=$((SELF_CPU - M_C0))
	[ "$dt" -gt 0 ] || dt=1
	M_STEAL=$(awk -v a="$dst" -v b="$dt" 'BEGIN { printf "%.1f", 100 * a / b }')
	M_OTHER=$(awk -v a="$((db - M_SRV_TICKS - dc))" -v b="$dt" \
		'BEGIN { if (a < 0) a = 0; printf "%.1f", 100 * a / b }')
}

# run_measured SERVER OUTFILE CMD...: run CMD between measure_begin and
# measure_end. Sets what measure_end sets, M_RC, and from samples taken
# right before and after CMD (builtins only, so nothing else we start is
# in them): M_CLI_TICKS, the CPU of CMD and its descendants (the shell's
# cutime + cstime once CMD is reaped), and M_IDLE, the machine's idle
# share over CMD's run (% of all CPUs; iowait counts as idle).
run_measured() {
	local srv=$1 out=$2 c0 dt
	shift 2
	M_RC=0
	measure_begin "$srv"
	self_cpu; c0=$SELF_CPU
	"${NICE[@]}" "$@" >"$out" 2>&1 || M_RC=$?
	self_cpu; M_CLI_TICKS=$((SELF_CPU - c0))
	sys_cpu; dt=$((SYS_TOTAL - M_T0))
	M_IDLE=$(awk -v t="$dt" -v b="$((SYS_BUSY - M_B0))" -v s="$((SYS_STEAL - M_ST0))" \
		'BEGIN { if (t > 0) printf "%.1f", 100 * (t - b - s) / t }')
	measure_end "$srv"
	if [ "$M_RC" -ne 0 ]; then
		log "$srv: '$*' failed (status $M_RC):"
		tail -n 5 "$out" | sed 's/^/#   /' >&2
	fi
}

# record METRIC SERVER ROUND VALUE
record_if() {	# as record, if VALUE is not empty
	[ -n "$4" ] && record "$@"
	return 0
}

record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${M_STEAL-}" \
		"${M_OTHER-}" >>"$RESULTS"
}

# record_cpu METRIC SERVER ROUND UNITS SCALE: the server's CPU seconds per
# unit of work times SCALE (from the last run_measured), and its CPU use
# in % of one CPU over the run's wall time.
record_cpu() {
	record "cpu_$1" "$2" "$3" "$(awk -v t="$M_SRV_TICKS" -v hz="$TICKS" -v n="$4" \
		-v k="$5" 'BEGIN { if (n > 0) printf "%.4f", k * t / hz / n }')"
	record "util_$1" "$2" "$3" "$(awk -v t="$M_SRV_TICKS" -v hz="$TICKS" -v w="$M_WALL" \
		'BEGIN { if (w > 0) printf "%.1f", 100 * t / hz / w }')"
}

field() {	# KEY FILE: value of KEY=... on the RESULT line
	sed -n "s/^RESULT .*[ ]$1=\([^ ]*\).*/\1/p" "$2" | tail -n 1
}

LG_COMMON=()
lg_args() {	# SERVER
	LG_COMMON=(-p "$(port_of "$1")" -s "$CCONF" -S bench -U "$USER_NAME%$USER_PASS")
}

# ---------------------------------------------------------------- benchmarks

bench_cycles() {	# SERVER ROUND
	local out=$WORK/out.cycles.$1.$2 n rate
	lg_args "$1"
	run_measured "$1" "$out" "$LOADGEN" "${LG_COMMON[@]}" -t "$CYCLE_SECS" \
		-j "$CYCLE_JOBS" cycles 100000000
	n=$(field count "$out")
	rate=$(field rate "$out")
	[ -n "$n" ] && [ "$n" -gt 0 ] || return 0
	record cycles "$1" "$2" "$rate"
	record_cpu cycles "$1" "$2" "$n" 1000	# ms per cycle
}

# hold_sessions SERVER TOTAL PROCS SHIM(0|1): start loadgen holders, wait
# until every one is READY; sets HELD and FAILED.
hold_sessions() {
	local srv=$1 total=$2 procs=$3 shim=$4 i per f ready h fl
	local env_pre=()
	lg_args "$srv"
	HOLDERS=()
	for i in $(seq 0 $((procs - 1))); do
		per=$((total / procs + (i < total % procs ? 1 : 0)))
		f=$WORK/hold.$srv.$i
		: >"$f"
		env_pre=()
		[ "$shim" = 1 ] && env_pre=(env LD_PRELOAD="$WORK/bindaddr.so"
			WG_BIND_ADDR="127.0.0.$((11 + i))")
		"${env_pre[@]}" "${NICE[@]}" "$LOADGEN" "${LG_COMMON[@]}" hold "$per" >"$f" 2>&1 &
		HOLDERS+=($!)
	done
	for i in $(seq 1 $((HOLD_TIMEOUT * 5))); do
		ready=0
		for f in "$WORK/hold.$srv".*; do
			grep -q '^READY' "$f" && ready=$((ready + 1))
		done
		[ "$ready" -ge "$procs" ] && break
		sleep 0.2
	done
	HELD=0
	FAILED=0
	for f in "$WORK/hold.$srv".*; do
		h=$(sed -n 's/^READY held=\([0-9]*\).*/\1/p' "$f")
		fl=$(sed -n 's/^READY .*failed=\([0-9]*\).*/\1/p' "$f")
		HELD=$((HELD + ${h:-0}))
		FAILED=$((FAILED + ${fl:-0}))
		grep -v '^READY' "$f" | head -n 3 | sed "s/^/#   $srv holder: /" >&2
	done
	[ "$ready" -ge "$procs" ] || log "$srv: only $ready of $procs holders ready after ${HOLD_TIMEOUT}s"
}

release_sessions() {
	local p
	for p in "${HOLDERS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${HOLDERS[@]}"; do
		wait "$p" 2>/dev/null
	done
	HOLDERS=()
	rm -f "$WORK"/hold.*
}

bench_hold() {	# SERVER ROUND: memory per idle session + tree connect
	local srv=$1 pid idle held_pss t0 st0
	restart "$srv"
	pid=$(pid_of "$srv")
	sleep 0.5
	idle=$("$PY" "$BENCH/proctree.py" pss "$pid")
	sys_cpu; t0=$SYS_TOTAL; st0=$SYS_STEAL
	HOLD_TIMEOUT=300 hold_sessions "$srv" "$HOLD_K" "$HOLD_PROCS" 0
	sleep 1
	held_pss=$("$PY" "$BENCH/proctree.py" pss "$pid")
	sys_cpu
	M_STEAL=$(awk -v a="$((SYS_STEAL - st0))" -v b="$((SYS_TOTAL - t0))" \
		'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
	M_OTHER=
	release_sessions
	settle "$srv"
	log "$srv: idle PSS ${idle} KiB, with $HELD sessions ${held_pss} KiB ($FAILED failed)"
	[ "$HELD" -gt 0 ] || return 0
	record mem_session "$srv" "$2" "$(awk -v a="$held_pss" -v b="$idle" -v n="$HELD" \
		'BEGIN { printf "%.2f", (a - b) / n }')"
	record mem_idle "$srv" "$2" "$idle"
}

bench_ops() {	# SERVER ROUND MODE(openclose|stat)
	local out=$WORK/out.$3.$1.$2 rate
	lg_args "$1"
	run_measured "$1" "$out" "$LOADGEN" "${LG_COMMON[@]}" -t "$OPS_SECS" "$3" 100000000
	rate=$(field rate "$out")
	[ -n "$rate" ] && [ "$(field count "$out")" -gt 0 ] || return 0
	record "$3" "$1" "$2" "$rate"
	record_cpu "$3" "$1" "$2" "$(field count "$out")" 1000000	# us per op
	if [ "$1" = wg ]; then
		think_of "$3" 3 "$(field count "$out")"
	fi
}

# The kernel's floor of a per-request bench (bench/floor.c): a server that
# only does TCP and the fewest file calls, on the same tmpfs, driven as
# loadgen (openclose, stat) or smbtorture (echo, ECHO_PROCS connections)
# drive the real ones; recorded as cpu_MODE in us per op, of server
# "floor" with the client's think time before each request set to what
# the real client spent per request against wgsmbd this round (THINK,
# recorded as think_MODE), and of "floor0" with none (a lower bound: the
# server then often finds work without sleeping).
declare -A THINK
think_of() {	# MODE REQUESTS_PER_OP OPS: the last run's client CPU per request
	THINK[$1]=$(awk -v t="$((SELF_CPU - M_C0))" -v hz="$TICKS" -v n="$3" \
		-v k="$2" 'BEGIN { if (n > 0) printf "%.1f", 1e6 * t / hz / n / k }')
}

bench_floor() {	# ROUND openclose|stat|echo
	local out us secs=$OPS_SECS jobs=1 d srv
	[ "$2" = echo ] && { secs=$ECHO_SECS; jobs=$ECHO_PROCS; }
	for d in 0 "${THINK[$2]:-}"; do
		[ -n "$d" ] || continue
		srv=floor; [ "$d" = 0 ] && srv=floor0
		out=$WORK/out.$srv.$2.$1
		"${NICE[@]}" "$WORK/floor" -m "$2" -j "$jobs" -t "$secs" -r 1 \
			-d "$d" -f "$FS" >"$out" 2>&1 ||
			{ log "floor $2 failed:"; tail -n 3 "$out" >&2; }
		us=$(sed -n 's/^RESULT .*us=\([0-9.]*\).*/\1/p' "$out")
		M_STEAL= M_OTHER=
		[ -n "$us" ] && record "cpu_$2" "$srv" "$1" "$us"
	done
	if [ -n "${THINK[$2]:-}" ]; then
		record "think_$2" floor "$1" "${THINK[$2]}"
	fi
}

bench_lgio() {	# SERVER ROUND write|read
	local out=$WORK/out.lg$3.$1.$2 rate
	lg_args "$1"
	run_measured "$1" "$out" "$LOADGEN" "${LG_COMMON[@]}" "$3" "$IO_BYTES"
	rate=$(field rate "$out")
	if [ "$(field errors "$out")" = 0 ]; then
		record "lg_$3" "$1" "$2" "$rate"
		record_cpu "lg_$3" "$1" "$2" "$IO_BYTES" $((1 << 30))	# s per GiB
	fi
	[ "$3" = read ] && rm -f "$(dir_of "$1")/loadgen-io.dat"
}

# smbclient put/get of the whole file, timed from the outside: the wall
# time of the smbclient process (connect and logon included, a few ms).
# PROTECTION (off|sign|encrypt, default off) is smbclient's
# --client-protection: signed or encrypted transfers are recorded as
# sc_put_sign, sc_get_encrypt, ...
bench_smbclient() {	# SERVER ROUND put|get [PROTECTION]
	local prot=${4:-off} key=sc_$3 out cmd
	[ "$prot" = off ] || key=sc_$3_$prot
	out=$WORK/out.$key.$1.$2
	if [ "$3" = put ]; then
		cmd="put $FS/src.dat put.dat"
	else
		cmd="get get.dat /dev/null"
	fi
	# which server thread, if any, is the bottleneck (bench/threadcpu.py)
	local th=$WORK/threads.$key.$1.$2 tpid
	"$PY" "$BENCH/threadcpu.py" "$th" "$(pid_of "$1")" &
	tpid=$!
	sleep 0.2	# its start-up is not in the transfer
	run_measured "$1" "$out" smbclient "//127.0.0.1/bench" -p "$(port_of "$1")" \
		-s "$CCONF" -U "$USER_NAME%$USER_PASS" \
		--client-protection="$prot" -c "$cmd"
	kill -TERM "$tpid"
	wait "$tpid"
	if [ "$M_RC" = 0 ] && ! grep -q NT_STATUS "$out"; then
		record "$key" "$1" "$2" "$(awk -v b="$IO_BYTES" -v s="$M_WALL" \
			'BEGIN { printf "%.1f", b / 1048576 / s }')"
		record_cpu "$key" "$1" "$2" "$IO_BYTES" $((1 << 30))	# s per GiB
		record_bound "$key" "$1" "$2" "$th"
	fi
	rm -f "$(dir_of "$1")/put.dat"
}

# record_bound KEY SERVER ROUND THREADFILE: what bounds the transfer just
# measured: the client's CPU per GiB (ccpu_) and in % of one CPU (cutil_),
# the machine's idle share (idle_, % of all CPUs), and from
# bench/threadcpu.py the server's busiest thread (stop_, CPUs; stopk_ its
# kind: 1 an event loop, 2 a worker, 0 other) and its loop and worker
# threads together (sloop_, spool_, CPUs).
record_bound() {
	local key=$1 srv=$2 r=$3 line v kind
	record "ccpu_$key" "$srv" "$r" "$(awk -v t="$M_CLI_TICKS" -v hz="$TICKS" \
		-v n="$IO_BYTES" 'BEGIN { printf "%.4f", 1073741824 * t / hz / n }')"
	record "cutil_$key" "$srv" "$r" "$(awk -v t="$M_CLI_TICKS" -v hz="$TICKS" \
		-v w="$M_WALL" 'BEGIN { if (w > 0) printf "%.1f", 100 * t / hz / w }')"
	record_if "idle_$key" "$srv" "$r" "$M_IDLE"
	line=$(cat "$4" 2>/dev/null)
	for v in top loop pool; do
		record_if "s${v}_$key" "$srv" "$r" \
			"$(echo "$line" | sed -n "s/.*\b$v=\([0-9.]*\).*/\1/p")"
	done
	kind=$(echo "$line" | sed -n 's/.*topkind=\([a-z]*\).*/\1/p')
	case $kind in
	loop) record "stopk_$key" "$srv" "$r" 1 ;;
	pool) record "stopk_$key" "$srv" "$r" 2 ;;
	?*) record "stopk_$key" "$srv" "$r" 0 ;;
	esac
	log "$srv: $key $(awk -v b="$IO_BYTES" -v s="$M_WALL" 'BEGIN { printf "%.0f", b / 1048576 / s }') MiB/s; server $(awk -v t="$M_SRV_TICKS" -v hz="$TICKS" -v n="$IO_BYTES" -v w="$M_WALL" 'BEGIN { printf "%.3f s/GiB, %.2f CPU", 1073741824 * t / hz / n, t / hz / w }') ($line); smbclient $(awk -v t="$M_CLI_TICKS" -v hz="$TICKS" -v n="$IO_BYTES" -v w="$M_WALL" 'BEGIN { printf "%.3f s/GiB, %.2f CPU", 1073741824 * t / hz / n, t / hz / w }'); machine ${M_IDLE}% idle"
}

bench_echo() {	# SERVER ROUND
	local out=$WORK/out.echo.$1.$2 rate
	run_measured "$1" "$out" smbtorture "//127.0.0.1/bench" -p "$(port_of "$1")" \
		-s "$CCONF" -U "$USER_NAME%$USER_PASS" \
		--option=torture:timelimit="$ECHO_SECS" \
		--option=torture:nprocs="$ECHO_PROCS" smb2.bench.echo
	# per-second lines "N second: echo[num/s=X,...]", \r-separated
	rate=$(tr '\r' '\n' <"$out" | sed -n 's/.*echo\[num\/s=\([0-9]*\),.*/\1/p' |
		awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n }')
	[ -n "$rate" ] && grep -q '^success: echo' "$out" || return 0
	record echo "$1" "$2" "$rate"
	record_cpu echo "$1" "$2" "$(awk -v r="$rate" -v s="$ECHO_SECS" \
		'BEGIN { printf "%.0f", r * s }')" 1000000	# us per echo
	if [ "$1" = wg ]; then
		think_of echo 1 "$(awk -v r="$rate" -v s="$ECHO_SECS" \
			'BEGIN { printf "%.0f", r * s }')"
	fi
}

# pin_server SERVER N: the server's processes and threads (and so what
# they start later) on CPUs 0..N-1.
pin_server() {
	local p
	for p in $("$PY" "$BENCH/proctree.py" pids "$(pid_of "$1")"); do
		taskset -a -cp "0-$(($2 - 1))" "$p" >/dev/null 2>&1
	done
}

# wg_threads N: a fresh wgsmbd with `server threads = N` (one event loop
# per CPU it is pinned to, or BENCH_WG_THREADS; docs/threads.md), or the
# daemon's default with N empty.
wg_threads() {
	sed -i '/^server threads = /d' "$WG_CONF"
	[ -n "$1" ] && sed -i "0,/^\[global\]\$/s//[global]\nserver threads = $1/" "$WG_CONF"
	restart wg
}

copier_text() {	# MIBS
	[ "$1" -gt 0 ] && echo "copier paced to $1 MiB/s" || echo "copier flat out"
}

# Ten computers at once (issue 16): OFFICE_CLIENTS office computers from
# 127.0.0.2 on, each a loadgen office in a closed loop, and one copier
# (loadgen bulk) from the next address; all start together once every one
# has set up, and run OFFICE_SECS. The server runs on N CPUs (taskset).
# MIBS 0: the copier runs flat out (the issue's workload, tag cN); MIBS > 0:
# it is paced to MIBS MiB/s (tag cNrMIBS), the same bulk work for both
# servers, so that their office rates compare at equal work.
# RATE > 0 (equal offered load, tag cN[rMIBS]e): the office computers
# are paced instead (open loop, loadgen -R), RATE ops/s in all, each
# RATE/OFFICE_CLIENTS; their latencies are recorded from the time each
# operation was due (office_p50_OP ...) and from its actual start
# (office_sp50_OP ...), with how late they started (office_late, _lag,
# _skip).
# Besides the rates and latencies it records how the machine's CPU was
# spent over the run (busy and idle %, and in CPUs: the server, the office
# computers, the copier and the rest), which says what bounds the rate.
# Sets OFFICE_LAST_RATE (office ops/s, empty if the run failed).
bench_office() {	# SERVER ROUND N MIBS [RATE]
	local srv=$1 r=$2 n=$3 mibs=${4:-0} orate=${5:-0} tag=c$3 i p f ready rate line op cnt p50 p99
	local pids=() bindenv pace=() opace=() t1 b1 st1 q1 c1 split busy idle occpu bcpu rest irq
	OFFICE_LAST_RATE=
	[ "$mibs" -gt 0 ] && { tag=c${n}r$mibs; pace=(-r "$mibs"); }
	if [ "$orate" -gt 0 ]; then
		tag=${tag}e
		opace=(-R "$(awk -v t="$orate" -v k="$OFFICE_CLIENTS" \
			'BEGIN { printf "%.4f", t / k }')")
	fi
	[ "$srv" = wg ] && wg_threads "${BENCH_WG_THREADS:-$n}"
	pin_server "$srv" "$n"
	lg_args "$srv"
	rm -f "$WORK"/office.*
	for i in $(seq 1 $((OFFICE_CLIENTS + 1))); do
		bindenv=(env LD_PRELOAD="$WORK/bindaddr.so" WG_BIND_ADDR="127.0.0.$((i + 1))")
		if [ "$i" -le "$OFFICE_CLIENTS" ]; then
			"${bindenv[@]}" "${NICE[@]}" "$LOADGEN" "${LG_COMMON[@]}" \
				-t "$OFFICE_SECS" "${opace[@]}" -L "$WORK/office.lat.$i" office "$i" \
				>"$WORK/office.out.$i" 2>&1 &
		else
			"${bindenv[@]}" "${NICE[@]}" "$LOADGEN" "${LG_COMMON[@]}" \
				-t "$OFFICE_SECS" "${pace[@]}" bulk "$OFFICE_BULK" \
				>"$WORK/office.out.bulk" 2>&1 &
		fi
		pids+=($!)
	done
	# set-up (the first round creates 200 files per computer), up to 300 s
	for i in $(seq 1 1500); do
		ready=$(grep -l '^READY' "$WORK"/office.out.* 2>/dev/null | wc -l)
		[ "$ready" -ge ${#pids[@]} ] && break
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null || break 2
		done
		sleep 0.2
	done
	if [ "$ready" -lt ${#pids[@]} ]; then
		log "$srv: only $ready of ${#pids[@]} office computers set up:"
		cat "$WORK"/office.out.* | grep -v '^READY' | head -n 5 | sed 's/^/#   /' >&2
		kill -TERM "${pids[@]}" 2>/dev/null
		wait "${pids[@]}" 2>/dev/null
		pin_server "$srv" "$(nproc)"
		return 0
	fi
	# wgsmbd's request latency (smbd/loop.h) as the run begins and ends
	[ "$srv" = wg ] && "$WGNET" -c "$WG_CONF" statistics --json \
		>"$WORK/office.stat0.json" 2>/dev/null
	# the scheduler's account of every server thread (bench/schedstat.py)
	"$PY" "$BENCH/schedstat.py" "$WORK/office.sched" "$(pid_of "$srv")" 0.5 &
	local spid=$!
	measure_begin "$srv"
	local q0=$SYS_IRQ
	kill -USR1 "${pids[@]}"
	for p in "${pids[@]}"; do
		wait "$p"
	done
	kill -TERM "$spid"
	wait "$spid"
	[ "$srv" = wg ] && "$WGNET" -c "$WG_CONF" statistics --json \
		>"$WORK/office.stat1.json" 2>/dev/null
	# The machine and our reaped children (the loadgens) now, before
	# measure_end waits for Samba's children to exit (idle time).
	sys_cpu; t1=$SYS_TOTAL; b1=$SYS_BUSY; st1=$SYS_STEAL; q1=$SYS_IRQ
	self_cpu; c1=$SELF_CPU
	measure_end "$srv"
	pin_server "$srv" "$(nproc)"
	[ "$srv" = wg ] && wg_threads ""
	grep -h 'loadgen:' "$WORK"/office.out.* | head -n 3 | sed "s/^/#   $srv office: /" >&2
	rate=$(for f in "$WORK"/office.out.[0-9]*; do field rate "$f"; done |
		awk '{ s += $1 } END { printf "%.1f", s }')
	record "office_ops.$tag" "$srv" "$r" "$rate"
	OFFICE_LAST_RATE=$rate
	[ "$orate" -gt 0 ] && office_paced "$srv" "$r" "$tag" "$orate"
	record "office_err.$tag" "$srv" "$r" "$(for f in "$WORK"/office.out.*; do
		field errors "$f"; done | awk '{ s += $1 } END { print s + 0 }')"
	[ "$(field errors "$WORK/office.out.bulk")" = 0 ] &&
		record "office_bulk.$tag" "$srv" "$r" "$(field rate "$WORK/office.out.bulk")"
	record "office_cpu.$tag" "$srv" "$r" "$(awk -v t="$M_SRV_TICKS" -v hz="$TICKS" \
		-v w="$M_WALL" 'BEGIN { if (w > 0) printf "%.2f", t / hz / w }')"
	# The machine split. busy/idle: % of all NCPU CPUs (/proc/stat; idle
	# includes iowait). The clients' CPU is what each loadgen measured of
	# itself over the run (getrusage from SIGUSR1 on), so their set-up is
	# not in it; the rest is whatever else was busy: other processes, and
	# kernel work charged to no process of ours.
	split=$(awk -v dt="$((t1 - M_T0))" -v db="$((b1 - M_B0))" \
		-v dst="$((st1 - M_ST0))" -v dq="$((q1 - q0))" -v n="$NCPU" -v w="$M_WALL" \
		-v srv="$(awk -v t="$M_SRV_TICKS" -v hz="$TICKS" 'BEGIN { print t / hz }')" \
		-v off="$(for f in "$WORK"/office.out.[0-9]*; do field cpu "$f"; done |
			awk '{ s += $1 } END { print s + 0 }')" \
		-v bulk="$(field cpu "$WORK/office.out.bulk")" \
		'BEGIN { if (dt <= 0 || w <= 0) exit
			busy = 100 * db / dt; idle = 100 * (dt - db - dst) / dt
			rest = busy * n / 100 - (srv + off + bulk) / w
			printf "%.1f %.1f %.2f %.2f %.2f %.2f\n", busy, idle, off / w,
				bulk / w, rest, n * dq / dt }')
	if [ -n "$split" ]; then
		read -r busy idle occpu bcpu rest irq <<<"$split"
		record "office_busy.$tag" "$srv" "$r" "$busy"
		record "office_idle.$tag" "$srv" "$r" "$idle"
		record "office_ccpu.$tag" "$srv" "$r" "$occpu"
		record "office_bcpu.$tag" "$srv" "$r" "$bcpu"
		record "office_rest.$tag" "$srv" "$r" "$rest"
		record "office_irq.$tag" "$srv" "$r" "$irq"
		# self_cpu counts the loadgens once reaped (set-up included):
		# at least what they measured of themselves in the window.
		log "$srv: machine ${busy}% busy, ${idle}% idle; office computers $occpu, copier $bcpu, rest $rest CPUs (irq+softirq $irq); reaped children $(awk -v c="$((c1 - M_C0))" -v hz="$TICKS" -v w="$M_WALL" 'BEGIN { printf "%.2f", c / hz / w }') CPUs (with set-up)"
	fi
	office_rundelay "$srv" "$r" "$tag"
	while read -r op cnt p50 p99; do
		[ "$op" = all ] && continue
		record "office_p50_$op.$tag" "$srv" "$r" "$p50"
		record "office_p99_$op.$tag" "$srv" "$r" "$p99"
	done < <("$PY" "$BENCH/office.py" "$WORK"/office.lat.*)
	if [ "$orate" -gt 0 ]; then
		while read -r op cnt p50 p99; do
			[ "$op" = all ] && continue
			record "office_sp50_$op.$tag" "$srv" "$r" "$p50"
			record "office_sp99_$op.$tag" "$srv" "$r" "$p99"
		done < <("$PY" "$BENCH/office.py" --start "$WORK"/office.lat.*)
	fi
	[ "$srv" = wg ] && office_latency "$r" "$n" "$mibs" "$tag" "$orate"
	if [ "$KEEP" = 1 ]; then	# every run's latency files and outputs
		mkdir -p "$WORK/office.$srv.$tag.$r"
		cp "$WORK"/office.lat.* "$WORK"/office.out.* "$WORK/office.$srv.$tag.$r/" 2>/dev/null
	fi
	log "$srv ($n CPU(s), $(copier_text "$mibs")$(office_text "$orate")): $rate office ops/s, copier $(field rate "$WORK/office.out.bulk") MiB/s, server $(awk -v t="$M_SRV_TICKS" -v hz="$TICKS" -v w="$M_WALL" 'BEGIN { printf "%.2f", t / hz / w }') CPUs"
}

office_text() {	# RATE: how the office computers ran
	[ "$1" -gt 0 ] && echo ", office computers paced to $1 ops/s in all"
}

# The paced office computers' timetable in the run just done: the rate
# offered, how many operations started more than 1 ms after they were
# due (% of those started) and the mean lag (ms), and the slots skipped
# (offered work not done: a computer more than 9 slots behind).
office_paced() {	# SERVER ROUND TAG RATE
	local srv=$1 r=$2 tag=$3 f st=0 late=0 skip=0 lagms=0 v
	record "office_offered.$tag" "$srv" "$r" "$4"
	for f in "$WORK"/office.out.[0-9]*; do
		v=$(field started "$f"); [ -n "$v" ] || continue
		st=$((st + v))
		late=$((late + $(field late "$f")))
		skip=$((skip + $(field skipped "$f")))
		lagms=$(awk -v a="$lagms" -v l="$(field lag "$f")" -v n="$v" \
			'BEGIN { printf "%.3f", a + l * n }')
	done
	[ "$st" -gt 0 ] || return 0
	record "office_late.$tag" "$srv" "$r" "$(awk -v a="$late" -v b="$st" \
		'BEGIN { printf "%.2f", 100 * a / b }')"
	record "office_lag.$tag" "$srv" "$r" "$(awk -v a="$lagms" -v b="$st" \
		'BEGIN { printf "%.3f", a / b }')"
	record "office_skip.$tag" "$srv" "$r" "$skip"
	log "$srv: offered $4 ops/s; $late of $st operations started > 1 ms late, mean lag $(awk -v a="$lagms" -v b="$st" 'BEGIN { printf "%.2f", a / b }') ms, $skip slots skipped"
}

# Run delay (time runnable but waiting for a CPU; schedstat field 2) in
# the office run just done, in ms per second of wall: the server's threads
# (all processes and threads of its tree, bench/schedstat.py), also per
# server CPU-second; the office computers' (summed, also per their
# CPU-second) and the copier's, as each loadgen measured itself.
office_rundelay() {	# SERVER ROUND TAG
	local srv=$1 r=$2 tag=$3 line wall cpu delay off offcpu bulk
	line=$(cat "$WORK/office.sched" 2>/dev/null)
	wall=$(echo "$line" | sed -n 's/.*wall=\([^ ]*\).*/\1/p')
	cpu=$(echo "$line" | sed -n 's/.*cpu=\([^ ]*\).*/\1/p')
	delay=$(echo "$line" | sed -n 's/.*delay=\([^ ]*\).*/\1/p')
	off=$(for f in "$WORK"/office.out.[0-9]*; do field delay "$f"; done |
		awk '{ s += $1 } END { print s + 0 }')
	offcpu=$(for f in "$WORK"/office.out.[0-9]*; do field cpu "$f"; done |
		awk '{ s += $1 } END { print s + 0 }')
	bulk=$(field delay "$WORK/office.out.bulk")
	if [ -n "$delay" ]; then
		record_if "office_srd.$tag" "$srv" "$r" "$(awk -v d="$delay" -v w="$wall" \
			'BEGIN { if (w > 0) printf "%.1f", 1000 * d / w }')"
		record_if "office_srdc.$tag" "$srv" "$r" "$(awk -v d="$delay" -v c="$cpu" \
			'BEGIN { if (c > 0) printf "%.1f", 1000 * d / c }')"
	fi
	record_if "office_crd.$tag" "$srv" "$r" "$(awk -v d="$off" -v w="$M_WALL" \
		'BEGIN { if (w > 0) printf "%.1f", 1000 * d / w }')"
	record_if "office_crdc.$tag" "$srv" "$r" "$(awk -v d="$off" -v c="$offcpu" \
		'BEGIN { if (c > 0) printf "%.1f", 1000 * d / c }')"
	[ -n "$bulk" ] && record_if "office_brd.$tag" "$srv" "$r" "$(awk -v d="$bulk" \
		-v w="$M_WALL" 'BEGIN { if (w > 0) printf "%.1f", 1000 * d / w }')"
	log "$srv: run delay: server $(awk -v d="${delay:-0}" -v w="${wall:-0}" 'BEGIN { if (w > 0) printf "%.0f", 1000 * d / w }') ms/s ($line), office computers $(awk -v d="$off" -v w="$M_WALL" 'BEGIN { printf "%.0f", 1000 * d / w }') ms/s, copier $(awk -v d="${bulk:-0}" -v w="$M_WALL" 'BEGIN { printf "%.0f", 1000 * d / w }') ms/s"
}

# Where wgsmbd's requests spent their time in the office run just done
# (bench/latency.py): each figure recorded, the table kept for the report.
office_latency() {	# ROUND N MIBS TAG [RATE]
	local key val
	[ -s "$WORK/office.stat0.json" ] && [ -s "$WORK/office.stat1.json" ] || return 0
	"$PY" "$BENCH/latency.py" "$WORK/office.stat0.json" "$WORK/office.stat1.json" \
		"$M_WALL" "round $1, server on $2 CPU(s), $(copier_text "$3")$(office_text "${5:-0}")" \
		>"$WORK/office.breakdown.out" || return 0
	while read -r _ key val; do
		record "office_$key.$4" wg "$1" "$val"
	done < <(grep '^RECORD ' "$WORK/office.breakdown.out")
	grep -v '^RECORD ' "$WORK/office.breakdown.out" >>"$WORK/latency.md"
	grep -v '^RECORD ' "$WORK/office.breakdown.out" | grep '^|' | sed 's/^/#   /' >&2
}

bench_ceiling() {	# ROUND: loopback TCP (iperf3) and tmpfs read (dd)
	local out=$WORK/out.iperf.$1 ip rate pid
	iperf3 -s -1 -B 127.0.0.1 -p "$IPERF_PORT" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 50); do listening "$IPERF_PORT" && break; sleep 0.1; done
	M_SRV_TICKS=0
	sys_cpu; local t0=$SYS_TOTAL st0=$SYS_STEAL
	iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t "$IPERF_SECS" -J >"$out" 2>&1
	wait "$pid" 2>/dev/null
	sys_cpu
	M_STEAL=$(awk -v a="$((SYS_STEAL - st0))" -v b="$((SYS_TOTAL - t0))" \
		'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
	M_OTHER=
	ip=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 8 / 1048576))' "$out" 2>/dev/null)
	[ -n "$ip" ] && record ceil_tcp ceiling "$1" "$ip"
	sys_cpu; t0=$SYS_TOTAL; st0=$SYS_STEAL
	rate=$(dd if="$FS/src.dat" of=/dev/null bs=1M 2>&1 |
		awk '/copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) s = $(i - 1);
			b = $1 } END { if (s > 0) printf "%.1f", b / 1048576 / s }')
	sys_cpu
	M_STEAL=$(awk -v a="$((SYS_STEAL - st0))" -v b="$((SYS_TOTAL - t0))" \
		'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
	[ -n "$rate" ] && record ceil_tmpfs ceiling "$1" "$rate"
}

bench_big() {	# BIG_K idle sessions in one wgsmbd (edition = server)
	local pid rss pss fds
	restart wg
	pid=$WG_PID
	# Each session needs its socket, and wgsmbd may hold more per tree
	# connect: say what the daemon may open.
	local nofile
	nofile=$(awk '/^Max open files/ { print $4 }' "/proc/$pid/limits")
	log "wg: daemon fd limit $nofile; opening $BIG_K sessions from $BIG_PROCS loadgen processes (127.0.0.11...)"
	sys_cpu; local t0=$SYS_TOTAL st0=$SYS_STEAL
	local ts0; ts0=$(date +%s)
	HOLD_TIMEOUT=900 hold_sessions wg "$BIG_K" "$BIG_PROCS" 1
	local secs=$(($(date +%s) - ts0))
	sleep 1
	sys_cpu
	M_STEAL=$(awk -v a="$((SYS_STEAL - st0))" -v b="$((SYS_TOTAL - t0))" \
		'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
	M_OTHER=
	rss=$("$PY" "$BENCH/proctree.py" rss "$pid")
	pss=$("$PY" "$BENCH/proctree.py" pss "$pid")
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	kill -0 "$pid" 2>/dev/null || log "wgsmbd died during the $BIG_K-session hold"
	log "wg: held $HELD sessions ($FAILED failed) in ${secs}s: RSS ${rss} KiB, PSS ${pss} KiB, $fds fds"
	record big_held wg 1 "$HELD"
	record big_rss wg 1 "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
	record big_want wg 1 "$BIG_K"
	record big_fds wg 1 "$fds"
	record big_nofile wg 1 "$nofile"
	release_sessions
}

# ---------------------------------------------------------------- main

log "wgsmbd $WGSMBD on port $PORT_WG, Samba $(/usr/sbin/smbd -V) on port $PORT_SB"
log "tmpfs $FS; rounds $ROUNDS; $( [ "$QUICK" = 1 ] && echo quick || echo full) run"
start_wg
start_sb
T_START=$(date +%s)

for r in $(seq 1 "$ROUNDS"); do
	if [ "$DO_OFFICE" = 1 ]; then
		for c in ${OFFICE_CPUS//,/ }; do
			# the issue's workload (copier flat out), then the
			# copier paced: the same bulk work for both servers
			SB_OFFICE_RATE=
			for m in 0 $( [ "$COPIER_MIBS" -gt 0 ] && echo "$COPIER_MIBS"); do
				for s in wg samba; do
					log "round $r: ten computers, server on $c CPUs, $(copier_text "$m"), $s"
					bench_office "$s" "$r" "$c" "$m"
					[ "$s" = samba ] && SB_OFFICE_RATE=$OFFICE_LAST_RATE
				done
			done
			# equal offered load, round 1 only: both servers get
			# the same paced office computers (EQUAL_PCT% of
			# Samba's closed-loop rate just measured, the copier
			# as in the last runs, or --office-rate)
			[ "$EQUAL_LOAD" = 1 ] && [ "$r" = 1 ] || continue
			orate=${OFFICE_RATE:-$(awk -v x="${SB_OFFICE_RATE:-0}" \
				-v p="$EQUAL_PCT" 'BEGIN { printf "%.0f", x * p / 100 }')}
			if [ "$orate" -le 0 ]; then
				log "round $r: no Samba office rate on $c CPUs: no equal-load run"
				continue
			fi
			for s in wg samba; do
				log "round $r: ten computers, server on $c CPUs, $(copier_text "$COPIER_MIBS")$(office_text "$orate"), $s"
				bench_office "$s" "$r" "$c" "$COPIER_MIBS" "$orate"
			done
		done
	fi
	[ "$ONLY_OFFICE" = 1 ] && continue
	if [ "$ONLY_CYCLES" = 1 ]; then
		for s in wg samba; do log "round $r: cycles $s"; bench_cycles "$s" "$r"; done
		continue
	fi
	if [ "$ONLY_PUT" = 1 ]; then
		for p in off sign encrypt; do
			for s in wg samba; do log "round $r: smbclient put ($p) $s"; bench_smbclient "$s" "$r" put "$p"; done
		done
		continue
	fi
	if [ "$ONLY_OPS" = 1 ]; then
		for s in wg samba; do log "round $r: openclose $s"; bench_ops "$s" "$r" openclose; done
		for s in wg samba; do log "round $r: stat $s"; bench_ops "$s" "$r" stat; done
		for s in wg samba; do log "round $r: echo $s"; bench_echo "$s" "$r"; done
		for m in openclose stat echo; do log "round $r: floor $m"; bench_floor "$r" "$m"; done
		continue
	fi
	log "round $r/$ROUNDS: ceilings"
	bench_ceiling "$r"
	for s in wg samba; do log "round $r: cycles $s"; bench_cycles "$s" "$r"; done
	for s in wg samba; do log "round $r: hold $HOLD_K $s"; bench_hold "$s" "$r"; done
	for s in wg samba; do log "round $r: openclose $s"; bench_ops "$s" "$r" openclose; done
	for s in wg samba; do log "round $r: stat $s"; bench_ops "$s" "$r" stat; done
	for s in wg samba; do log "round $r: loadgen write $s"; bench_lgio "$s" "$r" write; done
	for s in wg samba; do log "round $r: loadgen read $s"; bench_lgio "$s" "$r" read; done
	for s in wg samba; do log "round $r: smbclient put $s"; bench_smbclient "$s" "$r" put; done
	for s in wg samba; do log "round $r: smbclient get $s"; bench_smbclient "$s" "$r" get; done
	for p in sign encrypt; do
		for s in wg samba; do log "round $r: smbclient put ($p) $s"; bench_smbclient "$s" "$r" put "$p"; done
		for s in wg samba; do log "round $r: smbclient get ($p) $s"; bench_smbclient "$s" "$r" get "$p"; done
	done
	for s in wg samba; do log "round $r: echo $s"; bench_echo "$s" "$r"; done
	for m in openclose stat echo; do log "round $r: floor $m"; bench_floor "$r" "$m"; done
done
[ "$DO_10K" = 1 ] && bench_big

stop_pid "$WG_PID"; WG_PID=
stop_pid "$SB_PID"; SB_PID=
T_END=$(date +%s)

{
	echo "<!-- bench/run.sh $( [ "$QUICK" = 1 ] && echo --quick ) --rounds $ROUNDS;" \
		"$(date -u +%Y-%m-%dT%H:%MZ); $(nproc) CPUs; $((T_END - T_START)) s;" \
		"wgsmbd $WGSMBD (${WGSMB_REV:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null)})," \
		"Samba $(/usr/sbin/smbd -V | sed 's/^Version //');" \
		"BENCH_NICE=${BENCH_NICE:-none};" \
		"wgsmbd loop priority ${WG_LOOP_PRIORITY:-0} -->"
	"$PY" "$BENCH/report.py" "$RESULTS" --hold "$HOLD_K" --big "$BIG_K" \
		--io "$IO_BYTES" --cycle-jobs "$CYCLE_JOBS" --echo-procs "$ECHO_PROCS" \
		--office-secs "$OFFICE_SECS" --office-clients "$OFFICE_CLIENTS" \
		--office-bulk "$OFFICE_BULK" --ncpu "$NCPU"
	if [ -s "$WORK/latency.md" ]; then
		echo
		echo "### wgsmbd request latency in the office runs (bench/latency.py)"
		cat "$WORK/latency.md"
	fi
} >"$WORK/report.md"
cat "$WORK/report.md"
if [ -n "$OUT" ]; then
	cp "$WORK/report.md" "$OUT"
	cp "$RESULTS" "${OUT%.md}.tsv"
fi
