#!/usr/bin/env bash
#
# test_smbtorture_acls.sh - smbtorture's whole smb2.acls suite against the
# [demo] share: security descriptors stored per file, inheritance, owner
# changes and the access checks of CREATE (fs/acl.c). Every sub-test
# must succeed, except the ones listed in KNOWN below, each with the
# reason; a listed sub-test that now passes is a FAIL, so the list only
# shrinks (torture.sh). The test user is an admin user: several
# sub-tests take ownership or set owners, as on Windows where smbtorture
# runs as an administrator.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/torture.sh"

# sub-test -> why it is expected to fail
declare -A KNOWN=(
	[smb2.acls.ACCESSBASED]="needs a share 'hideunread' with access based share enumeration, which wgsmbd does not have"
)

WG_EXTRA_GLOBAL="admin users = $WG_USER"
wg_setup
wg_start

torture_suite smb2.acls 14
wg_finish
