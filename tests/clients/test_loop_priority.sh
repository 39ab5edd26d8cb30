#!/usr/bin/env bash
#
# test_loop_priority.sh - `loop priority = -5` (issue 16): every event-loop
# thread runs at nice -5 (/proc/PID/task/TID/stat field 19), found by the
# thread ids `wgnet statistics --json` gives per loop, while the daemon's
# other threads (the workers) keep the nice it was started with. The
# daemon drops root to its "run as user" before the loops start, so this
# also checks that the loops keep their nice: the main thread lowers its
# own before the drop, and the loop threads inherit it.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# test_loop_priority.sh tests wgsmbd's event loops; nothing to do"
	echo "# test_loop_priority.sh: 0 passed, 0 failed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "# test_loop_priority.sh: a nice below 0 needs root; skipped"
	echo "# test_loop_priority.sh: 0 passed, 0 failed"
	exit 0
fi
WG_THREADS=2
WG_EXTRA_GLOBAL="loop priority = -5"
wg_setup
wg_start

nice_of() {	# TID: field 19 of /proc/$WG_PID/task/TID/stat
	local s
	s=$(cat "/proc/$WG_PID/task/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# field 3 (state) is the first after the comm: 19 is the 17th here
	set -- $s
	echo "${17}"
}

tids=$("$WGNET" -c "$WG_CONF" statistics --json |
	"$WG_PY" -c 'import json, sys
for lp in json.load(sys.stdin)["statistics"]["loops"]:
    print(lp.get("tid", 0))')
n=$(echo "$tids" | grep -c '^[1-9]')
if [ "$n" -eq 2 ]; then
	wg_pass "wgnet statistics gives the thread ids of both loops"
else
	wg_fail "wgnet statistics gives the thread ids of both loops" "got: $tids"
fi
for t in $tids; do
	v=$(nice_of "$t")
	if [ "$v" = -5 ]; then
		wg_pass "loop thread $t runs at nice -5"
	else
		wg_fail "loop thread $t runs at nice -5" "nice ${v:-?}"
	fi
done
# The workers run at the nice the daemon was started with (ours), the
# stream sweep's 10 above it.
base=$(nice)
sweep=$((base + 10 > 19 ? 19 : base + 10))
others=0
bad=0
for d in /proc/"$WG_PID"/task/*; do
	t=${d##*/}
	echo "$tids" | grep -qx "$t" && continue
	others=$((others + 1))
	v=$(nice_of "$t")
	[ "$v" = "$base" ] || [ "$v" = "$sweep" ] || bad=$((bad + 1))
done
if [ "$others" -gt 0 ] && [ "$bad" -eq 0 ]; then
	wg_pass "the $others other threads (workers) keep nice $base ($sweep: the sweep)"
else
	wg_fail "the other threads (workers) keep nice $base" "$bad of $others not"
fi
if grep -q "loop priority .* refused" "$WG_TMP/server.log"; then
	wg_fail "the daemon logs no refusal" "$(grep 'loop priority' "$WG_TMP/server.log")"
else
	wg_pass "the daemon logs no refusal"
fi
wg_finish
