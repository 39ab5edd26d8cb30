#!/usr/bin/env bash
#
# test_print_guard.sh - spooled print jobs are safe from other users: adds
# the printable share [lp] and the user bob to the test config, starts the
# daemon and runs print_guard.py (impacket, alice and bob), which prints
# its own PASS:/FAIL: lines.
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
SPOOL=$WG_TMP/spool/lp
mkdir -p "$SPOOL"
chmod 777 "$WG_TMP/spool" "$SPOOL"
cat >>"$WG_CONF" <<-EOF

	[lp]
	path = $SPOOL
	comment = print guard test
	printable = yes
EOF
wg_add_user bob "$WG_PASS"
wg_start
wg_run_python "$(dirname "$0")/print_guard.py" "$SPOOL"
wg_finish
