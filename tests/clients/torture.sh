# torture.sh - run one whole smbtorture suite against the test's daemon
# and judge it sub-test by sub-test; sourced after lib.sh by the
# test_smbtorture_<suite>.sh scripts.
#
# torture_suite SUITE COUNT: run SUITE (signed, on [demo]) and read its
# per-sub-test verdicts. KNOWN (an associative array the caller declares)
# maps full sub-test names (smb2.oplock.batch26) to the reason they fail.
# Every other sub-test must succeed; a skip is a failure unless listed; a
# listed one that succeeds is a FAIL until it is taken off KNOWN, so the
# list only shrinks. One PASS for the suite if nothing was unexpected and
# at least COUNT verdicts were seen (a crash part-way shows as too few).
# TORTURE_OPTS, an array the caller may set, adds smbtorture options
# (--option=torture:NAME=VALUE).
torture_suite() {
	local suite=$1 count=$2 start=$SECONDS out verdict name key
	local ok=0 bad=0 known=0
	# smbtorture exits non-zero when any sub-test fails, known ones too:
	# the verdict is the per-sub-test lines, not its status.
	out=$(timeout 900 env -C "$WG_TMP" smbtorture "//$WG_HOST/${TORTURE_SHARE:-demo}" \
		-p "$WG_PORT" -s "$WG_CLIENT_CONF" -U "$WG_USER%$WG_PASS" \
		--option='client signing=required' \
		${TORTURE_OPTS[@]+"${TORTURE_OPTS[@]}"} "$suite" 2>&1)
	while read -r verdict name; do
		# "NAME [" opens a reason; NAME may hold spaces
		# ("srvsvc (admin access).NetDiskEnum")
		name=${name% [}
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
					on && /^(success|failure|error|skip): / &&
					    index($0, " " n) > 0 {
						if ($0 !~ /\[$/) { exit }
						v = 1; next
					}
					v && /^\]$/ { exit }' | tail -n 60 | sed 's/^/#   /'
			fi
			;;
		esac
	done < <(printf '%s\n' "$out" | grep -E '^(success|failure|error|skip): ')
	if [ $((ok + known + bad)) -ge "$count" ] && [ "$bad" -eq 0 ]; then
		wg_pass "$suite: $ok passed, $known known failures ($((SECONDS - start))s)"
	else
		wg_fail "$suite: $ok passed, $known known failures, $bad unexpected ($((SECONDS - start))s)"
	fi
}
