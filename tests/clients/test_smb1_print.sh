#!/usr/bin/env bash
#
# test_smb1_print.sh - print spool files over SMB1 (issue 15): adds the
# printable share [lp], turns SMB1 on (server min protocol = NT1) and runs
# smb1_print.py: OPEN_PRINT_FILE, WRITE_PRINT_FILE and CLOSE_PRINT_FILE
# make a job in the spool directory with the bytes written; on a disk
# share they are refused as MS-CIFS says.
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
wg_start
wg_check "SMB1 print: OPEN/WRITE/CLOSE_PRINT_FILE queue a job; refused on a disk share" \
	"$WG_PY" "$WG_ROOT/tests/clients/smb1_print.py" "$WG_HOST" "$WG_PORT" \
	"$WG_USER" "$WG_PASS" "$SPOOL"
wg_finish
