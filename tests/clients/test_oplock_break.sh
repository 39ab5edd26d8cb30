#!/usr/bin/env bash
#
# test_oplock_break.sh - a client that never acknowledges an oplock break
# holds up another computer's open for 'oplock break timeout' at most,
# and a third computer not at all; a lease holder that never acknowledges
# holds up another computer's rename or delete as long: runs
# oplock_break.py (raw SMB2 from 127.0.0.2-4) against a daemon whose
# timeout is 2 s.
set -u
. "$(dirname "$0")/lib.sh"

TIMEOUT=2
WG_EXTRA_GLOBAL="oplock break timeout = ${TIMEOUT}s"
wg_setup
wg_start
wg_run_python "$(dirname "$0")/oplock_break.py" "$TIMEOUT"
wg_finish
