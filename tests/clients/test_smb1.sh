#!/usr/bin/env bash
#
# test_smb1.sh - the SMB1 front end (issue 15, first round) with smbclient
# forced to NT1: off by default (an SMB1-only client is refused cleanly,
# an SMB2 client is unaffected), and with server min protocol = NT1 a
# signed NTLMv2 logon, an anonymous logon, tree connects to a disk share
# and IPC$, ECHO, the session cap refusing an 11th SMB1-only computer
# with error 71, and `wgnet config` saying SMB1 is on.
#
# Round 2, the file commands: smbclient NT1 put/get (5 MiB byte-exact),
# ls, mkdir, rename, del, rmdir, allinfo, du; impacket's SMB1 dialect
# list/put/get/mkdir/rename/del/rmdir (smb1_impacket.py).
#
# Then: logons without extended security (client use spnego = no: NTLMv2
# and anonymous, signed; a wrong password refused), and the core OPEN with
# the DOS/FCB share modes (impacket's SMB.open).
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

# --- file commands over SMB1 ---
head -c $((5 * 1024 * 1024)) /dev/urandom >"$WG_TMP/big.bin"
wg_check "SMB1 file: put a 5 MiB file (WRITE_ANDX)" \
	wg-smbclient demo "${NT1[@]}" -c "put $WG_TMP/big.bin big.bin"
wg_check "SMB1 file: the file on disk is byte-exact" \
	cmp "$WG_TMP/big.bin" "$WG_SHARE/big.bin"
rm -f "$WG_TMP/got.bin"
wg_check "SMB1 file: get it back (READ_ANDX)" \
	wg-smbclient demo "${NT1[@]}" -c "get big.bin $WG_TMP/got.bin"
wg_check "SMB1 file: what came back is byte-exact" \
	cmp "$WG_TMP/big.bin" "$WG_TMP/got.bin"
wg_expect "SMB1 file: ls (TRANS2 FIND_FIRST2) lists it with its size" \
	'big\.bin +A +5242880' wg-smbclient demo "${NT1[@]}" -c 'ls'
for i in $(seq 1 300); do : >"$WG_SHARE/many_$i.txt"; done
wg_expect "SMB1 file: ls of 300 more names (FIND_NEXT2) sees the last one" \
	'many_300\.txt' wg-smbclient demo "${NT1[@]}" -c 'ls many_*'
rm -f "$WG_SHARE"/many_*.txt
wg_check "SMB1 file: mkdir (CREATE_DIRECTORY)" \
	wg-smbclient demo "${NT1[@]}" -c 'mkdir sub1'
wg_check "SMB1 file: the directory exists on disk" test -d "$WG_SHARE/sub1"
wg_check "SMB1 file: rename big.bin into it (RENAME)" \
	wg-smbclient demo "${NT1[@]}" -c 'rename big.bin sub1\moved.bin'
wg_check "SMB1 file: the rename happened on disk" \
	cmp "$WG_TMP/big.bin" "$WG_SHARE/sub1/moved.bin"
wg_expect "SMB1 file: allinfo (QUERY_PATH_INFORMATION levels)" \
	'write_time:.*' wg-smbclient demo "${NT1[@]}" -c 'allinfo sub1\moved.bin'
wg_expect "SMB1 file: allinfo shows the stream and its size" \
	'stream: \[::\$DATA\], 5242880 bytes' \
	wg-smbclient demo "${NT1[@]}" -c 'allinfo sub1\moved.bin'
wg_expect "SMB1 file: du (QUERY_FS_INFORMATION)" 'blocks of size|blocks available' \
	wg-smbclient demo "${NT1[@]}" -c 'du'
wg_expect "SMB1 file: rmdir of a non-empty directory is refused" \
	'NT_STATUS_DIRECTORY_NOT_EMPTY' wg-smbclient demo "${NT1[@]}" -c 'rmdir sub1'
wg_check "SMB1 file: del (DELETE)" \
	wg-smbclient demo "${NT1[@]}" -c 'del sub1\moved.bin'
wg_check "SMB1 file: the file is gone from disk" test ! -e "$WG_SHARE/sub1/moved.bin"
wg_check "SMB1 file: rmdir (DELETE_DIRECTORY)" \
	wg-smbclient demo "${NT1[@]}" -c 'rmdir sub1'
wg_check "SMB1 file: the directory is gone from disk" test ! -e "$WG_SHARE/sub1"
wg_expect "SMB1 file: get of a missing file says so" 'NT_STATUS_OBJECT_NAME_NOT_FOUND' \
	wg-smbclient demo "${NT1[@]}" -c "get nosuch $WG_TMP/nosuch"
wg_check "SMB1 file: impacket's SMB1 dialect lists, puts, gets, renames, deletes" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_impacket.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$WG_SHARE"
wg_check "SMB1 core: NT_RENAME links, copies and renames; QUERY_INFORMATION_DISK is statvfs's; OPEN_ANDX's extended response" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_core.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$WG_SHARE"
wg_check "SMB1 overwrite: NT_CREATE_ANDX, OPEN_ANDX, NT_TRANSACT_CREATE, CREATE and TRANS2_OPEN2 of a 3 MiB file (the truncate on a worker) answer overwritten, size 0, later writes kept; share modes hold, a level II oplock got meanwhile breaks and a dropped client is cleaned up during a 64 MiB truncate" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_overwrite.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$WG_SHARE"
wg_check "SMB1 setters: a stream's CREATE time lands on its base file; a size change keeps a write time set through the handle (SMB1 core, SMB2); SET_INFORMATION's UTIME 0 and 0xFFFFFFFF leave the write time" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_setters.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$WG_SHARE"
wg_check "SMB1 budget: the 257th waiting LOCKING_ANDX of a connection is INSUFFICIENT_RESOURCES" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_lockwaits.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS"

# Without extended security (MS-CIFS challenge/response): NTLMv2 and LMv2
# in the password fields, signed with the session key and the response.
NOSPNEGO=(--option='client use spnego=no' --option='client ntlmv2 auth=yes')
echo "no spnego" >"$WG_TMP/nospnego.txt"
wg_check "SMB1 no extended security: NTLMv2 logon (signed) and put" \
	wg-smbclient demo "${NT1[@]}" "${NOSPNEGO[@]}" \
	-c "put $WG_TMP/nospnego.txt nospnego.txt"
wg_check "SMB1 no extended security: the file on disk is byte-exact" \
	cmp "$WG_TMP/nospnego.txt" "$WG_SHARE/nospnego.txt"
wg_check "SMB1 no extended security: get it back" \
	wg-smbclient demo "${NT1[@]}" "${NOSPNEGO[@]}" \
	-c "get nospnego.txt $WG_TMP/nospnego.got"
wg_check "SMB1 no extended security: what came back is byte-exact" \
	cmp "$WG_TMP/nospnego.txt" "$WG_TMP/nospnego.got"
wg_check "SMB1 no extended security: the logon was challenge/response, signed" \
	grep -q "SMB1 session 0x[0-9a-f]*: .*\\\\$WG_USER (.*, challenge/response, signed)" \
	"$WG_TMP/server.log"
wg_expect "SMB1 no extended security: a wrong password is refused" \
	'NT_STATUS_LOGON_FAILURE' \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" \
	-U "$WG_USER%wrong" "${NT1[@]}" "${NOSPNEGO[@]}" -c 'exit'
wg_check "SMB1 no extended security: the failure is logged as such" \
	grep -q "SMB1 logon failure for '.*$WG_USER' (challenge/response)" \
	"$WG_TMP/server.log"
wg_expect "SMB1 no extended security: anonymous logon, tree connect to IPC\$" \
	'Anonymous login successful' \
	smbclient "//$WG_HOST/IPC\$" -s "$WG_CLIENT_CONF" -p "$WG_PORT" -N \
	"${NT1[@]}" "${NOSPNEGO[@]}" -c 'exit'

# The core OPEN (0x02) and the DOS/FCB share modes (impacket's SMB.open):
# two compatibility-mode read-write opens of a .dat file by one process
# both succeed, an FCB open is read-write whatever it asks, and a deny-write
# open is refused while a compatibility open that writes holds the file.
echo "core open" >"$WG_SHARE/core.dat"
chmod 666 "$WG_SHARE/core.dat"
OUT=$(timeout 60 "$WG_PY" - "$WG_HOST" "$WG_PORT" "$WG_USER" "$WG_PASS" 2>&1 <<-'EOF'
	import sys
	from impacket import smb
	from impacket.smbconnection import SMBConnection
	host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
	c = SMBConnection(host, host, sess_port=port, preferredDialect=smb.SMB_DIALECT)
	c.login(user, pw)
	s = c.getSMBServer()
	tid = s.connect_tree("\\\\%s\\demo" % host)
	f1 = s.open(tid, "core.dat", 0, 0x02)
	f2 = s.open(tid, "core.dat", 0, 0x02)
	print("dos twice:", f1[0] != f2[0], "access", f1[4] & 7, f2[4] & 7)
	f3 = s.open(tid, "core.dat", 0, 0xFF)
	print("fcb access", f3[4] & 7)
	try:
	    s.open(tid, "core.dat", 0, 0x22)
	    print("deny-write: opened")
	except smb.SessionError as e:
	    print("deny-write: 0x%08x" % e.get_error_code())
	for f in (f1, f2, f3):
	    s.close(tid, f[0])
	f4 = s.open(tid, "core.dat", 0, 0x22)
	print("deny-write after close: size", f4[3])
	try:
	    s.open(tid, "nosuch.dat", 0, 0x40)
	    print("missing: opened")
	except smb.SessionError as e:
	    print("missing: 0x%08x" % e.get_error_code())
	EOF
)
echo "$OUT" >"$WG_TMP/coreopen.out"
sed 's/^/# core open: /' "$WG_TMP/coreopen.out"
wg_check "SMB1 OPEN: two compatibility-mode read-write opens by one process" \
	grep -q "dos twice: True access 2 2" "$WG_TMP/coreopen.out"
wg_check "SMB1 OPEN: an FCB open is read-write" \
	grep -q "fcb access 2" "$WG_TMP/coreopen.out"
wg_check "SMB1 OPEN: deny-write refused while a compatibility writer holds it" \
	grep -q "deny-write: 0xc0000043" "$WG_TMP/coreopen.out"
wg_check "SMB1 OPEN: deny-write once they are closed, with the file's size" \
	grep -q "deny-write after close: size 10" "$WG_TMP/coreopen.out"
wg_check "SMB1 OPEN: a missing file is not created" \
	grep -q "missing: 0xc0000034" "$WG_TMP/coreopen.out"

wg_check "SMB1 transactions: TRANS2 and NT_TRANSACT in pieces, the reassembly budget counted, NOTIFY_CHANGE and NT_CANCEL" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_trans.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$WG_SHARE" "$WGNET" "$WG_CONF"
wg_check "SMB1 transactions: the over-budget ones are logged" \
	grep -q 'SMB1 transaction sent in pieces' "$WG_TMP/server.log"

wg_check "SMB1 FIND family: resume keys, FIND_UNIQUE, FIND_CLOSE; FINDs left open hit the search budget (INSUFFICIENT_RESOURCES, counted)" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_find.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$WG_SHARE" "$WGNET" "$WG_CONF"

# The cap: 10 computers hold an SMB1 session each; the 11th gets error 71.
# A holder lasts until it is ended below (its stdin is a sleep far longer
# than the test): on a loaded machine starting ten smbclients can take
# most of the wait, and a holder that had already quit would let the 11th
# in.
HOLDERS=()
BASE=$(grep -c "connected to 'demo' over SMB1" "$WG_TMP/server.log")
for i in $(seq 2 11); do
	(sleep 300 2>/dev/null |
		LD_PRELOAD=$SHIM WG_BIND_ADDR=127.0.0.$i wg-smbclient demo \
		"${NT1[@]}" >"$WG_TMP/hold.$i" 2>&1) &
	HOLDERS+=("$!")
	# and if the test stops early
	WG_CLEANUP+=("pkill -P $!")
done
for _ in $(seq 1 300); do
	[ "$(grep -c "connected to 'demo' over SMB1" "$WG_TMP/server.log")" \
		-ge $((BASE + 10)) ] && break
	sleep 0.2
done
wg_expect "SMB1 on: an 11th SMB1-only computer (127.0.0.12) gets NT_STATUS_REQUEST_NOT_ACCEPTED" \
	'NT_STATUS_REQUEST_NOT_ACCEPTED' \
	env LD_PRELOAD="$SHIM" WG_BIND_ADDR=127.0.0.12 wg-smbclient demo "${NT1[@]}" -c 'exit'
wg_expect "SMB1 on: wgnet session shows the SMB1 sessions' client type" '"client_type": *"Unix"' \
	"$WGNET" -c "$WG_CONF" session --json
# end the holders (the children of our own subshells, by parent pid)
for p in "${HOLDERS[@]}"; do
	pkill -P "$p" 2>/dev/null
done
wg_finish
