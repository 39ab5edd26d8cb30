# shellcheck shell=bash
#
# scripts/account.sh - source it, then `wgsmb_account` makes sure the
# dedicated account wgsmbd runs as exists: _wgsmb (or $1), a system user
# with a group of its own, no login shell and no home, as the Debian
# package's postinst makes it (debian/wgsmb.postinst, with adduser). Never
# nobody: other services share it, and the daemon refuses it. Needs root
# when the account is missing; prints the account name.
#
# useradd (package passwd) is in every Debian system, adduser is not in
# the smallest container images, so this uses useradd.

wgsmb_account() {
	local name=${1:-_wgsmb} err=

	# Several scripts may run this at once (run_all.sh WG_JOBS=2 starts
	# two tests, each sourcing lib.sh): the one whose useradd loses the
	# race sees "already exists" or cannot lock /etc/passwd. Either way
	# the account may now be there: look again before giving up.
	for _ in 1 2 3 4 5; do
		if getent passwd "$name" >/dev/null; then
			printf '%s\n' "$name"
			return 0
		fi
		if [ "$(id -u)" -ne 0 ]; then
			echo "account $name is missing; run as root to create it" >&2
			return 1
		fi
		err=$(useradd --system --user-group --no-create-home \
			--home-dir /nonexistent --shell /usr/sbin/nologin \
			--comment "wgsmb SMB server" "$name" 2>&1) && continue
		sleep 1
	done
	echo "cannot create account $name: $err" >&2
	return 1
}
