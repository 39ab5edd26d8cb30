#!/usr/bin/env bash
#
# test_durable_reconnect.sh - a client whose TCP connection is reset in
# the middle of its writes reattaches its durable handle (DHnC, DH2C)
# from the same computer and finds every acknowledged byte: runs
# durable_reconnect.py (raw SMB2 from 127.0.0.5-6) against a daemon with
# `durable handles = yes` on [demo].
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
sed -i '/^\[demo\]$/a durable handles = yes' "$WG_CONF"
grep -q '^durable handles = yes$' "$WG_CONF" || wg_die "could not set durable handles = yes on [demo]"
wg_start
wg_run_python "$(dirname "$0")/durable_reconnect.py"
wg_finish
