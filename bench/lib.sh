# bench/lib.sh - what bench/run.sh and bench/fairness.sh share: logging,
# free loopback ports, waiting for a daemon to listen and stopping it.
#
# Sourced, not run. Defines functions only; die() exits the calling script
# (whose EXIT trap then cleans up).

log() { printf '# %s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Ports below the usual ephemeral range (32768-60999), so that no client
# connection of ours or anyone's holds them; and not in use at all now.
port_used() {	# PORT: in use on any address, TCP v4 or v6
	awk -v p=":$(printf '%04X' "$1")\$" '$2 ~ p { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

free_port() {	# prints a port in 20000-29999 not in use now
	local p
	for _ in $(seq 1 100); do
		p=$((20000 + RANDOM % 10000))
		port_used "$p" || { echo "$p"; return 0; }
	done
	die "no free port in 20000-29999"
}

listening() {	# PORT: something listens on 127.0.0.1:PORT
	awk -v re="^0100007F:$(printf '%04X' "$1")\$" \
		'$4 == "0A" && $2 ~ re { f = 1 } END { exit !f }' /proc/net/tcp
}

wait_listen() {	# PID PORT NAME: up to 30 s; dies if PID exits first
	local i
	for i in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || die "$3 exited during start-up"
		listening "$2" && return 0
		sleep 0.1
	done
	die "$3 does not listen on port $2"
}

# stop_pid PID [SECS]: SIGTERM, up to SECS (default 10) for PID to exit,
# then SIGKILL; reaps it. An empty PID is nothing to stop.
stop_pid() {
	local p=$1 secs=${2:-10} i
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 1 $((secs * 10))); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}
