#!/usr/bin/env bash
#
# test_rpc.sh - issue 4 seen from real clients: IPC$ named pipes with
# DCE/RPC (srvsvc, wkssvc, spoolss) and printer shares.
#
#   1  smbclient -L, anonymous and as alice: shares, types, comments
#   2  net rpc share list
#   3  rpcclient as alice (an admin): srvinfo, netshareenumall,
#      netsharegetinfo, netsessenum, netconnenum, netfileenum, netsessdel
#      of another computer (its next request fails, its slot is free),
#      enumprinters, getprinter, getdriver, enumdrivers, getdriverdir
#   4  bob (not in admin users): netsessdel and netsessenum refused, the
#      target session survives
#   5  impacket srvs, wkst and rprn (rpc_client.py services)
#   6  printing: smbclient print, print command (ran / failed), impacket
#      StartDoc/WritePrinter/EndDoc; exact bytes every time
#   7  the stuck spooler: an anonymous client keeps a printer handle open
#      and idle; with short timeouts the handle is reaped, the null
#      session ends and its (only) slot goes to another computer; a
#      handle in use is not reaped
#   8  malformed RPC on a real pipe: faults or a disconnected pipe, never
#      a dead daemon
#
# Each phase starts the daemon afresh with its own [global] lines (the way
# test_sessions.sh does: lib.sh has no hook for them). Client computers
# are loopback source addresses 127.0.0.N: smbclient and rpcclient through
# tests/shim/bindaddr.c, impacket (rpc_client.py) by binding in-process.
# `net` ignores -p for `net rpc` (Samba 4.17): a small LD_PRELOAD shim
# built here sends its connects to port 445 on loopback to our port.
#
# Environment (besides lib.sh's): RPC_CASES, e.g. "1 3 7" (default all).
# Phases run only when one of their cases is selected.
# shellcheck disable=SC2317,SC2119
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
WG_NAME=test_rpc.sh
HERE=$(cd "$(dirname "$0")" && pwd)
RC=$HERE/rpc_client.py
: "${RPC_CASES:=1 2 3 4 5 6 7 8}"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's RPC services; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

want() {
	local c
	for c in "$@"; do
		case " $RPC_CASES " in *" $c "*) return 0 ;; esac
	done
	return 1
}

wg_setup
NAME=WGTEST
LP_COMMENT="office laser, 2nd floor"
SPOOL=$WG_TMP/spool
PRINTED=$WG_TMP/printed
mkdir -p "$SPOOL/lp" "$SPOOL/lpcp" "$SPOOL/lpfail" "$PRINTED" "$WG_TMP/logs" \
	"$WG_TMP/files"
chmod 777 "$SPOOL/lp" "$SPOOL/lpcp" "$SPOOL/lpfail" "$PRINTED"
cp "$WG_CONF" "$WG_TMP/base.conf"
cat >>"$WG_TMP/base.conf" <<-EOF

	[lp]
	path = $SPOOL/lp
	comment = $LP_COMMENT
	printable = yes

	[lpcp]
	path = $SPOOL/lpcp
	comment = prints by copying
	printable = yes
	print command = cp %s $PRINTED/

	[lpfail]
	path = $SPOOL/lpfail
	comment = its print command fails
	printable = yes
	print command = false
EOF

# bob: a second user, not an admin.
BOB=bob
wg_add_user "$BOB" "$WG_PASS"

SHIM=$(wg_build_shim) || wg_die "cannot build tests/shim/bindaddr.c"
# net rpc: connects to 127.x:445 go to $WG_PORT_445, 139 is refused.
PORTSHIM=$WG_TMP/port445.so
cat >"$WG_TMP/port445.c" <<-'EOF'
	#define _GNU_SOURCE
	#include <arpa/inet.h>
	#include <dlfcn.h>
	#include <errno.h>
	#include <netinet/in.h>
	#include <stdlib.h>
	#include <sys/socket.h>

	typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

	int connect(int fd, const struct sockaddr *addr, socklen_t len)
	{
		static connect_fn real;
		const char *to = getenv("WG_PORT_445");
		struct sockaddr_in sin;

		if (real == NULL) {
			real = (connect_fn)dlsym(RTLD_NEXT, "connect");
		}
		if (to == NULL || addr == NULL || addr->sa_family != AF_INET ||
		    len < sizeof(sin)) {
			return real(fd, addr, len);
		}
		sin = *(const struct sockaddr_in *)addr;
		if ((ntohl(sin.sin_addr.s_addr) >> 24) != 127) {
			return real(fd, addr, len);
		}
		if (ntohs(sin.sin_port) == 139) {
			errno = ECONNREFUSED;
			return -1;
		}
		if (ntohs(sin.sin_port) == 445) {
			sin.sin_port = htons((unsigned short)atoi(to));
			return real(fd, (const struct sockaddr *)&sin, sizeof(sin));
		}
		return real(fd, addr, len);
	}
EOF
cc -shared -fPIC -o "$PORTSHIM" "$WG_TMP/port445.c" -ldl ||
	wg_die "cannot build the port shim for net"

PHASE=
declare -A BGPID=()	# background clients of the current phase, by name

# ---- helpers ----

# phase_start NAME [CONFIG LINE...]: a fresh daemon whose [global] has
# these lines too (lib.sh's own set none of the same keys).
phase_start() {
	PHASE=$1
	shift
	wg_log "==== phase $PHASE: ${*:-(defaults)}"
	WG_CONF=$WG_TMP/$PHASE.conf
	{
		printf '[global]\n'
		printf '%s\n' "$@"
		sed '1{/^\[global\]$/d}' "$WG_TMP/base.conf"
	} >"$WG_CONF"
	wg_start
}

# End this phase's clients (ours, by pid), stop the daemon, keep its log.
phase_stop() {
	local n
	for n in "${!BGPID[@]}"; do
		kill -TERM "${BGPID[$n]}" 2>/dev/null
	done
	for n in "${!BGPID[@]}"; do
		wait "${BGPID[$n]}" 2>/dev/null
	done
	BGPID=()
	wg_stop || true
	wg_check_log || true
	cp "$WG_TMP/server.log" "$WG_TMP/logs/$PHASE.log" 2>/dev/null
}

# check DESC CONDITION-COMMAND...: PASS/FAIL; on failure print $WHY.


hasnt() {
	! has "$1"
}

# hasall REGEX...: $OUT matches every one; hasallf STRING...: contains
# every fixed string.
hasall() {
	local re
	for re in "$@"; do
		has "$re" || return 1
	done
}

hasallf() {
	local s
	for s in "$@"; do
		printf '%s\n' "$OUT" | grep -Fq -- "$s" || return 1
	done
}


# showout REGEX: the lines of $OUT that match.
showout() {
	show "$(printf '%s\n' "$OUT" | grep -E -- "$1")"
}

# smbc ADDR ARGS...: smbclient from computer ADDR (no credentials given).
smbc() {
	local addr=$1
	shift
	OUT=$(LD_PRELOAD=$SHIM WG_BIND_ADDR=$addr timeout 30 smbclient \
		-s "$WG_CLIENT_CONF" -p "$WG_PORT" "$@" </dev/null 2>&1)
	WHY=$OUT
}

# rpc ADDR USER COMMAND: rpcclient from ADDR as USER (alice/bob, or "" for
# a null session) with -d10, so that the NDR of every reply is printed.
rpc() {
	local addr=$1 user=$2 cmd=$3 cred
	if [ -n "$user" ]; then
		cred=(-U "$user%$WG_PASS")
	else
		cred=(-U% -N)
	fi
	OUT=$(LD_PRELOAD=$SHIM WG_BIND_ADDR=$addr timeout 30 rpcclient \
		"$WG_HOST" -p "$WG_PORT" -s "$WG_CLIENT_CONF" "${cred[@]}" \
		-d 10 -c "$cmd" </dev/null 2>&1)
	WHY=$(printf '%s\n' "$OUT" | grep -Ev '^\s+' | tail -n 25)
}

# ndr FIELD: the string values of FIELD in rpcclient's NDR dump in $OUT.
ndr() {
	printf '%s\n' "$OUT" |
		sed -n "s/^ *$1 *: '\(.*\)'\$/\1/p"
}

# py NAME ADDR COMMAND [ARGS]: rpc_client.py in the foreground.
py() {
	local addr=$1 cmd=$2
	shift 2
	OUT=$(timeout 60 "$WG_PY" "$RC" "$WG_PORT" "$cmd" --addr "$addr" \
		--name "$NAME" "$@" </dev/null 2>&1)
	WHY=$OUT
}

# bg NAME ADDR COMMAND [ARGS]: rpc_client.py in the background, output in
# $WG_TMP/c.NAME.out.
bg() {
	local name=$1 addr=$2 cmd=$3
	shift 3
	: >"$WG_TMP/c.$name.out"
	"$WG_PY" "$RC" "$WG_PORT" "$cmd" --addr "$addr" --name "$NAME" "$@" \
		</dev/null >>"$WG_TMP/c.$name.out" 2>&1 &
	BGPID[$name]=$!
}




# logline REGEX: the first matching server log line, without the prefix.
logline() {
	grep -E -- "$1" "$WG_TMP/server.log" | head -n 1 |
		sed 's/^[0-9-]* //; s/ wgsmbd\[[0-9]*\]://'
}

# probe NAME: a background holder makes one request; $OUT its PROBE line.
probe() {
	local before
	before=$(grep -c '^PROBE' "$WG_TMP/c.$1.out")
	kill -USR2 "${BGPID[$1]}"
	for _ in $(seq 1 200); do
		[ "$(grep -c '^PROBE' "$WG_TMP/c.$1.out")" -gt "$before" ] && break
		sleep 0.05
	done
	OUT=$(grep '^PROBE' "$WG_TMP/c.$1.out" | tail -n 1)
	WHY="$1 said: $(bgout "$1")"
}

# pychecks PREFIX CMD...: run a helper that prints "OK what :: detail" /
# "BAD what :: detail" lines; each becomes a PASS/FAIL with its detail.
pychecks() {
	local prefix=$1 line what detail n=0 rc=0 o
	shift
	o=$(timeout 90 "$@" </dev/null 2>&1) || rc=$?
	while IFS= read -r line; do
		case $line in
		"OK "* | "BAD "*)
			what=${line#* }
			what=${what%% :: *}
			detail=${line#* :: }
			n=$((n + 1))
			if [ "${line%% *}" = OK ]; then
				wg_pass "$prefix: $what"
			else
				wg_fail "$prefix: $what"
			fi
			show "$detail"
			;;
		esac
	done <<<"$o"
	if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && ! grep -q '^BAD ' <<<"$o"; }; then
		wg_fail "$prefix: the helper exited $rc"
		printf '%s\n' "$o" | tail -n 20 | sed 's/^/    | /'
	fi
}

# same_bytes FILE DIR: some file in DIR has exactly FILE's bytes; its
# name in $SAME.
SAME=
same_bytes() {
	local f
	SAME=
	for f in "$2"/* "$2"/.[!.]*; do
		[ -f "$f" ] || continue
		if cmp -s "$1" "$f"; then
			SAME=$f
			return 0
		fi
	done
	WHY="no file in $2 has the bytes of $1: $(ls -la "$2")"
	return 1
}

# until_true SECONDS CMD...: retry CMD every 0.1 s.
until_true() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}


# ---- 1. smbclient -L ----

case1() {
	local who
	for who in anonymous alice; do
		if [ "$who" = anonymous ]; then
			smbc 127.0.0.2 -L "//$WG_HOST" -U% -N
		else
			smbc 127.0.0.2 -L "//$WG_HOST" -U "$WG_USER%$WG_PASS"
		fi
		check "smbclient -L ($who): demo is a Disk with its comment" \
			has '^[[:space:]]+demo[[:space:]]+Disk[[:space:]]+test share$'
		check "smbclient -L ($who): lp is a Printer with its comment" \
			has "^[[:space:]]+lp[[:space:]]+Printer[[:space:]]+$LP_COMMENT\$"
		check "smbclient -L ($who): IPC\$ is IPC with a comment" \
			has '^[[:space:]]+IPC\$[[:space:]]+IPC[[:space:]]+[^[:space:]]'
		showout '^[[:space:]]+(Sharename|demo|ro|lp|lpcp|lpfail|IPC\$) '
	done
}

# ---- 2. net rpc share list ----

case2() {
	OUT=$(LD_PRELOAD=$PORTSHIM WG_PORT_445=$WG_PORT timeout 30 net rpc share \
		list --long -S "$WG_HOST" -U "$WG_USER%$WG_PASS" -s "$WG_CLIENT_CONF" \
		</dev/null 2>&1)
	WHY=$OUT
	check "net rpc share list --long (alice): demo, lp (Print) and IPC\$ with comments" \
		hasall '^demo +Disk +test share' "^lp +Print +$LP_COMMENT" '^IPC\$ +IPC +[^ ]'
	showout '^(Share name|demo|ro|lp|IPC)'
}

# ---- 3a. rpcclient: server, shares, printers (no other clients needed) ----

case3_info() {
	rpc 127.0.0.3 alice srvinfo
	check "rpcclient srvinfo: $NAME, a workstation and server (Wk Sv)" \
		has "^[[:space:]]+${NAME}[[:space:]]+Wk Sv"
	showout "^[[:space:]]+($NAME|platform_id|os version|server type)"

	rpc 127.0.0.3 alice netshareenumall
	check "rpcclient netshareenumall: demo, lp, IPC\$ and the others, with paths" \
		hasall '^netname: demo$' '^netname: lp$' '^netname: IPC\$$' \
		'^netname: lpfail$' 'path:.*share$' 'path:.*spool.lp$'
	show "$(printf '%s\n' "$OUT" | grep -E -A3 '^netname: (demo|lp|IPC\$)$' | grep -v password)"

	rpc 127.0.0.3 alice 'netsharegetinfo demo'
	check "rpcclient netsharegetinfo demo: comment, path, type 0" \
		hasall '^netname: demo$' 'remark:.test share$' 'path:.*share$' 'type:.0x0$'
	showout '^(netname|	remark|	path|	type|	max_uses):'

	# rpcclient names the server by the address it connected to
	# (\\\\$WG_HOST); the printers are named back that way, as Windows does
	rpc 127.0.0.3 alice enumprinters
	check "rpcclient enumprinters: \\\\$WG_HOST\\lp with its comment" \
		hasallf "name:[\\\\$WG_HOST\\lp]" "comment:[$LP_COMMENT]"
	showout '^	(flags|name|description|comment):'

	rpc 127.0.0.3 alice 'getprinter lp'
	check "rpcclient getprinter lp: \\\\$WG_HOST\\lp" \
		hasallf "name:[\\\\$WG_HOST\\lp]" "comment:[$LP_COMMENT]"
	showout '^	(flags|name|description|comment):'

	# the generic driver Windows' Add Printer wizard is told to use
	rpc 127.0.0.3 alice 'getdriver lp 3'
	check "rpcclient getdriver lp 3: MS Publisher Imagesetter, version 3, for x64 and x86" \
		hasallf "Driver Name: [MS Publisher Imagesetter]" \
		"Architecture: [Windows x64]" "Architecture: [Windows NT x86]" \
		"Version: [3]" "Driver Path: [\\\\$NAME\\print\$\\x64\\3\\PSCRIPT5.DLL]"
	showout '^	(Version|Driver Name|Architecture|Driver Path):'

	rpc 127.0.0.3 alice 'enumdrivers 3'
	check "rpcclient enumdrivers 3: MS Publisher Imagesetter for x64 and x86" \
		hasallf "Driver Name: [MS Publisher Imagesetter]" \
		"Architecture: [Windows x64]" "Architecture: [Windows NT x86]"
	showout '^	(Driver Name|Architecture):'

	rpc 127.0.0.3 alice 'getdriverdir "Windows x64"'
	check "rpcclient getdriverdir: \\\\$NAME\\print\$\\x64" \
		hasallf "Directory Name:[\\\\$NAME\\print\$\\x64]"
	showout 'Directory Name'
}

# ---- 3b. rpcclient: sessions, connections, files, netsessdel ----
# max sessions = 2: A (alice, 127.0.0.20) and B (bob, 127.0.0.21) hold
# files open; alice's rpcclient runs from A's computer (same slot).

case3_sessions() {
	local r
	bg A 127.0.0.20 hold --user alice --open held-a.txt
	bg B 127.0.0.21 hold --user bob --open held-b.txt
	wait_out A '^READY' 20 && wait_out B '^READY' 20
	r=$?
	check "cap 2: A (alice, 127.0.0.20) and B (bob, 127.0.0.21) hold a file open on [demo]" \
		test "$r" = 0
	py 127.0.0.22 login
	check "cap 2: computer C (127.0.0.22) refused: STATUS_REQUEST_NOT_ACCEPTED" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED' && show "$OUT"

	rpc 127.0.0.20 alice 'netsessenum'
	WHY="$WHY
$(ndr client; ndr user)"
	# One row per cap slot, as Windows shows (computer, user) sessions:
	# holder A and rpcclient itself share alice's slot of 127.0.0.20.
	check "rpcclient netsessenum: one row per slot: alice from 127.0.0.20 (holder A and rpcclient itself) and bob from 127.0.0.21" \
		test "$(paste -d' ' <(ndr client) <(ndr user) | sort | tr '\n' ,)" = \
		'\\127.0.0.20 alice,\\127.0.0.21 bob,'
	show "$(paste -d' ' <(ndr client) <(ndr user))" "$(printf '%s\n' "$OUT" | grep '^Received')"

	rpc 127.0.0.20 alice 'netconnenum 1 demo'
	check "rpcclient netconnenum 1 demo: the trees of alice (127.0.0.20) and bob (127.0.0.21) on [demo]" \
		hasall "user *: 'alice'" "user *: 'bob'" "share *: '127\.0\.0\.21'" 'result *: WERR_OK'
	show "$(paste -d' ' <(ndr user) <(ndr share))"

	rpc 127.0.0.20 alice 'netfileenum 3'
	check "rpcclient netfileenum 3: B's open file with its path and user bob" \
		hasall "path *: '.*share.held-b\.txt'" 'result *: WERR_OK'
	show "$(paste -d' ' <(ndr path) <(ndr user))"

	rpc 127.0.0.20 alice 'netsessdel \\127.0.0.21'
	hasall 'result *: WERR_OK' && hasnt '^result was'
	r=$?
	check "rpcclient netsessdel \\\\127.0.0.21: WERR_OK" test "$r" = 0
	show "$(printf '%s\n' "$OUT" | grep -E 'result *:|^result was' | tail -n 1)"
	WHY=$(tail -n 5 "$WG_TMP/server.log")
	check "netsessdel: the daemon logs B's session ended by the admin" \
		wait_log '127\.0\.0\.21.*(admin|deleted|ending)' 5 &&
		show "$(logline '127\.0\.0\.21.*(admin|deleted|ending)')"
	check_closed "netsessdel: B's connection, with no session left, is closed at once" 127.0.0.21
	probe B
	check "netsessdel: B's next request fails: the connection is gone" \
		has 'PROBE FAILED (NetBIOSError|.*Connection|.*Broken)' && show "$OUT"
	WHY=$(ls -la "$WG_SHARE")
	check "netsessdel: what B wrote before (64 bytes, acknowledged) is in its file" \
		test "$(stat -c %s "$WG_SHARE/held-b.txt" 2>/dev/null)" = 64
	probe A
	check "netsessdel: A (the same admin's computer) untouched: reads its file" \
		has 'PROBE OK'
	py 127.0.0.22 login
	check "netsessdel: B's slot is free: C (127.0.0.22) now gets in" \
		has 'SHARE demo OK' && show "$OUT"
}

# ---- 4. bob is no admin ----

case4() {
	bg D 127.0.0.30 hold --user alice --open held-d.txt
	check "non-admin: D (alice, 127.0.0.30) holds a file open" \
		wait_out D '^READY' 20
	rpc 127.0.0.31 bob 'netsessdel \\127.0.0.30'
	check "non-admin: bob's rpcclient netsessdel \\\\127.0.0.30: WERR_ACCESS_DENIED" \
		has 'WERR_ACCESS_DENIED' &&
		show "$(printf '%s\n' "$OUT" | grep -E '^result was|result *: WERR' | tail -n 1)"
	rpc 127.0.0.31 bob 'netsessenum'
	check "non-admin: bob's rpcclient netsessenum: WERR_ACCESS_DENIED" \
		has 'WERR_ACCESS_DENIED' &&
		show "$(printf '%s\n' "$OUT" | grep -E '^result was|result *: WERR' | tail -n 1)"
	rpc 127.0.0.31 bob 'netfileenum 3'
	check "non-admin: bob's rpcclient netfileenum: WERR_ACCESS_DENIED" \
		has 'WERR_ACCESS_DENIED'
	probe D
	check "non-admin: D's session survived: reads its file" has 'PROBE OK'
	WHY=$(grep '127\.0\.0\.30' "$WG_TMP/server.log")
	check "non-admin: no session of 127.0.0.30 was ended" \
		test -z "$(grep -E 'ending session.*127\.0\.0\.30|127\.0\.0\.30.*ending session' "$WG_TMP/server.log")"
	rpc 127.0.0.31 bob 'netshareenumall'
	check "non-admin: bob may still list the shares (netshareenumall)" \
		has '^netname: demo'
	kill -TERM "${BGPID[D]}" 2>/dev/null
	wait "${BGPID[D]}" 2>/dev/null
	unset "BGPID[D]"
}

# ---- 5. impacket srvs, wkst, rprn ----

case5() {
	pychecks "impacket (alice)" "$WG_PY" "$RC" "$WG_PORT" services \
		--addr 127.0.0.5 --name "$NAME" --lp-comment "$LP_COMMENT" \
		--demo-path "$WG_SHARE"
	pychecks "spoolss (alice)" "$WG_PY" "$RC" "$WG_PORT" handles \
		--addr 127.0.0.5 --name "$NAME"
	check "spoolss (alice): the refused printer handles are logged as the handle budget" \
		grep -q "127.0.0.5 reached the limit of 64 LSA and SAM context handles (with printer handles)" \
		"$WG_TMP/server.log"
}

# ---- 6. printing ----

case6() {
	local f n r
	f=$WG_TMP/files/smbprint-$RANDOM.bin
	head -c 102400 /dev/urandom >"$f"
	smbc 127.0.0.6 "//$WG_HOST/lp" -U "$WG_USER%$WG_PASS" -c "print $f"
	hasall 'putting file' && hasnt 'NT_STATUS_'
	r=$?
	check "smbclient //$WG_HOST/lp -c 'print FILE' (100 KiB of random bytes) succeeds" \
		test "$r" = 0 && showout 'putting file'
	check "smbclient print: a job file in the spool directory with exactly those bytes (cmp)" \
		until_true 5 same_bytes "$f" "$SPOOL/lp" &&
		show "$SAME ($(stat -c %s "$SAME") bytes)" "$(logline "print job [0-9]+ on 'lp'")"

	f=$WG_TMP/files/cp-$RANDOM.bin
	head -c 102400 /dev/urandom >"$f"
	smbc 127.0.0.6 "//$WG_HOST/lpcp" -U "$WG_USER%$WG_PASS" -c "print $f"
	check "print command 'cp %s $PRINTED/': the copy exists with the exact bytes" \
		until_true 5 same_bytes "$f" "$PRINTED" && show "$SAME"
	check "print command: the daemon logs the job handed to it" \
		wait_log 'handed to the print command' 5 &&
		show "$(logline 'handed to the print command')"

	f=$WG_TMP/files/fail-$RANDOM.bin
	head -c 102400 /dev/urandom >"$f"
	smbc 127.0.0.6 "//$WG_HOST/lpfail" -U "$WG_USER%$WG_PASS" -c "print $f"
	check "print command 'false': the daemon logs the failure" \
		wait_log 'print command failed.*stays spooled' 5 &&
		show "$(logline 'print command failed')"
	check "print command 'false': the job stays spooled with its exact bytes" \
		same_bytes "$f" "$SPOOL/lpfail" && show "$SAME"

	# Jobs are never lost: a second job under the same name must not
	# replace the first, which is still spooled because its command
	# failed. (smbclient names the spool file after the local file, with
	# "-PID" only when the name given has a directory part.)
	head -c 4096 /dev/urandom >"$WG_TMP/files/same.bin"
	cp "$WG_TMP/files/same.bin" "$WG_TMP/files/first.bin"
	smbc 127.0.0.6 "//$WG_HOST/lpfail" -U "$WG_USER%$WG_PASS" \
		-c "lcd $WG_TMP/files; print same.bin"
	head -c 2048 /dev/urandom >"$WG_TMP/files/same.bin"
	smbc 127.0.0.6 "//$WG_HOST/lpfail" -U "$WG_USER%$WG_PASS" \
		-c "lcd $WG_TMP/files; print same.bin"
	showout 'putting file'
	wait_log "print job [0-9]+: print command failed" 5
	sleep 0.3
	same_bytes "$WG_TMP/files/first.bin" "$SPOOL/lpfail" &&
		same_bytes "$WG_TMP/files/same.bin" "$SPOOL/lpfail"
	r=$?
	WHY="spool directory: $(ls -la "$SPOOL/lpfail")
$(grep "on 'lpfail'" "$WG_TMP/server.log" | sed 's/^.*NOTICE //')"
	check "two jobs printed as 'same.bin' (4096 then 2048 bytes), both failing their command: both stay spooled" \
		test "$r" = 0

	# The job's name reaches the print command's shell as data only.
	# (no '/' in an SMB name: climb to / with cd .., then down)
	# shellcheck disable=SC2016 # ${IFS} is for the daemon's shell
	n="job'\$($(printf 'cd${IFS}..;%.0s' 1 2 3 4 5 6 7 8 9 10 11 12)"
	n+="cd\${IFS}tmp;cd\${IFS}$(basename "$WG_TMP");cd\${IFS}spool;cd\${IFS}lpcp;"
	n+="touch\${IFS}INJECTED)'.txt"
	py 127.0.0.6 putfile --share lpcp --open "$n" --data 16
	sleep 1
	WHY="$OUT
spool: $(ls "$SPOOL/lpcp")"
	check "print command: a job named with shell syntax (' \$( ) is not run by the shell" \
		test ! -e "$SPOOL/lpcp/INJECTED"

	# spoolss: StartDocPrinter / WritePrinter / EndDocPrinter.
	f=$WG_TMP/files/rprn-$RANDOM.bin
	head -c 102400 /dev/urandom >"$f"
	py 127.0.0.7 print --printer "\\\\$NAME\\lp" --file "$f" --doc "rprn test" --chunk 8192
	check "impacket rprn: OpenPrinterEx(\\\\$NAME\\lp) + StartDocPrinter(DOC_INFO_1 RAW) + 13 WritePrinter + EndDocPrinter + ClosePrinter" \
		has '^JOB [0-9]+ written=102400$' && show "$OUT"
	check "impacket rprn: a job file in the spool directory with exactly those bytes (cmp)" \
		until_true 5 same_bytes "$f" "$SPOOL/lp" &&
		show "$SAME" "$(logline "print job [0-9]+ on 'lp' from 'alice': .*spoolss")"
	f=$WG_TMP/files/rprncp-$RANDOM.bin
	head -c 30000 /dev/urandom >"$f"
	py 127.0.0.7 print --printer "\\\\$NAME\\lpcp" --file "$f"
	has '^JOB ' && until_true 5 same_bytes "$f" "$PRINTED"
	r=$?
	check "impacket rprn on lpcp: the print command ran on the spoolss job (exact copy)" \
		test "$r" = 0
	rpc 127.0.0.3 alice 'enumjobs lp 2'
	check "rpcclient enumjobs lp 2: lists the spoolss job with its owner" has 'jobid\[[0-9]+\]: +alice +rprn test' &&
		showout 'jobid\['
	# GetJob and SetJob (pause, then resume) on that job, as its owner;
	# bob, neither its owner nor an admin, may not touch it
	jid=$(printf '%s\n' "$OUT" | sed -n 's/.*jobid\[\([0-9]*\)\]: *alice *rprn test.*/\1/p' | head -n 1)
	rpc 127.0.0.3 alice "getjob lp $jid 2; setjob lp $jid 1; setjob lp $jid 2; getjob lp $jid 1"
	check "rpcclient getjob lp $jid (levels 2 and 1) reads the job back, setjob pauses and resumes it (no error)" \
		getjob_ok "$jid" && showout "jobid\\[$jid\\]"
	rpc 127.0.0.3 bob "setjob lp $jid 5"
	check "rpcclient setjob as bob (not the owner, not an admin): access denied" \
		has 'WERR_ACCESS_DENIED' && showout 'WERR_'
}

# The rpcclient output in OUT shows job $1 twice (GetJob at two levels),
# with its owner and name, and no call failed.
getjob_ok() {
	[ "$(printf '%s\n' "$OUT" |
		grep -cE "jobid\[$1\]: +alice +rprn test")" = 2 ] &&
		! printf '%s\n' "$OUT" | grep -q 'result was WERR_'
}

# ---- 6b. after a restart ----

restart_jobs() {
	local max n f failed=0
	max=$(find "$SPOOL/lp" -name 'spoolss-*.prn' -printf '%f\n' |
		sed 's/[^0-9]//g' | sort -n | tail -n 1)
	[ -n "$max" ] || return 0
	f=$WG_TMP/files/restart.bin
	head -c 1000 /dev/urandom >"$f"
	WHY=
	for n in $(seq 1 "$max"); do
		py 127.0.0.20 print --printer "\\\\$NAME\\lp" --file "$f"
		if ! has '^JOB '; then
			failed=$((failed + 1))
			WHY="$WHY
job $n: $OUT"
		fi
	done
	WHY="$WHY
$(grep 'cannot create' "$WG_TMP/server.log" | sed 's/^.*ERR //')"
	check "after a restart, with spoolss-1..$max.prn of the last run still spooled, $max new spoolss jobs all start ($failed refused)" \
		test "$failed" -eq 0
}

# ---- 7. the stuck spooler ----

case7() {
	local t_open t_sess r n0
	# C (127.0.0.41) must try within S's 2 s null session limit: its
	# Python client is started first and told to go once S is ready
	py_ready C 127.0.0.41 login
	bg S 127.0.0.40 spool --anon
	check "stuck spooler: S (127.0.0.40, null session) opened \\PIPE\\spoolss, OpenPrinterEx(\\\\$NAME\\lp), keeps the handle and goes idle" \
		wait_out S '^READY' 20 && show "$(bgout S)"
	t_open=$(logtime '127\.0\.0\.40: opened .PIPE.spoolss')
	py_go C
	check "stuck spooler: while the handle is live another computer (127.0.0.41) is refused: STATUS_REQUEST_NOT_ACCEPTED" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED' && show "$OUT"
	check "stuck spooler: the null session is ended as null idle though it holds a printer handle (log)" \
		wait_log 'ending session 127\.0\.0\.40/.*null idle' 10
	t_sess=$(logtime 'ending session 127\.0\.0\.40/')
	WHY="opened at $t_open, session ended at $t_sess"
	check "stuck spooler: ended $(secs "$t_open" "$t_sess") s after the pipe was opened (null session timeout 2 s, within 1.9-4 s: no pipe keeps a null session)" \
		float_between "$(secs "$t_open" "$t_sess")" 1.9 4
	check_closed "stuck spooler: its connection is closed at once" 127.0.0.40
	WHY=$(grep -E '127\.0\.0\.40|idle spoolss' "$WG_TMP/server.log")
	check "stuck spooler: the handle went with the session, not by the spoolss timeout" \
		eval "! grep -q 'closing an idle spoolss printer handle' '$WG_TMP/server.log'"
	for _ in $(seq 1 40); do
		py 127.0.0.41 login
		has 'LOGIN OK' && break
		sleep 0.25
	done
	check "stuck spooler: the slot is free: 127.0.0.41 now gets in and lists [demo]" \
		has 'SHARE demo OK' && show "$OUT"
	probe S
	check "stuck spooler: S's next call (GetPrinter) fails: the session is gone" \
		has 'PROBE FAILED (STATUS_USER_SESSION_DELETED|.*fault|.*context|STATUS_PIPE|NetBIOSError|.*Connection|.*Broken)' && show "$OUT"
	wg_log "stuck-spooler timeline (daemon log):"
	grep -E '127\.0\.0\.4[01]|idle spoolss|refused session' "$WG_TMP/server.log" |
		grep -Ev 'conn_destructor|closed \(' | sed 's/^[0-9-]* //; s/ wgsmbd\[[0-9]*\]://' |
		head -n 20 | sed 's/^/    > /'

	# The negative: a handle in use is not reaped.
	local busy_re='ending session 127\.0\.0\.42/'
	n0=$(grep -c 'closing an idle spoolss printer handle' "$WG_TMP/server.log")
	# D must try within 2 s of E's last call: started first, as C above
	py_ready D 127.0.0.43 login
	bg E 127.0.0.42 spool --anon --busy 7
	check "busy spooler: E (127.0.0.42, null session) opened a printer handle" \
		wait_out E '^READY' 20
	wait_out E '^BUSY DONE' 15 && ! grep -q 'BUSY [0-9]* FAILED' "$WG_TMP/c.E.out"
	r=$?
	check "busy spooler: GetPrinter every half second for 7 s, all answered" \
		test "$r" = 0 &&
		show "$(grep '^BUSY' "$WG_TMP/c.E.out" | sed -n '1p;$p')"
	WHY=$(grep -E '127\.0\.0\.42|idle spoolss' "$WG_TMP/server.log")
	[ "$(grep -c 'closing an idle spoolss printer handle' "$WG_TMP/server.log")" -eq "$n0" ] &&
		! grep -Eq "$busy_re" "$WG_TMP/server.log"
	r=$?
	check "busy spooler: 7 s (> handle 3 s + null 2 s) of use: the handle was not reaped, the session not ended" \
		test "$r" = 0
	py_go D
	check "busy spooler: meanwhile another computer (127.0.0.43) is still refused" \
		has 'LOGIN FAILED STATUS_REQUEST_NOT_ACCEPTED'
	check "busy spooler: once idle, E's null session is ended" \
		wait_log "$busy_re" 10 && show "$(logline "$busy_re")"
	kill -TERM "${BGPID[S]}" "${BGPID[E]}" 2>/dev/null
}

# ---- 8. malformed RPC ----

case8() {
	pychecks "malformed RPC on \\srvsvc" "$WG_PY" "$RC" "$WG_PORT" malformed \
		--addr 127.0.0.8
	check "malformed RPC: the daemon is still running" kill -0 "$WG_PID"
	rpc 127.0.0.8 alice srvinfo
	check "malformed RPC: afterwards rpcclient srvinfo still works" \
		has "^[[:space:]]+${NAME}[[:space:]]+Wk Sv" &&
		showout "^[[:space:]]+${NAME}"
	check "malformed RPC: the daemon logged the broken streams it cut" \
		wait_log 'broken RPC stream' 1 && show "$(logline 'broken RPC stream')"
}

# ---- phases ----

if want 1 2 3 4 5 6 8; then
	phase_start main "admin users = $WG_USER"
	want 1 && case1
	want 2 && case2
	want 3 && case3_info
	want 4 && case4
	want 5 && case5
	want 6 && case6
	want 8 && case8
	phase_stop
fi

if want 3; then
	phase_start cap "admin users = $WG_USER" "max sessions = 2"
	case3_sessions
	# Jobs left in the spool by the previous daemon (spoolss-N.prn) must
	# not make new spoolss jobs fail: print until past the highest N.
	restart_jobs
	phase_stop
fi

if want 7; then
	phase_start stuck "null session timeout = 2s" \
		"spoolss handle timeout = 3s" "max sessions = 1"
	case7
	phase_stop
fi

wg_finish
