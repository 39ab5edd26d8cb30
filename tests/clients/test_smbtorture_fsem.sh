#!/usr/bin/env bash
#
# test_smbtorture_fsem.sh - smbtorture's whole smb2.timestamps,
# smb2.mkdir and smb2.session-id suites against the [demo] share
# (file semantics: delayed write time, path-syntax statuses, session-id
# isolation). Every sub-test must succeed, except the ones listed in
# KNOWN below, each with the reason; a skipped sub-test counts as a
# failure unless listed. A listed sub-test that now passes is a FAIL,
# so the list only shrinks (torture.sh).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

# sub-test -> why it is expected to fail
declare -A KNOWN=(
)

wg_setup
wg_start

torture_suite smb2.timestamps 15
torture_suite smb2.mkdir 1
torture_suite smb2.session-id 1
wg_finish
