#!/usr/bin/env bash
#
# test_threads.sh - several event loops (issue 16, docs/threads.md): with
# `server threads = 2`, one computer's connections all land on one loop
# and two computers on different loops, as `wgnet connections` and
# `wgnet statistics` show; an oplock break crosses from one loop to the
# other (threads_loops.py, raw SMB2 from 127.0.0.51 and .52).
set -u
. "$(dirname "$0")/lib.sh"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# test_threads.sh tests wgsmbd's event loops; nothing to do"
	echo "# test_threads.sh: 0 passed, 0 failed"
	exit 0
fi
WG_THREADS=2
wg_setup
wg_start
wg_run_python "$(dirname "$0")/threads_loops.py" "$WGNET" "$WG_CONF"
wg_finish
