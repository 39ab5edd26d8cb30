#!/usr/bin/env bash
#
# test_cap_concurrency.sh - the session cap stays exact under concurrency
# (issue 16). Many client computers (distinct loopback addresses) log on
# at the same instant, released together from one barrier after their
# NEGOTIATE (cap_storm.py): exactly the cap are admitted, the rest get
# STATUS_REQUEST_NOT_ACCEPTED on the wire, `wgnet session --json` lists
# exactly the admitted computers, each admitted connection still works
# after the storm, and once they log off a second storm of new computers
# is admitted exactly as many again.
#
# Rounds: edition workstation (cap 10) and home (cap 5); one and three
# connections per computer (one computer = one slot); with
# `server min protocol = NT1`, every third computer speaks SMB1.
#
# Environment (besides lib.sh's):
#   STORM_COMPUTERS  computers per storm (default 40)
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_cap_concurrency.sh
HERE=$(cd "$(dirname "$0")" && pwd)
: "${STORM_COMPUTERS:=40}"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's session cap; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

wg_setup
cp "$WG_CONF" "$WG_TMP/base.conf"
mkdir -p "$WG_TMP/logs"

# round NAME CAP NET CONFIG-LINES -- CAP_STORM-ARGS...: a fresh daemon
# with these [global] lines, then cap_storm.py; its CHECK lines become
# this test's PASS/FAIL lines.
round() {
	local name=$1 cap=$2 net=$3 line rc=0
	shift 3
	WG_CONF=$WG_TMP/$name.conf
	{
		printf '[global]\n'
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			printf '%s\n' "$1"
			shift
		done
		sed -e '1{/^\[global\]$/d}' "$WG_TMP/base.conf"
	} >"$WG_CONF"
	shift
	wg_log "==== round $name: cap $cap, computers under $net.*: $*"
	wg_start
	while IFS= read -r line; do
		case $line in
		"CHECK PASS "*) wg_pass "${line#CHECK PASS }" ;;
		"CHECK FAIL "*) wg_fail "${line#CHECK FAIL }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <(timeout 300 "$WG_PY" "$HERE/cap_storm.py" "$WG_PORT" \
		--cap "$cap" --wgnet "$WGNET" --conf "$WG_CONF" --net "$net" \
		--computers "$STORM_COMPUTERS" --label "$name" "$@" 2>&1 ||
		echo "CHECK FAIL $name: cap_storm.py exited with status $?")
	wg_stop || rc=1
	wg_check_log || rc=1
	cp "$WG_TMP/server.log" "$WG_TMP/logs/$name.log" 2>/dev/null
	return $rc
}

round workstation 10 127.0.1 "edition = workstation" --
round home 5 127.0.2 "edition = home" --
round workstation-x3 10 127.0.3 "edition = workstation" -- --conns 3
round home-x3 5 127.0.4 "edition = home" -- --conns 3
round workstation-smb1 10 127.0.5 "edition = workstation" \
	"server min protocol = NT1" -- --conns 2 --smb1-every 3
round home-smb1 5 127.0.6 "edition = home" "server min protocol = NT1" -- \
	--conns 2 --smb1-every 3
wg_finish
