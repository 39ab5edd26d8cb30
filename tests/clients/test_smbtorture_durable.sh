#!/usr/bin/env bash
#
# test_smbtorture_durable.sh - smbtorture's whole smb2.durable-open and
# smb2.durable-v2-open suites against the [demo] share with
# `durable handles = yes`. Every sub-test must succeed, except the ones
# listed in KNOWN below, each with the reason; a skipped sub-test counts
# as a failure unless listed. A listed sub-test that now passes is a
# failure, so the list only shrinks. A failure shows smbtorture's whole
# text for the sub-test.
set -u
. "$(dirname "$0")/lib.sh"

LEASES="needs durable handles on leases with handle caching (leases are granted, but fs/open.c open_lease_has_handle() does not count them yet)"
# suite.sub-test -> why it is expected to fail
declare -A KNOWN=(
	[smb2.durable-open.open-lease]=$LEASES
	[smb2.durable-open.reopen1a-lease]=$LEASES
	[smb2.durable-open.reopen2-lease]=$LEASES
	[smb2.durable-open.reopen2-lease-v2]=$LEASES
	[smb2.durable-open.lease]=$LEASES
	[smb2.durable-open.lock-lease]=$LEASES
	[smb2.durable-open.open2-lease]=$LEASES
	[smb2.durable-open.stat-open]="$LEASES: a READ_ATTRIBUTES open asking an RH lease must get a durable handle"
	[smb2.durable-v2-open.open-lease]=$LEASES
	[smb2.durable-v2-open.reopen1a-lease]=$LEASES
	[smb2.durable-v2-open.reopen2-lease]=$LEASES
	[smb2.durable-v2-open.reopen2-lease-v2]=$LEASES
	[smb2.durable-v2-open.durable-v2-setinfo]=$LEASES
	[smb2.durable-v2-open.persistent-open-lease]=$LEASES
	[smb2.durable-v2-open.app-instance]="SMB2_CREATE_APP_INSTANCE_ID is not implemented (MS-SMB2 3.3.5.9.13): the second client's open breaks the first one's oplock instead of closing it"
)
# sub-tests each suite has (smbtorture 4.x)
declare -A COUNT=([smb2.durable-open]=23 [smb2.durable-v2-open]=15)

wg_setup
sed -i '/^\[demo\]$/a durable handles = yes' "$WG_CONF"
grep -q '^durable handles = yes$' "$WG_CONF" || wg_die "could not set durable handles = yes on [demo]"
wg_start

for suite in smb2.durable-open smb2.durable-v2-open; do
	start=$SECONDS
	out=$(timeout 900 env -C "$WG_TMP" smbtorture "//$WG_HOST/demo" -p "$WG_PORT" \
		-s "$WG_CLIENT_CONF" -U "$WG_USER%$WG_PASS" \
		--option='client signing=required' "$suite" 2>&1)
	ok=0
	bad=0
	known=0
	while read -r verdict name; do
		name=${name%%[[:space:]]*}
		key="$suite.$name"
		case $verdict in
		success:)
			if [ -n "${KNOWN[$key]+x}" ]; then
				wg_fail "$key passes now: take it off KNOWN"
				bad=$((bad + 1))
			else
				ok=$((ok + 1))
			fi
			;;
		failure: | error: | skip:)
			if [ -n "${KNOWN[$key]+x}" ]; then
				known=$((known + 1))
				wg_log "known $verdict $key: ${KNOWN[$key]}"
			else
				bad=$((bad + 1))
				wg_fail "$key: $verdict"
				# from "test: NAME" to the "]" closing its verdict
				printf '%s\n' "$out" | awk -v n="$name" '
					$0 == "test: " n { on = 1 }
					on { print }
					on && /^(success|failure|error|skip): / && $2 == n {
						if ($0 !~ /\[$/) { exit }
						v = 1; next
					}
					v && /^\]$/ { exit }' | tail -n 60 | sed 's/^/#   /'
			fi
			;;
		esac
	done < <(printf '%s\n' "$out" | grep -E '^(success|failure|error|skip): ')
	if [ $((ok + known + bad)) -ge "${COUNT[$suite]}" ] && [ "$bad" -eq 0 ]; then
		wg_pass "$suite: $ok passed, $known known failures ($((SECONDS - start))s)"
	else
		wg_fail "$suite: $ok passed, $known known failures, $bad unexpected ($((SECONDS - start))s)"
	fi
done
wg_finish
