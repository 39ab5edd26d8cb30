#!/usr/bin/env bash
#
# test_smb1_ipc.sh - named pipes and RAP over SMB1 (issue 15, round 3):
# rpcclient forced to NT1 (NT_CREATE_ANDX of \srvsvc on IPC$,
# TransactNmPipe, READ_ANDX for long replies) runs srvinfo,
# netshareenumall and netsessenum; smbclient -L forced to NT1 lists
# shares; a RAP NetShareEnum / NetServerGetInfo / NetWkstaGetInfo /
# NetServerEnum2 over \PIPE\LANMAN (smb1_raw.py-style client) answers;
# nmap's smb-os-discovery, smb-enum-shares and smb-enum-sessions over SMB1
# when nmap is installed. smb-os-discovery only runs against port 445 or
# 139 (with smbport= on another port it fails inside the script), so as
# root the daemon listens on 445 too, on a loopback address of its own
# (as test_acl.sh); without root only smb-enum-shares runs, on the test
# port. nmap logs on as alice without extended security (smbbasic) with
# NTLMv2 (smbtype=v2): with SPNEGO it always sends NTLMv1, which
# `ntlm auth = ntlmv2-only` refuses, and an anonymous session may not
# list sessions.
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_smb1_ipc.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi
NT1=(--option='client min protocol=NT1' --option='client max protocol=NT1')

NMAP_PORT=
if command -v nmap >/dev/null && [ "$(id -u)" -eq 0 ]; then
	wg_own_host
	NMAP_PORT=445
	wg_setup 445
else
	wg_setup
fi
sed "s/^\[global\]$/[global]\n\tserver min protocol = NT1\n\tadmin users = $WG_USER/" "$WG_CONF" >"$WG_TMP/smb1.conf"
cp "$WG_TMP/smb1.conf" "$WG_CONF"
wg_start

RPC=(rpcclient "$WG_HOST" -s "$WG_CLIENT_CONF" -p "$WG_PORT"
     -U "$WG_USER%$WG_PASS" "${NT1[@]}")
wg_expect "NT1 rpcclient srvinfo (\\srvsvc over TransactNmPipe)" \
	'platform_id[[:space:]]*:[[:space:]]*500' "${RPC[@]}" -c srvinfo
wg_expect "NT1 rpcclient netshareenumall lists [demo]" 'netname: *demo' \
	"${RPC[@]}" -c netshareenumall
wg_expect "NT1 rpcclient netsessenum lists our own session" \
	"user +: +'$WG_USER'" "${RPC[@]}" -d 10 -c netsessenum
wg_check "NT1 rpcclient: the pipe was opened over SMB1" \
	grep -q 'opened \\PIPE\\srvsvc' "$WG_TMP/server.log"
wg_expect "NT1 smbclient -L lists [demo] (RAP NetShareEnum or srvsvc)" \
	'demo +Disk' wg-smbclient "" -L "$WG_HOST" "${NT1[@]}"
wg_expect "NT1 anonymous smbclient -L lists [demo]" 'demo +Disk' \
	smbclient -L "$WG_HOST" -s "$WG_CLIENT_CONF" -p "$WG_PORT" -N "${NT1[@]}"


# nmap's SMB1 scripts (the CI installs nmap, scripts/test.sh)
if command -v nmap >/dev/null; then
	P=${NMAP_PORT:-$WG_PORT}
	SCRIPTS=smb-enum-shares
	[ -n "$NMAP_PORT" ] && SCRIPTS=smb-os-discovery,smb-enum-shares,smb-enum-sessions
	timeout 120 nmap -Pn -n -p "$P" --script "$SCRIPTS" --script-args \
		"smbport=$P,smbusername=$WG_USER,smbpassword=$WG_PASS,smbbasic=1,smbtype=v2" \
		"$WG_HOST" >"$WG_TMP/nmap.out" 2>&1
	sed 's/^/# nmap: /' "$WG_TMP/nmap.out"
	wg_check "nmap smb-enum-shares lists [demo] as alice, who may write" \
		awk -v h="\\\\\\\\$WG_HOST\\\\demo:" '
			/account_used: alice/ { a = 1 }
			index($0, h) { d = 1 }
			d && /Current user access: READ\/WRITE/ { w = 1 }
			END { exit !(a && d && w) }' "$WG_TMP/nmap.out"
	if [ -n "$NMAP_PORT" ]; then
		wg_check "nmap smb-os-discovery: OS Unix (wgsmb) from the session setup" \
			grep -q '^|   OS: Unix (wgsmb)' "$WG_TMP/nmap.out"
		wg_check "nmap smb-os-discovery: the NetBIOS name and workgroup from NEGOTIATE" \
			sh -c "grep -q '^|   NetBIOS computer name: WGTEST' '$WG_TMP/nmap.out' &&
			       grep -q '^|   Workgroup: WORKGROUP' '$WG_TMP/nmap.out'"
		wg_check "nmap smb-enum-sessions: alice's own session (NetSessEnum)" \
			grep -q "^|.*$WG_USER is connected from" "$WG_TMP/nmap.out"
	else
		echo "# not root: nmap smb-os-discovery and smb-enum-sessions need port 445: skipped"
	fi
else
	echo "# nmap not installed: its SMB1 scripts skipped"
fi

wg_stop
wg_finish
