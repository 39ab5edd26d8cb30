#!/usr/bin/env bash
#
# test_write_splice_full.sh - a spliced WRITE into a full file system: the
# share is a tmpfs of 3.5 MiB, and 1 MiB WRITEs go on until one hits its
# end mid-splice. It must answer STATUS_DISK_FULL, leave the connection in
# sync and free its pipe (splice_pipes_alive 0). Runs splice_limits.py
# full. Needs root (mount); skipped, saying why, where mount is refused.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# test_write_splice_full.sh tests wgsmbd's splice; nothing to do"
	echo "# test_write_splice_full.sh: 0 passed, 0 failed"
	exit 0
fi
wg_setup
if ! mount -t tmpfs -o size=3584k,mode=0777 wgsplicefull "$WG_SHARE" 2>"$WG_TMP/mount.err"; then
	echo "# test_write_splice_full.sh: skipped: cannot mount a tmpfs: $(cat "$WG_TMP/mount.err")"
	echo "# test_write_splice_full.sh: 0 passed, 0 failed"
	exit 0
fi
WG_CLEANUP+=("umount -l '$WG_SHARE'")
wg_start
wg_run_python "$(dirname "$0")/splice_limits.py" "$WGNET" "$WG_CONF" full
wg_finish
