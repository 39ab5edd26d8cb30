/*
 * test_daemon.c - who wgsmbd agrees to run as (smbd/daemon/daemon.c):
 * never root, never nobody (by name or by uid), a missing account is an
 * error, and a plain system account is accepted. The control socket's
 * directory is created when missing and an existing one left alone.
 */
#include "tests/wgtest.h"
#include "smbd/daemon/daemon.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(test_refuses_root)
{
	uid_t uid = 12345;
	gid_t gid = 12345;

	ck_assert_int_eq(wg_daemon_lookup_user("root", &uid, &gid), -EPERM);
}
END_TEST

START_TEST(test_refuses_nobody)
{
	struct passwd *nb = getpwnam("nobody");
	uid_t uid = 12345;
	gid_t gid = 12345;

	ck_assert_int_eq(wg_daemon_lookup_user("nobody", &uid, &gid), -EPERM);
	ck_assert_int_eq(wg_daemon_refuse_nobody("nobody", 12345), -EPERM);
	ck_assert_ptr_nonnull(nb);	/* Debian always has it */
	/* another name for nobody's uid is nobody too */
	ck_assert_int_eq(wg_daemon_refuse_nobody("alias", nb->pw_uid), -EPERM);
	ck_assert_int_eq(wg_daemon_refuse_nobody("_wgsmb", 12345), 0);
}
END_TEST

START_TEST(test_missing_user)
{
	uid_t uid = 0;
	gid_t gid = 0;

	ck_assert_int_eq(wg_daemon_lookup_user("wgsmb-no-such-user", &uid,
					       &gid), -ENOENT);
}
END_TEST

START_TEST(test_system_account_accepted)
{
	/* "daemon" (uid 1) is in every Debian base system */
	struct passwd *pw = getpwnam("daemon");
	uid_t uid = 0;
	gid_t gid = 0;

	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(wg_daemon_lookup_user("daemon", &uid, &gid), 0);
	ck_assert_int_eq(uid, 1);
	ck_assert_int_ne(uid, 0);
}
END_TEST

START_TEST(test_socket_dir)
{
	char tmpl[] = "/tmp/wgt-sockdir-XXXXXX";
	char *base = mkdtemp(tmpl);
	char *sock = NULL;
	char *dir = NULL;
	struct stat st = {};

	ck_assert_ptr_nonnull(base);
	dir = talloc_asprintf(wgt_root, "%s/run", base);
	sock = talloc_asprintf(wgt_root, "%s/wgsmbd.sock", dir);
	ck_assert_int_eq(wg_daemon_prepare_socket_dir(sock, getuid(),
						      getgid()), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	/* existing: left as it is */
	ck_assert_int_eq(chmod(dir, 0700), 0);
	ck_assert_int_eq(wg_daemon_prepare_socket_dir(sock, getuid(),
						      getgid()), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	/* a bare name has no directory to make */
	ck_assert_int_eq(wg_daemon_prepare_socket_dir("wgsmbd.sock", 0, 0), 0);
	rmdir(dir);
	rmdir(base);
	talloc_free(sock);
	talloc_free(dir);
}
END_TEST

static Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_refuses_root);
	tcase_add_test(tc, test_refuses_nobody);
	tcase_add_test(tc, test_missing_user);
	tcase_add_test(tc, test_system_account_accepted);
	tcase_add_test(tc, test_socket_dir);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(daemon_suite)
