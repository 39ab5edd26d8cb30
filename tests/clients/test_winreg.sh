#!/usr/bin/env bash
#
# test_winreg.sh - \PIPE\winreg, the read-only remote registry (MS-RRP),
# from real clients:
#
#   1  impacket's rrp (winreg_client.py): HKLM's CurrentVersion values
#      (ProductName wgsmb, CurrentVersion 6.1 as srvsvc says, build 20348
#      as NTLMSSP says), ProductOptions\ProductType ServerNT, one
#      REG_MULTI_SZ per share under LanmanServer\Shares, the printer [lp]
#      under Control\Print\Printers, HKU holding only .DEFAULT and
#      S-1-5-18; a missing value or key is FILE_NOT_FOUND (2), CreateKey
#      and SetValue ACCESS_DENIED (5); key handles count against the
#      session's RPC handle budget (64: ERROR_NO_SYSTEM_RESOURCES after);
#      a closed handle is INVALID_HANDLE (6)
#   2  rpcclient's winreg_enumkey (Samba's only winreg command: EnumKey
#      index 0 of HKLM into a buffer the size of its argument) names
#      SOFTWARE, and too small a buffer answers WERR_MORE_DATA
#   3  a null session: allowed by default, ACCESS_DENIED with restrict
#      anonymous = 1 (a second daemon)
#   4  nmap smb-enum-sessions (SMB1, port 445, as root only: its scripts
#      only run against 445/139): its "Users logged in" part reads HKU
#      and says <nobody> (a failure would be "Couldn't enumerate login
#      sessions"), and its sessions part lists alice
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_winreg.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's winreg; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

NMAP_PORT=
if command -v nmap >/dev/null && [ "$(id -u)" -eq 0 ]; then
	wg_own_host
	NMAP_PORT=445
	wg_setup 445
else
	wg_setup
fi
sed -i "s/^\[global\]$/[global]\n\tserver min protocol = NT1\n\tadmin users = $WG_USER/" "$WG_CONF"
SPOOL=$WG_TMP/spool
mkdir -p "$SPOOL/lp"
chmod 777 "$SPOOL/lp"
cat >>"$WG_CONF" <<-EOF2

	[lp]
	path = $SPOOL/lp
	comment = office laser
	printable = yes
	EOF2
wg_start

OUT=$("$WG_PY" "$(dirname "$0")/winreg_client.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" 2>&1)
sed 's/^/# winreg_client: /' <<<"$OUT"
has() {
	local desc=$1 pat=$2
	if grep -qE -- "$pat" <<<"$OUT"; then
		wg_pass "$desc"
	else
		wg_fail "$desc (no /$pat/)"
	fi
}
has "impacket: HKLM opens" '^open_hklm=ok$'
has "impacket: GetVersion 5" '^version=5$'
has "impacket: ProductName wgsmb (REG_SZ)" '^ProductName=1:wgsmb$'
has "impacket: CurrentVersion 6.1, as srvsvc's SERVER_INFO_101" '^CurrentVersion=1:6\.1$'
has "impacket: CurrentBuildNumber 20348, as NTLMSSP's VERSION" '^CurrentBuildNumber=1:20348$'
has "impacket: QueryInfoKey counts CurrentVersion's 3 values" '^cv_values=3$'
has "impacket: ProductType ServerNT" '^ProductType=1:ServerNT$'
has "impacket: a missing value is FILE_NOT_FOUND" '^missing_value=ERROR_2$'
has "impacket: [demo] under LanmanServer\\Shares (REG_MULTI_SZ)" \
	'^share=demo:7:CSCFlags=0\|MaxUses=4294967295\|Path=[^|]*\|Permissions=0\|Remark=test share\|Type=0$'
has "impacket: [lp] under Shares as a print share (Type=1)" '^share=lp:7:.*Remark=office laser\|Type=1$'
has "impacket: no IPC\$ under Shares" '^shares_end=ERROR_259$'
if grep -q '^share=IPC' <<<"$OUT"; then
	wg_fail "impacket: IPC\$ is listed under Shares"
fi
has "impacket: the printer lp under Control\\Print\\Printers" '^printer=lp:office laser$'
has "impacket: a missing key is FILE_NOT_FOUND" '^missing_key=ERROR_2$'
has "impacket: CreateKey refused (read-only)" '^create_key=ERROR_5$'
has "impacket: SetValue refused (read-only)" '^set_value=ERROR_5$'
has "impacket: HKU holds only .DEFAULT and S-1-5-18" '^hku=\.DEFAULT,S-1-5-18$'
has "impacket: key handles hit the session's budget of 64" '^budget=[0-9]+:ERROR_1450$'
has "impacket: a closed handle is INVALID_HANDLE" '^closed_handle=ERROR_6$'

RPC=(timeout 30 rpcclient "$WG_HOST" -s "$WG_CLIENT_CONF" -p "$WG_PORT"
     -U "$WG_USER%$WG_PASS")
wg_expect "rpcclient winreg_enumkey: HKLM's first subkey is SOFTWARE" \
	"name +: 'SOFTWARE'" "${RPC[@]}" -d 10 -c 'winreg_enumkey XXXXXXXXXXXXXXXX'
wg_expect "rpcclient winreg_enumkey: too small a buffer, WERR_MORE_DATA" \
	'WERR_MORE_DATA' "${RPC[@]}" -c 'winreg_enumkey X'

OUT=$("$WG_PY" "$(dirname "$0")/winreg_client.py" "$WG_HOST" "$WG_PORT" \
	"" "" 2>&1)
has "null session: HKLM opens when restrict anonymous = 0" '^open_hklm=ok$'

# nmap's smb-enum-sessions (SMB1; see test_smb1_ipc.sh for the options)
if [ -n "$NMAP_PORT" ]; then
	timeout 120 nmap -Pn -n -p "$NMAP_PORT" --script smb-enum-sessions \
		--script-args "smbport=$NMAP_PORT,smbusername=$WG_USER,smbpassword=$WG_PASS,smbbasic=1,smbtype=v2" \
		"$WG_HOST" >"$WG_TMP/nmap.out" 2>&1
	sed 's/^/# nmap: /' "$WG_TMP/nmap.out"
	# "<nobody>" is what the script says when its HKU enumeration
	# (OpenHKU, EnumKey, OpenKey ...\Volatile Environment) succeeded and
	# found no user's hive; a failure would say "Couldn't enumerate
	# login sessions" (shown with -d only)
	wg_check "nmap smb-enum-sessions: HKU read, nobody logged on" \
		grep -q '^|_* *<nobody>' "$WG_TMP/nmap.out"
	wg_check "nmap smb-enum-sessions: alice's own SMB session (srvsvc)" \
		grep -q "$WG_USER is connected from" "$WG_TMP/nmap.out"
	wg_check "the server log shows nmap opened \\PIPE\\winreg" \
		grep -q 'opened \\PIPE\\winreg' "$WG_TMP/server.log"
else
	echo "# not root or no nmap: smb-enum-sessions needs port 445: skipped"
fi
wg_stop

# restrict anonymous = 1: a null session is refused at the hive
sed -i "s/^\[global\]$/[global]\n\trestrict anonymous = 1/" "$WG_CONF"
wg_start
OUT=$("$WG_PY" "$(dirname "$0")/winreg_client.py" "$WG_HOST" "$WG_PORT" \
	"" "" 2>&1)
has "null session: HKLM refused under restrict anonymous = 1" '^open_hklm=ERROR_5$'
OUT=$("$WG_PY" "$(dirname "$0")/winreg_client.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" 2>&1)
has "alice still reads HKLM under restrict anonymous = 1" '^CurrentVersion=1:6\.1$'
wg_finish
