#!/usr/bin/env bash
#
# test_idle_keys.sh - a busy session keeps its expanded signing and
# encryption keys; once its connection is idle the sweep drops them
# (`wgnet statistics`: sessions_with_expanded_keys) and the next message
# expands them again. Runs idle_keys.py.
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
wg_start
wg_run_python "$(dirname "$0")/idle_keys.py" "$WGNET" "$WG_CONF"
wg_finish
