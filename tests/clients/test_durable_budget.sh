#!/usr/bin/env bash
#
# test_durable_budget.sh - one disconnected computer keeps at most
# SMBD_MAX_DURABLE_PER_CLIENT (1024) durable opens for a reconnect; the
# opens over it are closed (their data flushed), the limit is counted in
# `wgnet statistics` and logged. Runs durable_budget.py (raw SMB2 from
# 127.0.0.31) against a daemon with `durable handles = yes` on [demo].
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
sed -i '/^\[demo\]$/a durable handles = yes' "$WG_CONF"
grep -q '^durable handles = yes$' "$WG_CONF" || wg_die "could not set durable handles = yes on [demo]"
wg_start
wg_run_python "$(dirname "$0")/durable_budget.py" "$WGNET" "$WG_CONF"
if grep -Eq "127\.0\.0\.31(:[0-9]+)? reached the limit of 1024 durable opens" "$WG_TMP/server.log"; then
	wg_pass "the server log names the computer and the durable-open limit"
else
	wg_fail "no log line for the durable-open limit"
fi
wg_finish
