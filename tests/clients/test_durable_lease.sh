#!/usr/bin/env bash
#
# test_durable_lease.sh - a durable handle held by a lease: the lease is
# reattached with the handle to the client's new connection (its break
# reaches it there), and a disconnected lease holder is closed rather than
# waited for: runs durable_lease.py (raw SMB2 from 127.0.0.7-9) against a
# daemon with `durable handles = yes` on [demo].
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
sed -i '/^\[demo\]$/a durable handles = yes' "$WG_CONF"
grep -q '^durable handles = yes$' "$WG_CONF" || wg_die "could not set durable handles = yes on [demo]"
wg_start
wg_run_python "$(dirname "$0")/durable_lease.py"
wg_finish
