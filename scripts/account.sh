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
	local name=${1:-_wgsmb}

	if ! getent passwd "$name" >/dev/null; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "account $name is missing; run as root to create it" >&2
			return 1
		fi
		useradd --system --user-group --no-create-home \
			--home-dir /nonexistent --shell /usr/sbin/nologin \
			--comment "wgsmb SMB server" "$name" >&2 || return 1
	fi
	printf '%s\n' "$name"
}
