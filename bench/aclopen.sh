#!/usr/bin/env bash
#
# aclopen.sh - the cost of the access check's descriptor reads: an
# open/close loop (impacket, SMB 3.1.1) of a file 6 folders deep, against
# two wgsmbd builds in turn, interleaved for R rounds, on the same kind of
# share (the test harness's, in /tmp). Prints, per build and round, the
# client's opens per second (bound by impacket: noisy) and the daemon's
# CPU time per open+close (utime+stime from /proc), and the ratio of the
# CPU medians AFTER/BEFORE.
#
#   bench/aclopen.sh BEFORE_WGSMBD AFTER_WGSMBD [ROUNDS] [OPENS]
#
# No folder has a stored descriptor (the common case: the share root's
# default, inherited), so every level is a getxattr that finds nothing.
# The tree is made, then left alone 3 s: the cache does not trust a ctime
# under 2 s old (smbd/fs/acl.c).
set -u
before=$1 after=$2 rounds=${3:-3} opens=${4:-2000}
here=$(cd "$(dirname "$0")" && pwd)

one() {	# one daemon, one run: prints opens/s
	WGSMBD=$1 bash -c '
	set -u
	. "$0/../tests/clients/lib.sh"
	wg_setup >/dev/null
	wg_start >/dev/null
	mkdir -p "$WG_SHARE/a/b/c/d/e/f"
	echo x >"$WG_SHARE/a/b/c/d/e/f/file.txt"
	chmod -R a+rwX "$WG_SHARE/a"
	sleep 3
	cpu() { awk "{ print \$14 + \$15 }" "/proc/$WG_PID/stat"; }
	c0=$(cpu)
	"$WG_PY" - "$WG_PORT" "$WG_USER" "$WG_PASS" "$1" <<-"PY"
	import os, sys, time
	from impacket.smbconnection import SMBConnection
	c = SMBConnection(os.environ["WG_HOST"], os.environ["WG_HOST"], sess_port=int(sys.argv[1]))
	c.login(sys.argv[2], sys.argv[3])
	tid = c.connectTree("demo")
	n = int(sys.argv[4])
	for _ in range(50):
	    c.closeFile(tid, c.openFile(tid, "a\\b\\c\\d\\e\\f\\file.txt"))
	t = time.monotonic()
	for _ in range(n):
	    c.closeFile(tid, c.openFile(tid, "a\\b\\c\\d\\e\\f\\file.txt"))
	print("%.0f" % (n / (time.monotonic() - t)))
	PY
	c1=$(cpu)
	# daemon CPU per open+close, microseconds (clock ticks of 10 ms)
	echo "$c0 $c1 $(getconf CLK_TCK) $1" |
		awk "{ printf \"%.1f\n\", (\$2 - \$1) / \$3 * 1e6 / (\$4 + 50) }"
	wg_stop >/dev/null
	' "$here" "$2"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >/tmp/aclopen.before
: >/tmp/aclopen.after
for r in $(seq 1 "$rounds"); do
	read -r brate bcpu < <(one "$before" "$opens" | tail -n 2 | paste -sd' ')
	read -r arate acpu < <(one "$after" "$opens" | tail -n 2 | paste -sd' ')
	echo "round $r: before $brate opens/s, $bcpu us daemon CPU/open;" \
	     "after $arate opens/s, $acpu us"
	echo "$bcpu" >>/tmp/aclopen.before
	echo "$acpu" >>/tmp/aclopen.after
done
mb=$(median </tmp/aclopen.before)
ma=$(median </tmp/aclopen.after)
awk -v b="$mb" -v a="$ma" 'BEGIN { printf "median daemon CPU per open+close: before %s us, after %s us; after/before %.2f\n", b, a, a / b }'
