# bench/lib.sh - what bench/run.sh and bench/fairness.sh share: logging,
# work directories, free loopback ports, the wgsmbd and Samba configs and
# the one user both servers know, starting a daemon and stopping it.
#
# Sourced, not run. Defines functions only; die() exits the calling script
# (whose EXIT trap then cleans up). Globals read: WGNET (wg_add_user).
# Globals set: the variable named by start_daemon, SB_USER_CREATED.

log() { printf '# %s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

make_dir() {	# TEMPLATE: prints a new directory from mktemp, mode 755
	local d
	d=$(mktemp -d "$1") || die "cannot make a directory $1"
	chmod 755 "$d"
	echo "$d"
}

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

# kill_daemons PID...: for an EXIT trap: SIGTERM to all, 0.5 s, then
# SIGKILL and reap each. Empty arguments are skipped.
kill_daemons() {
	local p
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.5
	for p in "$@"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# start_daemon VAR PORT NAME LOG NOFILE CMD...: CMD in the background with
# an open-files limit of NOFILE, its output appended to LOG; its pid goes
# into the variable VAR at once (so an EXIT trap can stop it), then waits
# until it listens on 127.0.0.1:PORT (dies if it exits or does not).
start_daemon() {
	local var=$1 port=$2 name=$3 out=$4 nofile=$5
	shift 5
	( ulimit -n "$nofile"; exec "$@" ) >>"$out" 2>&1 &
	printf -v "$var" '%s' "$!"
	wait_listen "$!" "$port" "$name"
}

# wg_conf CONF NETBIOS PORT SHARE [LINE...]: a wgsmbd config in CONF for
# 127.0.0.1:PORT, run as _wgsmb (scripts/account.sh makes it; the daemon
# refuses nobody), its users file and state directory in
# the directory of CONF, one share [bench] = SHARE (writable). The LINEs
# end [global].
wg_conf() {
	local conf=$1 name=$2 port=$3 share=$4 dir run_as
	shift 4
	. "$(dirname "${BASH_SOURCE[0]}")/../scripts/account.sh"
	run_as=$(wgsmb_account) || die "cannot make the account _wgsmb"
	dir=$(dirname "$conf")
	mkdir -p "$dir/state"
	{
		cat <<-EOF
		[global]
		netbios name = $name
		workgroup = WORKGROUP
		listen addresses = 127.0.0.1
		smb ports = $port
		users file = $dir/users
		state directory = $dir/state
		run as user = $run_as
		log level = 1
		EOF
		[ $# -eq 0 ] || printf '%s\n' "$@"
		cat <<-EOF

		[bench]
		path = $share
		read only = no
		EOF
	} >"$conf"
}

wg_add_user() {	# CONF USER PASSWORD: into the users file of CONF ($WGNET)
	printf '%s\n' "$3" | "$WGNET" -c "$1" user add "$2" --stdin >/dev/null ||
		die "wgnet user add failed"
}

# sb_conf CONF NETBIOS PORT SHARE: a Samba standalone server config in
# CONF for 127.0.0.1:PORT, its tdbsam, lock, state, cache and pid
# directories and logs in the directory of CONF, no printing, one share
# [bench] = SHARE (writable).
sb_conf() {
	local conf=$1 name=$2 port=$3 share=$4 dir
	dir=$(dirname "$conf")
	mkdir -p "$dir"/{priv,lock,state,cache,pid}
	cat >"$conf" <<-EOF
	[global]
	netbios name = $name
	workgroup = WORKGROUP
	interfaces = 127.0.0.1/8
	bind interfaces only = yes
	smb ports = $port
	disable netbios = yes
	server role = standalone server
	passdb backend = tdbsam:$dir/priv/passdb.tdb
	private dir = $dir/priv
	lock directory = $dir/lock
	state directory = $dir/state
	cache directory = $dir/cache
	pid directory = $dir/pid
	ncalrpc dir = $dir/state/ncalrpc
	log file = $dir/log.%m
	log level = 1
	max log size = 1000
	server min protocol = SMB2_02
	load printers = no
	printcap name = /dev/null
	disable spoolss = yes

	[bench]
	path = $share
	read only = no
	EOF
}

# sb_add_user CONF USER PASSWORD: USER as a system user (created without
# home or shell if missing; then SB_USER_CREATED=USER) and in the tdbsam
# of CONF. sb_del_user removes the system user if sb_add_user created it.
sb_add_user() {
	if ! id "$2" >/dev/null 2>&1; then
		useradd -M -s /usr/sbin/nologin "$2" || die "useradd failed"
		SB_USER_CREATED=$2
	fi
	printf '%s\n%s\n' "$3" "$3" |
		smbpasswd -c "$1" -s -a "$2" >/dev/null 2>&1 || die "smbpasswd failed"
}

sb_del_user() {
	[ -z "${SB_USER_CREATED:-}" ] || userdel "$SB_USER_CREATED" 2>/dev/null
}
