/*
 * test_wire.c - the shared reader/writer.
 */
#include "tests/wgtest.h"
#include "proto/wire.h"

START_TEST(test_get_le_be)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct wire_rd r;
	uint16_t v16 = 0;
	uint32_t v32 = 0;
	uint64_t v64 = 0;

	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(wire_get_u16le(&r, &v16), 0);
	ck_assert_uint_eq(v16, 0x0201);
	ck_assert_int_eq(wire_get_u24be(&r, &v32), 0);
	ck_assert_uint_eq(v32, 0x030405);
	ck_assert_int_eq(wire_get_u32be(&r, &v32), 0);
	ck_assert_uint_eq(v32, 0x06070809);
	ck_assert_uint_eq(wire_left(&r), 0);
	ck_assert_int_eq(wire_get_u64le(&r, &v64), WIRE_E_SHORT);
	ck_assert_uint_eq(r.off, 9);
}
END_TEST

START_TEST(test_failed_get_keeps_cursor)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct wire_rd r;
	uint32_t v = 0;
	uint8_t u = 0;

	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(wire_get_u8(&r, &u), 0);
	ck_assert_int_eq(wire_get_u32le(&r, &v), WIRE_E_SHORT);
	ck_assert_uint_eq(r.off, 1);
	ck_assert_int_eq(wire_skip(&r, 3), WIRE_E_SHORT);
	ck_assert_uint_eq(r.off, 1);
	ck_assert_int_eq(wire_skip(&r, SIZE_MAX), WIRE_E_SHORT);
	ck_assert_uint_eq(r.off, 1);
}
END_TEST

START_TEST(test_sub_bounds)
{
	uint8_t b[16] = { 0 };
	struct wire_rd r, s;

	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(wire_sub(&r, 8, 8, &s), 0);
	ck_assert_uint_eq(s.len, 8);
	ck_assert_int_eq(wire_sub(&r, 8, 9, &s), WIRE_E_BOUNDS);
	ck_assert_int_eq(wire_sub(&r, 17, 1, &s), WIRE_E_BOUNDS);
	ck_assert_int_eq(wire_sub(&r, SIZE_MAX, 2, &s), WIRE_E_BOUNDS);
	ck_assert_int_eq(wire_sub(&r, 4, SIZE_MAX, &s), WIRE_E_BOUNDS);
	ck_assert_int_eq(wire_sub(&r, 999, 0, &s), 0);
	ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_writer)
{
	struct wire_wr w;
	TALLOC_CTX *mem = talloc_new(wgt_root);

	wire_wr_init(&w, mem, 0);
	wire_put_u16le(&w, 0x1234);
	wire_put_u24be(&w, 0xabcdef);
	wire_put_align(&w, 8);
	ck_assert_uint_eq(w.len, 8);
	wire_patch_u16le(&w, 0, 0x5678);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.buf[0], 0x78);
	ck_assert_uint_eq(w.buf[2], 0xab);
	wire_patch_u32le(&w, 6, 1);
	ck_assert_int_eq(wire_wr_error(&w), WIRE_E_BOUNDS);
	talloc_free(mem);
}
END_TEST

START_TEST(test_writer_limit)
{
	struct wire_wr w;
	TALLOC_CTX *mem = talloc_new(wgt_root);

	wire_wr_init(&w, mem, 4);
	wire_put_u32le(&w, 1);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	wire_put_u8(&w, 1);
	ck_assert_int_eq(wire_wr_error(&w), WIRE_E_TOOBIG);
	wire_put_u8(&w, 1);
	ck_assert_uint_eq(w.len, 4);
	talloc_free(mem);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_get_le_be);
	tcase_add_test(tc, test_failed_get_keeps_cursor);
	tcase_add_test(tc, test_sub_bounds);
	tcase_add_test(tc, test_writer);
	tcase_add_test(tc, test_writer_limit);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(wire_suite)
