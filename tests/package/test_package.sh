#!/usr/bin/env bash
#
# tests/package/test_package.sh - the Debian package end to end, as root on
# Debian 12 (scripts/test.sh runs it; no systemd needed):
#
#   1. build it from a copy of the source: dpkg-buildpackage -b (nocheck:
#      CI runs the unit tests itself), then lintian: no error, no warning,
#      no unused override;
#   2. dpkg -i: the files, the conffile, the enabled unit, the man pages
#      (if the source has man/), the account _wgsmb (system user, no login
#      shell, no home), /var/lib/wgsmb 0700 and its users file 0600, both
#      _wgsmb's;
#   3. run the installed /usr/sbin/wgsmbd on the packaged config with a
#      test port on 127.0.0.1 and one share added: it runs as _wgsmb; the
#      installed wgnet adds a user; smbclient lists and writes the share;
#      the control socket in /run/wgsmb answers root, _wgsmb and an admin
#      group member, and refuses nobody; "run as user = nobody" is refused;
#      SIGTERM stops it;
#   4. dpkg --purge: nothing of the package is left but the account, which
#      Debian keeps (debian/wgsmb.postrm says why).
#
# Every check prints "PASS: ..." or "FAIL: ..."; the last line is
# "N passed, M failed". Exits non-zero if a check failed.
#
# It installs and purges the package wgsmb, so it refuses to run where
# wgsmb is already installed (WG_PKG_FORCE=1 purges it first).
# Environment: WG_KEEP=1 keeps the temp dir (build log, lintian output,
# config, server log).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKG=wgsmb
ACCOUNT=_wgsmb
STATE=/var/lib/wgsmb
RUNDIR=/run/wgsmb
CONF=/etc/wgsmb/wgsmb.conf
UNIT=/lib/systemd/system/wgsmbd.service
WANTS=/etc/systemd/system/multi-user.target.wants/wgsmbd.service
ADMIN_GROUP=staff	# exists on Debian; the test uid 4242 is not in it
PASS_WORD='Passw0rd!'

passes=0
fails=0
T=
PID=
installed_by_us=0
OUT=

pass() {
	passes=$((passes + 1))
	printf 'PASS: %s\n' "$*"
}

fail() {
	fails=$((fails + 1))
	printf 'FAIL: %s\n' "$*"
}

note() {
	printf '# %s\n' "$*"
}

# check DESC CMD...: PASS if CMD exits 0, else FAIL with its output.
check() {
	local desc=$1 rc=0
	shift
	OUT=$(timeout 60 "$@" </dev/null 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		pass "$desc"
		return 0
	fi
	fail "$desc (exit $rc)"
	printf '%s\n' "$OUT" | tail -n 20 | sed 's/^/    | /'
	return 1
}

# expect DESC WANT GOT: PASS if the strings are equal.
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1: $3"
		return 0
	fi
	fail "$1: got '$3', want '$2'"
	return 1
}

# refused DESC PATTERN CMD...: PASS if CMD fails and prints PATTERN.
refused() {
	local desc=$1 pat=$2 rc=0
	shift 2
	OUT=$(timeout 60 "$@" </dev/null 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] && printf '%s\n' "$OUT" | grep -Eq -- "$pat"; then
		pass "$desc"
		return 0
	fi
	fail "$desc (exit $rc, want non-zero and /$pat/)"
	printf '%s\n' "$OUT" | tail -n 20 | sed 's/^/    | /'
	return 1
}

finish() {
	cleanup
	trap - EXIT
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit
}

die() {
	fail "$*"
	finish
}

pkg_status() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | tr -d ' '
}

cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	PID=
	if [ "$installed_by_us" = 1 ] && [ -n "$(pkg_status)" ]; then
		note "purging $PKG after an early stop"
		dpkg --purge "$PKG" >/dev/null 2>&1
	fi
	installed_by_us=0
	if [ -n "$T" ]; then
		if [ "${WG_KEEP:-0}" = 1 ]; then
			note "kept $T"
		else
			rm -rf "$T"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# listening PORT: a TCP socket listens on 127.0.0.1:PORT (/proc/net/tcp).
listening() {
	awk -v re="^0100007F:$(printf '%04X' "$1")\$" \
		'$4 == "0A" && $2 ~ re { f = 1 } END { exit !f }' /proc/net/tcp
}

free_port() {
	local i p
	for i in $(seq 1 200); do
		p=$((45500 + RANDOM % 1000))
		listening "$p" || {
			echo "$p"
			return 0
		}
	done
	return 1
}

# mode_owner PATH: "MODE OWNER GROUP", e.g. "700 _wgsmb _wgsmb".
mode_owner() {
	stat -c '%a %U %G' "$1" 2>&1
}

# as_user USER: setpriv arguments to run a command as USER with its
# primary group only (an array, so check's timeout can run it).
as_user() {
	AS=(setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups)
}

# ---- 0. preconditions ------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "needs root (it installs and purges $PKG)"
for tool in dpkg-buildpackage lintian smbclient setpriv; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
if [ -n "$(pkg_status)" ]; then
	if [ "${WG_PKG_FORCE:-0}" != 1 ]; then
		die "$PKG is installed here ($(pkg_status)); this test would purge it (WG_PKG_FORCE=1 does)"
	fi
	dpkg --purge "$PKG" >/dev/null
fi
T=$(mktemp -d /tmp/wgsmb-pkg.XXXXXX)
chmod 755 "$T"

# ---- 1. build and lintian ----------------------------------------------------
mkdir -p "$T/build/src"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	# committed and new files, not build trees or anything ignored
	(cd "$ROOT" && git ls-files -co --exclude-standard -z |
		tar -cf - --null -T -) | tar -xf - -C "$T/build/src"
else
	(cd "$ROOT" && tar -cf - --exclude='./build*' --exclude=./demo .) |
		tar -xf - -C "$T/build/src"
fi
t=$SECONDS
if (cd "$T/build/src" &&
	DEB_BUILD_OPTIONS="nocheck parallel=2" \
		dpkg-buildpackage -b -us -uc -Pnocheck) >"$T/build.log" 2>&1; then
	pass "dpkg-buildpackage -b -us -uc builds the package ($((SECONDS - t))s)"
else
	tail -n 30 "$T/build.log" | sed 's/^/    | /'
	die "dpkg-buildpackage failed (log: $T/build.log)"
fi
DEB=$(ls "$T"/build/"${PKG}"_*.deb 2>/dev/null | head -n 1)
CHANGES=$(ls "$T"/build/"${PKG}"_*.changes 2>/dev/null | head -n 1)
[ -f "$DEB" ] || die "no ${PKG}_*.deb in $T/build"

lintian --pedantic --display-info "$CHANGES" >"$T/lintian.log" 2>&1
sed 's/^/# lintian: /' "$T/lintian.log" | grep -v 'running with root privileges'
if grep -Eq '^[EW]: ' "$T/lintian.log"; then
	fail "lintian reports errors or warnings"
else
	pass "lintian: no errors, no warnings"
fi
# An override left after its cause is gone hides the next real warning.
if grep -Eq '^I: .*(unused|mismatched)-override' "$T/lintian.log"; then
	fail "lintian: debian/wgsmb.lintian-overrides has an unused override"
else
	pass "lintian: every override is used"
fi

# ---- 2. install ------------------------------------------------------------
account_before=$(getent passwd "$ACCOUNT" || true)
installed_by_us=1
if dpkg -i "$DEB" >"$T/install.log" 2>&1 ||
	DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q \
		>>"$T/install.log" 2>&1; then
	:
fi
sed 's/^/# dpkg -i: /' "$T/install.log"
expect "dpkg -i installs it" "ii" "$(pkg_status)" || die "not installed"

check "wgsmbd is /usr/sbin/wgsmbd" test -x /usr/sbin/wgsmbd
check "wgnet is /usr/bin/wgnet" test -x /usr/bin/wgnet
check "$CONF is a conffile" sh -c \
	"dpkg-query -W -f='\${Conffiles}' $PKG | grep -q '^ $CONF '"
check "the unit runs /usr/sbin/wgsmbd" grep -q \
	'^ExecStart=/usr/sbin/wgsmbd -F -c /etc/wgsmb/wgsmb.conf$' "$UNIT"
check "the unit is enabled (multi-user.target wants it)" test -L "$WANTS"
check "the discovery unit wgsmb-wsdd.service is installed" test -f \
	/lib/systemd/system/wgsmb-wsdd.service
check "the units run no program from /usr/local" sh -c \
	"! grep -nE '^[A-Za-z]+=.*/usr/local' $UNIT /lib/systemd/system/wgsmb-wsdd.service"
if ls "$ROOT"/man/*.scd >/dev/null 2>&1; then
	for scd in "$ROOT"/man/*.scd; do
		page=$(basename "$scd" .scd)	# wgsmbd.8
		check "man page $page is installed" test -f \
			"/usr/share/man/man${page##*.}/$page.gz"
	done
else
	note "no man/*.scd in the source yet: no man page to look for"
fi

pw=$(getent passwd "$ACCOUNT" || true)
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
if [ -z "$account_before" ]; then
	check "the install created $ACCOUNT" test -n "$pw"
else
	note "$ACCOUNT existed before the install (kept by an earlier purge, or made by scripts/account.sh)"
fi
[ -n "$pw" ] || die "no account $ACCOUNT"
note "getent passwd: $pw"
expect "$ACCOUNT has no login shell" /usr/sbin/nologin "$shell"
expect "$ACCOUNT has no home" /nonexistent "$home"
check "/nonexistent does not exist" test ! -e /nonexistent
check "$ACCOUNT is a system user (uid $uid < 1000)" test "$uid" -lt 1000
expect "$ACCOUNT's primary group" "$ACCOUNT" "$(getent group "$gid" | cut -d: -f1)"
check "$ACCOUNT has no password" sh -c \
	"getent shadow $ACCOUNT | cut -d: -f2 | grep -Eq '^[*!]'"
expect "$STATE mode and owner" "700 $ACCOUNT $ACCOUNT" "$(mode_owner "$STATE")"
expect "$STATE/users mode and owner" "600 $ACCOUNT $ACCOUNT" \
	"$(mode_owner "$STATE/users")"

# ---- 3. run the installed daemon -------------------------------------------
PORT=$(free_port) || die "no free port"
install -d -o "$ACCOUNT" -g "$ACCOUNT" "$T/share"
printf 'hello from the package test\n' >"$T/hello.txt"
: >"$T/client.conf"
cp "$CONF" "$T/wgsmb.conf"
admin=
getent group "$ADMIN_GROUP" >/dev/null && admin="admin group = $ADMIN_GROUP"
# [global] may appear again; these keys are commented out in $CONF.
cat >>"$T/wgsmb.conf" <<EOF

# ---- added by tests/package/test_package.sh
[global]
listen addresses = 127.0.0.1
smb ports = $PORT
log level = 3
$admin

[pkgtest]
path = $T/share
writable = yes
EOF
/usr/sbin/wgsmbd -F -c "$T/wgsmb.conf" >"$T/server.log" 2>&1 &
PID=$!
# Ready once it logs "started": it binds the port as root, then makes its
# run directory and control socket and drops to $ACCOUNT, all of which the
# checks below look at.
started() {
	listening "$PORT" && grep -q 'wgsmbd .* started (config' "$T/server.log"
}
for _ in $(seq 1 300); do
	started && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
if started; then
	pass "/usr/sbin/wgsmbd listens on 127.0.0.1:$PORT with the packaged config"
else
	sed 's/^/    | /' "$T/server.log"
	die "wgsmbd did not start"
fi
for _ in $(seq 1 50); do
	[ -S "$RUNDIR/wgsmbd.sock" ] && break
	sleep 0.1
done
expect "wgsmbd runs as $ACCOUNT (real, effective, saved uid)" "$uid $uid $uid" \
	"$(awk '$1 == "Uid:" { print $2, $3, $4 }' "/proc/$PID/status")"
expect "$RUNDIR mode and owner" "755 $ACCOUNT $ACCOUNT" "$(mode_owner "$RUNDIR")"
check "the control socket is $RUNDIR/wgsmbd.sock" test -S "$RUNDIR/wgsmbd.sock"

check "wgnet user add alice (the installed wgnet)" sh -c \
	"printf '%s\n' '$PASS_WORD' | /usr/bin/wgnet -c '$T/wgsmb.conf' user add alice --stdin"
check "the users file has alice (v2: name, NT hash, RID)" grep -q '^alice:[0-9A-Fa-f]\{32\}:[0-9]\+$' "$STATE/users"
expect "$STATE/users keeps its mode and owner" "600 $ACCOUNT $ACCOUNT" \
	"$(mode_owner "$STATE/users")"

SMB=(smbclient "//127.0.0.1/pkgtest" -s "$T/client.conf" -p "$PORT"
	-U "alice%$PASS_WORD" --option='client min protocol=SMB2_02')
check "smbclient as alice: put a file and ls the share" \
	"${SMB[@]}" -c "put $T/hello.txt hello.txt; ls"
if printf '%s\n' "$OUT" | grep -q ' hello.txt '; then
	pass "ls lists hello.txt"
else
	fail "ls does not list hello.txt"
	printf '%s\n' "$OUT" | sed 's/^/    | /'
fi
printf '%s\n' "$OUT" | sed 's/^/# smbclient: /'
expect "the file is written as $ACCOUNT" "$ACCOUNT" \
	"$(stat -c %U "$T/share/hello.txt" 2>&1)"
refused "a wrong password is refused" "NT_STATUS_LOGON_FAILURE" \
	smbclient "//127.0.0.1/pkgtest" -s "$T/client.conf" -p "$PORT" \
	-U "alice%wrong" -c ls

check "control socket: root may use it" \
	/usr/bin/wgnet -c "$T/wgsmb.conf" statistics server
as_user "$ACCOUNT"
check "control socket: $ACCOUNT may use it" \
	"${AS[@]}" /usr/bin/wgnet -c "$T/wgsmb.conf" statistics server
if [ -n "$admin" ]; then
	check "control socket: a member of admin group $ADMIN_GROUP may use it" \
		setpriv --reuid=4242 --regid=4242 \
		--groups="$(getent group "$ADMIN_GROUP" | cut -d: -f3)" \
		/usr/bin/wgnet -c "$T/wgsmb.conf" statistics server
fi
refused "control socket: uid 4242 is refused" "permission denied" \
	setpriv --reuid=4242 --regid=4242 --clear-groups \
	/usr/bin/wgnet -c "$T/wgsmb.conf" statistics server
as_user nobody
refused "control socket: nobody is refused" "permission denied" \
	"${AS[@]}" /usr/bin/wgnet -c "$T/wgsmb.conf" statistics server

# Another daemon on the same config but "run as user = nobody".
PORT2=$(free_port) || die "no free port"
sed -e "s/^smb ports = $PORT\$/smb ports = $PORT2/" \
	-e "s|^[[:space:]]*control socket = .*|control socket = $T/nobody.sock|" \
	"$T/wgsmb.conf" >"$T/nobody.conf"
printf '[global]\nrun as user = nobody\n' >>"$T/nobody.conf"
refused "wgsmbd refuses 'run as user = nobody', saying why" \
	"refusing to run as nobody.*dedicated account" \
	timeout 20 /usr/sbin/wgsmbd -F -c "$T/nobody.conf"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
expect "SIGTERM stops wgsmbd cleanly (exit status)" 0 "$rc"
check "the log says it shut down cleanly" grep -q "shut down cleanly" \
	"$T/server.log"
check "the control socket is removed" test ! -e "$RUNDIR/wgsmbd.sock"
note "server log: $(grep -c . "$T/server.log") lines; first ones:"
head -n 8 "$T/server.log" | sed 's/^/# | /'

# ---- 4. purge --------------------------------------------------------------
check "dpkg --purge $PKG" dpkg --purge "$PKG"
printf '%s\n' "$OUT" | sed 's/^/# dpkg --purge: /'
installed_by_us=0
expect "$PKG is gone from dpkg's database" "" "$(pkg_status)"
for path in /usr/sbin/wgsmbd /usr/bin/wgnet /etc/wgsmb "$STATE" "$RUNDIR" \
	"$UNIT" "$WANTS" /lib/systemd/system/wgsmb-wsdd.service; do
	check "purge removes $path" test ! -e "$path" -a ! -L "$path"
done
left=$(find /etc /lib/systemd /usr/bin /usr/sbin /usr/share/doc \
	/usr/share/man /var/lib /run -name '*wgsmb*' 2>/dev/null |
	grep -v "^$T" || true)
expect "no path named *wgsmb* left in /etc /lib/systemd /usr /var/lib /run" \
	"" "$left"
owned=$(find /etc /usr /var /run /srv /opt /home /root -xdev \
	-user "$ACCOUNT" 2>/dev/null | head -n 20)
expect "no file owned by $ACCOUNT left outside the test's share" "" "$owned"
check "the account $ACCOUNT is kept (Debian keeps system users)" \
	getent passwd "$ACCOUNT"

finish
