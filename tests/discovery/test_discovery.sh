#!/usr/bin/env bash
#
# test_discovery.sh - the server is discoverable through the system's own
# daemons, set up by `wgnet discovery` from a wgsmb.conf:
#   - WS-Discovery: wsdd, run as `wgnet discovery wsdd --exec` makes it,
#     answers a Probe with a ProbeMatch naming the server, and its
#     metadata names "NETBIOS/Workgroup:GROUP" (wsd_probe.py);
#   - mDNS: avahi-daemon with the service file `wgnet discovery avahi`
#     wrote is seen by `avahi-browse -rpt` on another host as _smb._tcp
#     with the configured name and port, and _device-info._tcp with the
#     model; with mdns = no the file goes and so does the announcement.
#
# Two network namespaces made here ("server" and "client") joined by a
# veth pair with link-local addresses: no packet leaves them, nothing on
# the host is touched. Each runs its own dbus-daemon (socket in the temp
# dir) and avahi-daemon (its /run and /etc/avahi/services are private
# mounts of the namespace's mount table). Needs root, iproute2,
# avahi-daemon, avahi-utils, dbus and wsdd. Prints PASS:/FAIL: lines and
# "N passed, M failed" last; exits non-zero if a check failed.
#
#   WGNET   the wgnet binary (default build/wgnet)
#   WG_KEEP=1 keeps the temp dir (configs, daemon logs)
#   WG_DISC_BREAK=port|name  sabotage, to see the checks fail: the
#           service file gets another port, or wsdd another name
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
: "${WGNET:=$root/build/wgnet}"
case $WGNET in /*) ;; *) WGNET=$root/$WGNET ;; esac
passes=0
fails=0
NAME=WGDISC
GROUP=TESTGRP
PORT=4445
SRV_ADDR=169.254.77.1
CLI_ADDR=169.254.77.2
ns_srv=wgdisc-srv-$$
ns_cli=wgdisc-cli-$$
veth_srv=wgds$$
veth_cli=wgdc$$
pids=()

pass() {
	echo "PASS: $*"
	passes=$((passes + 1))
}

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit
}

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$ns_srv" 2>/dev/null
	ip netns del "$ns_cli" 2>/dev/null
	if [ "${WG_KEEP:-0}" = 1 ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}

for tool in ip avahi-daemon avahi-browse dbus-daemon wsdd python3; do
	if ! command -v "$tool" >/dev/null; then
		fail "setup: $tool is not installed (scripts/test.sh installs it)"
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	fail "setup: needs root (network namespaces)"
fi
if [ ! -x "$WGNET" ]; then
	fail "setup: $WGNET is not built"
fi
[ "$fails" -eq 0 ] || finish

tmp=$(mktemp -d /tmp/wgdisc.XXXXXX)
trap cleanup EXIT
trap 'exit 1' TERM INT
chmod 755 "$tmp"

# ---- two hosts on one link ----
ip netns add "$ns_srv" && ip netns add "$ns_cli" &&
	ip link add "$veth_srv" type veth peer name "$veth_cli" &&
	ip link set "$veth_srv" netns "$ns_srv" &&
	ip link set "$veth_cli" netns "$ns_cli" &&
	ip -n "$ns_srv" addr add "$SRV_ADDR/16" dev "$veth_srv" &&
	ip -n "$ns_cli" addr add "$CLI_ADDR/16" dev "$veth_cli" &&
	ip -n "$ns_srv" link set lo up && ip -n "$ns_cli" link set lo up &&
	ip -n "$ns_srv" link set "$veth_srv" up &&
	ip -n "$ns_cli" link set "$veth_cli" up &&
	ip -n "$ns_srv" route add 224.0.0.0/4 dev "$veth_srv" &&
	ip -n "$ns_cli" route add 224.0.0.0/4 dev "$veth_cli" ||
	{ fail "setup: network namespaces and veth pair"; finish; }

conf=$tmp/wgsmb.conf
write_conf() {
	cat >"$conf" <<-EOF
	[global]
	netbios name = $NAME
	workgroup = $GROUP
	smb ports = $PORT 139
	listen addresses = $SRV_ADDR
	mdns = $1
	wsd = yes
	EOF
}
write_conf yes

# ---- WS-Discovery: wsdd as wgnet runs it ----
echo "# wsdd: $("$WGNET" -c "$conf" discovery wsdd -- --shortlog)"
sabotage=()
[ "${WG_DISC_BREAK:-}" = name ] && sabotage=(--hostname OTHER)
ip netns exec "$ns_srv" "$WGNET" -c "$conf" discovery wsdd --exec -- \
	--shortlog -v "${sabotage[@]}" >"$tmp/wsdd.log" 2>&1 &
pids+=($!)
if ip netns exec "$ns_cli" python3 "$root/tests/discovery/wsd_probe.py" \
	--source "$CLI_ADDR" --name "$NAME" --workgroup "$GROUP" \
	--timeout 15 >"$tmp/probe.out" 2>&1; then
	:
fi
while IFS= read -r line; do
	case $line in
	PASS:*) pass "wsd: ${line#PASS: }" ;;
	FAIL:*) fail "wsd: ${line#FAIL: }" ;;
	*) echo "#$line" ;;
	esac
done <"$tmp/probe.out"
grep -q '^PASS: Get metadata' "$tmp/probe.out" ||
	{ echo "# wsdd log:"; sed 's/^/#   /' "$tmp/wsdd.log" | tail -n 20; }

# ---- mDNS: dbus + avahi-daemon in each namespace ----
# host NS: a system bus and an avahi-daemon inside namespace NS
start_avahi() {
	local host=$1 ns=$2 veth=$3 d=$tmp/$1
	mkdir -p "$d/services" "$d/run"
	cat >"$d/bus.conf" <<-EOF
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>system</type>
	  <listen>unix:path=$d/bus</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default">
	    <allow user="root"/>
	    <allow own="*"/>
	    <allow send_destination="*"/>
	    <allow receive_sender="*"/>
	  </policy>
	</busconfig>
	EOF
	cat >"$d/avahi-daemon.conf" <<-EOF
	[server]
	host-name=$host
	use-ipv4=yes
	use-ipv6=no
	allow-interfaces=$veth
	enable-dbus=yes
	[wide-area]
	enable-wide-area=no
	[publish]
	publish-hinfo=no
	publish-workstation=no
	EOF
	ip netns exec "$ns" dbus-daemon --config-file="$d/bus.conf" --nofork \
		--nopidfile >"$d/dbus.log" 2>&1 &
	pids+=($!)
	# the bus first: avahi-daemon gives up without one
	for _ in $(seq 50); do
		[ -S "$d/bus" ] && break
		sleep 0.1
	done
	# ip netns exec gives the command a mount table of its own: the
	# private /run and services directory are seen by nothing else
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$d/bus" \
		sh -c 'mount --bind "$1/run" /run &&
			mkdir -p /run/avahi-daemon &&
			mount --bind "$1/services" /etc/avahi/services &&
			exec avahi-daemon -f "$1/avahi-daemon.conf" \
				--no-drop-root --no-chroot --no-rlimits' \
		_ "$d" >"$d/avahi.log" 2>&1 &
	pids+=($!)
}

svc=$tmp/srv/services/wgsmb.service
mkdir -p "$tmp/srv/services"
if "$WGNET" -c "$conf" discovery avahi --file "$svc" && [ -f "$svc" ]; then
	pass "mdns: wgnet discovery avahi wrote the service file"
else
	fail "mdns: wgnet discovery avahi wrote the service file"
fi
[ "${WG_DISC_BREAK:-}" = port ] &&
	sed -i "s|<port>$PORT</port>|<port>$((PORT + 1))</port>|" "$svc"
start_avahi srv "$ns_srv" "$veth_srv"
start_avahi cli "$ns_cli" "$veth_cli"

# browse TYPE: one resolved round of avahi-browse in the client namespace
# (-k: service types as they are on the wire, not their display names)
browse() {
	ip netns exec "$ns_cli" env \
		DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/cli/bus" \
		timeout 10 avahi-browse -rptk "$1" 2>>"$tmp/browse.err"
}

# wait_browse TYPE PATTERN SECONDS: until a resolved line matches
wait_browse() {
	local end=$((SECONDS + $3)) out
	while [ "$SECONDS" -lt "$end" ]; do
		out=$(browse "$1")
		if grep -q "$2" <<<"$out"; then
			grep "$2" <<<"$out" | head -n 1
			return 0
		fi
		sleep 0.5
	done
	echo "$out"
	return 1
}

smb_line="^=;$veth_cli;IPv4;$NAME;_smb\._tcp;local;srv\.local;$SRV_ADDR;$PORT;"
if out=$(wait_browse _smb._tcp "$smb_line" 25); then
	pass "mdns: avahi-browse on another host sees _smb._tcp $NAME at $SRV_ADDR port $PORT"
	echo "#   $out"
else
	fail "mdns: avahi-browse on another host sees _smb._tcp $NAME at $SRV_ADDR port $PORT"
	echo "# browse saw:"
	sed 's/^/#   /' <<<"$out"
	echo "# avahi (server):"
	tail -n 15 "$tmp/srv/avahi.log" | sed 's/^/#   /'
fi
info_line="^=;$veth_cli;IPv4;$NAME;_device-info\._tcp;local;.*\"model=Xserve\""
if out=$(wait_browse _device-info._tcp "$info_line" 10); then
	pass "mdns: _device-info._tcp $NAME has model=Xserve"
	echo "#   $out"
else
	fail "mdns: _device-info._tcp $NAME has model=Xserve"
	sed 's/^/#   /' <<<"$out"
fi

# mdns = no: the file goes, avahi withdraws the service (goodbye packets)
write_conf no
"$WGNET" -c "$conf" discovery avahi --file "$svc"
if [ ! -e "$svc" ]; then
	pass "mdns = no: wgnet discovery avahi removed the service file"
else
	fail "mdns = no: wgnet discovery avahi removed the service file"
fi
gone=0
for _ in $(seq 20); do
	# a browse that fails (no daemon) proves nothing: it must run
	if out=$(browse _smb._tcp) &&
		! grep -q ";$NAME;_smb\._tcp;" <<<"$out"; then
		gone=1
		break
	fi
	sleep 0.5
done
if [ "$gone" = 1 ]; then
	pass "mdns = no: _smb._tcp $NAME is no longer seen"
else
	fail "mdns = no: _smb._tcp $NAME is no longer seen"
fi

finish
