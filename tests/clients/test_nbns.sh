#!/usr/bin/env bash
#
# test_nbns.sh - issue 15: the NetBIOS name service (netbios name service
# = yes) seen from a client written from RFC 1002 (nbns_client.py) and
# from Samba's nmblookup.
#
#   1  off by default: nothing answers a name query
#   2  on: nbns_client.py (name queries, node status, malformed packets,
#      the rate limit; see its header), and the log counts the malformed
#      packets and the rate-limited source
#   3  nmblookup -U 127.0.0.1 WGTEST#20 finds 127.0.0.1; nmblookup -A
#      127.0.0.1 lists WGTEST<00>, WGTEST<20>, WORKGROUP<00> <GROUP> and a
#      zero MAC. nmblookup only talks to port 137, so this part runs when
#      the test can have a private network namespace (as root, with
#      unshare): the whole test re-runs itself inside one. Otherwise the
#      service is on a free high port and only step 2 runs
#      (WG_NBNS_NETNS=0 forces that).
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_nbns.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's name service; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

if [ -z "${WG_NBNS_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] &&
	unshare -n true 2>/dev/null; then
	exec env WG_NBNS_NETNS=1 unshare -n bash "$0" "$@"
fi
NMBLOOKUP=0
if [ "${WG_NBNS_NETNS:-}" = 1 ]; then
	ip link set lo up || wg_die "cannot bring lo up in the namespace"
	NBNS_PORT=137
	command -v nmblookup >/dev/null && NMBLOOKUP=1
	wg_log "in a private network namespace: the service on UDP 137"
else
	NBNS_PORT=$("$WG_PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
	wg_log "no private network namespace: the service on UDP $NBNS_PORT, no nmblookup"
fi
CLIENT=$(dirname "$0")/nbns_client.py

# 1: off by default
WG_EXTRA_GLOBAL="nbns port = $NBNS_PORT"
wg_setup
wg_start
timeout 30 "$WG_PY" "$CLIENT" "$WG_HOST" "$NBNS_PORT" WGTEST WORKGROUP off ||
	WG_SCRIPT_RC=1
wg_stop

# 2: on
sed -i "s/^\(\s*\)nbns port = .*/&\n\1netbios name service = yes/" "$WG_CONF"
grep -q "netbios name service = yes" "$WG_CONF" || wg_die "config not changed"
wg_start
if grep -q "NetBIOS name service on $WG_HOST UDP port $NBNS_PORT" "$WG_TMP/server.log"; then
	wg_pass "the log says where the name service listens"
else
	wg_fail "no 'NetBIOS name service on ...' line in the log"
fi
timeout 60 "$WG_PY" "$CLIENT" "$WG_HOST" "$NBNS_PORT" WGTEST WORKGROUP ||
	WG_SCRIPT_RC=1
wg_check "the log counts malformed packets" \
	grep -q "nbns: malformed packet from $WG_HOST dropped" "$WG_TMP/server.log"
wg_check "the log names the rate-limited source" \
	grep -q "nbns: replies to $WG_HOST over the rate limit" "$WG_TMP/server.log"
# a second name server on the same address and port (SO_REUSEADDR both
# sides, as nmbd sets it) is refused, not silently handed our queries
wg_check "a second socket cannot bind the name service's address and port" \
	"$WG_PY" -c 'import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError as e:
    sys.exit(0 if e.errno == errno.EADDRINUSE else 1)
sys.exit(1)' "$WG_HOST" "$NBNS_PORT"

# 3: nmblookup, on port 137
if [ "$NMBLOOKUP" = 1 ]; then
	sleep 2.5	# the flood above emptied this source's bucket
	OUT=$(timeout 20 nmblookup -s "$WG_CLIENT_CONF" -U "$WG_HOST" 'WGTEST#20' 2>&1)
	if grep -q "^$WG_HOST WGTEST<20>" <<<"$OUT"; then
		wg_pass "nmblookup -U $WG_HOST WGTEST#20 finds $WG_HOST"
	else
		wg_fail "nmblookup -U: $OUT"
	fi
	OUT=$(timeout 20 nmblookup -s "$WG_CLIENT_CONF" -A "$WG_HOST" 2>&1)
	if grep -Eq "WGTEST +<00> - +B <ACTIVE>" <<<"$OUT" &&
		grep -Eq "WGTEST +<20> - +B <ACTIVE>" <<<"$OUT" &&
		grep -Eq "WORKGROUP +<00> - <GROUP> B <ACTIVE>" <<<"$OUT" &&
		grep -q "MAC Address = 00-00-00-00-00-00" <<<"$OUT"; then
		wg_pass "nmblookup -A $WG_HOST: the name table and a zero MAC"
	else
		wg_fail "nmblookup -A: $OUT"
	fi
	OUT=$(timeout 20 nmblookup -s "$WG_CLIENT_CONF" -U "$WG_HOST" 'NOBODY' 2>&1)
	if grep -q "name_query failed to find name NOBODY" <<<"$OUT"; then
		wg_pass "nmblookup of a name not ours: not found"
	else
		wg_fail "nmblookup NOBODY: $OUT"
	fi
fi
wg_finish
