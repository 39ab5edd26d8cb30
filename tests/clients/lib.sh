# shellcheck shell=bash
#
# lib.sh - shared helpers for the black-box tests that drive wgsmbd with
# real SMB clients. Source it from a test script, then:
#
#   wg_setup            temp dir, free port, config, shares, user alice
#   wg_start            start the daemon, wait until it listens and is ready
#   wg_check DESC CMD   run CMD, record PASS/FAIL (output kept in $WG_OUT)
#   wg_finish           stop the daemon, check its log, print totals, exit
#
# Every check prints one line "PASS: ..." or "FAIL: ..."; run_all.sh counts
# those lines. A test script exits non-zero if any check failed.
#
# Environment:
#   WGSMBD        daemon binary (default build/wgsmbd); CI also runs the
#                 tests against build-asan/wgsmbd
#   WGNET         admin tool used to add the test user (default: next to
#                 WGSMBD); if it fails the users file is written directly
#   WG_RUN_AS     "run as user" for the daemon (default: the current user,
#                 or when that is root, which the daemon refuses, the
#                 dedicated account _wgsmb, made by scripts/account.sh if
#                 missing; never nobody, which the daemon refuses too)
#   WG_LOG_LEVEL  daemon "log level" (default 3; at least 2, notice:
#                 wg_start waits for the daemon's "started" notice)
#   WG_THREADS    daemon "server threads" (event loops; default: the
#                 daemon's own default)
#   WG_HOST       loopback address the server listens on (default 127.0.0.1)
#   WG_KEEP=1     keep the temp dir (config, shares, daemon log)
#   WG_SERVER=samba  run Samba's smbd on the same shares instead, to check
#                 the harness itself (needs the samba package; creates a
#                 system user "alice"). Never used by CI. Samba 4.17 differs
#                 from PROTOCOL.md in three checks, which fail against it:
#                 anonymous SessionFlags (0, not IS_NULL), an SMB1-only
#                 NEGOTIATE (answered in SMB1, not dropped), and
#                 smbtorture smb2.create.open on this setup.

WG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${WGSMBD:=$WG_ROOT/build/wgsmbd}"
: "${WGNET:=$(dirname "$WGSMBD")/wgnet}"
: "${WG_LOG_LEVEL:=3}"
: "${WG_HOST:=127.0.0.1}"
export WG_HOST
: "${WG_SERVER:=wgsmbd}"
export WG_SERVER
if [ -z "${WG_RUN_AS:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		. "$WG_ROOT/scripts/account.sh"
		WG_RUN_AS=$(wgsmb_account _wgsmb) || {
			echo "FAIL: no account _wgsmb to run wgsmbd as"
			exit 1
		}
	else
		WG_RUN_AS=$(id -un)
	fi
fi
# Debian's python3 has impacket; a pyenv python3 earlier on PATH has not.
WG_PY=/usr/bin/python3
WG_USER=alice
WG_PASS='Passw0rd!'
WG_PASSES=0
WG_FAILS=0
WG_SCRIPT_RC=0
WG_PID=
WG_OUT=
WG_TMP=
WG_CLEANUP=()

wg_log() {
	printf '# %s\n' "$*"
}

wg_pass() {
	WG_PASSES=$((WG_PASSES + 1))
	printf 'PASS: %s\n' "$*"
}

wg_fail() {
	WG_FAILS=$((WG_FAILS + 1))
	printf 'FAIL: %s\n' "$*"
}

# Abort the whole test script: setup could not be completed.
wg_die() {
	wg_fail "$*"
	wg_show_log
	exit 1
}

wg_show_log() {
	[ -n "$WG_TMP" ] && [ -s "$WG_TMP/server.log" ] || return 0
	echo "---- last 50 lines of the server log ($WG_SERVER) ----"
	tail -n 50 "$WG_TMP/server.log"
	echo "---- end of server log ----"
}

# wg_check DESC CMD... : run CMD (an executable, not a shell function;
# stdin from /dev/null; killed after WG_TIMEOUT, default 60 s); PASS if it
# exits 0. The combined output is left in $WG_OUT and shown on FAIL.
wg_check() {
	local desc=$1 rc=0
	shift
	WG_OUT=$(timeout "${WG_TIMEOUT:-60}" "$@" </dev/null 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		wg_pass "$desc"
		return 0
	fi
	wg_fail "$desc (exit $rc)"
	printf '%s\n' "$WG_OUT" | tail -n 20 | sed 's/^/    | /'
	return 1
}

# wg_expect DESC PATTERN CMD... : run CMD; PASS if its output matches the
# extended regex PATTERN, whatever the exit status.
wg_expect() {
	local desc=$1 pat=$2 rc=0
	shift 2
	WG_OUT=$(timeout "${WG_TIMEOUT:-60}" "$@" </dev/null 2>&1) || rc=$?
	if printf '%s\n' "$WG_OUT" | grep -Eq -- "$pat"; then
		wg_pass "$desc"
		return 0
	fi
	wg_fail "$desc (exit $rc, output does not match /$pat/)"
	printf '%s\n' "$WG_OUT" | tail -n 20 | sed 's/^/    | /'
	return 1
}

# wg_listening PORT [ADDR]: is a TCP socket listening on ADDR:PORT, or on
# PORT at any address if ADDR is not given? Reads /proc/net/tcp so that no
# extra package (ss, netstat) is needed.
wg_listening() {
	local want=".*" a b c d
	if [ $# -ge 2 ]; then
		IFS=. read -r a b c d <<<"$2"
		want=$(printf '%02X%02X%02X%02X' "$d" "$c" "$b" "$a")
	fi
	awk -v re="^$want:$(printf '%04X' "$1")\$" \
		'$4 == "0A" && $2 ~ re { f = 1 } END { exit !f }' \
		/proc/net/tcp 2>/dev/null
}

# wg_reserve KEY: claim KEY (a port "port-N", an address "host-A.B.C.D")
# for this test script until wg_cleanup, so that no other test using this
# harness (another job of run_all.sh WG_JOBS=N, or another checkout's run
# on the same machine) picks it meanwhile. A probe alone cannot do that:
# the port of a test that restarts its daemon is free between the stop and
# the start, and two tests may probe the same port before either binds.
# A claim is a file naming the owner's pid, made under flock; a claim
# whose owner is gone is taken over. Returns 1 if KEY is someone else's.
WG_RESERVE_DIR=${WG_RESERVE_DIR:-/tmp/wgsmb-test-reservations}
WG_RESERVED=()
wg_reserve() {
	local f=$WG_RESERVE_DIR/$1 lock=(flock "$WG_RESERVE_DIR/lock")
	# flock is in util-linux; without it, claims still help, unlocked
	command -v flock >/dev/null || lock=()
	if [ ! -d "$WG_RESERVE_DIR" ]; then
		mkdir -p "$WG_RESERVE_DIR" 2>/dev/null &&
			chmod 1777 "$WG_RESERVE_DIR" 2>/dev/null
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	"${lock[@]}" bash -c '
		f=$1 me=$2 pid=
		[ -f "$f" ] && read -r pid <"$f"
		if [ -n "$pid" ] && [ "$pid" != "$me" ] && [ -d "/proc/$pid" ]; then
			exit 1
		fi
		printf "%s\n" "$me" >"$f"' _ "$f" "$$" 2>/dev/null || return 1
	WG_RESERVED+=("$f")
}

# Give back this script's claims (wg_cleanup).
wg_release() {
	local f pid
	for f in "${WG_RESERVED[@]}"; do
		pid=
		[ -f "$f" ] && read -r pid <"$f"
		[ "$pid" = "$$" ] && rm -f "$f"
	done
	WG_RESERVED=()
}

# wg_own_host: set WG_HOST to a random loopback address 127.X.Y.Z
# (X 20..219) claimed for this script: for a test whose daemon must
# listen on a fixed port (445 for clients that dial nothing else, 139),
# where 127.0.0.1 would be shared with every other test. Call it before
# wg_setup.
wg_own_host() {
	local i h
	for i in $(seq 1 50); do
		h=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
		if wg_reserve "host-$h"; then
			WG_HOST=$h
			export WG_HOST
			return 0
		fi
	done
	wg_die "no loopback address of our own (claims in $WG_RESERVE_DIR)"
}

# wg_pick_port: set WG_PORT to a TCP port in 30000..32699 claimed for this
# script (wg_reserve) that nothing listens on or has bound. The range is
# below Linux's ephemeral ports (32768..60999 by default): a client's
# outgoing connection never holds the port while the daemon (re)binds it.
wg_pick_port() {
	local i p
	for i in $(seq 1 200); do
		p=$((30000 + RANDOM % 2700))
		wg_listening "$p" && continue
		wg_reserve "port-$p" || continue
		if "$WG_PY" -c 'import socket,sys
s = socket.socket()
s.bind((sys.argv[1], int(sys.argv[2])))' "$WG_HOST" "$p" 2>/dev/null; then
			WG_PORT=$p
			return 0
		fi
		# bound by something outside the harness: not ours to keep
		rm -f "$WG_RESERVE_DIR/port-$p"
		unset 'WG_RESERVED[-1]'
	done
	return 1
}

wg_cleanup() {
	local f
	for f in "${WG_CLEANUP[@]}"; do
		eval "$f" >/dev/null 2>&1 || true
	done
	if [ -n "$WG_PID" ] && kill -0 "$WG_PID" 2>/dev/null; then
		kill -KILL "$WG_PID" 2>/dev/null || true
	fi
	wg_release
	if [ -n "$WG_TMP" ] && [ "${WG_KEEP:-0}" != 1 ]; then
		rm -rf "$WG_TMP"
	elif [ -n "$WG_TMP" ]; then
		echo "# kept $WG_TMP"
	fi
}

# wg_add_user [NAME PASSWORD]: add a user (default alice, $WG_USER) to the
# users file with the project's own admin tool. For alice alone, if wgnet
# is not built, the fallback writes a version 1 file directly (the daemon
# migrates it); further users need wgnet, as the file's format is its.
wg_add_user() {
	local user=${1:-$WG_USER} pass=${2:-$WG_PASS} err
	if [ -x "$WGNET" ] &&
		err=$(printf '%s\n' "$pass" |
			timeout 20 "$WGNET" -c "$WG_CONF" user add "$user" --stdin 2>&1) &&
		grep -q "^$user:" "$WG_TMP/users" 2>/dev/null; then
		return 0
	fi
	[ "$user" = "$WG_USER" ] || wg_die "wgnet user add $user: ${err:-wgnet not built}"
	wg_log "wgnet user add did not work (${err:-not built}); writing $WG_TMP/users directly"
	"$WG_PY" - "$WG_TMP/users" "$WG_USER" "$WG_PASS" <<-'EOF' || wg_die "cannot write the users file"
		import os, sys
		from impacket.ntlm import compute_nthash
		path, user, pw = sys.argv[1:4]
		fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
		with os.fdopen(fd, "w") as f:
		    f.write("# wgsmb users v1\n%s:%s\n" % (user, compute_nthash(pw).hex().upper()))
	EOF
}

# wg_setup [EXTRA_PORT...]: create the temp dir, shares, config and user.
# WG_EXTRA_GLOBAL, if set, is one more line for [global] (e.g. a limit).
# Sets WG_TMP, WG_PORT, WG_CONF, WG_SHARE (demo), WG_RO (ro), WG_CLIENT_CONF
# (a private smb.conf for the Samba client tools).
wg_setup() {
	WG_TMP=$(mktemp -d /tmp/wgsmb-test.XXXXXX)
	chmod 755 "$WG_TMP"
	trap wg_cleanup EXIT
	trap 'exit 130' INT TERM
	wg_pick_port || wg_die "no free port in 30000..32699"
	WG_PORTS="$WG_PORT $*"
	WG_CONF=$WG_TMP/wgsmb.conf
	WG_SHARE=$WG_TMP/share
	WG_RO=$WG_TMP/ro
	mkdir -p "$WG_SHARE" "$WG_RO" "$WG_TMP/state" "$WG_TMP/client/cache" \
		"$WG_TMP/client/lock" "$WG_TMP/client/state" "$WG_TMP/client/private"
	echo "read-only share" >"$WG_RO/readme.txt"
	# The daemon may drop to an unprivileged "run as user".
	chmod 777 "$WG_SHARE"
	chmod 755 "$WG_RO"
	chmod 644 "$WG_RO/readme.txt"
	cat >"$WG_CONF" <<-EOF
		[global]
		netbios name = WGTEST
		workgroup = WORKGROUP
		listen addresses = $WG_HOST
		smb ports = $WG_PORTS
		users file = $WG_TMP/users
		state directory = $WG_TMP/state
		run as user = $WG_RUN_AS
		log level = $WG_LOG_LEVEL
		${WG_THREADS:+server threads = $WG_THREADS}
		${WG_EXTRA_GLOBAL:-}

		[demo]
		path = $WG_SHARE
		comment = test share
		read only = no

		[ro]
		path = $WG_RO
		comment = read-only test share
		read only = yes
	EOF
	# Samba's client tools would otherwise read /etc/samba/smb.conf and
	# write caches under /var: keep them inside the test.
	WG_CLIENT_CONF=$WG_TMP/client/smb.conf
	cat >"$WG_CLIENT_CONF" <<-EOF
		[global]
		workgroup = WORKGROUP
		client min protocol = SMB2_02
		cache directory = $WG_TMP/client/cache
		lock directory = $WG_TMP/client/lock
		state directory = $WG_TMP/client/state
		private dir = $WG_TMP/client/private
		name resolve order = bcast host
	EOF
	wg_write_wrappers
	if [ "$WG_SERVER" = samba ]; then
		return 0
	fi
	[ -x "$WGSMBD" ] || wg_die "$WGSMBD is not built"
	wg_add_user
}

wg_start_samba() {
	local d=$WG_TMP/samba
	mkdir -p "$d/priv" "$d/lock" "$d/state" "$d/cache" "$d/pid"
	cat >"$d/smb.conf" <<-EOF
		[global]
		netbios name = WGTEST
		workgroup = WORKGROUP
		interfaces = $WG_HOST/8
		bind interfaces only = yes
		smb ports = $WG_PORTS
		disable netbios = yes
		server role = standalone server
		passdb backend = tdbsam:$d/priv/passdb.tdb
		private dir = $d/priv
		lock directory = $d/lock
		state directory = $d/state
		cache directory = $d/cache
		pid directory = $d/pid
		ncalrpc dir = $d/state/ncalrpc
		server min protocol = SMB2_02
		load printers = no
		printcap name = /dev/null
		[demo]
		path = $WG_SHARE
		read only = no
		[ro]
		path = $WG_RO
		read only = yes
	EOF
	id "$WG_USER" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$WG_USER"
	printf '%s\n%s\n' "$WG_PASS" "$WG_PASS" |
		smbpasswd -c "$d/smb.conf" -s -a "$WG_USER" >/dev/null
	/usr/sbin/smbd -F --debug-stdout -s "$d/smb.conf" >"$WG_TMP/server.log" 2>&1 &
	WG_PID=$!
}

# Start the server and wait (up to WG_START_TIMEOUT, default 30 s) until it
# listens on every configured port.
wg_start() {
	local i p up
	if [ "$WG_SERVER" = samba ]; then
		wg_start_samba
	else
		"$WGSMBD" -F -c "$WG_CONF" >"$WG_TMP/server.log" 2>&1 &
		WG_PID=$!
	fi
	for i in $(seq 1 $((${WG_START_TIMEOUT:-30} * 10))); do
		if ! kill -0 "$WG_PID" 2>/dev/null; then
			wait "$WG_PID" 2>/dev/null
			wg_die "$WG_SERVER exited during startup (status $?)"
		fi
		up=1
		for p in $WG_PORTS; do
			wg_listening "$p" "$WG_HOST" || up=0
		done
		# wgsmbd binds its ports before it drops privileges and
		# writes its state (state/machine-sid, the printers file);
		# it is ready once it logs "started", after both.
		if [ "$up" = 1 ] && [ "$WG_SERVER" != samba ] &&
		   ! grep -q "wgsmbd .* started (config" "$WG_TMP/server.log"; then
			up=0
		fi
		if [ "$up" = 1 ]; then
			wg_log "$WG_SERVER pid $WG_PID listening on $WG_HOST port(s) $WG_PORTS"
			return 0
		fi
		sleep 0.1
	done
	wg_die "$WG_SERVER did not listen on $WG_PORTS and log \"started\" within ${WG_START_TIMEOUT:-30}s"
}

# Stop the server with SIGTERM. A clean daemon exits 0; a crash during the
# test, a hang on shutdown, or a sanitizer report is a failure.
wg_stop() {
	local i rc=0
	[ -n "$WG_PID" ] || return 0
	if ! kill -0 "$WG_PID" 2>/dev/null; then
		wait "$WG_PID" 2>/dev/null || rc=$?
		wg_fail "$WG_SERVER died during the test (status $rc)"
		WG_PID=
		return 1
	fi
	kill -TERM "$WG_PID"
	for i in $(seq 1 150); do
		kill -0 "$WG_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$WG_PID" 2>/dev/null; then
		kill -KILL "$WG_PID"
		wait "$WG_PID" 2>/dev/null
		wg_fail "$WG_SERVER still running 15s after SIGTERM"
		WG_PID=
		return 1
	fi
	wait "$WG_PID" 2>/dev/null || rc=$?
	WG_PID=
	# Samba's smbd dies of the signal: nothing to check there.
	if [ "$WG_SERVER" = samba ]; then
		return 0
	fi
	if [ "$rc" -ne 0 ]; then
		wg_fail "$WG_SERVER exited with status $rc after SIGTERM"
		return 1
	fi
	wg_pass "$WG_SERVER shut down cleanly on SIGTERM"
	return 0
}

# Look for sanitizer reports in the server log of a sanitizer build (a
# build without sanitizers cannot write one: no check, so no PASS).
wg_check_log() {
	[ -f "$WG_TMP/server.log" ] || return 0
	[ "$WG_SERVER" = wgsmbd ] || return 0
	grep -q __asan_init "$WGSMBD" 2>/dev/null || return 0
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$WG_TMP/server.log"; then
		wg_fail "sanitizer report in the server log"
		grep -E -A 30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
			"$WG_TMP/server.log" | head -n 60 | sed 's/^/    | /'
		return 1
	fi
	wg_pass "no sanitizer report in the server log"
	return 0
}

# Stop the daemon, check its log, print the totals and exit.
wg_finish() {
	wg_stop || true
	wg_check_log || true
	if [ "$WG_FAILS" -gt 0 ]; then
		wg_show_log
	fi
	echo "# ${WG_NAME:-$(basename "$0")}: $WG_PASSES passed, $WG_FAILS failed"
	if [ "$WG_FAILS" -gt 0 ] || [ "$WG_SCRIPT_RC" -ne 0 ]; then
		exit 1
	fi
	exit 0
}

# Build the source-address shim (tests/shim/bindaddr.c) into the temp dir
# and print its path.
wg_build_shim() {
	local so=$WG_TMP/bindaddr.so
	cc -shared -fPIC -o "$so" "$WG_ROOT/tests/shim/bindaddr.c" -ldl || return 1
	echo "$so"
}

# Write $WG_TMP/bin/wg-smbclient: smbclient against $WG_HOST:$WG_PORT with
# the private client config, alice's credentials and signing required.
# Usage: wg-smbclient SHARE [smbclient args...]. An executable rather than a
# function so that wg_check can put a time limit on it.
wg_write_wrappers() {
	mkdir -p "$WG_TMP/bin"
	cat >"$WG_TMP/bin/wg-smbclient" <<-EOF
		#!/bin/sh
		share=\$1
		shift
		exec smbclient "//$WG_HOST/\$share" -s '$WG_CLIENT_CONF' -p $WG_PORT \\
			-U '$WG_USER%$WG_PASS' --option='client signing=required' "\$@"
	EOF
	chmod 755 "$WG_TMP/bin/wg-smbclient"
	PATH=$WG_TMP/bin:$PATH
}

# wg_run_python SCRIPT [ARGS...]: run a Python test (it prints its own
# PASS:/FAIL: lines) as /usr/bin/python3 SCRIPT PORT SHARE_DIR RO_DIR ARGS
# (it connects to $WG_HOST, exported).
# Its failure makes wg_finish exit non-zero.
wg_run_python() {
	local script=$1 rc=0
	shift
	timeout "${WG_TIMEOUT:-300}" "$WG_PY" "$script" "$WG_PORT" "$WG_SHARE" \
		"$WG_RO" "$@" </dev/null 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		wg_log "$(basename "$script") exited with status $rc"
		WG_SCRIPT_RC=1
	fi
}
