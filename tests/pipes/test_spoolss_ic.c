/*
 * test_spoolss_ic.c - the request parsers of spoolss_ic.c:
 * PlayGDIScriptOnPrinterIC's parameters (spoolss_pull_gdi_script: the
 * stub smbtorture sends, pIn's count against cIn, cOut's cap, every
 * truncation) and LogJobInfoForBranchOffice's container header
 * (spoolss_pull_branch_log: counts that disagree, too many entries, room
 * for fewer than counted).
 */
#include <string.h>

#include "tests/wgtest.h"
#include "pipes/spoolss_int.h"

/* pIn "" (count 0), cIn 0, cOut 4, ul 0: smbtorture's fifth call. */
static const uint8_t gdi_stub[] = {
	0x00, 0x00, 0x00, 0x00,		/* pIn's count */
	0x00, 0x00, 0x00, 0x00,		/* cIn */
	0x04, 0x00, 0x00, 0x00,		/* cOut */
	0x00, 0x00, 0x00, 0x00,		/* ul */
};

static int pull_gdi(const uint8_t *stub, size_t len,
		    struct gdi_script_req *r)
{
	struct ndr_pull in;

	ndr_pull_init(&in, NULL, stub, len);
	return spoolss_pull_gdi_script(&in, r);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

START_TEST(test_gdi_torture)
{
	struct gdi_script_req r;

	ck_assert_int_eq(pull_gdi(gdi_stub, sizeof(gdi_stub), &r), 0);
	ck_assert_uint_eq(r.c_in, 0);
	ck_assert_uint_eq(r.c_out, 4);
	ck_assert_uint_eq(r.ul, 0);
}
END_TEST

START_TEST(test_gdi_in_bytes_and_padding)
{
	/* three bytes of pIn, padded to 4, then cIn 3, cOut 8, ul 9 */
	static const uint8_t s[] = {
		3, 0, 0, 0, 'a', 'b', 'c', 0,
		3, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0,
	};
	struct gdi_script_req r;

	ck_assert_int_eq(pull_gdi(s, sizeof(s), &r), 0);
	ck_assert_uint_eq(r.c_in, 3);
	ck_assert_mem_eq(r.in, "abc", 3);
	ck_assert_uint_eq(r.c_out, 8);
	ck_assert_uint_eq(r.ul, 9);
}
END_TEST

START_TEST(test_gdi_malformed)
{
	uint8_t s[sizeof(gdi_stub)];
	struct gdi_script_req r;

	/* cIn disagrees with the array's count */
	memcpy(s, gdi_stub, sizeof(s));
	put32(s + 4, 1);
	ck_assert_int_eq(pull_gdi(s, sizeof(s), &r), WIRE_E_INVALID);
	/* cOut over the cap */
	memcpy(s, gdi_stub, sizeof(s));
	put32(s + 8, SPOOLSS_MAX_OUT + 1);
	ck_assert_int_eq(pull_gdi(s, sizeof(s), &r), WIRE_E_TOOBIG);
	put32(s + 8, SPOOLSS_MAX_OUT);
	ck_assert_int_eq(pull_gdi(s, sizeof(s), &r), 0);
	/* every truncation */
	for (size_t k = 0; k < sizeof(gdi_stub); k++) {
		ck_assert_int_ne(pull_gdi(gdi_stub, k, &r), 0);
	}
}
END_TEST

static int pull_log(const uint8_t *stub, size_t len, uint32_t *count)
{
	struct ndr_pull in;

	ndr_pull_init(&in, NULL, stub, len);
	return spoolss_pull_branch_log(&in, count);
}

START_TEST(test_branch_log)
{
	uint8_t s[8 + 2 * 10];
	uint32_t n = 99;

	memset(s, 0, sizeof(s));
	/* none: well-formed (the call answers INVALID_PARAMETER) */
	ck_assert_int_eq(pull_log(s, 8, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* two entries and room for them */
	put32(s, 2);
	put32(s + 4, 2);
	ck_assert_int_eq(pull_log(s, sizeof(s), &n), 0);
	ck_assert_uint_eq(n, 2);
	/* room for one only */
	ck_assert_int_eq(pull_log(s, sizeof(s) - 1, &n), WIRE_E_SHORT);
	ck_assert_uint_eq(n, 0);
	/* conformance and count disagree */
	put32(s + 4, 1);
	ck_assert_int_eq(pull_log(s, sizeof(s), &n), WIRE_E_INVALID);
	/* too many */
	put32(s, SPOOLSS_MAX_BRANCH_LOG + 1);
	put32(s + 4, SPOOLSS_MAX_BRANCH_LOG + 1);
	ck_assert_int_eq(pull_log(s, sizeof(s), &n), WIRE_E_TOOBIG);
	/* truncated header */
	for (size_t k = 0; k < 8; k++) {
		ck_assert_int_ne(pull_log(s, k, &n), 0);
	}
}
END_TEST

static Suite *ic_suite(void)
{
	Suite *s = suite_create("spoolss_ic");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_gdi_torture);
	tcase_add_test(tc, test_gdi_in_bytes_and_padding);
	tcase_add_test(tc, test_gdi_malformed);
	tcase_add_test(tc, test_branch_log);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(ic_suite)
