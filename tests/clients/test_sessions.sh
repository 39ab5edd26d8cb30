#!/usr/bin/env bash
#
# test_sessions.sh - the session manager (issue 3) seen from real clients:
# the workstation/home caps with NT_STATUS_REQUEST_NOT_ACCEPTED, one slot
# per computer however many connections/shares/pipes it uses, both
# accounting modes, cap policy reclaim, restrict anonymous 0/1/2, idle
# reaping (null sessions, autodisconnect), the auth and linger timeouts,
# a connect/session/logoff churn that must leave the daemon's fd count
# and memory where they were, and a SIGHUP that changes the cap live.
#
# Each client computer is its own loopback source address 127.0.0.N:
# smbclient through tests/shim/bindaddr.c, impacket and the raw clients
# (sessions_client.py, sessions_churn.py) by binding in-process.
# Each case starts the daemon afresh with its own config lines (inserted
# into lib.sh's [global]) and short timeouts.
#
# Environment (besides lib.sh's):
#   CHURN        cycles of the churn case (default 20000)
#   CHURN_PROCS  client processes for the churn (default 2)
#   CHURN_RSS_KIB  allowed VmRSS growth over the churn (default 2048; not
#                applied to a sanitizer build, whose allocator keeps freed
#                memory in quarantine: there LeakSanitizer at exit decides)
#   SESS_CASES   which cases to run, e.g. "1 4 9" (default all: 1..12)
# The cases are called as "case$c": shellcheck cannot see that.
# shellcheck disable=SC2317,SC2119
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
WG_NAME=test_sessions.sh
HERE=$(cd "$(dirname "$0")" && pwd)
SC=$HERE/sessions_client.py
: "${CHURN:=20000}"
: "${CHURN_PROCS:=2}"
: "${CHURN_RSS_KIB:=2048}"
: "${SESS_CASES:=1 2 3 4 5 6 7 8 9 10 11 12}"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's session manager; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

# case 12 has the daemon listen on port 139 too: on an address of its own,
# not 127.0.0.1, which other tests (another run's test_sessions.sh) share
wg_own_host
wg_setup
mkdir -p "$WG_TMP/third" "$WG_TMP/pub" "$WG_TMP/logs"
chmod 777 "$WG_TMP/third" "$WG_TMP/pub"
cp "$WG_CONF" "$WG_TMP/base.conf"
cat >>"$WG_TMP/base.conf" <<-EOF

	[third]
	path = $WG_TMP/third
	comment = a third disk share
	read only = no

	[pub]
	path = $WG_TMP/pub
	comment = open to guests
	read only = no
	guest ok = yes
EOF
SHIM=$(wg_build_shim) || wg_die "cannot build tests/shim/bindaddr.c"

CASE=
declare -A BGPID=()	# background clients of the current case, by name
declare -A BGFD=()	# write end of an smbclient holder's command FIFO

# ---- helpers ----

# case_start NAME [CONFIG LINE...]: a fresh daemon whose [global] has these
# lines too (before lib.sh's own, which set none of the same keys).
case_start() {
	CASE=$1
	shift
	wg_log "==== case $CASE: ${*:-(defaults)}"
	WG_CONF=$WG_TMP/$CASE.conf
	{
		printf '[global]\n'
		printf '%s\n' "$@"
		sed -e '1{/^\[global\]$/d}' \
			-e "s/^smb ports = .*/smb ports = $WG_PORTS/" \
			"$WG_TMP/base.conf"
	} >"$WG_CONF"
	wg_start
}

# End this case's clients (only the ones we started, by pid), stop the
# daemon (a clean exit and no sanitizer report are checks), keep its log.
case_stop() {
	local n
	for n in "${!BGFD[@]}"; do
		eval "exec ${BGFD[$n]}>&-"
	done
	for n in "${!BGPID[@]}"; do
		kill -TERM "${BGPID[$n]}" 2>/dev/null
	done
	for n in "${!BGPID[@]}"; do
		wait "${BGPID[$n]}" 2>/dev/null
	done
	BGPID=()
	BGFD=()
	wg_stop || true
	wg_check_log || true
	cp "$WG_TMP/server.log" "$WG_TMP/logs/$CASE.log" 2>/dev/null
}

slog() {
	cat "$WG_TMP/server.log"
}

# check DESC CONDITION-COMMAND...: PASS/FAIL on a shell command (may be a
# function), with no output shown; on failure print $WHY if set.

# py ADDR COMMAND [ARGS]: run sessions_client.py in the foreground; its
# output is in $OUT.
py() {
	local addr=$1 cmd=$2
	shift 2
	OUT=$(timeout 60 "$WG_PY" "$SC" "$WG_PORT" "$cmd" --addr "$addr" "$@" \
		</dev/null 2>&1)
	WHY=$OUT
}

# bg NAME ADDR COMMAND [ARGS]: sessions_client.py in the background,
# output in $WG_TMP/c.NAME.out.
bg() {
	local name=$1 addr=$2 cmd=$3
	shift 3
	# emptied here, not only by the child's redirection: wait_out must
	# never see the output of an earlier client of the same name
	: >"$WG_TMP/c.$name.out"
	"$WG_PY" "$SC" "$WG_PORT" "$cmd" --addr "$addr" "$@" \
		</dev/null >>"$WG_TMP/c.$name.out" 2>&1 &
	BGPID[$name]=$!
}





# smbclient from computer ADDR (wg-smbclient: alice, signing required).
smbc() {
	local addr=$1
	shift
	OUT=$(LD_PRELOAD=$SHIM WG_BIND_ADDR=$addr timeout 30 wg-smbclient "$@" \
		</dev/null 2>&1)
	WHY=$OUT
}

# smb_hold NAME ADDR: an interactive smbclient on [demo] from ADDR that
# lists the share and then waits for commands on a FIFO we hold open.
smb_hold() {
	local name=$1 addr=$2 fifo=$WG_TMP/fifo.$1 fd
	rm -f "$fifo"
	mkfifo "$fifo"
	: >"$WG_TMP/c.$name.out"
	LD_PRELOAD=$SHIM WG_BIND_ADDR=$addr timeout 150 wg-smbclient demo \
		<"$fifo" >>"$WG_TMP/c.$name.out" 2>&1 &
	BGPID[$name]=$!
	exec {fd}>"$fifo"
	BGFD[$name]=$fd
	# a subshell: if smbclient is gone already, SIGPIPE ends only that
	(echo ls >&"$fd") 2>/dev/null
}

# smb_quit NAME: the smbclient holder quits (logs off, disconnects).
smb_quit() {
	local name=$1
	(echo quit >&"${BGFD[$name]}") 2>/dev/null
	eval "exec ${BGFD[$name]}>&-"
	unset "BGFD[$name]"
	timeout 20 tail --pid="${BGPID[$name]}" -f /dev/null
	wait "${BGPID[$name]}" 2>/dev/null
	unset "BGPID[$name]"
}

# smb_quit_after NAME COMMAND: the smbclient holder runs COMMAND, then quits.
smb_quit_after() {
	(echo "$2" >&"${BGFD[$1]}") 2>/dev/null
	smb_quit "$1"
}

# sig NAME SIGNAL: to a background sessions_client.py.
sig() {
	kill -s "$2" "${BGPID[$1]}"
}

# probe NAME: the holder makes one request; $OUT is its "PROBE ..." line.
probe() {
	local before
	before=$(grep -c '^PROBE' "$WG_TMP/c.$1.out")
	sig "$1" USR2
	local i
	for i in $(seq 1 200); do
		[ "$(grep -c '^PROBE' "$WG_TMP/c.$1.out")" -gt "$before" ] && break
		sleep 0.05
	done
	OUT=$(grep '^PROBE' "$WG_TMP/c.$1.out" | tail -n 1)
	WHY="$1 said: $(bgout "$1")"
}


fds_of() {
	find "/proc/$WG_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

rss_of() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$WG_PID/status"
}


# ---- 1. the cap: N computers in, the next refused, in after a logoff ----

cap_case() {
	local label=$1 n=$2 conf=$3 i next addr
	case_start "cap-$label" ${conf:+"$conf"}
	for i in $(seq 1 "$n"); do
		smb_hold "h$i" "127.0.0.$((i + 1))"
	done
	# smbclient's own output is block-buffered into a file until it
	# exits: the daemon's log says when each one is in.
	local ok=1
	for i in $(seq 1 "$n"); do
		wait_log "127\.0\.0\.$((i + 1)): 'alice' connected to 'demo'" 30 ||
			{ ok=0; break; }
	done
	check "$label: $n computers (127.0.0.2..$((n + 1))) each hold a smbclient session on [demo]" \
		test "$ok" = 1
	next=127.0.0.$((n + 2))
	smbc "$next" demo -c ls
	check "$label: computer $((n + 1)) ($next): smbclient gets NT_STATUS_REQUEST_NOT_ACCEPTED" \
		has NT_STATUS_REQUEST_NOT_ACCEPTED &&
		show "$(printf '%s\n' "$OUT" | grep NT_STATUS_REQUEST_NOT_ACCEPTED)"
	check "$label: the daemon logs the refusal with who holds the $n slots" \
		wait_log "refused session for $next/.*all $n sessions in use" 5 &&
		show "$(grep "refused session for $next/" "$WG_TMP/server.log" |
			head -n 1 | sed 's/^.*NOTICE //')"
	# impacket on one TCP connection: refused, then (later) admitted.
	bg retry "$next" retry --shares demo
	check "$label: $next: impacket login refused with STATUS_REQUEST_NOT_ACCEPTED" \
		wait_out retry 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED' 20
	wait_out retry WAITING 10
	WHY=$(grep "refused session for" "$WG_TMP/server.log")
	check "$label: the second refusal of $next within a minute is not logged again" \
		test "$(grep -c "refused session for $next/" "$WG_TMP/server.log")" = 1
	py 127.0.0.2 login --shares demo,ro
	check "$label: while full, a computer that holds a slot still connects (new TCP connection) and lists two shares" \
		has 'SHARE ro OK'
	smb_quit "h$n"
	WHY="h$n said: $(bgout "h$n")"
	check "$label: holder 127.0.0.$((n + 1)) had listed [demo] and quit" \
		grep -Eq 'blocks (of size|available)' "$WG_TMP/c.h$n.out"
	sig retry USR1
	check "$label: $next: login again over the same TCP connection is admitted" \
		wait_out retry 'RETRY OK' 20
	check "$label: ... and lists [demo]" wait_out retry 'SHARE demo OK' 10
	smbc "$next" demo -c ls
	check "$label: $next: smbclient now gets in" has 'blocks (of size|available)'
	case_stop
}

case1() {
	cap_case workstation 10 ""
	cap_case home 5 "edition = home"
}

# ---- 2. one computer, four connections, three shares, a pipe: one slot ----

case2() {
	case_start slot "max sessions = 2"
	bg A 127.0.0.30 hold --conns 4 --shares demo,ro,third --pipe srvsvc
	check "slot: computer A (127.0.0.30): 4 TCP connections, 4 sessions of alice, [demo] [ro] [third] on each, IPC\$ with \\srvsvc open and bound" \
		wait_out A '^READY conns=4 shares=demo,ro,third pipe=srvsvc' 30 &&
		show "$(bgout A)"
	bg B 127.0.0.31 hold --shares demo
	check "slot: computer B (127.0.0.31) is admitted: A took one slot of 2" \
		wait_out B '^READY' 20
	py 127.0.0.32 login --shares demo
	check "slot: computer C (127.0.0.32) is refused: STATUS_REQUEST_NOT_ACCEPTED" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED' && show "$OUT"
	check "slot: the refusal log counts 2 slots, A's one holding 4 sessions" \
		wait_log "refused session for 127\.0\.0\.32/.*\(2 slots\) by .*127\.0\.0\.30/[^,]*alice \(x4\)" 5 &&
		show "$(grep 'refused session for 127.0.0.32/' "$WG_TMP/server.log" |
			head -n 1 | sed 's/^.*NOTICE //')"
	smbc 127.0.0.30 third -c ls
	check "slot: A's 5th TCP connection (smbclient on [third]) still gets in while full" \
		has 'blocks (of size|available)'
	# A goes away without logging off: its 4 connections just close.
	sig A TERM
	wait "${BGPID[A]}" 2>/dev/null
	unset "BGPID[A]"
	local i
	for i in $(seq 1 40); do
		py 127.0.0.32 login --shares demo
		has 'LOGIN OK' && break
		sleep 0.1
	done
	check "slot: A closes its 4 connections without LOGOFF: its one slot is free, C gets in" \
		has 'SHARE demo OK'
	case_stop
}

# ---- 3. session accounting windows vs computer ----

case3() {
	case_start acct-windows "max sessions = 2" "session accounting = windows"
	bg Au 127.0.0.40 hold --shares demo
	bg An 127.0.0.40 hold --anon --shares 'IPC$'
	wait_out Au '^READY' 20 && wait_out An '^READY' 20
	check "windows: computer A (127.0.0.40) holds alice and a null session" \
		test $? = 0
	py 127.0.0.41 login --shares demo
	check "windows: alice + null session of A are 2 slots: computer B refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	case_stop

	case_start acct-computer "max sessions = 2" "session accounting = computer"
	bg Au 127.0.0.40 hold --shares demo
	bg An 127.0.0.40 hold --anon --shares 'IPC$'
	wait_out Au '^READY' 20 && wait_out An '^READY' 20
	check "computer: computer A (127.0.0.40) holds alice and a null session" \
		test $? = 0
	bg B 127.0.0.41 hold --shares demo
	check "computer: A is 1 slot: computer B (127.0.0.41) admitted" \
		wait_out B '^READY' 20
	py 127.0.0.42 login --shares demo
	check "computer: computer C (127.0.0.42) refused: the 2 slots are A and B" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	case_stop
}

# ---- 4. cap policy reclaim ----

case4() {
	case_start reclaim "max sessions = 2" "cap policy = reclaim"
	bg A 127.0.0.50 hold --anon --shares 'IPC$'
	wait_out A '^READY' 20
	bg B 127.0.0.51 hold --shares demo --open b-held.txt
	check "reclaim: cap full: A (127.0.0.50) idle null session, B (127.0.0.51) alice with a file open" \
		wait_out B '^READY' 20
	sleep 0.3
	bg C 127.0.0.52 hold --shares demo --open c-held.txt
	check "reclaim: a new computer C (127.0.0.52) is admitted" \
		wait_out C '^READY' 20
	check "reclaim: ... by ending A's null session (log)" \
		wait_log "reclaiming slot .* of 127\.0\.0\.50/.*\(null session\).* for 127\.0\.0\.52/" 5 &&
		show "$(grep 'reclaiming slot' "$WG_TMP/server.log" | head -n 1 |
			sed 's/^.*NOTICE //')"
	check_closed "reclaim: A's connection, with no session left, is closed at once" 127.0.0.50
	probe A
	check "reclaim: A's next request fails: its connection is gone" \
		has 'PROBE FAILED NetBIOSError'
	probe B
	check "reclaim: B (open file) untouched: reads its file" has 'PROBE OK'
	py 127.0.0.53 login --shares demo
	check "reclaim: both holders have open files: D (127.0.0.53) refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	probe C
	check "reclaim: C still reads its file" has 'PROBE OK'
	case_stop
}

# ---- 5. restrict anonymous ----

rpc() {
	OUT=$(timeout 30 rpcclient "$WG_HOST" -p "$WG_PORT" -s "$WG_CLIENT_CONF" \
		"$@" </dev/null 2>&1)
	WHY=$OUT
}

case5() {
	case_start ra2 "restrict anonymous = 2"
	OUT=$(timeout 30 smbclient -L "//$WG_HOST" -p "$WG_PORT" -s "$WG_CLIENT_CONF" \
		-U% -N </dev/null 2>&1)
	WHY=$OUT
	check "restrict anonymous 2: smbclient -N -L: NT_STATUS_ACCESS_DENIED" \
		has NT_STATUS_ACCESS_DENIED
	py 127.0.0.90 login --anon
	check "restrict anonymous 2: impacket null session: STATUS_ACCESS_DENIED" \
		has 'LOGIN FAILED STATUS_ACCESS_DENIED'
	smbc 127.0.0.91 demo -c ls
	check "restrict anonymous 2: alice works meanwhile" has 'blocks (of size|available)'
	case_stop

	case_start ra1 "restrict anonymous = 1"
	py 127.0.0.90 login --anon
	check "restrict anonymous 1: null session admitted" has 'LOGIN OK'
	rpc -U% -N -c netsessenum
	check "restrict anonymous 1: anonymous rpcclient netsessenum: access denied" \
		has 'ACCESS_DENIED' && show "$(printf '%s\n' "$OUT" | tail -n 1)"
	rpc -U% -N -c 'netshareenumall 1'
	check "restrict anonymous 1: anonymous rpcclient netshareenumall 1: access denied" \
		has 'ACCESS_DENIED' && show "$(printf '%s\n' "$OUT" | tail -n 1)"
	rpc -U "$WG_USER%$WG_PASS" -c netshareenumall
	check "restrict anonymous 1: alice's rpcclient netshareenumall lists [demo]" \
		has 'netname: demo'
	case_stop

	case_start ra0 "restrict anonymous = 0"
	# level 1 (names, types, comments) is what a browser lists anonymously
	rpc -U% -N -c 'netshareenumall 1'
	check "restrict anonymous 0: anonymous rpcclient netshareenumall 1 lists [demo]" \
		has 'netname: demo'
	# levels 2 and 502 carry paths: refused to null sessions, as Windows
	rpc -U% -N -c 'netshareenumall 2'
	check "restrict anonymous 0: anonymous netshareenumall 2 (paths): access denied" \
		has 'ACCESS_DENIED'
	rpc -U% -N -c netsessenum
	wg_log "restrict anonymous 0: anonymous netsessenum (admin-only call): $(printf '%s\n' "$OUT" | tail -n 1)"
	OUT=$(timeout 30 smbclient -L "//$WG_HOST" -p "$WG_PORT" -s "$WG_CLIENT_CONF" \
		-U% -N </dev/null 2>&1)
	WHY=$OUT
	check "restrict anonymous 0: smbclient -N -L lists the shares" \
		has '^[[:space:]]+third[[:space:]]+Disk'
	case_stop
}

# ---- 6. idle reaping: null sessions, autodisconnect ----

case6() {
	# B must be refused before A's null session limit runs out. B is a
	# Python client, whose start alone took over 2 s (and up to 10 s) on
	# a loaded machine: it is started first and told to go (py_go) once A
	# is ready, and the limit is 4 s, not 2 s.
	local t0 t1 lim=4
	case_start nullidle "max sessions = 1" "null session timeout = ${lim}s"
	py_ready B 127.0.0.61 login --shares demo
	bg A 127.0.0.60 hold --anon --shares 'IPC$'
	wait_out A '^READY' 20
	t0=$(date +%s.%N)
	py_go B
	check "null idle: A's null session holds the one slot: B (127.0.0.61) refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	check "null idle: A's null session is ended after its $lim s idle limit" \
		wait_log 'ending session 127\.0\.0\.60/.*null idle' 10 &&
		show "$(grep 'ending session 127.0.0.60/' "$WG_TMP/server.log" |
			head -n 1 | sed 's/^.*INFO //')"
	t1=$(date +%s.%N)
	check "null idle: ... not before $lim s, within $((lim + 2)) s ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after B's refusal)" \
		float_between "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$((lim - 1)).5" "$((lim + 2)).5"
	py 127.0.0.61 login --shares demo
	check "null idle: the slot is free: B admitted and lists [demo]" \
		has 'SHARE demo OK'
	check_closed "null idle: A's connection is closed at once" 127.0.0.60
	probe A
	check "null idle: A's next request fails: its connection is gone" \
		has 'PROBE FAILED NetBIOSError'
	case_stop

	# Issue 17: an open pipe never keeps a null session alive, and
	# idle pipes do not hold off autodisconnect for a user session.
	case_start pipeidle "max sessions = 1" "null session timeout = ${lim}s"
	py_ready B 127.0.0.61 login --shares demo
	bg A 127.0.0.66 hold --anon --shares 'IPC$' --pipe srvsvc
	wait_out A '^READY' 20
	t0=$(date +%s.%N)
	py_go B
	check "pipe idle: A (127.0.0.66) null session with \\srvsvc bound holds the one slot: B refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	check "pipe idle: A's null session is ended after its $lim s idle limit though its srvsvc pipe is open" \
		wait_log 'ending session 127\.0\.0\.66/.*null idle' 10
	t1=$(date +%s.%N)
	check "pipe idle: ... not before $lim s, within $((lim + 2)) s ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after B's refusal)" \
		float_between "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$((lim - 1)).5" "$((lim + 2)).5"
	check_closed "pipe idle: A's connection is closed at once" 127.0.0.66
	py 127.0.0.61 login --shares demo
	check "pipe idle: the slot is free: B admitted and lists [demo]" \
		has 'SHARE demo OK'
	case_stop
	case_start pipeauto "autodisconnect = 2s"
	bg A 127.0.0.67 hold --shares 'IPC$' --pipe srvsvc
	wait_out A '^READY' 20
	check "pipe idle: alice's session (127.0.0.67) with only an idle srvsvc pipe is autodisconnected" \
		wait_log 'ending session 127\.0\.0\.67/.*autodisconnect' 8
	check_closed "pipe idle: ... and its connection closed at once" 127.0.0.67
	case_stop

	case_start autodisc "autodisconnect = 2s"
	bg A 127.0.0.62 hold --shares demo --dialect 2.1
	bg E 127.0.0.65 hold --shares demo --dialect 3.0
	bg B 127.0.0.63 hold --shares demo --open held-open.txt
	smb_hold S 127.0.0.64
	wait_out A '^READY' 20
	wait_out E '^READY' 20
	wait_out B '^READY' 20
	wait_log "127\.0\.0\.64: 'alice' connected to 'demo'" 20
	check "autodisconnect: idle alice sessions without open files ended (impacket 2.1 127.0.0.62, impacket 3.0 127.0.0.65, smbclient 127.0.0.64)" \
		wait_log 'ending session 127\.0\.0\.62/.*autodisconnect' 8 &&
		wait_log 'ending session 127\.0\.0\.65/.*autodisconnect' 2 &&
		wait_log 'ending session 127\.0\.0\.64/.*autodisconnect' 2 &&
		show "$(grep 'ending session 127.0.0.6[245]/' "$WG_TMP/server.log" |
			sed 's/^.*INFO //')"
	for c in 62 64 65; do
		check_closed "autodisconnect: 127.0.0.$c's connection is closed at once" 127.0.0.$c
	done
	probe A
	check "autodisconnect: impacket (SMB 2.1, signed): its next request fails: the connection is gone" \
		has 'PROBE FAILED NetBIOSError'
	smb_quit_after S ls
	WHY=$(cat "$WG_TMP/c.S.out")
	check "autodisconnect: smbclient (SMB 3.1.1, signed): its next ls fails: the connection is gone" \
		grep -Eq 'NT_STATUS_(CONNECTION_(DISCONNECTED|RESET)|END_OF_FILE|USER_SESSION_DELETED|PIPE_BROKEN)' "$WG_TMP/c.S.out" &&
		show "$(grep -E 'NT_STATUS_' "$WG_TMP/c.S.out" | head -n 1)"
	probe E
	check "autodisconnect: impacket (SMB 3.0, encrypting): its next request fails: the connection is gone" \
		has 'PROBE FAILED NetBIOSError'
	WHY=$(grep 'ending session' "$WG_TMP/server.log")
	check "autodisconnect: the session holding an open file (127.0.0.63) was not ended" \
		eval "! grep -q 'ending session 127\.0\.0\.63/' '$WG_TMP/server.log'"
	probe B
	check "autodisconnect: ... and still reads its file" has 'PROBE OK'
	case_stop
}

# ---- 7. auth timeout ----

case7() {
	local s
	case_start authto "auth timeout = 1s"
	bg S 127.0.0.70 silent --max-time 10
	bg N 127.0.0.71 negonly --max-time 10
	wait_out S CONNECTED 5
	wait_out N NEGOTIATED 5
	bg F 127.0.0.73 flood --count 64 --pid "$WG_PID" --max-time 10
	wait_out F '^FLOOD' 10
	py 127.0.0.72 login --shares demo
	check "auth timeout: another client is served meanwhile" has 'SHARE demo OK'
	wait_out F 'CLOSED' 12
	local kept fb ff
	kept=$(sed -n 's/^FLOOD .*kept=\([0-9]*\).*/\1/p' "$WG_TMP/c.F.out")
	fb=$(sed -n 's/^FLOOD .*fds_base=\([0-9]*\).*/\1/p' "$WG_TMP/c.F.out")
	ff=$(sed -n 's/^FLOOD .*fds_flooded=\([0-9]*\).*/\1/p' "$WG_TMP/c.F.out")
	WHY="flood client said: $(bgout F)"
	check "auth timeout: 64 silent connections from one computer (127.0.0.73): the daemon keeps ${kept:-?} (at most 32 unauthenticated per computer)" \
		test "${kept:-99}" -le 32
	WHY="flood client said: $(bgout F)"
	check "auth timeout: ... and its fd count rises by $((${ff:-0} - ${fb:-0})) only (<= 32)" \
		test $((${ff:-999} - ${fb:-0})) -le 32
	s=$(sed -n 's/^ALL CLOSED after \([0-9.]*\) s$/\1/p' "$WG_TMP/c.F.out")
	WHY="flood client said: $(bgout F)"
	check "auth timeout: ... all of them closed ${s:-never} s after the flood (1 s + 2 s margin)" \
		float_between "${s:-99}" 0 3
	wait_out S 'EOF after' 12
	wait_out N 'EOF after' 12
	s=$(sed -n 's/^EOF after \([0-9.]*\) s$/\1/p' "$WG_TMP/c.S.out")
	WHY="silent client said: $(bgout S)"
	check "auth timeout: a client that sends nothing is dropped after ${s:-?} s (1-3 s)" \
		float_between "${s:-99}" 0.9 3
	s=$(sed -n 's/^EOF after \([0-9.]*\) s$/\1/p' "$WG_TMP/c.N.out")
	WHY="negotiate-only client said: $(bgout N)"
	check "auth timeout: a client that negotiates but sets up no session is dropped after ${s:-?} s (1-3 s)" \
		float_between "${s:-99}" 0.9 3
	check "auth timeout: the daemon logs it" \
		wait_log 'no session within 1000 ms' 2
	case_stop
}

# ---- 8. linger: a client that stops reading, or half-closes ----

stall_case() {
	local label=$1 s
	shift
	py 127.0.0.80 stall --shares demo --open big.bin --pid "$WG_PID" \
		--other 127.0.0.81 --max-time 10 "$@"
	show "$(printf '%s\n' "$OUT" | grep -E '^(FDS|OTHER|GONE|NOT GONE)')"
	local base stalled
	base=$(sed -n 's/^FDS baseline=//p' <<<"$OUT")
	stalled=$(sed -n 's/^FDS stalled=//p' <<<"$OUT")
	check "$label: the stalled connection held fds ($base -> $stalled)" \
		test "${stalled:-0}" -gt "${base:-0}"
	check "$label: another client is served meanwhile" has '^OTHER OK'
	s=$(sed -n 's/^GONE after \([0-9.]*\) s.*/\1/p' <<<"$OUT")
	check "$label: the daemon's fd count is back to baseline ${s:-never} s after the last request (linger 1 s + 2 s margin)" \
		float_between "${s:-99}" 0 3
}

case8() {
	local s
	case_start linger "linger timeout = 1s"
	head -c $((1024 * 1024)) /dev/urandom >"$WG_TMP/share/big.bin"
	chmod 644 "$WG_TMP/share/big.bin"
	# the share root's fd stays open once a tree connected (tree.c):
	# open it before the baseline, so the count is the connection's own
	smbc 127.0.0.79 demo -c ls
	stall_case "linger: 200 READs of 64 KiB, never reading a reply"
	check "linger: logged as a peer that stopped reading" \
		wait_log 'not reading its replies for 1000 ms' 2
	stall_case "linger: the same, then shutdown(SHUT_WR)" --shut-wr
	# issue 17: keep-alives on 445, and a frame begun and never finished
	# by a session that holds an open file (slowloris)
	py 127.0.0.82 partial --shares demo --open slow.txt --max-time 10
	check "keep-alive: a NetBIOS keep-alive (0x85) on the direct-TCP port is ignored: the next listing works" \
		has '^KEEPALIVE OK'
	s=$(sed -n 's/^CLOSED after \([0-9.]*\) s.*/\1/p' <<<"$OUT")
	check "slowloris: a session holding an open file sends 14 bytes of a 204-byte frame and stalls: closed ${s:-never} s later (linger 1 s + one sweep)" \
		float_between "${s:-99}" 0.9 2.5
	check "slowloris: logged as an incomplete frame" \
		wait_log '127\.0\.0\.82:[0-9]+: a frame begun [0-9]+ ms ago is still incomplete' 2
	case_stop
}

# ---- 9. churn ----

case9() {
	local f0 r0 f1 r1 i asan=0
	grep -q __asan_init "$WGSMBD" 2>/dev/null && asan=1
	case_start churn
	OUT=$(timeout 120 "$WG_PY" "$HERE/sessions_churn.py" "$WG_PORT" 200 20 8 \
		"$CHURN_PROCS" 2>&1)
	WHY=$OUT
	check "churn: warm-up, 200 cycles" has 'errors=0'
	sleep 0.5
	f0=$(fds_of)
	r0=$(rss_of)
	OUT=$(timeout 600 "$WG_PY" "$HERE/sessions_churn.py" "$WG_PORT" "$CHURN" 20 8 \
		"$CHURN_PROCS" 2>&1)
	WHY=$OUT
	check "churn: $CHURN connect/negotiate/null session/logoff/disconnect cycles from 8 computers, every one OK" \
		has 'errors=0'
	show "$(printf '%s\n' "$OUT" | tail -n 6)"
	i=$(grep -c ': null session from ' "$WG_TMP/server.log")
	check "churn: the daemon logged $i null sessions set up (>= $((CHURN + 200)))" \
		test "$i" -ge $((CHURN + 200))
	for i in $(seq 1 50); do
		[ "$(fds_of)" -le "$f0" ] && break
		sleep 0.1
	done
	f1=$(fds_of)
	r1=$(rss_of)
	wg_log "churn: daemon fds before $f0 after $f1; VmRSS before $r0 kB after $r1 kB (growth $((r1 - r0)) kB)"
	check "churn: fd count unchanged ($f0 -> $f1)" test "$f1" -eq "$f0"
	if [ "$asan" = 1 ]; then
		wg_log "churn: sanitizer build: RSS growth not bounded (allocator quarantine); LeakSanitizer checks at exit"
	else
		check "churn: RSS growth $((r1 - r0)) kB < $CHURN_RSS_KIB kB" \
			test $((r1 - r0)) -lt "$CHURN_RSS_KIB"
	fi
	py 127.0.0.99 login --shares demo
	check "churn: the daemon still serves alice afterwards" has 'SHARE demo OK'
	case_stop
}

# ---- 10. SIGHUP: a new cap applies to live state, nobody dropped ----

# reload N: rewrite "max sessions" in the config, SIGHUP, wait for the
# (N+1)th "configuration reloaded" line.
reload() {
	sed -i "s/^max sessions = .*/max sessions = $1/" "$WG_CONF"
	kill -HUP "$WG_PID"
	local i
	for i in $(seq 1 100); do
		[ "$(grep -c 'configuration reloaded' "$WG_TMP/server.log")" -ge "$2" ] &&
			return 0
		sleep 0.05
	done
	return 1
}

case10() {
	case_start reload "max sessions = 2"
	bg A 127.0.0.100 hold --shares demo --dialect 2.1
	bg B 127.0.0.101 hold --shares demo --dialect 2.1
	wait_out A '^READY' 20
	wait_out B '^READY' 20
	py 127.0.0.102 login --shares demo
	check "reload: cap 2 held by A and B: C (127.0.0.102) refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	WHY=$(tail -n 5 "$WG_TMP/server.log")
	check "reload: max sessions = 3, SIGHUP: configuration reloaded" reload 3 1
	py 127.0.0.102 login --shares demo
	check "reload: C now admitted" has 'SHARE demo OK'
	WHY=$(tail -n 5 "$WG_TMP/server.log")
	check "reload: max sessions = 1, SIGHUP: configuration reloaded" reload 1 2
	probe A
	check "reload: A keeps its session above the new cap" has 'PROBE OK'
	probe B
	check "reload: B keeps its session above the new cap" has 'PROBE OK'
	py 127.0.0.103 login --shares demo
	check "reload: D (127.0.0.103) refused under the new cap of 1" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	case_stop
}

# ---- 11. map to guest, guest account ----

# guest_smbc ADDR USER%PASS SHARE COMMAND: smbclient without signing
# (a guest session has no key to sign with); output in $OUT.
guest_smbc() {
	OUT=$(LD_PRELOAD=$SHIM WG_BIND_ADDR=$1 timeout 30 smbclient "//$WG_HOST/$3" \
		-s "$WG_CLIENT_CONF" -p "$WG_PORT" -U "$2" -c "$4" </dev/null 2>&1)
	WHY=$OUT
}

case11() {
	local conf rc
	case_start guestbad "map to guest = bad user" "max sessions = 1"
	guest_smbc 127.0.0.110 'nosuchuser%x' pub ls
	check "map to guest = bad user: an unknown user (smbclient -U nosuchuser%x) reaches the guest ok share [pub]" \
		eval "! has 'NT_STATUS_' && has 'blocks of size'"
	check "bad user: the daemon logs the session as the guest account, flagged guest" \
		wait_log "127\.0\.0\.110: session 0x[0-9a-f]+: .*nobody \(guest\)" 2 &&
		show "$(grep -E '127\.0\.0\.110: session 0x' "$WG_TMP/server.log" | head -n 1 | sed 's/^.*NOTICE //')"
	guest_smbc 127.0.0.110 'nosuchuser%x' demo ls
	check "bad user: ... and is refused [demo] (no guest ok): NT_STATUS_ACCESS_DENIED" \
		has 'NT_STATUS_ACCESS_DENIED'
	guest_smbc 127.0.0.110 'alice%wrong' pub ls
	check "bad user: a known user with a wrong password still gets NT_STATUS_LOGON_FAILURE" \
		has 'NT_STATUS_LOGON_FAILURE'
	bg G 127.0.0.111 hold --user nosuchuser --password x --shares pub
	check "bad user: a guest (impacket, 127.0.0.111) holds [pub]" \
		wait_out G '^READY' 20
	py 127.0.0.112 login --shares demo
	check "bad user: the guest session takes its computer's slot like any user: with max sessions = 1, 127.0.0.112 is refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	wgn session
	check "bad user: wgnet session shows the guest's slot as guest" \
		has '^\\\\127\.0\.0\.111 +nobody \(guest\) ' && show "$OUT"
	case_stop

	case_start guestpw "map to guest = bad password"
	guest_smbc 127.0.0.113 'alice%wrong' pub ls
	check "map to guest = bad password: alice with a wrong password becomes a guest and reaches [pub]" \
		eval "! has 'NT_STATUS_' && has 'blocks of size'"
	guest_smbc 127.0.0.113 'alice%wrong' demo ls
	check "bad password: ... but not [demo]: NT_STATUS_ACCESS_DENIED" \
		has 'NT_STATUS_ACCESS_DENIED'
	case_stop

	case_start guestnever
	guest_smbc 127.0.0.114 'nosuchuser%x' pub ls
	check "map to guest = never (default): an unknown user gets NT_STATUS_LOGON_FAILURE" \
		has 'NT_STATUS_LOGON_FAILURE'
	case_stop

	conf=$WG_TMP/badguest.conf
	{
		printf '[global]\nguest account = wg-no-such-unix-user\n'
		sed '1{/^\[global\]$/d}' "$WG_TMP/base.conf"
	} >"$conf"
	OUT=$(timeout 10 "$WGSMBD" -F -c "$conf" 2>&1)
	rc=$?
	WHY="exit $rc: $OUT"
	check "a guest account that is not a user on this system: wgsmbd refuses the config" \
		eval "[ $rc -ne 0 ] && has \"guest account 'wg-no-such-unix-user' is not a user\"" &&
		show "$OUT"
}

# ---- 12. wgnet session: one row per slot, a computer by any of its names ----

WGN_HELPER=$HERE/wgnet_clients.py

# wgn ARGS...: wgnet on this case's daemon; output in $OUT, status in $RC.
wgn() {
	RC=0
	OUT=$(timeout 30 "$WGNET" -c "$WG_CONF" "$@" </dev/null 2>&1) || RC=$?
	WHY=$OUT
}

# wgj NAME ARGS...: wgnet ARGS --json into $WG_TMP/NAME.json.
wgj() {
	local name=$1
	shift
	timeout 30 "$WGNET" -c "$WG_CONF" "$@" --json </dev/null \
		>"$WG_TMP/$name.json" 2>&1
}

# jcheck MODE ARGS...: a wgnet_clients.py check; its complaints in $WHY.
jcheck() {
	WHY=$("$WG_PY" "$WGN_HELPER" "$@" 2>&1)
}

# smb_hold_as NAME ADDR USER%PASS [SMBCLIENT ARGS...]: smb_hold, but as
# another user and with more smbclient options (-p 139 -n CALLING).
smb_hold_as() {
	local name=$1 addr=$2 cred=$3 fifo=$WG_TMP/fifo.$1 fd
	shift 3
	rm -f "$fifo"
	mkfifo "$fifo"
	: >"$WG_TMP/c.$name.out"
	LD_PRELOAD=$SHIM WG_BIND_ADDR=$addr timeout 150 smbclient \
		"//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -U "$cred" \
		--option='client signing=required' "$@" \
		<"$fifo" >>"$WG_TMP/c.$name.out" 2>&1 &
	BGPID[$name]=$!
	exec {fd}>"$fifo"
	BGFD[$name]=$fd
	(echo ls >&"$fd") 2>/dev/null
}

# show_table TITLE ARGS...: a wgnet table into the log and $WG_TMP/NAME.txt
show_table() {
	local file=$WG_TMP/$1.txt
	shift
	wgn "$@"
	printf '%s\n' "$OUT" >"$file"
	wg_log "---- wgnet $* ----"
	sed 's/^/# | /' "$file"
}

# rows FILE: the session table's rows, "ip user" each, sorted.
rows() {
	awk '/^\\\\/ { sub(/^\\\\/, "", $1); print $1, $2 }' "$1" | sort |
		tr '\n' ,
}

case12() {
	local bobpw=B0bPassw0rd i ok
	printf '%s\n' "$bobpw" | "$WGNET" -c "$WG_TMP/base.conf" user add bob \
		--stdin >/dev/null 2>&1 ||
		grep -q '^bob:' "$WG_TMP/users" || wg_fail "wgnet user add bob"
	WG_PORTS="$WG_PORT 139"
	case_start slots "max sessions = 5"
	WG_PORTS=$WG_PORT
	# Computer A (127.0.0.110): eight SMB sessions on eight connections,
	# three direct, five NetBIOS (port 139) calling themselves PCONE and
	# PCTWO; users ALICE and alice (one user: one slot), bob (two
	# sessions, one slot) and two null sessions (a slot each): 4 slots.
	bg A1 127.0.0.110 hold --user ALICE --shares demo --open a1.txt
	bg A2 127.0.0.110 hold --anon --pipe srvsvc
	bg A3 127.0.0.110 hold --netbios PCONE --shares demo
	bg A4 127.0.0.110 hold --netbios PCONE --user bob --password "$bobpw" \
		--shares demo
	bg A5 127.0.0.110 hold --netbios PCTWO --anon --shares 'IPC$'
	bg A6 127.0.0.110 hold --netbios PCTWO --shares demo --dialect 2.1
	smb_hold A7 127.0.0.110
	smb_hold_as A8 127.0.0.110 "bob%$bobpw" -p 139 -n PCONE
	ok=0
	for i in 1 2 3 4 5 6; do
		wait_out "A$i" '^READY' 30 || break
		ok=$i
	done
	[ "$ok" = 6 ] && wait_log "127\.0\.0\.110: 'alice' connected to 'demo'" 20 &&
		wait_log "127\.0\.0\.110: 'bob' connected to 'demo'" 20
	check "slots: computer A (127.0.0.110) holds 8 SMB sessions: impacket ALICE, null, PCONE alice, PCONE bob, PCTWO null, PCTWO alice; smbclient alice (direct) and bob (NetBIOS, PCONE)" \
		test $? = 0
	bg B 127.0.0.111 hold --shares demo
	wait_out B '^READY' 20
	bg R 127.0.0.112 retry --shares demo
	check "slots: A's 4 slots + B (127.0.0.111) fill max sessions = 5: R (127.0.0.112) refused" \
		wait_out R 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED' 20
	wait_out R WAITING 10

	show_table before session
	check "slots: wgnet session: one row per slot (A: alice, bob, 2 x (null); B: alice)" \
		test "$(rows "$WG_TMP/before.txt")" = \
		'127.0.0.110 (null),127.0.0.110 (null),127.0.0.110 alice,127.0.0.110 bob,127.0.0.111 alice,'
	check "slots: ... and the count line matches the rows: 5 of 5" \
		grep -q '^5 of 5 sessions in use (edition workstation)$' \
		"$WG_TMP/before.txt"
	wgj s-before session
	jcheck check-slots "$WG_TMP/s-before.json" 127.0.0.110:alice:4 \
		127.0.0.110:bob:2 127.0.0.110:-:1 127.0.0.110:-:1 \
		127.0.0.111:alice:1
	check "slots: --json: one object per slot with its SMB sessions nested (alice 4, bob 2, null 1 + 1; B 1)" \
		test -z "$WHY"
	for name in PCONE '\\PCTWO' 127.0.0.110; do
		wgj "d-$name" session "$name"
		jcheck check-computer "$WG_TMP/d-$name.json" 127.0.0.110 4 8 \
			3 5 PCONE,PCTWO '\a1.txt' '\PIPE\srvsvc'
		check "slots: wgnet session $name --json: A's 4 slots, 8 SMB sessions, 3 direct + 5 NetBIOS connections (PCONE, PCTWO), a1.txt and \\PIPE\\srvsvc" \
			test -z "$WHY"
	done
	# smbclient sends the host's name as its NTLM workstation (impacket
	# its calling name, or none)
	ws=$("$WG_PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["sessions"] if s["ip"] == "127.0.0.110"][0]
print([n for n in s["workstations"] if n not in s["calling_names"]][0])' \
		"$WG_TMP/s-before.json")
	wgj d-ws session "$ws"
	jcheck check-computer "$WG_TMP/d-ws.json" 127.0.0.110 4 8 3 5 \
		PCONE,PCTWO
	check "slots: wgnet session ${ws:-?} (smbclient's NTLM workstation name) names A too" \
		test -n "$ws" -a -z "$WHY"
	show_table detail session '\\PCONE'
	check "slots: wgnet session \\\\PCONE details 8 SMB sessions" \
		test "$(grep -c '^SMB session 0x' "$WG_TMP/detail.txt")" = 8
	jcheck check-width "$WG_TMP/detail.txt"
	check "slots: ... in 80 columns" test -z "$WHY"

	show_table delete session '\\PCONE' /delete
	check "slots: wgnet session \\\\PCONE /delete ends A's 4 sessions (8 SMB sessions)" \
		test "$RC" = 0 -a "$(grep -c '^Ended the session of .* from \\\\127\.0\.0\.110 ' "$WG_TMP/delete.txt")" = 4 &&
		grep -q '^4 session(s) ended, 2 open file' "$WG_TMP/delete.txt"
	for i in 1 2 3 4 5 6; do
		probe "A$i"
		has 'PROBE FAILED (STATUS_USER_SESSION_DELETED|NetBIOSError)' ||
			break
	done
	check "slots: every impacket client of A (direct and NetBIOS) finds its session ended" \
		has 'PROBE FAILED (STATUS_USER_SESSION_DELETED|NetBIOSError)'
	smb_quit_after A7 ls
	smb_quit_after A8 ls
	WHY="$(bgout A7; bgout A8)"
	check "slots: ... and both smbclients (direct, NetBIOS PCONE)" \
		test "$(cat "$WG_TMP/c.A7.out" "$WG_TMP/c.A8.out" |
			grep -c 'NT_STATUS_USER_SESSION_DELETED\|NT_STATUS_CONNECTION')" -ge 2
	show_table after session
	check "slots: wgnet session after the delete: only B's row, 1 of 5" \
		test "$(rows "$WG_TMP/after.txt")" = '127.0.0.111 alice,' &&
		grep -q '^1 of 5 sessions in use' "$WG_TMP/after.txt"
	sig R USR1
	check "slots: A's 4 slots are free: R (refused before) logs on again over the same connection" \
		wait_out R 'RETRY OK' 20 && wait_out R 'SHARE demo OK' 10
	wgn session '\\PCONE'
	check "slots: \\\\PCONE is gone: no session from \\\\PCONE" \
		test "$RC" = 1 && has 'no session from \\\\PCONE'

	# /user: one slot of a computer. D (127.0.0.113) also calls itself
	# PCONE: the name is then ambiguous for /delete.
	bg C1 127.0.0.110 hold --netbios PCONE --shares demo
	bg C2 127.0.0.110 hold --user bob --password "$bobpw" --shares demo \
		--dialect 2.1
	bg C3 127.0.0.110 hold --netbios PCTWO --user bob --password "$bobpw" \
		--shares demo --dialect 2.1
	bg D 127.0.0.113 hold --netbios PCONE --anon --shares 'IPC$'
	wait_out C1 '^READY' 20 && wait_out C2 '^READY' 20 &&
		wait_out C3 '^READY' 20 && wait_out D '^READY' 20
	check "slots: A again: alice (PCONE), bob direct and bob (PCTWO); D (127.0.0.113) calls itself PCONE too" \
		test $? = 0
	wgn session '\\PCONE' /delete
	check "slots: \\\\PCONE /delete now names two computers: refused, nothing ended" \
		test "$RC" = 1 && has 'PCONE names 2 computers \(127\.0\.0\.110, 127\.0\.0\.113\)' &&
		show "$OUT"
	wgj u-before session
	jcheck check-slots "$WG_TMP/u-before.json" 127.0.0.110:alice:1 \
		127.0.0.110:bob:2 127.0.0.111:alice:1 127.0.0.113:-:1
	check "slots: ... A's and D's slots are all there" test -z "$WHY"
	show_table user session '\\PCTWO' /delete /user bob
	check "slots: wgnet session \\\\PCTWO /delete /user bob: only bob's slot (2 SMB sessions)" \
		test "$RC" = 0 && grep -q '^Ended the session of bob from \\\\127\.0\.0\.110 (2 SMB sessions)$' "$WG_TMP/user.txt" &&
		grep -q '^1 session(s) ended' "$WG_TMP/user.txt"
	wgj u-after session
	jcheck check-slots "$WG_TMP/u-after.json" 127.0.0.110:alice:1 \
		127.0.0.111:alice:1 127.0.0.113:-:1
	check "slots: ... A keeps its alice slot, B and D untouched" \
		test -z "$WHY"
	probe C2
	check "slots: bob's direct session is gone with its connection (nothing else was on it)" \
		has 'PROBE FAILED NetBIOSError'
	probe C1
	check "slots: A's alice (PCONE) still lists [demo]" has 'PROBE OK'
	wgn session '\\127.0.0.110' /delete /user nobody
	check "slots: /user of a user without a session there: an error" \
		test "$RC" = 1 && has 'no session of nobody from'
	case_stop
}

for c in $SESS_CASES; do
	"case$c"
done
wg_finish
