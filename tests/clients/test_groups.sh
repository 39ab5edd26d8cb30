#!/usr/bin/env bash
#
# test_groups.sh - local groups (issue 12) with real clients:
#  - wgnet group add/addmember/list puts "group accounting:RID:bob" in
#    the users file, with a RID from the users' allocator;
#  - smbcacls gives the group an ACE on a folder by name (WGTEST\accounting,
#    through \PIPE\lsarpc) and reads it back by name; wgnet acl names it;
#  - bob (a member) reads a file there, carol (not one) gets
#    ACCESS_DENIED (SMB2 and SMB1); after wgnet group delmember bob,
#    bob's next session is refused too;
#  - rpcclient: enumalsgroups domain, queryaliasmem, queryuseraliases,
#    lookupnames accounting, lookupsids of its SID, samlookupnames,
#    samlookuprids, querydispinfo; impacket: QueryInformationAlias,
#    GetMembersInAlias, QueryDisplayInformation3;
#  - the users file with its group survives a daemon restart.
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_groups.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's local groups; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	wg_die "needs root (the daemon must listen on port 445 for smbcacls)"
fi

BOB=bob
BOB_PASS='B0bPassw0rd!'
CAROL=carol
CAROL_PASS='C4rolPassw0rd!'

# smbcacls 4.17 dials 445: a loopback address of our own (as test_acl.sh)
wg_own_host
WG_EXTRA_GLOBAL="server min protocol = NT1"
wg_setup 445
wg_add_user "$BOB" "$BOB_PASS"
wg_add_user "$CAROL" "$CAROL_PASS"
printf '#!/bin/sh\nexec "%s" -c "%s" "$@"\n' "$WGNET" "$WG_CONF" >"$WG_TMP/bin/wgn"
chmod 755 "$WG_TMP/bin/wgn"
cat >"$WG_TMP/bin/ncacls" <<-EOF
	#!/bin/sh
	who=\$1
	shift
	exec smbcacls "//$WG_HOST/demo" -s '$WG_CLIENT_CONF' -U "\$who" "\$@"
EOF
chmod 755 "$WG_TMP/bin/ncacls"

has() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$2"; then wg_pass "$1"
	else wg_fail "$1: no /$2/ in: $(head -c 800 <<<"$OUT")"; fi
}
hasnt() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$2"; then wg_fail "$1: /$2/ in: $OUT"
	else wg_pass "$1"; fi
}
# rpc COMMAND...: rpcclient as alice
rpc() {
	timeout 30 rpcclient -s "$WG_CLIENT_CONF" -p "$WG_PORT" \
		-U "$WG_USER%$WG_PASS" "$WG_HOST" -c "$*" 2>&1
}
# as USER PASS COMMAND: smbclient on demo as USER
as() {
	smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" \
		-U "$1%$2" -c "$3" 2>&1
}

# ---- wgnet group ----
wg_expect "wgnet group add accounting" 'added group "accounting"' \
	wgn group add accounting
wg_expect "wgnet group addmember accounting bob" \
	'added "bob" to group "accounting"' wgn group addmember accounting bob
wg_expect "a group may not take a user's name" 'already exists' \
	wgn group add Carol
wg_expect "wgnet group list: accounting has bob" '^accounting: bob$' \
	wgn group list
wg_expect "wgnet group list --json" \
	'"name":"accounting","rid":[0-9]+,"members":\["bob"\]' \
	wgn group list --json
OUT=$(cat "$WG_TMP/users")
has "the users file is v3 with a group line" '^# wgsmb users v3$'
has "the group line names bob" '^group accounting:1[0-9]{3}:bob$'
GRID=$(sed -n 's/^group accounting:\([0-9]*\).*/\1/p' "$WG_TMP/users")
BRID=$(awk -F: '$1 == "bob" { print $3 }' "$WG_TMP/users")
wg_start
MACHINE=$(tail -n 1 "$WG_TMP/state/machine-sid")
GSID=$MACHINE-$GRID
wg_log "accounting is $GSID, bob's RID $BRID"

# ---- an ACE for the group, by name ----
ALICE="$WG_USER%$WG_PASS"
echo "ledger" >"$WG_TMP/ledger.txt"
wg_check "alice makes a folder" wg-smbclient demo -c "mkdir books"
wg_check "alice keeps it to herself" \
	ncacls "$ALICE" books -S 'OWNER:WGTEST\alice,ACL:WGTEST\alice:ALLOWED/OI|CI/FULL'
wg_check "smbcacls gives WGTEST\\accounting FULL by name" \
	ncacls "$ALICE" books -a 'ACL:WGTEST\accounting:ALLOWED/OI|CI/FULL'
OUT=$(ncacls "$ALICE" books 2>&1)
wg_log "books: $OUT"
has "the group's ACE reads back with its name" \
	'^ACL:WGTEST\\accounting:ALLOWED/OI\|CI/FULL$'
wg_check "alice puts a file in the folder" \
	wg-smbclient demo -c "put $WG_TMP/ledger.txt books/ledger.txt"
OUT=$(as "$BOB" "$BOB_PASS" "get books/ledger.txt $WG_TMP/bob.txt")
hasnt "bob (a member) is not refused" 'NT_STATUS_'
cmp -s "$WG_TMP/ledger.txt" "$WG_TMP/bob.txt" &&
	wg_pass "bob read the ledger through the group's ACE" ||
	wg_fail "bob could not read the ledger: $OUT"
OUT=$(as "$CAROL" "$CAROL_PASS" "get books/ledger.txt $WG_TMP/carol.txt")
has "carol (not a member) gets ACCESS_DENIED" 'NT_STATUS_ACCESS_DENIED'
[ ! -s "$WG_TMP/carol.txt" ] && wg_pass "carol got no data" ||
	wg_fail "carol read the ledger"
# SMB1 builds its token the same way
NT1=(--option='client min protocol=NT1' --option='client max protocol=NT1')
OUT=$(smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" "${NT1[@]}" \
	-U "$BOB%$BOB_PASS" -c "get books/ledger.txt $WG_TMP/bob1.txt" 2>&1)
cmp -s "$WG_TMP/ledger.txt" "$WG_TMP/bob1.txt" &&
	wg_pass "SMB1: bob reads through the group's ACE" ||
	wg_fail "SMB1: bob could not read the ledger: $OUT"
OUT=$(smbclient "//$WG_HOST/demo" -s "$WG_CLIENT_CONF" -p "$WG_PORT" "${NT1[@]}" \
	-U "$CAROL%$CAROL_PASS" -c "get books/ledger.txt $WG_TMP/carol1.txt" 2>&1)
has "SMB1: carol gets ACCESS_DENIED" 'NT_STATUS_ACCESS_DENIED'
OUT=$(wgn acl demo:books 2>&1)
has "wgnet acl names the group" '^  WGTEST\\accounting:\(OI\)\(CI\)\(F\)$'

# ---- rpcclient ----
OUT=$(rpc enumalsgroups domain)
has "enumalsgroups domain: accounting" \
	"group:\[accounting\] rid:\[0x$(printf %x "$GRID")\]"
OUT=$(rpc enumalsgroups builtin)
has "enumalsgroups builtin: still Administrators" 'group:\[Administrators\]'
OUT=$(rpc queryaliasmem domain "$GRID")
has "queryaliasmem: bob's SID" "sid:\[$MACHINE-$BRID\]"
# (rpcclient 4.17's queryaliasinfo crashes before it sends anything:
# impacket asks instead)
cat >"$WG_TMP/alias.py" <<'EOF'
import os, sys
from impacket.dcerpc.v5 import transport, samr
port, user, pw, rid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
t = transport.SMBTransport(os.environ["WG_HOST"], port, r"\samr",
                           username=user, password=pw)
d = t.get_dce_rpc()
d.connect()
d.bind(samr.MSRPC_UUID_SAMR)
s = samr.hSamrConnect(d)["ServerHandle"]
sid = samr.hSamrLookupDomainInSamServer(d, s, "WGTEST")["DomainId"]
dom = samr.hSamrOpenDomain(d, s, domainId=sid)["DomainHandle"]
a = samr.hSamrOpenAlias(d, dom, aliasId=rid)["AliasHandle"]
g = samr.hSamrQueryInformationAlias(
    d, a, samr.ALIAS_INFORMATION_CLASS.AliasGeneralInformation)["Buffer"]["General"]
print("ALIAS %s members=%d" % (g["Name"], g["MemberCount"]))
for x in samr.hSamrGetMembersInAlias(d, a)["Members"]["Sids"]:
    print("MEMBER", x["SidPointer"].formatCanonical())
r = samr.hSamrQueryDisplayInformation3(
    d, dom, samr.DOMAIN_DISPLAY_INFORMATION.DomainDisplayUser)
for e in r["Buffer"]["UserInformation"]["Buffer"]:
    print("DISPLAY", e["Index"], e["Rid"], e["AccountName"])
EOF
OUT=$(WG_HOST=$WG_HOST "$WG_PY" "$WG_TMP/alias.py" "$WG_PORT" "$WG_USER" "$WG_PASS" "$GRID" 2>&1)
wg_log "impacket samr: $OUT"
has "impacket QueryInformationAlias: name and one member" '^ALIAS accounting members=1$'
has "impacket GetMembersInAlias: bob" "^MEMBER $MACHINE-$BRID\$"
has "impacket QueryDisplayInformation3: bob listed" "^DISPLAY [0-9]+ $BRID bob\$"
OUT=$(rpc queryuseraliases domain "$MACHINE-$BRID")
has "queryuseraliases: bob is in accounting" "rid:\[0x$(printf %x "$GRID")\]"
OUT=$(rpc lookupnames accounting)
has "lookupnames accounting: the group's SID, an alias" \
	"^accounting $GSID \((Local Group|Alias): 4\)"
OUT=$(rpc 'lookupnames WGTEST\\accounting')
has "lookupnames WGTEST\\accounting" "$GSID \((Local Group|Alias): 4\)"
OUT=$(rpc lookupsids "$GSID")
has "lookupsids: WGTEST\\accounting" "^$GSID WGTEST\\\\accounting \(4\)"
OUT=$(rpc samlookupnames domain accounting)
has "samlookupnames accounting" "accounting: 0x$(printf %x "$GRID") \(4\)"
OUT=$(rpc samlookuprids domain "$GRID")
has "samlookuprids: accounting" "rid 0x$(printf %x "$GRID"): accounting \(4\)"
OUT=$(rpc querydispinfo)
has "querydispinfo: the users" 'Account: bob'

# ---- membership taken away: bob's next session is refused ----
wg_expect "wgnet group delmember accounting bob" \
	'removed "bob" from group "accounting"' wgn group delmember accounting bob
OUT=$(as "$BOB" "$BOB_PASS" "get books/ledger.txt $WG_TMP/bob2.txt")
has "bob's next session gets ACCESS_DENIED" 'NT_STATUS_ACCESS_DENIED'
OUT=$(rpc queryaliasmem domain "$GRID")
hasnt "queryaliasmem: bob is gone" "$MACHINE-$BRID"

# ---- the users file with its group survives a restart ----
wg_check "wgnet group addmember accounting bob again" \
	wgn group addmember accounting bob
wg_stop
wg_start
OUT=$(cat "$WG_TMP/users")
has "after a restart: the group line is there" "^group accounting:$GRID:bob\$"
OUT=$(rpc lookupnames accounting)
has "after a restart: lookupnames accounting" "^accounting $GSID "
OUT=$(ncacls "$ALICE" books 2>&1)
has "after a restart: the ACE still reads back by name" \
	'^ACL:WGTEST\\accounting:ALLOWED/OI\|CI/FULL$'
OUT=$(as "$BOB" "$BOB_PASS" "get books/ledger.txt $WG_TMP/bob3.txt")
hasnt "after a restart: bob, a member again, reads" 'NT_STATUS_'
wg_expect "wgnet user del bob" 'deleted user "bob"' wgn user del bob
wg_expect "a deleted user leaves the group" '^accounting:$' wgn group list
wg_expect "wgnet group del accounting" 'deleted group "accounting"' \
	wgn group del accounting
OUT=$(head -n 1 "$WG_TMP/users")
has "no group left: the file is v2 again" '^# wgsmb users v2$'

wg_finish
