#!/usr/bin/env bash
#
# test_scopy.sh - server-side copy through a real client: smbclient's
# `scopy` (FSCTL_SRV_COPYCHUNK_WRITE) of a 64 MiB file on [demo]. The
# copy must be byte-identical, and the data must not cross the wire:
# the server's bytes_in + bytes_out (wgnet statistics server --json)
# over the scopy must stay far below the file's size (a copy through
# the client would move 128 MiB).
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_scopy.sh
SIZE_MIB=64

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME reads wgsmbd's statistics; nothing to do for $WG_SERVER"
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

wg_setup
wg_start

WGN=("$WGNET" -c "$WG_CONF")
# wire_bytes: bytes_in + bytes_out of the server so far
wire_bytes() {
	"${WGN[@]}" statistics server --json |
		"$WG_PY" -c 'import json, sys
s = json.load(sys.stdin)
s = s.get("statistics", s)
print(s["bytes_in"], s["bytes_out"])'
}

head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WG_SHARE/big.bin" ||
	wg_die "cannot make the 64 MiB source file"
chmod a+rw "$WG_SHARE/big.bin"

read -r in0 out0 <<<"$(wire_bytes)" || wg_die "wgnet statistics failed"
wg_check "smbclient scopy of a ${SIZE_MIB} MiB file" \
	timeout 120 smbclient "//$WG_HOST/demo" -p "$WG_PORT" \
	-s "$WG_CLIENT_CONF" -U "$WG_USER%$WG_PASS" -m SMB3 \
	-c 'scopy big.bin copy.bin'
read -r in1 out1 <<<"$(wire_bytes)" || wg_die "wgnet statistics failed"
moved=$(((in1 - in0) + (out1 - out0)))
wg_log "scopy of ${SIZE_MIB} MiB: bytes_in +$((in1 - in0)), bytes_out +$((out1 - out0))"

if cmp -s "$WG_SHARE/big.bin" "$WG_SHARE/copy.bin"; then
	wg_pass "the copy is byte-identical"
else
	wg_fail "the copy differs from the source"
fi
# 64 MiB in 16 MiB requests is 4 COPYCHUNKs plus opens: a few KiB
# moved > 0: the counters saw the session at all, so the figure means something
if [ "$moved" -gt 0 ] && [ "$moved" -lt $((1024 * 1024)) ]; then
	wg_pass "the data did not cross the wire ($moved bytes in+out for ${SIZE_MIB} MiB)"
else
	wg_fail "$moved bytes crossed the wire for a ${SIZE_MIB} MiB server-side copy"
fi
wg_finish
