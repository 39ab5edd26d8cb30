#!/usr/bin/env bash
#
# run_all.sh [TEST...] - run the black-box client tests against wgsmbd
# (WGSMBD, default build/wgsmbd) and print "N passed, M failed" alone on the
# last line, counting every PASS:/FAIL: check of every test. Exits non-zero
# if anything failed. TEST names a file in this directory, e.g.
#   tests/clients/run_all.sh test_impacket.py
#
# Every test_*.sh and test_*.py here is a test. Each starts its own daemon
# on its own port and temp dir (lib.sh): a shell test does it itself, a
# Python test is started through lib.sh here as
#   /usr/bin/python3 test_X.py PORT SHARE_DIR RO_DIR
# and prints PASS:/FAIL: lines. A test killed by its time limit
# (WG_TEST_TIMEOUT, default 900 s) or exiting non-zero without a FAIL:
# line counts as one failure. WG_EXCLUDE="test_a.sh test_b.py" leaves those
# out of a full run, each named in the output.
#
# WG_JOBS=N (default 1) runs up to N tests at once: most of the time of
# the long ones (smbtorture's break timeouts, idle timeouts) is spent
# waiting, not computing. Each test's output is then printed whole, in
# the order of TESTS, as soon as it and the ones before it are done; a
# full run starts the smbtorture suites (the longest) first.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
	TESTS=("$@")
else
	TESTS=()
	for f in "$dir"/test_*.sh "$dir"/test_*.py; do
		[ -f "$f" ] || continue
		case " ${WG_EXCLUDE:-} " in
		*" $(basename "$f") "*)
			echo "# left out of this run (WG_EXCLUDE): $(basename "$f")"
			continue
			;;
		esac
		TESTS+=("$(basename "$f")")
	done
	# the longest first, so that N at once finish together
	long=() rest=()
	for t in "${TESTS[@]}"; do
		case $t in
		test_smbtorture_*) long+=("$t") ;;
		*) rest+=("$t") ;;
		esac
	done
	TESTS=("${long[@]}" "${rest[@]}")
fi

run_one() {
	local t=$1
	case $t in
	*.py)
		# shellcheck disable=SC2016 # expanded by the inner bash
		timeout "${WG_TEST_TIMEOUT:-900}" bash -c '
			. "$1/lib.sh"
			WG_NAME=$2
			wg_setup
			wg_start
			wg_run_python "$1/$2"
			wg_finish' _ "$dir" "$t"
		;;
	*)
		timeout "${WG_TEST_TIMEOUT:-900}" bash "$dir/$t"
		;;
	esac
}

passed=0
failed=0
results=()
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs_max=${WG_JOBS:-1}

# count T RC SECS: add test T's checks (its output is in $work/T.out).
count() {
	local t=$1 rc=$2 secs=$3 p f
	p=$(grep -c '^PASS: ' "$work/$t.out")
	f=$(grep -c '^FAIL: ' "$work/$t.out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited with status $rc without naming a failed check"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	results+=("$(printf '%-22s %4d passed, %3d failed, %4ds' "$t" "$p" "$f" \
		"$secs")")
}

# in the background: run T, then write "RC SECS" to $work/T.rc
run_bg() {
	local t=$1 start=$SECONDS rc=0
	run_one "$t" </dev/null >"$work/$t.out" 2>&1 || rc=$?
	echo "$rc $((SECONDS - start))" >"$work/$t.rc"
}

for t in "${TESTS[@]}"; do
	if [ ! -f "$dir/$t" ]; then
		echo "FAIL: no such test $t"
		failed=$((failed + 1))
		continue
	fi
	if [ "$jobs_max" -le 1 ]; then
		echo "==== $t ===="
		start=$SECONDS
		run_one "$t" </dev/null 2>&1 | tee "$work/$t.out"
		count "$t" "${PIPESTATUS[0]}" $((SECONDS - start))
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n || true
	done
	run_bg "$t" &
done
if [ "$jobs_max" -gt 1 ]; then
	for t in "${TESTS[@]}"; do
		[ -f "$dir/$t" ] || continue
		while [ ! -f "$work/$t.rc" ]; do
			sleep 1
		done
		echo "==== $t ===="
		cat "$work/$t.out"
		read -r rc secs <"$work/$t.rc"
		count "$t" "$rc" "$secs"
	done
	wait
fi
if [ "${WG_SERVER:-wgsmbd}" = samba ]; then
	echo "==== summary (reference: Samba smbd) ===="
else
	echo "==== summary (WGSMBD=${WGSMBD:-build/wgsmbd}) ===="
fi
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
