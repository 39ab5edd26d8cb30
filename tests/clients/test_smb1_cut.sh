#!/usr/bin/env bash
#
# test_smb1_cut.sh - SMB1 cuts of a big file leave the event loop free
# (smb1_cut.py): TRANS2 SET_FILE_INFORMATION and SET_PATH_INFORMATION of
# end of file or allocation, and a core WRITE of count 0, that free 1 MiB
# or more truncate on a worker; an ECHO on another connection from the
# same address is answered meanwhile. SMB1 is off by default: the daemon
# runs with server min protocol = NT1.
set -u
. "$(dirname "$0")/lib.sh"
WG_NAME=test_smb1_cut.sh

if [ "$WG_SERVER" != wgsmbd ]; then
	echo "# $WG_NAME: 0 passed, 0 failed"
	exit 0
fi
WG_EXTRA_GLOBAL="server min protocol = NT1"
wg_setup
wg_start
wg_run_python "$WG_ROOT/tests/clients/smb1_cut.py"
wg_finish
