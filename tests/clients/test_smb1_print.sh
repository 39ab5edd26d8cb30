#!/usr/bin/env bash
#
# test_smb1_print.sh - print spool files over SMB1 (issue 15): adds the
# printable share [lp], turns SMB1 on (server min protocol = NT1) and runs
# smb1_print.py: OPEN_PRINT_FILE, WRITE_PRINT_FILE and CLOSE_PRINT_FILE
# make a job in the spool directory with the bytes written; on a disk
# share they are refused as MS-CIFS says. Printing through a file open:
# smbclient NT1 `print FILE` (NT_CREATE_ANDX, WRITE_ANDX, CLOSE) makes a
# job byte-identical to FILE, and smb1_print_guard.py (alice and bob,
# NT_CREATE_ANDX and OPEN_ANDX) checks the print-guard rules of SMB2's
# CREATE: no opening or overwriting a spooled job over SMB1 either.
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_smb1_print.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi

wg_setup
SPOOL=$WG_TMP/spool/lp
mkdir -p "$SPOOL"
chmod 777 "$WG_TMP/spool" "$SPOOL"
sed 's/^\[global\]$/[global]\n\tserver min protocol = NT1/' "$WG_CONF" \
	>"$WG_TMP/smb1.conf"
mv "$WG_TMP/smb1.conf" "$WG_CONF"
cat >>"$WG_CONF" <<-EOF

	[lp]
	path = $SPOOL
	comment = SMB1 print test
	printable = yes
EOF
wg_add_user bob "$WG_PASS"
wg_start
wg_check "SMB1 print: OPEN/WRITE/CLOSE_PRINT_FILE queue a job; refused on a disk share" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_print.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$SPOOL"

# same_job FILE: a job-* file in the spool with exactly FILE's bytes
same_job() {
	local j
	for _ in $(seq 50); do
		for j in "$SPOOL"/job-*; do
			if [ -f "$j" ] && cmp -s "$1" "$j"; then
				echo "$j"
				return 0
			fi
		done
		sleep 0.1
	done
	return 1
}
mkdir -p "$WG_TMP/files"
F=$WG_TMP/files/smb1print-$RANDOM.bin
head -c 102400 /dev/urandom >"$F"
wg_expect "smbclient NT1 //lp -c 'print FILE' (100 KiB) succeeds" \
	'putting file' \
	wg-smbclient lp --option='client min protocol=NT1' \
	--option='client max protocol=NT1' -c "print $F"
if printf '%s\n' "$WG_OUT" | grep -q 'NT_STATUS_'; then
	wg_fail "smbclient NT1 print: no error"
	printf '%s\n' "$WG_OUT" | tail -n 10 | sed 's/^/    | /'
fi
if J=$(same_job "$F"); then
	wg_pass "smbclient NT1 print: $(basename "$J") is byte-identical to FILE"
else
	wg_fail "smbclient NT1 print: no job in the spool byte-identical to FILE"
	ls -l "$SPOOL" | sed 's/^/    | /'
fi
wg_check "SMB1 print guard: NT_CREATE_ANDX/OPEN_ANDX on [lp] (alice, bob)" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_print_guard.py" "$WG_HOST" \
	"$WG_PORT" "$WG_PASS" "$SPOOL"
wg_finish
