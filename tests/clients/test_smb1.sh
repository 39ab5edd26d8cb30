#!/usr/bin/env bash
#
# test_smb1.sh - the SMB1 front end (issue 15, first round) with smbclient
# forced to NT1: off by default (an SMB1-only client is refused cleanly,
# an SMB2 client is unaffected), and with server min protocol = NT1 a
# signed NTLMv2 logon, an anonymous logon, tree connects to a disk share
# and IPC$, ECHO, the session cap refusing an 11th SMB1-only computer
# with error 71, and `wgnet config` saying SMB1 is on.
#
# File commands (NT_CREATE_ANDX, READ/WRITE_ANDX, TRANS2 FIND, ...) come
# with the next round; then put/get/ls/mkdir/rename/del/allinfo join here.
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_smb1.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi
NT1=(--option='client min protocol=NT1' --option='client max protocol=NT1')

wg_setup
SHIM=$(wg_build_shim) || wg_die "cannot build tests/shim/bindaddr.c"
cp "$WG_CONF" "$WG_TMP/base.conf"

# --- SMB1 off (the default) ---
wg_start
wg_expect "SMB1 off: an SMB1-only smbclient is refused (connection closed)" \
	'NT_STATUS_(CONNECTION_RESET|CONNECTION_DISCONNECTED|INVALID_NETWORK_RESPONSE|IO_TIMEOUT|END_OF_FILE)|failed' \
	wg-smbclient demo "${NT1[@]}" -c 'ls'
wg_check "SMB1 off: the refusal is logged" \
	grep -q 'SMB1-only client refused: SMB1 is off' "$WG_TMP/server.log"
wg_expect "SMB1 off: the refusal is counted (wgnet statistics)" \
	'"smb1_refused": *[1-9]' \
	"$WGNET" -c "$WG_CONF" statistics server --json
wg_expect "SMB1 off: an SMB2 smbclient lists [demo]" 'blocks (of size|available)' \
	wg-smbclient demo -c 'ls'
wg_expect "SMB1 off: wgnet config says SMB1 is disabled" 'SMB1 \(NT1\) *:? *disabled' \
	"$WGNET" -c "$WG_CONF" config
wg_stop

# --- SMB1 on ---
sed 's/^\[global\]$/[global]\n\tserver min protocol = NT1/' "$WG_TMP/base.conf" >"$WG_CONF"
wg_start
wg_check "SMB1 on: the start-up log says SMB1 is enabled" \
	grep -q 'SMB1 is enabled' "$WG_TMP/server.log"
wg_expect "SMB1 on: wgnet config says SMB1 is enabled" 'SMB1 \(NT1\) *:? *enabled' \
	"$WGNET" -c "$WG_CONF" config
wg_check "SMB1 on: NT1 logon as alice (signing required) and tree connect to [demo]" \
	wg-smbclient demo "${NT1[@]}" -c 'exit'
wg_check "SMB1 on: the logon and the tree connect went over SMB1" \
	grep -q "'alice' connected to 'demo' over SMB1" "$WG_TMP/server.log"
wg_expect "SMB1 on: anonymous NT1 logon, tree connect to IPC\$" 'Anonymous login successful' \
	smbclient "//$WG_HOST/IPC\$" -s "$WG_CLIENT_CONF" -p "$WG_PORT" -N "${NT1[@]}" -c 'exit'
wg_expect "SMB1 on: a wrong password is refused" 'NT_STATUS_LOGON_FAILURE' \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" \
	-U "$WG_USER%wrong" "${NT1[@]}" -c 'exit'
wg_expect "SMB1 on: an unknown share is refused" 'NT_STATUS_BAD_NETWORK_NAME' \
	wg-smbclient nosuch "${NT1[@]}" -c 'exit'
wg_expect "SMB1 on: an SMB2 smbclient still gets SMB2 and lists [demo]" \
	'blocks (of size|available)' wg-smbclient demo -c 'ls'
wg_check "SMB1 on: raw SMB1: NEGOTIATE, ECHO, a backward AndX offset refused, ECHO again" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_raw.py" "$WG_HOST" "$WG_PORT" "$WG_USER" "$WG_PASS"

# The cap: 10 computers hold an SMB1 session each; the 11th gets error 71.
HOLDERS=()
for i in $(seq 2 11); do
	(sleep 25 | LD_PRELOAD=$SHIM WG_BIND_ADDR=127.0.0.$i wg-smbclient demo \
		"${NT1[@]}" >"$WG_TMP/hold.$i" 2>&1) &
	HOLDERS+=("$!")
done
for _ in $(seq 1 100); do
	[ "$(grep -c "connected to 'demo' over SMB1" "$WG_TMP/server.log")" -ge 11 ] && break
	sleep 0.2
done
wg_expect "SMB1 on: an 11th SMB1-only computer (127.0.0.12) gets NT_STATUS_REQUEST_NOT_ACCEPTED" \
	'NT_STATUS_REQUEST_NOT_ACCEPTED' \
	env LD_PRELOAD="$SHIM" WG_BIND_ADDR=127.0.0.12 wg-smbclient demo "${NT1[@]}" -c 'exit'
wg_expect "SMB1 on: wgnet session shows the SMB1 sessions' client type" '"client_type": *"Unix"' \
	"$WGNET" -c "$WG_CONF" session --json
# the holders end when their sleep does; no need to wait for that
for p in "${HOLDERS[@]}"; do
	pkill -P "$p" 2>/dev/null
done
wg_finish
