/*
 * test_nttime.c - NT time arithmetic (smbd/base/nttime.c). The Unix <->
 * NT conversions themselves are tested with file times in
 * tests/smbd/fs/test_fileinfo.c.
 */
#include "tests/wgtest.h"
#include "smbd/base/nttime.h"

/* 2009-02-13 23:31:30 UTC, Unix 1234567890, as NT time. */
#define NT_1234567890	(11644473600ULL * 10000000ULL + \
			 1234567890ULL * 10000000ULL)

START_TEST(test_secs_since)
{
	ck_assert_uint_eq(smbd_nt_secs_since(NT_1234567890,
					     NT_1234567890 + 59999999), 5);
	ck_assert_uint_eq(smbd_nt_secs_since(NT_1234567890,
					     NT_1234567890 + 60000000), 6);
	/* then at or after now: 0, never a huge unsigned difference */
	ck_assert_uint_eq(smbd_nt_secs_since(NT_1234567890, NT_1234567890), 0);
	ck_assert_uint_eq(smbd_nt_secs_since(NT_1234567890 + 1,
					     NT_1234567890), 0);
}
END_TEST

START_TEST(test_unix_secs)
{
	ck_assert_int_eq(smbd_nt_unix_secs(NT_1234567890), 1234567890);
	ck_assert_int_eq(smbd_nt_unix_secs(116444736000000000ULL), 0);
	/* 1601-01-01 itself */
	ck_assert_int_eq(smbd_nt_unix_secs(0), -11644473600LL);
}
END_TEST

START_TEST(test_now_is_now)
{
	struct timespec ts = {};
	uint64_t now = smbd_nt_now();

	clock_gettime(CLOCK_REALTIME, &ts);
	ck_assert_int_le(smbd_nt_unix_secs(now), ts.tv_sec);
	ck_assert_int_ge(smbd_nt_unix_secs(now), ts.tv_sec - 1);
}
END_TEST

static Suite *nttime_suite(void)
{
	Suite *s = suite_create("nttime");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_secs_since);
	tcase_add_test(tc, test_unix_secs);
	tcase_add_test(tc, test_now_is_now);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(nttime_suite)
