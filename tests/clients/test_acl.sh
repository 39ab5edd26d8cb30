#!/usr/bin/env bash
#
# test_acl.sh - security descriptors with real clients (fs/acl.c):
#  - smbcacls adds an ACE by SID to a file and reads it back; it is still
#    there after a daemon restart (stored in the file's xattr);
#  - alice's private folder with a DACL granting only alice refuses bob
#    (ACCESS_DENIED through smbclient and impacket), alice still gets in;
#  - an admin user ("admin users") takes ownership, and bob may not.
# SIDs are written numerically (--numeric): names need \PIPE\lsarpc.
set -u
. "$(dirname "$0")/lib.sh"

BOB=bob
BOB_PASS='B0bPassw0rd!'
ADMIN=boss
ADMIN_PASS='B0ssPassw0rd!'

# rid_of NAME: the user's RID from the users file (v2: NAME:HASH:RID)
rid_of() {
	awk -F: -v u="$1" '$1 == u { print $3 }' "$WG_TMP/users"
}

# cacls USER%PASS PATH ARGS...: smbcacls on [demo], SIDs numeric
write_cacls() {
	cat >"$WG_TMP/bin/cacls" <<-EOF
		#!/bin/sh
		who=\$1
		shift
		exec smbcacls "//$WG_HOST/demo" -s '$WG_CLIENT_CONF' \\
			-U "\$who" --numeric "\$@"
	EOF
	chmod 755 "$WG_TMP/bin/cacls"
}

if [ "$(id -u)" -ne 0 ]; then
	wg_die "needs root (the daemon must listen on port 445 for smbcacls)"
fi
# smbcacls 4.17 has no port option and dials 445: a loopback address of
# our own, as test_smbnetfs.sh does
WG_HOST=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
WG_EXTRA_GLOBAL="admin users = $ADMIN
server min protocol = NT1"
wg_setup 445
wg_add_user "$BOB" "$BOB_PASS"
wg_add_user "$ADMIN" "$ADMIN_PASS"
write_cacls
wg_start

MACHINE=$(tail -n 1 "$WG_TMP/state/machine-sid")
ALICE_SID=$MACHINE-$(rid_of "$WG_USER")
BOB_SID=$MACHINE-$(rid_of "$BOB")
ADMIN_SID=$MACHINE-$(rid_of "$ADMIN")
wg_log "machine $MACHINE alice $ALICE_SID bob $BOB_SID admin $ADMIN_SID"
case $ALICE_SID:$BOB_SID in
S-1-5-21-*-*-*-1???:S-1-5-21-*-*-*-1???) wg_pass "users have SIDs under the machine SID" ;;
*) wg_fail "users have no SIDs: $ALICE_SID $BOB_SID" ;;
esac

ALICE="$WG_USER%$WG_PASS"
# ---- smbcacls: add an ACE by SID, read it back, survive a restart ----
echo hello >"$WG_TMP/hello.txt"
wg_check "alice puts a file" wg-smbclient demo -c "put $WG_TMP/hello.txt shared.txt"
wg_check "smbcacls adds an ACE for bob" \
	cacls "$ALICE" shared.txt -a "ACL:$BOB_SID:ALLOWED/0x0/READ"
wg_expect "the ACE is there when read back" "ACL:$BOB_SID:(ALLOWED|0)/(0x0|0)/(READ|0x001200a9)" \
	cacls "$ALICE" shared.txt

wg_stop
wg_start
wg_expect "the ACE is still there after a restart" \
	"ACL:$BOB_SID:(ALLOWED|0)/(0x0|0)/(READ|0x001200a9)" cacls "$ALICE" shared.txt

# ---- alice's private folder ----
# (a DACL set on a folder applies to what is created in it afterwards;
# smbcacls -S does not propagate it to existing children, nor do we)
wg_check "alice makes a folder" wg-smbclient demo -c "mkdir private"
wg_check "alice lets only herself in, as the owner" \
	cacls "$ALICE" private -S "OWNER:$ALICE_SID,ACL:$ALICE_SID:ALLOWED/OI|CI/FULL"
wg_expect "the folder's owner is alice" "OWNER:$ALICE_SID" cacls "$ALICE" private
wg_check "alice puts a file in it" wg-smbclient demo -c "put $WG_TMP/hello.txt private/secret.txt"
# smbcacls -S sets the DACL without AUTO_INHERITED: as on Windows
# (smbtorture smb2.acls.INHERITFLAGS), what it passes down is not
# marked INHERITED
wg_expect "the file inherited alice's ACE only" "^ACL:$ALICE_SID:(ALLOWED|0)/(0x0|0)/(FULL|0x001f01ff)" \
	cacls "$ALICE" private/secret.txt
wg_expect "the folder's DACL names only alice" "^ACL:$ALICE_SID:(ALLOWED|0)/(OI\|CI|0x3|0x03)/(FULL|0x001f01ff)" \
	cacls "$ALICE" private
wg_check "alice still reads her file" wg-smbclient demo -c "get private/secret.txt $WG_TMP/back.txt"
wg_expect "bob gets ACCESS_DENIED from smbclient" "NT_STATUS_ACCESS_DENIED" \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" \
	-U "$BOB%$BOB_PASS" -c "get private/secret.txt $WG_TMP/stolen.txt"
[ ! -s "$WG_TMP/stolen.txt" ] && wg_pass "bob got no data" || wg_fail "bob read alice's file"
wg_expect "bob gets ACCESS_DENIED listing the folder" "NT_STATUS_ACCESS_DENIED" \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" \
	-U "$BOB%$BOB_PASS" -c "ls private/*"
# the same over SMB1: one file system layer, one access check
NT1=(--option='client min protocol=NT1' --option='client max protocol=NT1')
wg_expect "SMB1: bob gets ACCESS_DENIED reading alice's file" "NT_STATUS_ACCESS_DENIED" \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" "${NT1[@]}" \
	-U "$BOB%$BOB_PASS" -c "get private/secret.txt $WG_TMP/stolen1.txt"
[ ! -s "$WG_TMP/stolen1.txt" ] && wg_pass "SMB1: bob got no data" || wg_fail "SMB1: bob read alice's file"
wg_expect "SMB1: bob gets ACCESS_DENIED putting a file in the folder" "NT_STATUS_ACCESS_DENIED" \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" "${NT1[@]}" \
	-U "$BOB%$BOB_PASS" -c "put $WG_TMP/hello.txt private/planted.txt"
[ ! -e "$WG_SHARE/private/planted.txt" ] && wg_pass "SMB1: nothing planted in alice's folder" ||
	wg_fail "SMB1: bob created a file in alice's folder"
wg_expect "SMB1: bob gets ACCESS_DENIED listing the folder" "NT_STATUS_ACCESS_DENIED" \
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" "${NT1[@]}" \
	-U "$BOB%$BOB_PASS" -c "ls private/*"
wg_check "SMB1: alice still reads her file" smbclient "//$WG_HOST/demo" \
	-s "$WG_CLIENT_CONF" -p "$WG_PORT" "${NT1[@]}" -U "$WG_USER%$WG_PASS" \
	-c "get private/secret.txt $WG_TMP/back1.txt"
cat >"$WG_TMP/bob_open.py" <<'EOF'
import os, sys
from impacket.smbconnection import SMBConnection, SessionError
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = SMBConnection(os.environ["WG_HOST"], os.environ["WG_HOST"], sess_port=port)
c.login(user, pw)
tid = c.connectTree("demo")
try:
    fid = c.openFile(tid, "private\\secret.txt")
    print("OPENED", c.readFile(tid, fid))
except SessionError as e:
    print("DENIED" if e.getErrorCode() == 0xC0000022 else "OTHER %x" % e.getErrorCode())
EOF
wg_expect "bob gets ACCESS_DENIED from impacket" "^DENIED" \
	"$WG_PY" "$WG_TMP/bob_open.py" "$WG_PORT" "$BOB" "$BOB_PASS"
wg_expect "bob may not take ownership" "ACCESS_DENIED" \
	cacls "$BOB%$BOB_PASS" private -C "$BOB_SID"

# ---- an admin user takes ownership ----
wg_check "the admin user takes ownership" \
	cacls "$ADMIN%$ADMIN_PASS" private -C "$ADMIN_SID"
wg_expect "the owner is now the admin user" "OWNER:$ADMIN_SID" \
	cacls "$ALICE" private
wg_check "the new owner may rewrite the DACL" \
	cacls "$ADMIN%$ADMIN_PASS" private -a "ACL:$ADMIN_SID:ALLOWED/OI|CI/FULL"
wg_finish
