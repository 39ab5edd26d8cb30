#!/usr/bin/env bash
#
# test_streams_sweep.sh - streams of files removed outside the server:
# they do not show up on a new file that reuses the inode, and the sweep
# (fs/streams_sweep.h, here every second) gives their space back,
# counted by `wgnet statistics` and logged, while the streams of live
# files, a file renamed by a local program too, stay. Runs
# streams_sweep.py.
set -u
. "$(dirname "$0")/lib.sh"

WG_EXTRA_GLOBAL="streams sweep interval = 1s"
wg_setup
wg_start
wg_run_python "$(dirname "$0")/streams_sweep.py" "$WGNET" "$WG_CONF"
if grep -Eq "reclaimed [0-9]+ streams of [0-9]+ files removed outside the server" "$WG_TMP/server.log"; then
	wg_pass "the server log says how many orphaned streams were reclaimed"
else
	wg_fail "no log line for the reclaimed streams"
fi
wg_finish
