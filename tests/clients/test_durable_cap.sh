#!/usr/bin/env bash
#
# test_durable_cap.sh - the session cap and durable handles together: a
# computer whose connection dropped while it held durable opens keeps its
# slot reserved until it reconnects (into that slot), its opens time out
# or an administrator deletes it; another computer at the full cap is
# refused meanwhile, and `cap policy = reclaim` never takes such a slot.
# Runs durable_cap.py (raw SMB2 from 127.0.0.21-23) against a daemon
# with `max sessions = 2`, once per cap policy.
set -u
. "$(dirname "$0")/lib.sh"

for policy in refuse reclaim; do
	WG_EXTRA_GLOBAL="max sessions = 2
cap policy = $policy
durable handle timeout = 30s"
	wg_setup
	grep -q "^cap policy = $policy\$" "$WG_CONF" || wg_die "could not set cap policy = $policy"
	wg_start
	wg_run_python "$(dirname "$0")/durable_cap.py" "$WGNET" "$WG_CONF" "$policy"
	if [ "$policy" = refuse ]; then
		wg_stop
		wg_check_log
		trap - EXIT
		wg_cleanup
	fi
done
wg_finish
