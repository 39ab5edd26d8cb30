/*
 * test_ntstatus.c - every NTSTATUS in proto/ntstatus.h has its name in
 * nt_errstr(), so no status the server sends logs as a bare number.
 */
#include "tests/wgtest.h"
#include "proto/ntstatus.h"

#include <stdio.h>

#ifndef WGT_SRCDIR
#error "WGT_SRCDIR must name the source tree (tests/meson.build sets it)"
#endif

/* The four that files kept privately before; by name, to be explicit. */
START_TEST(test_once_private)
{
	ck_assert_str_eq(nt_errstr(NT_STATUS_NOTIFY_CLEANUP),
			 "NT_STATUS_NOTIFY_CLEANUP");
	ck_assert_uint_eq(NT_STATUS_NOTIFY_CLEANUP, 0x0000010Bu);
	ck_assert_str_eq(nt_errstr(NT_STATUS_NO_EAS_ON_FILE),
			 "NT_STATUS_NO_EAS_ON_FILE");
	ck_assert_uint_eq(NT_STATUS_NO_EAS_ON_FILE, 0xC0000052u);
	ck_assert_str_eq(nt_errstr(NT_STATUS_BAD_IMPERSONATION_LEVEL),
			 "NT_STATUS_BAD_IMPERSONATION_LEVEL");
	ck_assert_uint_eq(NT_STATUS_BAD_IMPERSONATION_LEVEL, 0xC00000A5u);
	ck_assert_str_eq(nt_errstr(NT_STATUS_INVALID_LOCK_RANGE),
			 "NT_STATUS_INVALID_LOCK_RANGE");
	ck_assert_uint_eq(NT_STATUS_INVALID_LOCK_RANGE, 0xC00001A1u);
}
END_TEST

START_TEST(test_unknown_is_hex)
{
	ck_assert_str_eq(nt_errstr(0xC0DEF00Du), "0xc0def00d");
}
END_TEST

/* Read the header itself: each "#define NT_STATUS_X 0x...u" has a name. */
START_TEST(test_header_all_named)
{
	FILE *f = fopen(WGT_SRCDIR "/proto/ntstatus.h", "r");
	char line[256];
	unsigned n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[128];
		unsigned int code = 0;

		if (sscanf(line, "#define %127s 0x%xu", name, &code) != 2 ||
		    strncmp(name, "NT_STATUS_", 10) != 0) {
			continue;
		}
		ck_assert_msg(strcmp(nt_errstr(code), name) == 0,
			      "%s (0x%08x) is named \"%s\"", name, code,
			      nt_errstr(code));
		n++;
	}
	fclose(f);
	/* the header was found and read, not skipped */
	ck_assert_uint_ge(n, 60);
}
END_TEST

static Suite *ntstatus_suite(void)
{
	Suite *s = suite_create("ntstatus");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_once_private);
	tcase_add_test(tc, test_unknown_is_hex);
	tcase_add_test(tc, test_header_all_named);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(ntstatus_suite)
