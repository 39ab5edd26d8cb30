#!/usr/bin/env bash
#
# scripts/demo.sh - build wgsmb and serve a demo share, in the foreground.
#
# As root on Debian 12: installs the build dependencies, builds build/,
# creates ./demo/ (ignored by git) with a share, a config and a user
# demo/demo, then runs build/wgsmbd on port 4445. Ctrl-C stops it. Run it
# again at any time: it only builds what changed and keeps ./demo/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

BUILD_DEPS=(meson ninja-build pkg-config gcc libc6-dev libtalloc-dev
	libtevent-dev nettle-dev check)
PORT=4445

missing=()
for p in "${BUILD_DEPS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "demo.sh: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "==== installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${BUILD_DEPS[@]}"
fi

echo "==== building build/"
if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build

demo=$root/demo
mkdir -p "$demo/share" "$demo/state"
if [ ! -f "$demo/share/README.txt" ]; then
	cat >"$demo/share/README.txt" <<-EOF
		Hello from wgsmb. This is the [demo] share, served from
		$demo/share
		Files you copy here over SMB appear in that directory.
	EOF
fi

# The daemon refuses to keep running as root: it drops to "run as user"
# after binding its port, so that user must be able to write the share.
# As root that is the dedicated account _wgsmb (made here if missing, as
# the Debian package makes it), never nobody, which the daemon refuses.
run_as=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
	. "$root/scripts/account.sh"
	run_as=$(wgsmb_account _wgsmb)
	chown -R "$run_as:$run_as" "$demo/share"
fi

cat >"$demo/wgsmb.conf" <<EOF
# Written by scripts/demo.sh; rewritten on every run.
[global]
netbios name = WGDEMO
workgroup = WORKGROUP
# 0.0.0.0 covers 127.0.0.1 and every other IPv4 address of this machine.
listen addresses = 0.0.0.0
smb ports = $PORT
users file = $demo/users
state directory = $demo/state
run as user = $run_as
log level = 3

[demo]
path = $demo/share
comment = wgsmb demo share
read only = no
EOF

# user add fails if demo exists from an earlier run: set the password then.
if ! printf 'demo\n' | build/wgnet -c "$demo/wgsmb.conf" user add demo --stdin 2>/dev/null; then
	printf 'demo\n' | build/wgnet -c "$demo/wgsmb.conf" user passwd demo --stdin
fi

cat <<EOF

==== wgsmbd is starting on port $PORT (all IPv4 addresses), Ctrl-C stops it
Share [demo] = $demo/share, user demo, password demo. Connect with:

  smbclient //127.0.0.1/demo -p $PORT -U demo%demo -c ls
  smbclient //127.0.0.1/demo -p $PORT -U demo%demo        (interactive)

The password is public: anyone who can reach this port can use the share.
Config: $demo/wgsmb.conf

EOF
exec build/wgsmbd -F -c "$demo/wgsmb.conf"
