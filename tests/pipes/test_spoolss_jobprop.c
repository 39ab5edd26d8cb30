/*
 * test_spoolss_jobprop.c - SetJobNamedProperty's RPC_PrintNamedProperty
 * parser (spoolss_pull_named_property): the stub smbtorture sends, the
 * MIDL layout (padding where Samba repeats the type), every value type,
 * and the malformed ones (unknown type, a copy of the type that differs,
 * a buffer whose count disagrees with cbBuf, every truncation).
 */
#include <errno.h>
#include <string.h>

#include "tests/wgtest.h"
#include "pipes/spoolss_int.h"

/* SetJobNamedProperty(job 1, "torture_property_string" = string
 * "torture_property_value_string") as smbtorture 4.17 sends it. */
static const uint8_t torture_stub[] = {
	0x00, 0x00, 0x00, 0x00, 0x2a, 0xd1, 0x83, 0x0b, 0xd0, 0xd3, 0xbb,
	0x55, 0x83, 0x2a, 0xc3, 0xdf, 0x95, 0xea, 0x90, 0xf5,
	0x01, 0x00, 0x00, 0x00,			/* JobId */
	0x00, 0x00, 0x02, 0x00,			/* propertyName */
	0x00, 0x00, 0x00, 0x00,			/* to 8 */
	0x01, 0x00, 0x01, 0x00,			/* type, union's copy */
	0x00, 0x00, 0x00, 0x00,			/* to 8 */
	0x04, 0x00, 0x02, 0x00,			/* propertyString */
	0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00,
	0x00,
	't', 0, 'o', 0, 'r', 0, 't', 0, 'u', 0, 'r', 0, 'e', 0, '_', 0,
	'p', 0, 'r', 0, 'o', 0, 'p', 0, 'e', 0, 'r', 0, 't', 0, 'y', 0,
	'_', 0, 's', 0, 't', 0, 'r', 0, 'i', 0, 'n', 0, 'g', 0, 0, 0,
	0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00,
	0x00,
	't', 0, 'o', 0, 'r', 0, 't', 0, 'u', 0, 'r', 0, 'e', 0, '_', 0,
	'p', 0, 'r', 0, 'o', 0, 'p', 0, 'e', 0, 'r', 0, 't', 0, 'y', 0,
	'_', 0, 'v', 0, 'a', 0, 'l', 0, 'u', 0, 'e', 0, '_', 0, 's', 0,
	't', 0, 'r', 0, 'i', 0, 'n', 0, 'g', 0, 0, 0,
};

/* Pull handle and JobId, then the property, from stub[0, len). */
static int pull_all(TALLOC_CTX *mem, const uint8_t *stub, size_t len,
		    struct wg_job_prop *p)
{
	struct ndr_pull in;
	uint8_t h[NDR_HANDLE_LEN];
	uint32_t id = 0;
	int rc = 0;

	ndr_pull_init(&in, mem, stub, len);
	rc = ndr_pull_handle(&in, h);
	if (rc == 0) {
		rc = ndr_pull_u32(&in, &id);
	}
	if (rc == 0) {
		rc = spoolss_pull_named_property(&in, p);
	}
	return rc;
}

START_TEST(test_torture_stub)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct wg_job_prop p;

	ck_assert_int_eq(pull_all(mem, torture_stub, sizeof(torture_stub),
				  &p), 0);
	ck_assert_str_eq(p.name, "torture_property_string");
	ck_assert_int_eq(p.type, WG_PROP_STRING);
	ck_assert_str_eq(p.str, "torture_property_value_string");
	talloc_free(mem);
}
END_TEST

START_TEST(test_midl_padding_and_bad_copy)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t s[sizeof(torture_stub)];
	struct wg_job_prop p;

	/* MIDL: padding where Samba repeats the type */
	memcpy(s, torture_stub, sizeof(s));
	s[34] = 0;
	ck_assert_int_eq(pull_all(mem, s, sizeof(s), &p), 0);
	ck_assert_str_eq(p.str, "torture_property_value_string");
	/* a copy that names another type */
	s[34] = 2;
	ck_assert_int_eq(pull_all(mem, s, sizeof(s), &p), WIRE_E_INVALID);
	/* no such type */
	s[32] = 6;
	s[34] = 6;
	ck_assert_int_eq(pull_all(mem, s, sizeof(s), &p), WIRE_E_INVALID);
	s[32] = 0;
	s[34] = 0;
	ck_assert_int_eq(pull_all(mem, s, sizeof(s), &p), WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

/* A stub for one value: its arm (at offset 40) and what follows it. */
static size_t value_stub(uint8_t *s, uint16_t type, const uint8_t *arm,
			 size_t arm_len, const uint8_t *tail, size_t tail_len)
{
	/* the name "p": max 2, offset 0, actual 2, 'p' NUL */
	static const uint8_t name[] = { 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
					'p', 0, 0, 0 };
	size_t n = 40;

	memset(s, 0, 48);
	s[20] = 1;		/* JobId */
	s[26] = 2;		/* propertyName */
	s[32] = (uint8_t)type;
	s[34] = (uint8_t)type;
	memcpy(s + n, arm, arm_len);
	n += arm_len;
	n += (4 - n % 4) % 4;
	memcpy(s + n, name, sizeof(name));
	n += sizeof(name);
	memcpy(s + n, tail, tail_len);
	return n + tail_len;
}

START_TEST(test_numbers)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	static const uint8_t i32[] = { 0xfe, 0xff, 0xff, 0xff };
	static const uint8_t i64[] = { 1, 0, 0, 0, 0, 0, 0, 0x80 };
	static const uint8_t byte[] = { 0xc8 };
	uint8_t s[128];
	struct wg_job_prop p;
	size_t n = 0;

	n = value_stub(s, WG_PROP_INT32, i32, sizeof(i32), NULL, 0);
	ck_assert_int_eq(pull_all(mem, s, n, &p), 0);
	ck_assert_int_eq(p.num, -2);
	n = value_stub(s, WG_PROP_INT64, i64, sizeof(i64), NULL, 0);
	ck_assert_int_eq(pull_all(mem, s, n, &p), 0);
	ck_assert(p.num == (int64_t)0x8000000000000001ull);
	n = value_stub(s, WG_PROP_BYTE, byte, sizeof(byte), NULL, 0);
	ck_assert_int_eq(pull_all(mem, s, n, &p), 0);
	ck_assert_int_eq(p.num, 200);
	ck_assert_str_eq(p.name, "p");
	talloc_free(mem);
}
END_TEST

START_TEST(test_buffer)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	static const uint8_t arm[] = { 3, 0, 0, 0, 4, 0, 2, 0 };
	static const uint8_t tail[] = { 3, 0, 0, 0, 'a', 'b', 'c' };
	static const uint8_t wrong[] = { 2, 0, 0, 0, 'a', 'b' };
	static const uint8_t null_arm[] = { 3, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t s[128];
	struct wg_job_prop p;
	size_t n = 0;

	n = value_stub(s, WG_PROP_BUFFER, arm, sizeof(arm), tail,
		       sizeof(tail));
	ck_assert_int_eq(pull_all(mem, s, n, &p), 0);
	ck_assert_uint_eq(p.len, 3);
	ck_assert(memcmp(p.data, "abc", 3) == 0);
	/* every truncation fails cleanly */
	for (size_t k = 0; k < n; k++) {
		ck_assert_int_ne(pull_all(mem, s, k, &p), 0);
	}
	/* the array's count must be cbBuf */
	n = value_stub(s, WG_PROP_BUFFER, arm, sizeof(arm), wrong,
		       sizeof(wrong));
	ck_assert_int_eq(pull_all(mem, s, n, &p), WIRE_E_INVALID);
	/* cbBuf bytes and no buffer */
	n = value_stub(s, WG_PROP_BUFFER, null_arm, sizeof(null_arm), NULL,
		       0);
	ck_assert_int_eq(pull_all(mem, s, n, &p), WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

START_TEST(test_truncated)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct wg_job_prop p;

	for (size_t k = 0; k < sizeof(torture_stub); k++) {
		ck_assert_int_ne(pull_all(mem, torture_stub, k, &p), 0);
	}
	talloc_free(mem);
}
END_TEST

static Suite *jobprop_suite(void)
{
	Suite *s = suite_create("spoolss_jobprop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_torture_stub);
	tcase_add_test(tc, test_midl_padding_and_bad_copy);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_buffer);
	tcase_add_test(tc, test_truncated);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(jobprop_suite)
