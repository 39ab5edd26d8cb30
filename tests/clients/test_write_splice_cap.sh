#!/usr/bin/env bash
#
# test_write_splice_cap.sh - `write splice pipes = 2`: more large plain
# WRITEs in flight at once (6 connections x 4 x 1 MiB) than there may be
# pipes; those over the count are read into memory (splice_pipes_busy in
# `wgnet statistics`, a rate-limited log line), every byte lands, and no
# pipe stays alive. Runs splice_limits.py cap. Then reloaded (SIGHUP) with
# `write splice pipes = 0`, which splices nothing (splice_limits.py off).
set -u
. "$(dirname "$0")/lib.sh"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# test_write_splice_cap.sh tests wgsmbd's splice; nothing to do"
	echo "# test_write_splice_cap.sh: 0 passed, 0 failed"
	exit 0
fi
WG_EXTRA_GLOBAL="write splice pipes = 2"
wg_setup
wg_start
wg_run_python "$(dirname "$0")/splice_limits.py" "$WGNET" "$WG_CONF" cap
if grep -Eq "WRITE of [0-9]+ bytes read, not spliced: 2 pipes alive \('write splice pipes'\)" \
	"$WG_TMP/server.log"; then
	wg_pass "the server log says a WRITE was read as 2 pipes were alive"
else
	wg_fail "no log line for a WRITE read as the pipes were all alive"
fi
n=$(grep -c 'configuration reloaded' "$WG_TMP/server.log")
sed -i 's/^write splice pipes = .*/write splice pipes = 0/' "$WG_CONF"
kill -HUP "$WG_PID"
for _ in $(seq 1 100); do
	[ "$(grep -c 'configuration reloaded' "$WG_TMP/server.log")" -gt "$n" ] && break
	sleep 0.05
done
if [ "$(grep -c 'configuration reloaded' "$WG_TMP/server.log")" -gt "$n" ]; then
	wg_pass "reloaded with write splice pipes = 0"
	wg_run_python "$(dirname "$0")/splice_limits.py" "$WGNET" "$WG_CONF" off
else
	wg_fail "reloaded with write splice pipes = 0" "no 'configuration reloaded'"
fi
wg_finish
