#!/usr/bin/env bash
#
# test_smbclient.sh - Samba's smbclient against wgsmbd: the everyday file
# operations at every dialect with signing required, then the refusals
# (bad password, unknown share, escaping the share, writing to a read-only
# share), each followed by a normal listing to show the server still
# answers.
#
# Each step is its own smbclient run so a failure names the step. The
# share directory is local, so the effect of each step is also checked on
# disk, not only through smbclient's view.
set -u
. "$(dirname "$0")/lib.sh"

wg_setup
wg_start

src=$WG_TMP/src.bin
# Odd size over 1 MiB: several READ/WRITE requests, a short last one.
head -c 1234567 /dev/urandom >"$src"

# round DIALECT: every file operation with the dialect pinned (min = max).
round() {
	local proto=$1 d=$proto.dir f=$proto.bin g=$proto-renamed.bin
	local -a smb=(wg-smbclient demo --option="client max protocol=$proto"
		--option="client min protocol=$proto")

	wg_log "dialect $proto"
	wg_check "$proto: put" "${smb[@]}" -c "put $src $f" &&
		wg_check "$proto: put stored the same bytes" cmp "$src" "$WG_SHARE/$f"
	wg_check "$proto: get" "${smb[@]}" -c "get $f $WG_TMP/$f.back" &&
		wg_check "$proto: get returned the same bytes" cmp "$src" "$WG_TMP/$f.back"
	wg_expect "$proto: ls lists the file with its size" \
		"^ +$f +A? +1234567 " "${smb[@]}" -c "ls"
	wg_check "$proto: mkdir" "${smb[@]}" -c "mkdir $d" &&
		wg_check "$proto: mkdir made a directory" test -d "$WG_SHARE/$d"
	wg_expect "$proto: ls of the new directory shows . and .." \
		"^ +\.\. +D " "${smb[@]}" -c "ls $d\\*"
	wg_check "$proto: rmdir" "${smb[@]}" -c "rmdir $d" &&
		wg_check "$proto: rmdir removed the directory" test ! -e "$WG_SHARE/$d"
	wg_check "$proto: rename" "${smb[@]}" -c "rename $f $g" &&
		wg_check "$proto: rename moved the file" \
			test ! -e "$WG_SHARE/$f" -a -f "$WG_SHARE/$g"
	wg_expect "$proto: allinfo shows times, attributes and the data stream" \
		'stream: \[::\$DATA\], 1234567 bytes' "${smb[@]}" -c "allinfo $g"
	wg_check "$proto: del" "${smb[@]}" -c "del $g" &&
		wg_check "$proto: del removed the file" test ! -e "$WG_SHARE/$g"
}

for proto in SMB2_02 SMB2_10 SMB3_00 SMB3_11; do
	round "$proto"
done

# A listing that must keep working after each refused request.
still_serves() {
	wg_check "$1, then a normal ls still works" wg-smbclient demo -c ls
}

wg_log "refusals"
wg_expect "wrong password: NT_STATUS_LOGON_FAILURE" NT_STATUS_LOGON_FAILURE \
	wg-smbclient demo -U "$WG_USER%wrong-password" -c ls
still_serves "wrong password"

wg_expect "unknown user: NT_STATUS_LOGON_FAILURE" NT_STATUS_LOGON_FAILURE \
	wg-smbclient demo -U "mallory%$WG_PASS" -c ls
still_serves "unknown user"

wg_expect "unknown share: NT_STATUS_BAD_NETWORK_NAME" NT_STATUS_BAD_NETWORK_NAME \
	wg-smbclient nosuchshare -c ls
still_serves "unknown share"

# smbclient folds ".." itself, so the server sees "\etc\passwd" inside the
# share; test_impacket.py sends the raw "..". Either way nothing leaves.
rm -f "$WG_TMP/passwd"
wg_expect "get ..\\..\\etc\\passwd is refused" NT_STATUS_ \
	wg-smbclient demo -c "get ..\\..\\etc\\passwd $WG_TMP/passwd"
wg_check "get ..\\..\\etc\\passwd wrote nothing" test ! -e "$WG_TMP/passwd"
still_serves "get ..\\..\\etc\\passwd"

wg_expect "cd .. stays in the share" '^ +readme-root\.txt ' \
	sh -c "echo x >'$WG_SHARE/readme-root.txt' &&
		wg-smbclient demo -c 'cd ..; cd ..; ls'"
rm -f "$WG_SHARE/readme-root.txt"

# A symlink inside the share pointing out of it (vfs.h: opens cannot leave
# the share root).
ln -s /etc "$WG_SHARE/escape"
wg_expect "get through a symlink to /etc is refused" NT_STATUS_ \
	wg-smbclient demo -c "get escape\\passwd $WG_TMP/passwd"
wg_check "the symlink escape wrote nothing" test ! -e "$WG_TMP/passwd"
rm -f "$WG_SHARE/escape"
still_serves "symlink escape"

wg_expect "[ro]: reading works" '^ +readme\.txt ' wg-smbclient ro -c ls
wg_expect "[ro]: put is refused" NT_STATUS_ \
	wg-smbclient ro -c "put $src ro.bin"
wg_check "[ro]: put wrote nothing" test ! -e "$WG_RO/ro.bin"
still_serves "put to [ro]"

# Another client computer: the bindaddr shim makes smbclient connect from
# 127.0.0.77, and the server must see (and log) that address, which is how
# it tells computers apart.
if shim=$(wg_build_shim); then
	wg_check "ls from a second computer (127.0.0.77 via the bindaddr shim)" \
		env LD_PRELOAD="$shim" WG_BIND_ADDR=127.0.0.77 wg-smbclient demo -c ls
	if [ "$WG_SERVER" = wgsmbd ]; then
		wg_check "the server saw the connection come from 127.0.0.77" \
			grep -q '127\.0\.0\.77:' "$WG_TMP/server.log"
	fi
else
	wg_fail "cannot build tests/shim/bindaddr.c"
fi

# Dead peers are found by TCP keepalive (smbd_conn_tcp_options, set on the
# listening socket and inherited by accepted ones): the server's end of an
# idle connection runs a keepalive timer of about 60 s.
if [ "$WG_SERVER" = wgsmbd ]; then
	"$WG_PY" -c 'import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
time.sleep(3)' "$WG_HOST" "$WG_PORT" &
	ka_pid=$!
	sleep 1
	wg_expect "an accepted connection has the listener's keepalive (ss)" \
		'timer:\(keepalive,(5[0-9]sec|60sec|1min)' \
		ss -tno state established "( sport = :$WG_PORT )"
	wait "$ka_pid"
fi

wg_finish
