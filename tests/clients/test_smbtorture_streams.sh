#!/usr/bin/env bash
#
# test_smbtorture_streams.sh - smbtorture's whole smb2.streams suite
# (alternate data streams, "file:stream:$DATA") against the [demo] share
# in one run. Every sub-test must succeed, except the ones listed in
# KNOWN below, each with the reason; a skipped sub-test counts as a
# failure unless listed. A listed sub-test that now passes is a FAIL,
# so the list only shrinks (torture.sh).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

# sub-test -> why it is expected to fail
# (before alternate data streams: 1 of 11 passed, now 13 of 14)
declare -A KNOWN=(
	[smb2.streams.names3]="skips itself unless FileFsAttributeInformation reports FILE_CASE_SENSITIVE_SEARCH; out of scope: a share matches names case-insensitively by design (vfs_resolve), so the server does not claim it"
)

wg_setup
wg_start

torture_suite smb2.streams 11
wg_finish
