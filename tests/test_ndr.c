/* test_ndr.c - placeholder while the suite is written. */
#include "wgtest.h"

START_TEST(test_placeholder)
{
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ndr");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_placeholder);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(suite)
