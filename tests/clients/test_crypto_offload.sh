#!/usr/bin/env bash
#
# test_crypto_offload.sh - large encrypted and signed transfers, whose
# READ and WRITE messages the server decrypts, verifies, encrypts and
# signs on its workers (smbd/smb2/dispatch.c, CRYPTO_OFFLOAD_MIN), while a
# second computer's small requests are answered.
#
# For encryption required, signing required and neither: one computer
# (127.0.0.2) puts a 16 MiB file and gets it back, another (127.0.0.3)
# meanwhile lists the share 1000 times in one session. The file must be
# byte-identical on disk and back at the client (a reply sent out of
# order, torn, or encrypted from a reused buffer would break it or the
# session), and both clients must finish with every listing answered.
# Then clients killed in the middle of such transfers (plain ones too,
# whose WRITE data the server splices): the server goes on.
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
wg_start

SHIM=$(wg_build_shim) || wg_die "cannot build tests/shim/bindaddr.c"
src=$WG_TMP/big.bin
# an odd size: the last WRITE is not a whole MiB
head -c $((16 * 1024 * 1024 + 12345)) /dev/urandom >"$src"
NLS=1000
cp "$src" "$WG_SHARE/big.bin"

# A command prefix that runs a client as the computer 127.0.0.N.
as() {
	echo env WG_BIND_ADDR="$1" LD_PRELOAD="$SHIM"
}

# round NAME OPTION: the transfer and the small requests with OPTION
round() {
	local name=$1 opt=$2 f=$1.bin ls_out=$WG_TMP/$1.ls rc=0 n=0
	local cmds
	local -a smb=(wg-smbclient demo --option="$opt"
		--option='client min protocol=SMB3_00')

	wg_log "$name"
	cmds=$(for _ in $(seq 1 $NLS); do printf 'ls; '; done)
	$(as 127.0.0.3) timeout 300 "${smb[@]}" -c "$cmds" >"$ls_out" 2>&1 &
	local lspid=$!

	wg_check "$name: put 16 MiB + 12345 bytes" $(as 127.0.0.2) \
		"${smb[@]}" -c "put $src $f" &&
		wg_check "$name: put stored the same bytes" \
			cmp "$src" "$WG_SHARE/$f"
	wg_check "$name: get it back" $(as 127.0.0.2) "${smb[@]}" \
		-c "get $f $WG_TMP/$f.back" &&
		wg_check "$name: get returned the same bytes" \
			cmp "$src" "$WG_TMP/$f.back"

	wait "$lspid" || rc=$?
	n=$(grep -c 'blocks of size' "$ls_out")
	if [ "$rc" -eq 0 ] && [ "$n" -eq "$NLS" ]; then
		wg_pass "$name: the other computer's $NLS listings were answered"
	else
		wg_fail "$name: other computer: exit $rc, $n of $NLS listings"
		tail -n 20 "$ls_out" | sed 's/^/    | /'
	fi
	rm -f "$WG_SHARE/$f" "$WG_TMP/$f.back"
}

round encrypted 'client smb encrypt=required'
round signed 'client signing=required'
# plain: the READ data goes out of the buffer it was read into, the WRITE
# data to the disk from the frame it came in
round plain 'client signing=disabled'

# Connections torn down with their frames and replies on the workers: a
# client killed in the middle of a transfer, ten times each way. The
# server must neither crash (nor, under ASan, touch freed memory: the
# jobs are orphaned) and must go on answering.
wg_log "teardown mid-transfer"
for opt in 'client smb encrypt=required' 'client signing=required' \
	'client signing=disabled'; do
	for cmd in "get big.bin /dev/null" "put $src up.bin"; do
		for i in $(seq 1 5); do
			$(as 127.0.0.2) wg-smbclient demo --option="$opt" \
				-c "$cmd" >/dev/null 2>&1 &
			pid=$!
			sleep 0.$((RANDOM % 3 + 1))
			kill -9 "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		done
	done
done
wg_check "after clients killed mid-transfer the server still answers" \
	$(as 127.0.0.3) wg-smbclient demo --option='client smb encrypt=required' \
	-c ls

wg_finish
