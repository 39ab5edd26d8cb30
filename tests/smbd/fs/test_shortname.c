/*
 * test_shortname.c - 8.3 names of smbd/fs/shortname.h: which names are
 * 8.3 already, the hashed form (shape, stability, pinned answers so the
 * names a client saw do not change with a rebuild), and how rarely
 * names of one directory collide.
 */
#include "tests/wgtest.h"
#include "smbd/fs/shortname.h"

#include <stdio.h>

START_TEST(test_is_8dot3)
{
	static const char *const yes[] = {
		"README.TXT", "readme.txt", "A", "12345678.123", "$x~(1).a-b",
		".", "..", "NOEXT",
	};
	static const char *const no[] = {
		"", "123456789", "a.b.c", "name.html", "sp ace.txt", "x.",
		".bashrc", "caf\xc3\xa9.txt", "a+b.txt", "a[1].txt",
		"toolongname.txt",
	};
	size_t i = 0;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		ck_assert_msg(smbd_is_8dot3(yes[i]), "%s", yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		ck_assert_msg(!smbd_is_8dot3(no[i]), "%s", no[i]);
	}
}
END_TEST

/* PPhhhh~d[.EEE]: up to 2 name characters, 4 hex digits, ~, 1-9 */
static void check_shape(const char *sn, const char *prefix, const char *ext)
{
	size_t p = strlen(prefix), i = 0;

	ck_assert_uint_le(strlen(sn), SMBD_SHORT_NAME_MAX);
	ck_assert_msg(strncmp(sn, prefix, p) == 0, "%s", sn);
	for (i = p; i < p + 4; i++) {
		ck_assert_msg(strchr("0123456789ABCDEF", sn[i]) != NULL, "%s",
			      sn);
	}
	ck_assert_int_eq(sn[p + 4], '~');
	ck_assert(sn[p + 5] >= '1' && sn[p + 5] <= '9');
	ck_assert_str_eq(sn + p + 6, ext);
}

START_TEST(test_hashed)
{
	char sn[SMBD_SHORT_NAME_MAX + 1];
	char again[SMBD_SHORT_NAME_MAX + 1];

	/* 8.3 names answer themselves, upper-cased */
	ck_assert_uint_eq(smbd_short_name("readme.txt", sn), 10);
	ck_assert_str_eq(sn, "README.TXT");

	smbd_short_name("Program Files", sn);
	check_shape(sn, "PR", "");
	smbd_short_name("Program Files", again);
	ck_assert_str_eq(sn, again);		/* stable */
	smbd_short_name("program files", again);
	ck_assert_str_ne(sn, again);		/* another file on Linux */

	smbd_short_name("document.html", sn);
	check_shape(sn, "DO", ".HTM");
	smbd_short_name(".bashrc", sn);
	check_shape(sn, "BA", "");
	smbd_short_name("a b.tar.gz", sn);
	check_shape(sn, "AB", ".GZ");
	smbd_short_name("\xc3\xa9t\xc3\xa9.d\xc3\xa9j\xc3\xa0", sn);
	check_shape(sn, "_T", ".D_J");
	smbd_short_name("x+y", sn);
	check_shape(sn, "X_", "");
	smbd_short_name("...", sn);
	check_shape(sn, "", "");
	smbd_short_name("name.", sn);
	check_shape(sn, "NA", "");
}
END_TEST

/* Pinned: a changed hash would rename every file's short name. */
START_TEST(test_pinned)
{
	char sn[SMBD_SHORT_NAME_MAX + 1];

	smbd_short_name("Program Files", sn);
	ck_assert_str_eq(sn, "PR8C4C~2");
	smbd_short_name("testsmb2_file.dat", sn);
	ck_assert_str_eq(sn, "TE976F~3.DAT");
}
END_TEST

/* 1000 names sharing a prefix in one directory: collisions are rare. */
START_TEST(test_collisions)
{
	enum { N = 1000 };
	static char names[N][SMBD_SHORT_NAME_MAX + 1];
	char name[32];
	size_t i = 0, j = 0, same = 0;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file number %zu.txt", i);
		smbd_short_name(name, names[i]);
	}
	for (i = 0; i < N; i++) {
		for (j = i + 1; j < N; j++) {
			same += strcmp(names[i], names[j]) == 0;
		}
	}
	ck_assert_uint_le(same, 5);
}
END_TEST

static Suite *shortname_suite(void)
{
	Suite *s = suite_create("shortname");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_is_8dot3);
	tcase_add_test(tc, test_hashed);
	tcase_add_test(tc, test_pinned);
	tcase_add_test(tc, test_collisions);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(shortname_suite)
