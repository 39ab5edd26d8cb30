#!/usr/bin/env bash
#
# test_smbnetfs.sh - mount the [demo] share with smbnetfs (FUSE 2 over
# libsmbclient) and use it as a plain directory: copy a 3 MB file in and
# out, list, rename, make and remove a directory, delete, unmount.
#
# Port 445: libsmbclient 4.17 ignores "smb ports" and always dials 445
# (then 139), and smbnetfs has no port option. So this test, which runs as
# root, has the daemon listen on 445 as well as its test port, on a random
# 127.x.y.z address of its own so that nothing else on 127.0.0.1:445 (or
# another test run) gets in the way.
#
# HOME points into the temp dir: smbnetfs reads ~/.smb/smbnetfs.conf (the
# credentials) and libsmbclient ~/.smb/smb.conf (signing required, SMB2+).
set -u
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	wg_die "needs root (the daemon must listen on port 445 for libsmbclient)"
fi
if [ ! -c /dev/fuse ] || ! command -v smbnetfs >/dev/null ||
	! command -v fusermount >/dev/null; then
	wg_die "needs /dev/fuse, smbnetfs and fusermount (apt-get install smbnetfs fuse)"
fi

wg_own_host
wg_setup 445
wg_start

home=$WG_TMP/home
mnt=$WG_TMP/mnt
mkdir -p "$home/.smb" "$mnt"
# libsmbclient reads ~/.smb/smb.conf: the harness's client config, signed.
{
	cat "$WG_CLIENT_CONF"
	echo "client signing = required"
} >"$home/.smb/smb.conf"
cat >"$home/.smb/smbnetfs.conf" <<EOF
auth "$WG_USER" "$WG_PASS"
smb_query_browsers "false"
show_hidden_hosts "true"
EOF
chmod 600 "$home/.smb/smbnetfs.conf"

WG_CLEANUP+=("fusermount -u -z '$mnt'")
wg_check "smbnetfs mounts" env HOME="$home" smbnetfs "$mnt" \
	-o "config=$home/.smb/smbnetfs.conf,smbnetfs_debug=2,log_file=$WG_TMP/smbnetfs.log" ||
	wg_finish

dir=$mnt/$WG_HOST/demo
src=$WG_TMP/src.bin
back=$WG_TMP/back.bin
head -c 3000000 /dev/urandom >"$src"
echo hello >"$WG_SHARE/hello.txt"

wg_expect "ls of the share shows an existing file" '^hello\.txt$' ls "$dir"
wg_check "cat reads an existing file" grep -qx hello "$dir/hello.txt"
wg_check "cp a 3 MB file in" cp "$src" "$dir/big.bin" &&
	wg_check "the server stored the same bytes" cmp "$src" "$WG_SHARE/big.bin"
wg_check "cp it back out" cp "$dir/big.bin" "$back" &&
	wg_check "the copy out has the same bytes" cmp "$src" "$back"
wg_expect "ls -l shows the size" '^-.* 3000000 .* big\.bin$' ls -l "$dir"
wg_check "mv renames" mv "$dir/big.bin" "$dir/moved.bin" &&
	wg_check "the rename happened on the server" \
		test ! -e "$WG_SHARE/big.bin" -a -f "$WG_SHARE/moved.bin"
wg_check "mkdir" mkdir "$dir/sub" &&
	wg_check "the directory exists on the server" test -d "$WG_SHARE/sub"
wg_check "cp into the subdirectory" cp "$WG_SHARE/hello.txt" "$dir/sub/h.txt" &&
	wg_check "the file in the subdirectory arrived" cmp "$WG_SHARE/hello.txt" "$WG_SHARE/sub/h.txt"
wg_check "rm in the subdirectory" rm "$dir/sub/h.txt"
wg_check "rmdir" rmdir "$dir/sub" &&
	wg_check "the directory is gone on the server" test ! -e "$WG_SHARE/sub"
wg_check "rm" rm "$dir/moved.bin" "$dir/hello.txt" &&
	wg_check "the files are gone on the server" \
		test ! -e "$WG_SHARE/moved.bin" -a ! -e "$WG_SHARE/hello.txt"
wg_check "fusermount -u unmounts" fusermount -u "$mnt"

if [ "$WG_FAILS" -gt 0 ] && [ -s "$WG_TMP/smbnetfs.log" ]; then
	echo "---- last 20 lines of the smbnetfs log ----"
	tail -n 20 "$WG_TMP/smbnetfs.log"
fi
wg_finish
