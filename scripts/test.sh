#!/usr/bin/env bash
#
# scripts/test.sh - everything CI checks (.ci/run runs this), from a fresh
# Debian 12 as root:
#   1. install the build and test packages
#   2. build build/ (normal), build-asan/ (ASan+UBSan), build-fuzz/ (clang,
#      libFuzzer)
#   3. unit tests (meson test) in build/ and build-asan/
#   4. the Debian package (tests/package/test_package.sh): build it,
#      lintian, install, run the installed daemon, connect, purge; before
#      the client tests, which make the account the package must make
#   5. each fuzz target for FUZZ_SECONDS (default 20: a smoke run within
#      the 20-minute CI budget; run one longer by hand with
#      FUZZ_SECONDS=600), two at a time
#   6. the real-client tests (tests/clients/run_all.sh) against
#      build/wgsmbd and against build-asan/wgsmbd
#   7. the man pages (tests/man/check_man.py): they render without
#      warnings, and wgsmb.conf(5) documents exactly the parser's keys
#   8. discovery (tests/discovery/test_discovery.sh): wsdd and
#      avahi-daemon set up by build/wgnet, seen from a second network
#      namespace
# and prints "N passed, M failed" alone on the last line, where a unit
# test, a fuzz target, a package check, a client check, a man page check
# and a discovery check each count one. Logs are kept in build-test-logs/. A step that
# cannot run (a build that fails) counts as a failure and the steps that
# need it are skipped.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

: "${FUZZ_SECONDS:=20}"
LOGS=$root/build-test-logs
PACKAGES=(meson ninja-build pkg-config gcc libc6-dev libtalloc-dev
	libtevent-dev nettle-dev check
	smbclient samba-testsuite python3 python3-impacket python3-smbc smbnetfs nmap
	clang libclang-rt-14-dev
	scdoc man-db groff-base
	avahi-daemon avahi-utils wsdd dbus iproute2
	debhelper dpkg-dev lintian adduser)

passed=0
failed=0
summary=()
t0=$SECONDS

# note STEP PASSED FAILED
note() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	summary+=("$(printf '%-34s %5d passed, %3d failed   (at %ds)' "$1" "$2" "$3" \
		$((SECONDS - t0)))")
}

step() {
	echo
	echo "==== $* ($((SECONDS - t0))s)"
}

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	# smbnetfs needs fusermount. Debian 12 has it in fuse (FUSE 2) and in
	# fuse3; the two conflict, so only add one when neither is there.
	command -v fusermount >/dev/null || missing+=(fuse3)
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all packages present"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build DIR [meson setup args...]: set up DIR (or re-apply the options to
# an existing one, e.g. a build-asan/ made by hand without sanitizers),
# then build it.
build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
	else
		meson setup "$dir" "$@" || return 1
	fi
	ninja -C "$dir"
}

# unit DIR: meson test, counting test programs that pass and fail.
unit() {
	local dir=$1 log=$LOGS/unit-$1.log ok fail rc=0
	meson test -C "$dir" --print-errorlogs >"$log" 2>&1 || rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$log" || true
	ok=$(awk '$1 == "Ok:" { print $2 }' "$log")
	fail=$(awk '$1 == "Fail:" || $1 == "Timeout:" || $1 == "Unexpected" { n += $NF }
		END { print n + 0 }' "$log")
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		tail -n 30 "$log"
		fail=1
	fi
	note "unit tests ($dir)" "${ok:-0}" "$fail"
}

# fuzz_one NAME: run one target; its result goes to $LOGS/fuzz-NAME.rc.
fuzz_one() {
	local name=$1 exe=build-fuzz/fuzz/$1 rc=0 seeds=
	mkdir -p "$LOGS/corpus-$name"
	# committed seeds (read only: new units go to the first directory)
	[ -d "fuzz/seeds/$name" ] && seeds="fuzz/seeds/$name"
	# UBSan only reports by default; a report must fail the target
	UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1" \
		"$exe" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$LOGS/fuzz-$name-" \
		"$LOGS/corpus-$name" $seeds >"$LOGS/fuzz-$name.log" 2>&1 || rc=$?
	echo "$rc" >"$LOGS/fuzz-$name.rc"
}

fuzz_all() {
	local src name ok=0 fail=0 running=0 names=()
	for src in fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		if [ ! -x "build-fuzz/fuzz/$name" ]; then
			echo "skip: $name is not built"
			continue
		fi
		names+=("$name")
		fuzz_one "$name" &
		running=$((running + 1))
		if [ "$running" -ge 2 ]; then
			wait -n || true
			running=$((running - 1))
		fi
	done
	wait || true
	for name in "${names[@]}"; do
		if [ "$(cat "$LOGS/fuzz-$name.rc")" = 0 ]; then
			echo "PASS: $name ($(grep -Eo 'stat::number_of_executed_units: [0-9]+' \
				"$LOGS/fuzz-$name.log" | grep -Eo '[0-9]+$') runs)"
			ok=$((ok + 1))
		else
			echo "FAIL: $name (see $LOGS/fuzz-$name.log)"
			grep -E -A 25 '^==[0-9]+==ERROR|runtime error|deadly signal' \
				"$LOGS/fuzz-$name.log" | head -n 40 || true
			fail=$((fail + 1))
		fi
	done
	note "fuzzers (${FUZZ_SECONDS}s each)" "$ok" "$fail"
}

# counted NAME LOG CMD...: run CMD (it prints PASS:/FAIL: lines and
# "N passed, M failed" last), tee it to LOG and note its counts; no such
# last line counts as one failure.
counted() {
	local name=$1 log=$2 last p f
	shift 2
	"$@" </dev/null 2>&1 | tee "$log" || true
	last=$(tail -n 1 "$log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
	else
		p=0
		f=1
	fi
	note "$name" "$p" "$f"
}

# clients NAME WGSMBD [env...]: tests/clients/run_all.sh against a binary.
clients() {
	local name=$1 bin=$2
	shift 2
	counted "client tests ($name)" "$LOGS/clients-$name.log" \
		env WGSMBD="$root/$bin" WG_JOBS="${WG_JOBS:-2}" "$@" \
		tests/clients/run_all.sh
}

rm -rf "$LOGS"
mkdir -p "$LOGS"

step "packages"
if install_packages; then
	note "packages" 1 0
else
	note "packages" 0 1
fi

step "build: build/"
have_build=0
# -Dman=enabled: CI must build the man pages (scdoc), not skip them.
if build build -Dman=enabled; then
	have_build=1
	note "build build/" 1 0
else
	note "build build/" 0 1
fi

step "build: build-asan/ (ASan + UBSan)"
have_asan=0
if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
	have_asan=1
	note "build build-asan/" 1 0
else
	note "build build-asan/" 0 1
fi

step "build: build-fuzz/ (clang, libFuzzer)"
have_fuzz=0
if CC=clang build build-fuzz -Dfuzz=true -Dtests=disabled \
	-Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fsanitize=fuzzer-no-link; then
	have_fuzz=1
	note "build build-fuzz/" 1 0
else
	note "build build-fuzz/" 0 1
fi

if [ "$have_build" = 1 ]; then
	step "unit tests: build/"
	unit build
fi
if [ "$have_asan" = 1 ]; then
	step "unit tests: build-asan/"
	unit build-asan
fi
step "Debian package: build, lintian, install, run, purge"
counted "package (build, install, purge)" "$LOGS/package.log" \
	tests/package/test_package.sh
if [ "$have_fuzz" = 1 ]; then
	step "fuzzers"
	fuzz_all
fi
if [ "$have_build" = 1 ]; then
	step "discovery: build/wgnet"
	counted "discovery (wsdd, avahi)" "$LOGS/discovery.log" \
		env WGNET="$root/build/wgnet" timeout 120 \
		tests/discovery/test_discovery.sh
fi
# smbtorture's raw.* suites (SMB1, ~3 minutes) run once, under ASan
# below, where their memory errors would show; smbtorture's oplock and
# lease suites run once, here. Three tests at a time here: the longest
# ones mostly wait out real break timeouts, not compute.
ASAN_ONCE="test_smbtorture_raw.sh"
if [ "$have_build" = 1 ]; then
	step "client tests: build/wgsmbd"
	if [ "$have_asan" = 1 ]; then
		clients build build/wgsmbd WG_JOBS="${WG_JOBS:-3}" \
			WG_EXCLUDE="$ASAN_ONCE"
	else
		clients build build/wgsmbd WG_JOBS="${WG_JOBS:-3}"
	fi
fi
if [ "$have_asan" = 1 ]; then
	step "client tests: build-asan/wgsmbd"
	# The daemon drops to _wgsmb before a report is written: the report
	# directory must be writable by it.
	mkdir -p "$LOGS/sanitizers"
	chmod 1777 "$LOGS/sanitizers"
	# smbtorture's whole oplock and lease suites spend five minutes
	# waiting out real 35 s break timeouts; they run once, against
	# build/. Under ASan the same code runs in test_oplock_break.sh,
	# test_smbtorture_durable.sh and the unit tests.
	SLOW_ONCE="test_smbtorture_oplock.sh test_smbtorture_lease.sh"
	clients build-asan build-asan/wgsmbd \
		ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$LOGS/sanitizers/asan" \
		UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$LOGS/sanitizers/ubsan" \
		WG_START_TIMEOUT=60 WG_EXCLUDE="$SLOW_ONCE"
	reports=$(find "$LOGS/sanitizers" -type f | wc -l)
	if [ "$reports" -gt 0 ]; then
		for r in "$LOGS"/sanitizers/*; do
			echo "---- $r"
			head -n 40 "$r"
		done
		note "sanitizer reports (build-asan)" 0 "$reports"
	else
		note "sanitizer reports (build-asan)" 1 0
	fi
fi

if [ "$have_build" = 1 ]; then
	step "man pages"
	counted "man pages" "$LOGS/man.log" \
		python3 tests/man/check_man.py --build build
fi

echo
echo "==== summary ($((SECONDS - t0))s; logs in build-test-logs/)"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
