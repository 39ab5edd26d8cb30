#!/bin/bash
#
# bench/hol.sh - head-of-line blocking: one computer (127.0.0.2) copies a
# large file with smbclient, encryption or signing required, while another
# computer (127.0.0.3) runs small requests (bench/hol_small.py: a stat,
# i.e. CREATE+CLOSE, and an ECHO, 2 ms apart). Per phase (idle: no copy;
# get: the copier reads the file again and again; put: it writes it): the
# small requests' p50/p99 (us), the copier's MiB/s, the server's CPU
# (all threads, and the event-loop thread alone) over the phase.
#
# Usage (as root; Debian 12 with smbclient):
#   bench/hol.sh [--mode encrypt|sign|plain] [--secs S] [--size MIB]
# Defaults: encrypt, 15 s per phase, a 256 MiB file. WGSMBD (default
# build/wgsmbd) is the server under test.
#
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
. "$BENCH/lib.sh"
WGSMBD=${WGSMBD:-$ROOT/build/wgsmbd}
WGNET=${WGNET:-$(dirname "$WGSMBD")/wgnet}
PY=/usr/bin/python3
MODE=encrypt
SECS=15
SIZE=256
USER_NAME=wgbench
USER_PASS='B3nch!pw'

while [ $# -gt 0 ]; do
	case $1 in
	--mode) MODE=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--size) SIZE=$2; shift ;;
	-h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
	shift
done
case $MODE in
encrypt) OPT='client smb encrypt=required' ;;
sign) OPT='client signing=required' ;;
plain) OPT='client signing=disabled' ;;
*) die "--mode encrypt|sign|plain" ;;
esac

WORK=$(make_dir /tmp/wghol.XXXXXX)
WG_PID=
cleanup() {
	kill_daemons "$WG_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
mkdir -p "$WORK/share" "$WORK/wg"
head -c $((SIZE * 1024 * 1024)) /dev/urandom >"$WORK/share/big.bin"
echo hello >"$WORK/share/small.txt"
chmod -R a+rwX "$WORK/share"
cc -shared -fPIC -o "$WORK/bindaddr.so" "$ROOT/tests/shim/bindaddr.c" -ldl ||
	die "cannot build the bindaddr shim"
CONF=$WORK/wg/wgsmb.conf
wg_conf "$CONF" WGHOL "$PORT" "$WORK/share" "edition = workstation"
wg_add_user "$CONF" "$USER_NAME" "$USER_PASS"
cat >"$WORK/client.conf" <<-EOF
	[global]
	client min protocol = SMB3_11
EOF
start_daemon WG_PID "$PORT" wgsmbd "$WORK/wg/log" 65536 "$WGSMBD" -F -c "$CONF"

ticks() {	# PID [TID]: utime+stime of the process (or one thread)
	local f=/proc/$1/stat
	[ $# -gt 1 ] && f=/proc/$1/task/$2/stat
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$f"
}

copier() {	# get|put: copy again and again until $WORK/stop exists
	local n=0 cmd
	if [ "$1" = get ]; then
		cmd="get big.bin /dev/null"
	else
		cmd="put $WORK/share/big.bin up.bin"
	fi
	while [ ! -e "$WORK/stop" ]; do
		WG_BIND_ADDR=127.0.0.2 LD_PRELOAD=$WORK/bindaddr.so \
			smbclient //127.0.0.1/bench -p "$PORT" -s "$WORK/client.conf" \
			-U "$USER_NAME%$USER_PASS" --option="$OPT" -c "$cmd" \
			>/dev/null 2>&1 || { echo "copier failed" >&2; break; }
		n=$((n + 1))
	done
	echo "$n" >"$WORK/copies"
}

pct() {	# FILE KIND P: the P-th percentile of KIND's values
	awk -v k="$2" '$1 == k { print $2 }' "$1" | sort -n |
		awk -v p="$3" '{ v[NR] = $1 } END {
			i = int(NR * p / 100 + 0.5); if (i < 1) i = 1
			if (NR) print v[i]; else print "-" }'
}

hz=$(getconf CLK_TCK)
printf '| phase (%s) | stat p50 / p99 (us) | echo p50 / p99 (us) | copier MiB/s | server CPU | loop thread CPU |\n' "$MODE"
printf '|---|---|---|---|---|---|\n'
for phase in idle get put; do
	rm -f "$WORK/stop" "$WORK/copies"
	cpid=
	[ "$phase" = idle ] || { copier "$phase" & cpid=$!; sleep 1; }
	t0=$(date +%s.%N)
	c0=$(ticks "$WG_PID")
	l0=$(ticks "$WG_PID" "$WG_PID")
	"$PY" "$BENCH/hol_small.py" "$PORT" 127.0.0.3 "$SECS" "$USER_NAME" \
		"$USER_PASS" bench "$WORK/$phase.lat" >&2 || log "small client failed"
	c1=$(ticks "$WG_PID")
	l1=$(ticks "$WG_PID" "$WG_PID")
	t1=$(date +%s.%N)
	touch "$WORK/stop"
	[ -z "$cpid" ] || wait "$cpid"
	copies=$(cat "$WORK/copies" 2>/dev/null || echo 0)
	wall=$(echo "$t1 - $t0" | bc -l)
	rate=-
	[ "$phase" = idle ] ||
		rate=$(echo "$copies * $SIZE / ($wall + 1)" | bc -l | xargs printf '%.0f')
	printf '| %s | %s / %s | %s / %s | %s | %.2f | %.2f |\n' "$phase" \
		"$(pct "$WORK/$phase.lat" stat 50)" "$(pct "$WORK/$phase.lat" stat 99)" \
		"$(pct "$WORK/$phase.lat" echo 50)" "$(pct "$WORK/$phase.lat" echo 99)" \
		"$rate" "$(echo "($c1 - $c0) / $hz / $wall" | bc -l)" \
		"$(echo "($l1 - $l0) / $hz / $wall" | bc -l)"
done
