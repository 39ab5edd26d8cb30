#!/usr/bin/env bash
#
# test_smbtorture_acls.sh - smbtorture's whole smb2.acls suite against the
# [demo] share (ACCESSBASED uses [hideunread]): security descriptors
# stored per file, inheritance, owner changes, the access checks of
# CREATE (fs/acl.c) and access-based enumeration. Every sub-test
# must succeed, except the ones listed in KNOWN below, each with the
# reason; a listed sub-test that now passes is a FAIL, so the list only
# shrinks (torture.sh). The test user is an admin user: several
# sub-tests take ownership or set owners, as on Windows where smbtorture
# runs as an administrator.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

# sub-test -> why it is expected to fail
declare -A KNOWN=()

WG_EXTRA_GLOBAL="admin users = $WG_USER"
wg_setup
# ACCESSBASED connects to a share of this name and needs access-based
# enumeration on it (SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM, and a
# file whose DACL lacks read data, attributes or EAs left out)
mkdir -p "$WG_TMP/hideunread"
chmod 777 "$WG_TMP/hideunread"
cat >>"$WG_CONF" <<EOF

[hideunread]
	path = $WG_TMP/hideunread
	read only = no
	access based share enum = yes
EOF
wg_start

torture_suite smb2.acls 14
wg_finish
