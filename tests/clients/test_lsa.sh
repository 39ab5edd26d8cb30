#!/usr/bin/env bash
#
# test_lsa.sh - issue 12: \PIPE\lsarpc and the read-only \PIPE\samr seen
# from rpcclient (Samba's): names and SIDs both ways, the policy, users.
#
#   1  lsaquery: the workgroup (no domain SID) and the account domain
#      (WGTEST, the machine SID from the state directory)
#   2  lookupnames alice Everyone Administrators: alice under the machine
#      SID with her RID, S-1-1-0, S-1-5-32-544
#   3  lookupsids S-1-1-0 and alice's SID: Everyone, WGTEST\alice; an
#      unknown SID is unmapped (*unknown*, type 8)
#   4  samr: enumdomusers, queryuser, samlookupnames, samlookuprids,
#      enumdomains, lookupdomain, enumalsgroups builtin
#   5  a null session is refused lookups with restrict anonymous = 1
#   6  writes are refused: createdomuser answers ACCESS_DENIED
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_lsa.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME tests wgsmbd's lsarpc and samr; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

WG_EXTRA_GLOBAL="restrict anonymous = 1"
wg_setup
wg_start

SID=$(sed -n 2p "$WG_TMP/state/machine-sid")
RID=$(sed -n 's/^alice:[^:]*:\([0-9]*\).*/\1/p' "$WG_TMP/users")
[ -n "$RID" ] || RID=$(grep -o 'alice:[^ ]*' "$WG_TMP/users" | awk -F: '{print $NF}')
wg_log "machine SID $SID, alice's RID $RID"

# rpc USER COMMAND...: rpcclient as alice ("" = a null session).
rpc() {
	local auth=(-U "$WG_USER%$WG_PASS")
	if [ "$1" = "" ]; then
		auth=(-N -U "")
	fi
	shift
	timeout 30 rpcclient -s "$WG_CLIENT_CONF" -p "$WG_PORT" "${auth[@]}" \
		"$WG_HOST" -c "$*" 2>&1
}

has() {
	local desc=$1 pat=$2
	if grep -qiE -- "$pat" <<<"$OUT"; then
		wg_pass "$desc"
	else
		wg_fail "$desc (no /$pat/ in: $(head -c 600 <<<"$OUT"))"
	fi
}

OUT=$(rpc alice lsaquery)
has "lsaquery: the workgroup" "Domain Name: WORKGROUP"
has "lsaquery: no domain SID (a workgroup member)" "Domain Sid: (S-0-0|\(NULL)|$)"
OUT=$(rpc alice "lsaquery 5")
has "lsaquery 5: the account domain is the machine" "Domain Name: WGTEST"
has "lsaquery 5: the machine SID" "Domain Sid: $SID\$"

OUT=$(rpc alice lookupnames alice Everyone Administrators)
has "lookupnames alice" "^alice $SID-$RID \(User: 1\)"
has "lookupnames Everyone" "^Everyone S-1-1-0 \(Well-known Group: 5\)"
has "lookupnames Administrators" "^Administrators S-1-5-32-544 \((Local Group|Alias): 4\)"
OUT=$(rpc alice 'lookupnames WGTEST\\alice nosuchuser')
has "lookupnames WGTEST\\alice" "$SID-$RID \(User: 1\)"
has "lookupnames of an unknown name: unmapped" "^nosuchuser S-0-0 \(UNKNOWN: 8\)"

OUT=$(rpc alice lookupsids S-1-1-0 "$SID-$RID")
has "lookupsids S-1-1-0" "^S-1-1-0 .*Everyone \(5\)"
has "lookupsids alice's SID" "^$SID-$RID WGTEST\\\\alice \(1\)"
OUT=$(rpc alice lookupsids S-1-5-32-544 "$SID-4242")
has "lookupsids BUILTIN\\Administrators" "BUILTIN\\\\Administrators \(4\)"
has "lookupsids an unknown RID: unmapped" "^$SID-4242 WGTEST\\\\ \(8\)"
OUT=$(rpc alice lookupsids S-1-5-21-1-2-3-1000)
has "lookupsids of a foreign SID: unmapped" "^S-1-5-21-1-2-3-1000 \\*unknown\\*.* \(8\)"

OUT=$(rpc alice enumdomusers)
has "enumdomusers: alice with her RID" "user:\[alice\] rid:\[0x$(printf %x "$RID")\]"
OUT=$(rpc alice queryuser "$RID")
has "queryuser: the name" "User Name[[:space:]]*:[[:space:]]*alice"
has "queryuser: the RID" "user_rid[[:space:]]*:[[:space:]]*0x$(printf %x "$RID")"
OUT=$(rpc alice samlookupnames domain alice)
has "samlookupnames alice" "alice: 0x$(printf %x "$RID") \(1\)"
OUT=$(rpc alice samlookuprids domain "$RID")
has "samlookuprids" "rid 0x$(printf %x "$RID"): alice \(1\)"
OUT=$(rpc alice enumdomains)
has "enumdomains: ours" "name:\[WGTEST\]"
has "enumdomains: Builtin" "name:\[Builtin\]"
OUT=$(rpc alice lookupdomain WGTEST)
has "lookupdomain WGTEST: the machine SID" "$SID"
OUT=$(rpc alice enumalsgroups builtin)
has "enumalsgroups builtin: Administrators" "group:\[Administrators\] rid:\[0x220\]"
OUT=$(rpc alice querydominfo)
has "querydominfo: the domain name" "^Domain:[[:space:]]*WGTEST"
OUT=$(rpc alice createdomuser mallory)
has "createdomuser: refused" "ACCESS_DENIED"

OUT=$(rpc "" lookupnames alice)
has "null session: lookupnames refused (restrict anonymous)" "ACCESS_DENIED"
OUT=$(rpc "" lookupsids S-1-1-0)
has "null session: lookupsids refused (restrict anonymous)" "ACCESS_DENIED"

wg_finish
