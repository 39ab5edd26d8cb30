#!/usr/bin/env bash
#
# test_smbtorture_durable.sh - smbtorture's whole smb2.durable-open,
# smb2.durable-v2-open and smb2.durable-v2-delay suites against the [demo]
# share with `durable handles = yes`. Every sub-test must succeed, except the ones
# listed in KNOWN below, each with the reason; a skipped sub-test counts
# as a failure unless listed. A listed sub-test that now passes is a
# failure, so the list only shrinks. A failure shows smbtorture's whole
# text for the sub-test.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

# suite.sub-test -> why it is expected to fail
declare -A KNOWN=(
)
# sub-tests each suite has (smbtorture 4.x)
declare -A COUNT=([smb2.durable-open]=23 [smb2.durable-v2-open]=15
	[smb2.durable-v2-delay]=2)

wg_setup
sed -i '/^\[demo\]$/a durable handles = yes' "$WG_CONF"
grep -q '^durable handles = yes$' "$WG_CONF" || wg_die "could not set durable handles = yes on [demo]"
wg_start

for suite in smb2.durable-open smb2.durable-v2-open smb2.durable-v2-delay; do
	torture_suite "$suite" "${COUNT[$suite]}"
done
wg_finish
