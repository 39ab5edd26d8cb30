#!/usr/bin/env bash
#
# test_wgnet.sh - wgnet and the control socket against a live wgsmbd with
# real clients connected from several computers (source addresses through
# the bindaddr shim):
#
#   127.0.0.2  smbclient (3.1.1, signing required), tree on [demo]
#   127.0.0.3  impacket (3.0) holding held3.txt open on [demo]
#   127.0.0.4  impacket null session holding \PIPE\srvsvc on IPC$
#   127.0.0.5  impacket writing writer.bin in acknowledged 64 KiB chunks
#   127.0.0.6  impacket as user bob (for `user del`)
#
# Checks every listing's JSON field by field (wgnet_clients.py), the
# tables' width, `session \\127.0.0.5 /delete` while .5 writes (every
# acknowledged byte is in the file, its slot is free, the others keep
# their sessions), files /close, user del, permissions (other uids, the
# admin group), hostile control clients (silent, too many, oversized,
# garbage), and a stopped or killed daemon.
set -u
. "$(dirname "$0")/lib.sh"

HELPER=$WG_ROOT/tests/clients/wgnet_clients.py
ADMIN_GROUP=staff		# exists on Debian; nobody is in it

wg_setup
# [global] may appear again: add the admin group for the group check.
if getent group "$ADMIN_GROUP" >/dev/null; then
	printf '\n[global]\nadmin group = %s\n' "$ADMIN_GROUP" >>"$WG_CONF"
else
	ADMIN_GROUP=
fi
wg_start
[ -x "$WGNET" ] || wg_die "$WGNET is not built"
SOCK=$WG_TMP/state/wgsmbd.sock
shim=$(wg_build_shim) || wg_die "cannot build tests/shim/bindaddr.c"
STOP=$WG_TMP/stop
PIDS=()
# shellcheck disable=SC2016 # expanded when wg_cleanup runs it
WG_CLEANUP+=("touch $STOP" 'kill ${PIDS[*]:-}')

WGN=("$WGNET" -c "$WG_CONF")	# for wg_check & co, which run executables

wgn() {
	"${WGN[@]}" "$@"
}

# expect_fail DESC PATTERN CMD...: CMD exits 1 (WANT_RC) with output
# matching PATTERN.
expect_fail() {
	local desc=$1 pat=$2 rc=0 want=${WANT_RC:-1}
	shift 2
	WG_OUT=$(timeout 60 "$@" </dev/null 2>&1) || rc=$?
	if [ "$rc" -eq "$want" ] &&
		printf '%s\n' "$WG_OUT" | grep -Eq -- "$pat"; then
		wg_pass "$desc"
		return 0
	fi
	wg_fail "$desc (exit $rc, want $want and /$pat/)"
	printf '%s\n' "$WG_OUT" | tail -n 20 | sed 's/^/    | /'
	return 1
}

# json NAME ARGS...: wgnet ARGS --json into $WG_TMP/NAME.json.
json() {
	local name=$1
	shift
	wgn "$@" --json >"$WG_TMP/$name.json" 2>"$WG_TMP/$name.err"
}

# check DESC MODE ARGS...: a wgnet_clients.py check as one PASS/FAIL.
check() {
	local desc=$1
	shift
	wg_check "$desc" "$WG_PY" "$HELPER" "$@"
}

# until_ok SECS CMD...: retry CMD until it succeeds; 1 on timeout.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

sessions_from() {
	json wait session &&
		"$WG_PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if set(sys.argv[2:]) <= {s["ip"] for s in d["sessions"]} else 1)' \
			"$WG_TMP/wait.json" "$@"
}

# client IP MODE ARGS...: a wgnet_clients.py client from computer IP.
client() {
	local ip=$1
	shift
	env LD_PRELOAD="$shim" WG_BIND_ADDR="$ip" "$WG_PY" "$HELPER" "$@" \
		>"$WG_TMP/client-$ip.log" 2>&1 &
	PIDS+=($!)
}

# show TITLE ARGS...: log a wgnet table (and keep it for the width check).
show() {
	local title=$1
	shift
	wg_log "---- wgnet $* ($title) ----"
	wgn "$@" >"$WG_TMP/table.txt" 2>&1
	sed 's/^/# | /' "$WG_TMP/table.txt"
	check "wgnet $* ($title) fits 80 columns" check-width "$WG_TMP/table.txt"
}

# ---- help and usage -------------------------------------------------------
wg_expect "wgnet --help lists the session verb" "session \[" "${WGN[@]}" --help
for v in session files share connections config statistics; do
	wg_expect "wgnet $v --help" "^Usage: wgnet $v" "${WGN[@]}" "$v" --help
done
WANT_RC=2 expect_fail "session /delete without a computer: usage error" \
	"needs a computer, or --all" "${WGN[@]}" session /delete
wg_expect "session --help documents /user" "/user NAME" \
	"${WGN[@]}" session --help
WANT_RC=2 expect_fail "session /user without /delete: usage error" \
	"/user goes with /delete" "${WGN[@]}" session '\\pc1' /user bob
WANT_RC=2 expect_fail "session /delete /user without a name: usage error" \
	"/user needs a user name" "${WGN[@]}" session '\\pc1' /delete /user
expect_fail "an unknown socket path names the path and errno" \
	"cannot reach wgsmbd at $WG_TMP/nope: No such file or directory \(is the daemon running\?\)" \
	"${WGN[@]}" --socket "$WG_TMP/nope" session

# ---- clients from four computers -----------------------------------------
mkfifo "$WG_TMP/smb2.in"
exec 7<>"$WG_TMP/smb2.in"	# holds smbclient's stdin open
env LD_PRELOAD="$shim" WG_BIND_ADDR=127.0.0.2 wg-smbclient demo \
	<"$WG_TMP/smb2.in" >"$WG_TMP/client-127.0.0.2.log" 2>&1 &
PIDS+=($!)
client 127.0.0.3 hold "$WG_PORT" alice "$WG_PASS" held3.txt \
	"$WG_TMP/ready3" "$STOP"
client 127.0.0.4 anon "$WG_PORT" "$WG_TMP/ready4" "$STOP"
client 127.0.0.5 writer "$WG_PORT" writer.bin "$WG_TMP/ack5" "$WG_TMP/ready5" \
	"$WG_TMP/go5"
if until_ok 30 test -e "$WG_TMP/ready3" -a -e "$WG_TMP/ready4" \
	-a -e "$WG_TMP/ready5" && until_ok 20 sessions_from 127.0.0.2 127.0.0.3 \
	127.0.0.4 127.0.0.5; then
	wg_pass "four client computers connected"
else
	wg_fail "the clients did not all connect"
	tail -n 5 "$WG_TMP"/client-*.log | sed 's/^/    | /'
fi

# ---- listings, JSON field by field ----------------------------------------
json s1 session
check "session --json: the four computers, users, dialects, opens, slots" \
	check-sessions "$WG_TMP/s1.json" 127.0.0.2:alice:SMB3_11:0:'*' \
	127.0.0.3:alice:SMB3_00:1 127.0.0.4:-:SMB3_00:1 127.0.0.5:alice:SMB3_00:1
json d3 session '\\127.0.0.3'
check "session \\\\127.0.0.3 --json: share, open file, connection" \
	check-session-detail "$WG_TMP/d3.json" 127.0.0.3 alice demo held3.txt
json d3b session 127.0.0.3
check "session 127.0.0.3 (POSIX spelling) answers the same" \
	check-session-detail "$WG_TMP/d3b.json" 127.0.0.3 alice demo held3.txt
json f1 files
check "files --json: the open file, pipe and file being written" \
	check-files "$WG_TMP/f1.json" '127.0.0.3:alice:\held3.txt' \
	'127.0.0.4::\PIPE\srvsvc' '127.0.0.5:alice:\writer.bin'
json sh1 share
check "share --json: paths, types, current users" check-shares \
	"$WG_TMP/sh1.json" "demo:$WG_SHARE:disk:3" "ro:$WG_RO:disk:0" \
	'IPC$::ipc:1'
json c1 connections
check "connections --json: one authenticated connection per computer" \
	check-connections "$WG_TMP/c1.json" "$WG_HOST:$WG_PORT" 127.0.0.2 \
	127.0.0.3 127.0.0.4 127.0.0.5
json st1 statistics server
check "statistics server --json: counters" check-statistics \
	"$WG_TMP/st1.json" 4 0
json cf1 config server
check "config server --json: names, cap, slots, socket" check-config \
	"$WG_TMP/cf1.json" WGTEST 10 4 "$SOCK"
expect_fail "session of an unknown computer is an error" \
	'no session from \\\\10\.9\.8\.7' "${WGN[@]}" session '\\10.9.8.7'

show "before /delete" session
if grep -q '^\\\\127.0.0.4 *(null) ' "$WG_TMP/table.txt" &&
	grep -q '^4 of 10 sessions in use (edition workstation)$' \
		"$WG_TMP/table.txt"; then
	wg_pass "session table: null session as (null), slots footer"
else
	wg_fail "session table: no (null) row or footer"
fi
show "before /delete" session '\\127.0.0.3'
show "before /delete" files
show "before /delete" share
show "before /delete" connections
show "" config server
show "" statistics server

# ---- who may ask ----------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	expect_fail "uid 4242 gets a clear permission error" \
		"^wgnet: permission denied: uid 4242 is not root" \
		setpriv --reuid=4242 --regid=4242 --clear-groups \
		"$WGNET" -c "$WG_CONF" session
	if grep -q "control: uid 4242 .*refused" "$WG_TMP/server.log"; then
		wg_pass "the refusal is logged"
	else
		wg_fail "no refusal in the log"
	fi
	if [ -n "$ADMIN_GROUP" ]; then
		wg_check "a member of the admin group may list sessions" \
			setpriv --reuid=4242 --regid=4242 \
			--groups="$(getent group "$ADMIN_GROUP" | cut -d: -f3)" \
			"$WGNET" -c "$WG_CONF" session
	fi
	wg_check "the daemon's own user ($WG_RUN_AS) may list sessions" \
		setpriv --reuid="$WG_RUN_AS" --regid="$(id -g "$WG_RUN_AS")" \
		--clear-groups "$WGNET" -c "$WG_CONF" session
	expect_fail "nobody is refused like any other uid" \
		"^wgnet: permission denied: uid $(id -u nobody) is not root" \
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		"$WGNET" -c "$WG_CONF" session
else
	wg_log "not root: the permission checks need setpriv as root"
fi

# ---- hostile control clients ----------------------------------------------
for kind in oversize garbage version2 extra; do
	check "request kind $kind gets an error answer" probe-bad "$SOCK" \
		"$kind"
done
"$WG_PY" "$HELPER" probe-silent "$SOCK" 16 16 >"$WG_TMP/silent.log" 2>&1 &
silent=$!
# a fixed sleep raced with the helper's start on a loaded machine: a 17th
# client that came before the 16 was let in
until_ok 30 grep -q '^connected 16 silent clients' "$WG_TMP/silent.log" ||
	wg_fail "the 16 silent control clients did not connect: $(cat "$WG_TMP/silent.log")"
expect_fail "a 17th control client is told the daemon is busy" \
	"busy: too many control clients" "${WGN[@]}" session
wg_check "SMB clients are served while 16 control clients stall" \
	env LD_PRELOAD="$shim" WG_BIND_ADDR=127.0.0.7 wg-smbclient demo -c ls
if wait "$silent"; then
	wg_pass "silent control clients are closed after the timeout"
else
	wg_fail "silent control clients: $(cat "$WG_TMP/silent.log")"
fi
wg_check "wgnet works again once they are gone" "${WGN[@]}" session

# ---- /delete while 127.0.0.5 writes ----------------------------------------
acked() {
	[ "$(cat "$WG_TMP/ack5" 2>/dev/null || echo 0)" -ge "$1" ]
}
touch "$WG_TMP/go5"
until_ok 30 acked 1048576 || wg_fail "the writer did not get 1 MiB through"
show "while it writes" session '\\127.0.0.5'
wg_expect "session \\\\127.0.0.5 /delete ends its session" \
	"^1 session\(s\) ended, 1 open file" "${WGN[@]}" session '\\127.0.0.5' /delete
printf '%s\n' "$WG_OUT" | sed 's/^/# | /'
if until_ok 20 test -e "$WG_TMP/ack5.done"; then
	wg_log "writer: $(cat "$WG_TMP/ack5.done")"
	check "every acknowledged byte is in the file" check-pattern \
		"$WG_SHARE/writer.bin" "$(cat "$WG_TMP/ack5")"
else
	wg_fail "the writer still writes after its session was deleted"
fi
json s2 session
check "127.0.0.5 has no session left" check-gone "$WG_TMP/s2.json" 127.0.0.5
check "the other computers keep their sessions, one slot is free" \
	check-sessions "$WG_TMP/s2.json" 127.0.0.2:alice:SMB3_11:0:'*' \
	127.0.0.3:alice:SMB3_00:1 127.0.0.4:-:SMB3_00:1
check "... with the same session ids" check-same "$WG_TMP/s1.json" \
	"$WG_TMP/s2.json" 127.0.0.2 127.0.0.3 127.0.0.4
json f2 files
check "their files stay open, writer.bin is closed" check-files \
	"$WG_TMP/f2.json" '127.0.0.3:alice:\held3.txt' '127.0.0.4::\PIPE\srvsvc'
json st2 statistics server
check "statistics count the admin delete" check-statistics \
	"$WG_TMP/st2.json" 4 1
show "after /delete" session
show "after /delete" session '\\127.0.0.3'
expect_fail "/delete /user of a user with no session there: an error" \
	'no session of bob from \\\\127\.0\.0\.3' "${WGN[@]}" session \
	'\\127.0.0.3' /delete /user bob
expect_fail "/delete /user (null) of a computer without null sessions: an error" \
	'no session of \(null\) from \\\\127\.0\.0\.3' "${WGN[@]}" session \
	'\\127.0.0.3' /delete /user '(null)'
expect_fail "deleting it again: no session from \\\\127.0.0.5" \
	'no session from \\\\127\.0\.0\.5' "${WGN[@]}" session '\\127.0.0.5' --delete

# ---- files ID /close -------------------------------------------------------
fid=$("$WG_PY" -c 'import json, sys
print([f["id"] for f in json.load(open(sys.argv[1]))["files"]
       if f["path"] == "\\held3.txt"][0])' "$WG_TMP/f2.json" 2>/dev/null)
wg_expect "files $fid /close closes held3.txt" "^Closed open file $fid" \
	"${WGN[@]}" files "$fid" /close
json f3 files
check "held3.txt is no longer open" check-files "$WG_TMP/f3.json" \
	'127.0.0.4::\PIPE\srvsvc'
expect_fail "closing it again: no open file" "no open file with id $fid" \
	"${WGN[@]}" files "$fid" --close

# ---- user del ends the user's sessions -------------------------------------
if printf 'B0bPassw0rd\n' | wgn user add bob --stdin >/dev/null 2>&1; then
	client 127.0.0.6 hold "$WG_PORT" bob B0bPassw0rd bob.txt \
		"$WG_TMP/ready6" "$STOP"
	until_ok 20 sessions_from 127.0.0.6 ||
		wg_fail "bob's client did not connect"
	wg_expect "user del bob ends bob's session on the daemon" \
		'ended 1 session\(s\) of "bob"' "${WGN[@]}" user del bob
	json s3 session
	check "bob has no session left" check-gone "$WG_TMP/s3.json" 127.0.0.6
else
	wg_fail "wgnet user add bob"
fi

# ---- /delete --all ----------------------------------------------------------
wg_expect "session /delete --all ends the rest" \
	"^3 session\(s\) ended" "${WGN[@]}" session /delete --all
json s4 session
if "$WG_PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["sessions"] == [] and d["slots_used"] == 0 else 1)' \
	"$WG_TMP/s4.json"; then
	wg_pass "no session and no slot left"
else
	wg_fail "sessions left: $(cat "$WG_TMP/s4.json")"
fi
touch "$STOP"
exec 7>&-

# ---- a stopped, then a killed daemon ---------------------------------------
wg_stop
wg_check_log
cp "$WG_TMP/server.log" "$WG_TMP/server-1.log"
wg_check "a clean stop removes the control socket" test ! -e "$SOCK"
expect_fail "a stopped daemon: clear error" \
	"^wgnet: cannot reach wgsmbd at $SOCK: .*\(is the daemon running\?\)$" \
	"${WGN[@]}" session
wg_start
wg_check "a restarted daemon answers" "${WGN[@]}" session
kill -KILL "$WG_PID"
wait "$WG_PID" 2>/dev/null
WG_PID=
expect_fail "a killed daemon: connection refused" \
	"^wgnet: cannot reach wgsmbd at $SOCK: Connection refused \(is the daemon running\?\)$" \
	"${WGN[@]}" session
wg_start
wg_check "a new daemon replaces the stale socket" "${WGN[@]}" session

wg_finish
