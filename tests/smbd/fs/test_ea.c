/*
 * test_ea.c - EAs in xattrs (smbd/fs/ea.h) on a temp file: set and read
 * back with names upper-cased, a case-insensitive replace, delete by an
 * empty value, EaSize by fd (O_PATH too) and by directory entry, the
 * checks (bad names and flags, kernel EAs), the 64 KiB budget leaving
 * the file as it was, and no other xattr showing as an EA.
 */
#include "tests/wgtest.h"
#include "smbd/fs/ea.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static char path[] = "/tmp/test_ea.XXXXXX";
static int fd = -1;

/* A temp file with user xattrs, or false when /tmp has none. */
static bool make_file(void)
{
	strcpy(path, "/tmp/test_ea.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	if (fsetxattr(fd, "user.wgsmb.probe", "", 0, 0) != 0) {
		return false;
	}
	ck_assert_int_eq(fremovexattr(fd, "user.wgsmb.probe"), 0);
	return true;
}

static void drop_file(void)
{
	close(fd);
	unlink(path);
}

static struct fscc_ea ea(const char *name, const char *value)
{
	struct fscc_ea e = {
		.name = name,
		.name_len = (uint8_t)strlen(name),
		.value_len = (uint16_t)strlen(value),
		.value = (const uint8_t *)value,
	};

	return e;
}

START_TEST(test_set_read_delete)
{
	struct fscc_ea set[2], *got = NULL;
	size_t n = 0;

	if (!make_file()) {
		drop_file();
		return;
	}
	/* an xattr that is not ours never shows */
	ck_assert_int_eq(fsetxattr(fd, "user.other", "x", 1, 0), 0);
	ck_assert_int_eq(smbd_ea_read(wgt_root, fd, &got, &n), NT_STATUS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(smbd_ea_size_fd(fd), 0);

	set[0] = ea("eaOne", "VALUE1");
	set[1] = ea("SecondEA", "ValueTwo");
	set[1].flags = FSCC_FILE_NEED_EA;
	ck_assert_uint_eq(smbd_ea_check(set, 2), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_ea_apply(fd, set, 2), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_ea_read(wgt_root, fd, &got, &n), NT_STATUS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(smbd_ea_size_fd(fd), fscc_ea_list_size(got, n));
	ck_assert_uint_eq(smbd_ea_size_fd(fd), 20 + 25);
	{
		char *dir = talloc_strdup(wgt_root, path);
		char *base = talloc_strdup(wgt_root, path);
		int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);

		ck_assert_int_ge(dfd, 0);
		ck_assert_uint_eq(smbd_ea_size_at(dfd, basename(base)),
				  20 + 25);
		close(dfd);
		talloc_free(dir);
		talloc_free(base);
	}
	{
		/* an O_PATH fd (a file the server may not read) works too */
		int pfd = open(path, O_PATH);
		struct fscc_ea *viap = NULL;
		size_t np = 0;

		ck_assert_int_ge(pfd, 0);
		ck_assert_uint_eq(smbd_ea_read(wgt_root, pfd, &viap, &np),
				  NT_STATUS_OK);
		ck_assert_uint_eq(np, 2);
		ck_assert_uint_eq(smbd_ea_size_fd(pfd), 20 + 25);
		talloc_free(viap);
		close(pfd);
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(got[i].name, "EAONE") == 0) {
			ck_assert_uint_eq(got[i].flags, 0);
			ck_assert_mem_eq(got[i].value, "VALUE1", 6);
		} else {
			ck_assert_str_eq(got[i].name, "SECONDEA");
			ck_assert_uint_eq(got[i].flags, FSCC_FILE_NEED_EA);
			ck_assert_mem_eq(got[i].value, "ValueTwo", 8);
		}
	}
	talloc_free(got);

	/* another case replaces; an empty value deletes */
	set[0] = ea("EAONE", "v2");
	set[1] = ea("secondea", "");
	ck_assert_uint_eq(smbd_ea_apply(fd, set, 2), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_ea_read(wgt_root, fd, &got, &n), NT_STATUS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(got[0].name, "EAONE");
	ck_assert_uint_eq(got[0].value_len, 2);
	talloc_free(got);
	/* deleting what is not there is fine */
	set[0] = ea("NOSUCH", "");
	ck_assert_uint_eq(smbd_ea_apply(fd, set, 1), NT_STATUS_OK);
	drop_file();
}
END_TEST

START_TEST(test_checks)
{
	struct fscc_ea e = ea("a:b", "x");

	ck_assert_uint_eq(smbd_ea_check(&e, 1), NT_STATUS_INVALID_EA_NAME);
	e = ea("ok", "x");
	e.flags = 0x01;
	ck_assert_uint_eq(smbd_ea_check(&e, 1), NT_STATUS_INVALID_EA_NAME);
	e = ea("$kernel.purge.x", "x");
	ck_assert_uint_eq(smbd_ea_check(&e, 1), NT_STATUS_ACCESS_DENIED);
	e = ea("$KERNEL", "x");		/* no dot: an ordinary name */
	ck_assert_uint_eq(smbd_ea_check(&e, 1), NT_STATUS_OK);
}
END_TEST

/* Over 64 KiB - 5 in all: EA_TOO_LARGE and nothing changed. */
START_TEST(test_budget)
{
	static char big[40000];
	struct fscc_ea set[2], *got = NULL;
	size_t n = 0;

	if (!make_file()) {
		drop_file();
		return;
	}
	memset(big, 'z', sizeof(big) - 1);
	set[0] = ea("KEEP", "k");
	ck_assert_uint_eq(smbd_ea_apply(fd, set, 1), NT_STATUS_OK);
	set[0] = ea("BIG1", big);
	set[1] = ea("BIG2", big);
	ck_assert_uint_eq(smbd_ea_apply(fd, set, 2), NT_STATUS_EA_TOO_LARGE);
	ck_assert_uint_eq(smbd_ea_read(wgt_root, fd, &got, &n), NT_STATUS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(got[0].name, "KEEP");
	talloc_free(got);
	drop_file();
}
END_TEST

/*
 * EaSize given the caller's stat is remembered against its ctime once
 * that is two seconds old; an EA set moves ctime, so a fresh stat sees
 * the new size. A list longer than the 1 KiB tried first still counts.
 */
START_TEST(test_size_memo)
{
	struct fscc_ea one = ea("ONE", "1");
	struct fscc_ea two = ea("TWO", "22");
	struct stat st, st2;
	uint32_t s1 = 0, s2 = 0;

	if (!make_file()) {
		drop_file();
		return;
	}
	/* names of other xattrs past the stack buffer's 1 KiB */
	for (int i = 0; i < 40; i++) {
		char x[64];

		snprintf(x, sizeof(x), "user.other.%040d", i);
		ck_assert_int_eq(fsetxattr(fd, x, "x", 1, 0), 0);
	}
	ck_assert_int_gt(flistxattr(fd, NULL, 0), 1024);
	ck_assert_uint_eq(smbd_ea_apply(fd, &one, 1), NT_STATUS_OK);
	s1 = smbd_ea_size_fd(fd);
	ck_assert_uint_gt(s1, 0);
	sleep(3);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(smbd_ea_size_fd_st(fd, &st), s1);
	ck_assert_uint_eq(smbd_ea_size_fd_st(fd, &st), s1);
	ck_assert_uint_eq(smbd_ea_apply(fd, &two, 1), NT_STATUS_OK);
	s2 = smbd_ea_size_fd(fd);
	ck_assert_uint_gt(s2, s1);
	/* the old stat still names the remembered answer ... */
	ck_assert_uint_eq(smbd_ea_size_fd_st(fd, &st), s1);
	/* ... a new one (ctime moved) does not */
	ck_assert_int_eq(fstat(fd, &st2), 0);
	ck_assert_uint_eq(smbd_ea_size_fd_st(fd, &st2), s2);
	drop_file();
}
END_TEST

static Suite *ea_suite(void)
{
	Suite *s = suite_create("ea");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_set_read_delete);
	tcase_add_test(tc, test_checks);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_size_memo);
	tcase_set_timeout(tc, 30);	/* test_size_memo waits 3 s */
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(ea_suite)
