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
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "${TESTS[@]}"; do
	if [ ! -f "$dir/$t" ]; then
		echo "FAIL: no such test $t"
		failed=$((failed + 1))
		continue
	fi
	echo "==== $t ===="
	start=$SECONDS
	run_one "$t" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited with status $rc without naming a failed check"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	results+=("$(printf '%-22s %4d passed, %3d failed, %4ds' "$t" "$p" "$f" \
		$((SECONDS - start)))")
done
if [ "${WG_SERVER:-wgsmbd}" = samba ]; then
	echo "==== summary (reference: Samba smbd) ===="
else
	echo "==== summary (WGSMBD=${WGSMBD:-build/wgsmbd}) ===="
fi
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
