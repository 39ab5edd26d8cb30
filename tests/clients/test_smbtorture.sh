#!/usr/bin/env bash
#
# test_smbtorture.sh - a fixed list of Samba's smbtorture SMB2 tests
# against the [demo] share, signed, one smbtorture run per test so that a
# failure names the test and a hang is cut off by its time limit.
#
# smb2.maxfid opens files until the server refuses one, then closes them
# all. Its default goal is 0x11000 opens; torture:maxopenfiles=20000 keeps
# the run short while still going past the per-connection cap of 16384
# opens (SMBD_MAX_OPENS_PER_CONN), so the refusal path is exercised.
set -u
. "$(dirname "$0")/lib.sh"

TESTS=(
	smb2.connect
	smb2.read.eof
	smb2.read.position
	smb2.dir.find
	smb2.dir.fixed
	smb2.rename.simple
	smb2.setinfo
	smb2.sharemode.sharemode-access
	smb2.compound.related1
	smb2.compound.unrelated1
	smb2.create.open
	smb2.maxfid
)

wg_setup
wg_start

summary=()
for t in "${TESTS[@]}"; do
	start=$SECONDS
	# env -C: smbtorture leaves an empty smbtorture.XXXXXX directory
	# where it runs; let that be the test's own temp dir.
	WG_TIMEOUT=300 wg_check "smbtorture $t" \
		env -C "$WG_TMP" smbtorture "//$WG_HOST/demo" -p "$WG_PORT" -s "$WG_CLIENT_CONF" \
		-U "$WG_USER%$WG_PASS" --option='client signing=required' \
		--option=torture:maxopenfiles=20000 "$t"
	rc=$?
	# smbtorture exits 0 for a skipped test too: that is not a pass here.
	if [ "$rc" -eq 0 ] && printf '%s\n' "$WG_OUT" | grep -Eq '^skip(-testsuite)?:'; then
		wg_fail "smbtorture $t was skipped: $(printf '%s\n' "$WG_OUT" | grep -E '^skip' | head -n 1)"
		rc=1
	fi
	if [ "$rc" -eq 0 ]; then
		summary+=("$t ok ($((SECONDS - start))s)")
	else
		summary+=("$t FAILED")
	fi
done
echo "# smbtorture summary: ${summary[*]/%/;}"
wg_finish
