# checks.sh - helpers shared by the case-driven client tests
# (test_sessions.sh, test_rpc.sh); sourced after lib.sh. A check sets
# $WHY to what should be shown if it fails; background clients write to
# $WG_TMP/c.NAME.out; $OUT holds the last foreground client's output.

WHY=
OUT=

# check DESC CONDITION-COMMAND...: PASS/FAIL on a shell command (may be a
# function), with no output shown; on failure print $WHY if set.
check() {
	local desc=$1
	shift
	if "$@"; then
		wg_pass "$desc"
		WHY=
		return 0
	fi
	wg_fail "$desc"
	[ -n "$WHY" ] && printf '%s\n' "$WHY" | tail -n 25 | sed 's/^/    | /'
	WHY=
	return 1
}

has() {
	printf '%s\n' "$OUT" | grep -Eq -- "$1"
}

# show LINES: real client output into the test log.
show() {
	printf '%s\n' "$@" | sed 's/^/    > /'
}

bgout() {
	cat "$WG_TMP/c.$1.out" 2>/dev/null
}

# wait_out NAME REGEX SECONDS
wait_out() {
	local name=$1 re=$2
	for _ in $(seq 1 $(($3 * 20))); do
		grep -Eq -- "$re" "$WG_TMP/c.$name.out" 2>/dev/null && return 0
		sleep 0.05
	done
	WHY="$name said: $(bgout "$name")"
	return 1
}

# wait_log REGEX SECONDS
wait_log() {
	local re=$1
	for _ in $(seq 1 $(($2 * 20))); do
		grep -Eq -- "$re" "$WG_TMP/server.log" && return 0
		sleep 0.05
	done
	WHY="no line /$re/ in the server log; its end:
$(tail -n 8 "$WG_TMP/server.log")"
	return 1
}

# py_ready NAME ADDR COMMAND [ARGS]: start the test's Python client in the
# background (the test's bg NAME; the client takes --go-file) but hold the
# command back until py_go NAME: a timed check then does not wait for
# Python's start, which takes seconds on a loaded machine.
py_ready() {
	local name=$1
	rm -f "$WG_TMP/go.$name"
	bg "$@" --go-file "$WG_TMP/go.$name"
	wait_out "$name" '^STARTED' 60
}

# py_go NAME: let a py_ready client run its command; wait (up to 60 s) for
# it to end; its output is then in $OUT, as py leaves it.
py_go() {
	touch "$WG_TMP/go.$1"
	for _ in $(seq 1 1200); do
		kill -0 "${BGPID[$1]}" 2>/dev/null || break
		sleep 0.05
	done
	wait "${BGPID[$1]}" 2>/dev/null
	unset "BGPID[$1]"
	OUT=$(bgout "$1")
	WHY=$OUT
}

# float_between X LO HI
float_between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

# line_time: seconds-of-day of the first server log line on stdin.
line_time() {
	head -n 1 |
		awk '{ split($2, t, ":"); printf "%.3f\n", t[1] * 3600 + t[2] * 60 + t[3] }'
}

# logtime REGEX: seconds-of-day of the first matching server log line.
logtime() {
	grep -E -- "$1" "$WG_TMP/server.log" | line_time
}

# secs A B: B - A, two decimals.
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# closed_after_end ADDR: the daemon closed ADDR's connection within 1 s of
# ending its session (issue 17: a connection whose sessions were reaped
# or deleted is closed at once). Sets $CLOSE_SECS.
closed_after_end() {
	local re_end="ending session|ended by an administrator" \
		re_close="${1//./\\.}:[0-9]+ closed \\(session (reaped|deleted)\\)" t_end t_close
	wait_log "$re_close" 3 || return 1
	t_end=$(grep -E -- "$re_end" "$WG_TMP/server.log" | grep -F "$1" | line_time)
	t_close=$(logtime "$re_close")
	CLOSE_SECS=$(secs "$t_end" "$t_close")
	WHY="session ended at $t_end, connection closed at $t_close"
	float_between "$CLOSE_SECS" 0 1
}

# check_closed DESC ADDR: a check that closed_after_end ADDR holds; the
# description gets the measured delay.
check_closed() {
	local r
	CLOSE_SECS=?
	closed_after_end "$2"
	r=$?
	check "$1 ($CLOSE_SECS s after its session ended)" test "$r" = 0
}
