#!/bin/bash
#
# bench/profile.sh - where wgsmbd spends its time under one bench workload.
#
# Usage (as root):
#   bench/profile.sh [--tool callgrind|perf|strace|cpu] WORKLOAD...
#   WORKLOAD: cycles stat openclose echo read write put get
#
#   callgrind  user-space instructions (valgrind; exact, call paths, no
#              kernel). Valgrind 3.19 does not know openat2(2), so the daemon
#              runs with bench/vg_openat2.c preloaded (lookups then are not
#              confined beneath the share root: profiling only).
#   perf       perf record -e cpu-clock --call-graph dwarf on the daemon: user and
#              kernel, then the same split by kind of work (scheduler,
#              TCP, epoll, VFS, futex, xattr, user: bench/perf_groups.py).
#              cpu-clock because VMs often have no hardware counters
#              (check: perf stat -e instructions true); on a VM, time spent
#              with interrupts off lands on finish_task_switch and
#              _raw_spin_unlock_irqrestore. PERF_FREQ (default 1000 Hz)
#              and PERF_CG (default dwarf,16384; fp is cheaper and enough
#              for the kernel's stacks) tune it.
#   strace     strace -c -f: system calls per workload (STRACE_LIST=1:
#              each call, timestamped, the last 200 shown).
#   cpu        the daemon's user and system CPU over the workload (from
#              /proc/PID/stat, no tracer attached) and its RESULT line:
#              divide by the count for the cost per unit.
# THREADS=N|auto sets the daemon's "server threads" (default auto).
# Output goes to stdout; the raw profiles stay in the work directory with
# --keep.
#
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WGSMBD=${WGSMBD:-$ROOT/build/wgsmbd}
# the daemon's dedicated account (it refuses nobody)
. "$ROOT/scripts/account.sh"
RUN_AS=$(wgsmb_account) || exit 1
WGNET=${WGNET:-$(dirname "$WGSMBD")/wgnet}
TOOL=callgrind
KEEP=0
WORKLOADS=()
while [ $# -gt 0 ]; do
	case $1 in
	--tool) TOOL=$2; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) WORKLOADS+=("$1") ;;
	esac
	shift
done
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(cycles stat echo read write)
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -x "$WGSMBD" ] || { echo "$WGSMBD is not built" >&2; exit 1; }

WORK=$(mktemp -d /tmp/wgprof.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/fs"
mount -t tmpfs -o size=2g,mode=755 wgprof "$WORK/fs" || exit 1
PID=
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	umount "$WORK/fs" 2>/dev/null || umount -l "$WORK/fs"
	if [ "$KEEP" = 1 ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a port below the usual ephemeral range, not in use now
for _ in $(seq 1 100); do
	PORT=$((20000 + RANDOM % 10000))
	awk -v p=":$(printf '%04X' "$PORT")\$" '$2 ~ p { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 || break
done
SHARE=$WORK/fs/share
mkdir -p "$SHARE" "$WORK/state" "$WORK/out" "$WORK/client"/{cache,lock,state,private,home}
chmod 777 "$SHARE" "$WORK/out"
export HOME=$WORK/client/home
dd if=/dev/zero of="$WORK/fs/src.dat" bs=1M count=256 status=none
chmod 644 "$WORK/fs/src.dat"
ln "$WORK/fs/src.dat" "$SHARE/get.dat"
# what "read" reads (a copy: "write" truncates it)
cp "$WORK/fs/src.dat" "$SHARE/loadgen-io.dat"
chmod 666 "$SHARE/loadgen-io.dat"
cat >"$WORK/wgsmb.conf" <<EOF
[global]
listen addresses = 127.0.0.1
smb ports = $PORT
users file = $WORK/users
state directory = $WORK/state
run as user = $RUN_AS
log level = 1
edition = server
server threads = ${THREADS:-auto}
[bench]
path = $SHARE
read only = no
EOF
cat >"$WORK/client/smb.conf" <<EOF
[global]
client min protocol = SMB2_02
cache directory = $WORK/client/cache
lock directory = $WORK/client/lock
state directory = $WORK/client/state
private dir = $WORK/client/private
EOF
printf 'bench\n' | "$WGNET" -c "$WORK/wgsmb.conf" user add bench --stdin >/dev/null
cc -O2 -o "$WORK/loadgen" "$ROOT/bench/loadgen.c" $(pkg-config --cflags --libs smbclient) || exit 1
cc -shared -fPIC -O2 -o "$WORK/vg_openat2.so" "$ROOT/bench/vg_openat2.c" -ldl || exit 1
LG=("$WORK/loadgen" -p "$PORT" -s "$WORK/client/smb.conf" -U bench%bench)
SC=(smbclient //127.0.0.1/bench -p "$PORT" -s "$WORK/client/smb.conf" -U bench%bench)

listening() {
	awk -v re="^0100007F:$(printf '%04X' "$PORT")\$" \
		'$4 == "0A" && $2 ~ re { f = 1 } END { exit !f }' /proc/net/tcp
}

start() {	# [callgrind OUTFILE]
	if [ "${1:-}" = callgrind ]; then
		# callgrind opens its output as root and writes it as _wgsmb
		install -o "$RUN_AS" -m 644 /dev/null "$2"
		( ulimit -n "$(ulimit -Hn)"; LD_PRELOAD=$WORK/vg_openat2.so exec valgrind \
			--tool=callgrind --callgrind-out-file="$2" "$WGSMBD" -F \
			-c "$WORK/wgsmb.conf" ) >"$2.log" 2>&1 &
	else
		( ulimit -n "$(ulimit -Hn)"; exec "$WGSMBD" -F -c "$WORK/wgsmb.conf" ) \
			>"$WORK/out/daemon.log" 2>&1 &
	fi
	PID=$!
	for _ in $(seq 1 300); do listening && return 0; sleep 0.1; done
	echo "daemon does not listen" >&2
	exit 1
}

stop() {
	kill -TERM "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
}

# The workloads: shorter under valgrind, which runs ~50x slower.
run_workload() {	# NAME SLOW(0|1)
	local n=$((${2} ? 300 : 3000)) secs=$((${2} ? 3 : 5))
	local io=$((${2} ? 64 : 256))M
	case $1 in
	cycles) "${LG[@]}" -j 2 -t "$secs" cycles "$n" ;;
	stat|openclose) "${LG[@]}" -t "$secs" "$1" $((n * 10)) ;;
	echo) smbtorture //127.0.0.1/bench -p "$PORT" -U bench%bench \
		-s "$WORK/client/smb.conf" --option=torture:timelimit="$secs" \
		--option=torture:progress=no smb2.bench.echo | tail -n 1 ;;
	write) "${LG[@]}" write "$io" ;;
	read) "${LG[@]}" read "$io" ;;
	put) "${SC[@]}" -c "put $WORK/fs/src.dat put.dat" | tail -n 1
		rm -f "$SHARE/put.dat" ;;
	get) "${SC[@]}" -c "get get.dat /dev/null" | tail -n 1 ;;
	*) echo "unknown workload $1" >&2; return 1 ;;
	esac
}

for w in "${WORKLOADS[@]}"; do
	echo "=== $w ($TOOL)"
	case $TOOL in
	callgrind)
		start callgrind "$WORK/out/$w.callgrind"
		run_workload "$w" 1
		stop
		callgrind_annotate --inclusive=yes "$WORK/out/$w.callgrind" |
			grep -E '^ *[0-9,]+ \(' | grep -vE 'below main|libc_start|ld-linux' |
			head -n 40
		echo "--- self"
		callgrind_annotate "$WORK/out/$w.callgrind" | grep -E '^ *[0-9,]+ \(' | head -n 20
		;;
	perf)
		start
		# dwarf unwinding: the release build has no frame pointers
		perf record -e cpu-clock -F "${PERF_FREQ:-1000}" \
			--call-graph "${PERF_CG:-dwarf,16384}" -p "$PID" \
			-o "$WORK/out/$w.perf" >/dev/null 2>&1 &
		local_pp=$!
		sleep 0.5
		run_workload "$w" 0
		kill -INT "$local_pp"; wait "$local_pp"
		stop
		perf report -i "$WORK/out/$w.perf" --children --stdio --sort sym -g none \
			2>/dev/null | grep -E '^ +[0-9]' | grep -v '\] 0x0000' | head -n 60
		echo "--- by kind of work (bench/perf_groups.py)"
		perf script -i "$WORK/out/$w.perf" -F tid,ip,sym,dso 2>/dev/null |
			"$ROOT/bench/perf_groups.py"
		;;
	strace)
		start
		# STRACE_LIST=1: every call, not the counts
		if [ "${STRACE_LIST:-0}" = 1 ]; then st_mode=-tt; else st_mode=-c; fi
		strace "$st_mode" -f -p "$PID" -o "$WORK/out/$w.strace" &
		local_sp=$!
		sleep 1
		run_workload "$w" 0
		sleep 0.5
		kill -INT "$local_sp"; wait "$local_sp"
		stop
		if [ "$st_mode" = -c ]; then
			cat "$WORK/out/$w.strace"
		else
			tail -n 200 "$WORK/out/$w.strace"
		fi
		;;
	cpu)
		start
		read -r -a st0 <"/proc/$PID/stat"
		run_workload "$w" 0
		read -r -a st1 <"/proc/$PID/stat"
		stop
		# fields 14 and 15 (utime, stime) after a comm without spaces
		awk -v u="$((st1[13] - st0[13]))" -v s="$((st1[14] - st0[14]))" \
			-v hz="$(getconf CLK_TCK)" 'BEGIN {
			printf "daemon CPU: user %.3f s, system %.3f s\n",
				u / hz, s / hz }'
		;;
	*) echo "unknown tool $TOOL" >&2; exit 64 ;;
	esac
done
