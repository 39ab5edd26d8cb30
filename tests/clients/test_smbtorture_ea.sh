#!/usr/bin/env bash
#
# test_smbtorture_ea.sh - smbtorture's whole smb2.ea and smb2.getinfo
# suites against the [demo] share: extended attributes (FileFullEa
# Information on CREATE, QUERY_INFO and SET_INFO), the file and file
# system information classes, 8.3 short names. Every sub-test must
# succeed, except the ones listed in KNOWN below, each with the reason;
# a listed sub-test that now passes is a FAIL, so the list only shrinks
# (torture.sh).
#
# Before EAs, short names and this script: smb2.ea 0 of 1, smb2.getinfo
# 5 of 8 (getinfo_access failed on FileAlternateNameInformation).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

# sub-test -> why it is expected to fail
declare -A KNOWN=(
)

# smb2.ea.acl_xattr sets an EA of this name and expects ACCESS_DENIED
# (on Samba, its NT ACL xattr). Here every EA is kept under its own
# prefix, so no EA name reaches another xattr; the names refused are
# Windows' kernel EAs ($KERNEL.*), which no client may set.
TORTURE_OPTS=(--option='torture:acl_xattr_name=$KERNEL.WGSMB.SD')

wg_setup
wg_start

torture_suite smb2.ea 1
torture_suite smb2.getinfo 8
wg_finish
