#!/usr/bin/env bash
#
# test_dirlease.sh - directory leases with real clients: changes in a
# directory from another computer (create, rename within and into, delete,
# a written file closed) break the RH lease a computer holds on it without
# making the change wait; the holder's own change naming the lease as its
# parent does not; an unacknowledged break holds up only an open of the
# directory the share modes refuse, for 'oplock break timeout' at most;
# a client that
# does not claim directory leasing is not offered it. Runs dirlease.py
# (raw SMB2 3.0 from 127.0.0.2-4) against a daemon whose timeout is 2 s.
set -u
. "$(dirname "$0")/lib.sh"

TIMEOUT=2
WG_EXTRA_GLOBAL="oplock break timeout = ${TIMEOUT}s"
wg_setup
wg_start
wg_run_python "$(dirname "$0")/dirlease.py" "$TIMEOUT"
wg_finish
