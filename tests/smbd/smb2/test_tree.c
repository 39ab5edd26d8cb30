/*
 * test_tree.c - the share root fds of tree connects (smbd/smb2/tree.c):
 * one fd per share root, kept open while idle between tree connects and
 * reused only while its path still names the same directory; trimmed at
 * a reload.
 */
#include "tests/wgtest.h"
#include "tests/smbd/smbdtest.h"
#include "smbd/smb2/tree.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static struct smbdt *T;

static void tt_setup(void)
{
	wgt_setup();
	T = smbdt_new(wgt_root, wgt_ev, NULL);
	smbdt_connect(T, false);
}

static void tt_teardown(void)
{
	smbdt_free(T);
	T = NULL;
	wgt_teardown();
}

/* A tree connect over share_root_get's fd, then its disconnect. */
static int connect_disconnect(struct smbd_session *s)
{
	const struct wg_share_cfg *sh = wg_config_find_share(T->srv->cfg,
							     "demo");
	int fd = share_root_get(T->srv, T->share);
	struct smbd_tree *tr = NULL;

	ck_assert_int_ge(fd, 0);
	tr = smbd_tree_new(s, sh, fd);
	ck_assert_ptr_nonnull(tr);
	talloc_free(tr);
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static ino_t fd_ino(int fd)
{
	struct stat st = {};

	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

START_TEST(test_shared_while_used)
{
	int a = share_root_get(T->srv, T->share);
	int b = share_root_get(T->srv, T->share);
	struct smbd_session *s = smbdt_session(T, false, false);

	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(a, b);
	ck_assert_ptr_nonnull(smbd_tree_new(s, wg_config_find_share(
					    T->srv->cfg, "demo"), a));
	ck_assert_ptr_nonnull(smbd_tree_new(s, wg_config_find_share(
					    T->srv->cfg, "demo"), b));
}
END_TEST

START_TEST(test_kept_idle_between_connects)
{
	struct smbd_session *s = smbdt_session(T, false, false);
	int a = connect_disconnect(s);

	/* no tree uses it, still open, and the next connect gets it */
	ck_assert(fd_open(a));
	ck_assert_int_eq(connect_disconnect(s), a);
}
END_TEST

START_TEST(test_replaced_root_reopened)
{
	struct smbd_session *s = smbdt_session(T, false, false);
	char old[160];
	int a = connect_disconnect(s);
	ino_t was = fd_ino(a);
	int b = -1;
	struct stat st = {};

	/* the share directory moved away and a new one took its path */
	snprintf(old, sizeof(old), "%s.old", T->share);
	ck_assert_int_eq(rename(T->share, old), 0);
	ck_assert_int_eq(mkdir(T->share, 0755), 0);
	ck_assert_int_eq(stat(T->share, &st), 0);
	ck_assert_uint_ne(st.st_ino, was);
	b = share_root_get(T->srv, T->share);
	ck_assert_int_ge(b, 0);
	ck_assert_uint_eq(fd_ino(b), st.st_ino);
	smbd_tree_new(s, wg_config_find_share(T->srv->cfg, "demo"), b);
	/* put the temp share back for the harness's cleanup */
	ck_assert_int_eq(rmdir(T->share), 0);
	ck_assert_int_eq(rename(old, T->share), 0);
}
END_TEST

START_TEST(test_trim_closes_idle_only)
{
	struct smbd_session *s = smbdt_session(T, false, false);
	int a = connect_disconnect(s);
	int b = -1;

	smbd_share_roots_trim(T->srv);
	ck_assert(!fd_open(a));
	/* a root in use survives a trim */
	b = share_root_get(T->srv, T->share);
	ck_assert_ptr_nonnull(smbd_tree_new(s, wg_config_find_share(
					    T->srv->cfg, "demo"), b));
	smbd_share_roots_trim(T->srv);
	ck_assert(fd_open(b));
	ck_assert_int_eq(share_root_get(T->srv, T->share), b);
	smbd_tree_new(s, wg_config_find_share(T->srv->cfg, "demo"), b);
}
END_TEST

static Suite *tree_suite(void)
{
	Suite *su = suite_create("tree");
	TCase *tc = tcase_create("share roots");

	tcase_add_checked_fixture(tc, tt_setup, tt_teardown);
	tcase_add_test(tc, test_shared_while_used);
	tcase_add_test(tc, test_kept_idle_between_connects);
	tcase_add_test(tc, test_replaced_root_reopened);
	tcase_add_test(tc, test_trim_closes_idle_only);
	suite_add_tcase(su, tc);
	return su;
}

WGT_MAIN(tree_suite)
