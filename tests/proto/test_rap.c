/*
 * test_rap.c - RAP requests and responses (proto/rap.c) [MS-RAP]: the
 * four browse calls as smbclient and Windows send them, malformed
 * blocks at every length, and the response layouts (fixed parts,
 * string pointers past them, entries cut to the receive buffer).
 */
#include "tests/wgtest.h"
#include "proto/rap.h"

/* NetShareEnum level 1 with a 0xFFFF buffer [MS-RAP §2.5.6.1]:
 * RAPOpcode 0, "WrLeh", "B13BWz", InfoLevel 1, ReceiveBufferSize */
static const uint8_t share_enum[] = {
	0x00, 0x00, 'W', 'r', 'L', 'e', 'h', 0x00,
	'B', '1', '3', 'B', 'W', 'z', 0x00, 0x01, 0x00, 0xFF, 0xFF,
};

/* NetServerEnum2 level 1, SV_TYPE_ALL, domain "WGTEST" */
static const uint8_t enum2[] = {
	0x68, 0x00, 'W', 'r', 'L', 'e', 'h', 'D', 'z', 0x00,
	'B', '1', '6', 'B', 'B', 'D', 'z', 0x00, 0x01, 0x00, 0x00, 0x10,
	0xFF, 0xFF, 0xFF, 0xFF, 'W', 'G', 'T', 'E', 'S', 'T', 0x00,
};

static const struct rap_server self = {
	.name = "WGTEST", .workgroup = "WGTEST", .comment = "srv",
	.user = "alice", .major = 6, .minor = 1, .type = 0x1203,
};

START_TEST(test_share_enum_parse)
{
	struct rap_req r = {};

	ck_assert_int_eq(rap_req_parse(share_enum, sizeof(share_enum), &r), 0);
	ck_assert_uint_eq(r.api, RAP_NetShareEnum);
	ck_assert_str_eq(r.param_desc, "WrLeh");
	ck_assert_str_eq(r.data_desc, "B13BWz");
	ck_assert(r.known);
	ck_assert_uint_eq(r.level, 1);
	ck_assert_uint_eq(r.rcv_len, 0xFFFF);
}
END_TEST

START_TEST(test_truncated)
{
	struct rap_req r = {};

	/* every cut of both vectors fails: no descriptor NUL or short */
	for (size_t n = 0; n < sizeof(share_enum); n++) {
		ck_assert_int_lt(rap_req_parse(share_enum, n, &r), 0);
	}
	for (size_t n = 0; n < sizeof(enum2); n++) {
		ck_assert_int_lt(rap_req_parse(enum2, n, &r), 0);
	}
}
END_TEST

START_TEST(test_enum2_parse)
{
	struct rap_req r = {};
	uint8_t b[sizeof(enum2) + 16];

	ck_assert_int_eq(rap_req_parse(enum2, sizeof(enum2), &r), 0);
	ck_assert(r.known);
	ck_assert_uint_eq(r.api, RAP_NetServerEnum2);
	ck_assert_uint_eq(r.server_type, 0xFFFFFFFFu);
	ck_assert_str_eq(r.domain, "WGTEST");
	/* a domain longer than 15 is refused */
	memcpy(b, enum2, sizeof(enum2) - 1);
	memcpy(b + sizeof(enum2) - 1, "ABCDEFGHIJ", 11);
	ck_assert_int_eq(rap_req_parse(b, sizeof(enum2) + 10, &r),
			 WIRE_E_INVALID);
}
END_TEST

START_TEST(test_unknown_and_wrong_desc)
{
	struct rap_req r = {};
	uint8_t b[sizeof(share_enum)];

	memcpy(b, share_enum, sizeof(b));
	b[0] = 0x31;	/* some other call: parsed, not known */
	ck_assert_int_eq(rap_req_parse(b, sizeof(b), &r), 0);
	ck_assert(!r.known);
	ck_assert_uint_eq(r.api, 0x31);
	memcpy(b, share_enum, sizeof(b));
	b[15] = 2;	/* level 2 with level 1's descriptor */
	ck_assert_int_eq(rap_req_parse(b, sizeof(b), &r), 0);
	ck_assert(!r.known);
}
END_TEST

START_TEST(test_share_enum_push)
{
	static const struct rap_share sh[] = {
		{ "demo", 0, "Demo files" },
		{ "IPC$", 3, "IPC" },
	};
	struct rap_req r = {};
	struct wire_wr p, d;
	TALLOC_CTX *wgt_mem = talloc_new(NULL);

	ck_assert_int_eq(rap_req_parse(share_enum, sizeof(share_enum), &r), 0);
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_share_enum_push(&p, &d, &r, sh, 2);
	ck_assert_int_eq(wire_wr_error(&d), 0);
	ck_assert_uint_eq(p.len, 8);
	ck_assert_uint_eq(wire_le16(p.buf), RAP_NERR_Success);
	ck_assert_uint_eq(wire_le16(p.buf + 4), 2);
	ck_assert_uint_eq(wire_le16(p.buf + 6), 2);
	/* two 20-byte entries, then "Demo files\0IPC\0" */
	ck_assert_uint_eq(d.len, 40 + 11 + 4);
	ck_assert_mem_eq(d.buf, "demo\0\0\0\0\0\0\0\0\0", 13);
	ck_assert_uint_eq(d.buf[13], 0);
	ck_assert_uint_eq(wire_le16(d.buf + 14), 0);
	ck_assert_uint_eq(wire_le32(d.buf + 16), 40);
	ck_assert_str_eq((const char *)d.buf + 40, "Demo files");
	ck_assert_uint_eq(wire_le16(d.buf + 34), 3);
	ck_assert_uint_eq(wire_le32(d.buf + 36), 51);
	ck_assert_str_eq((const char *)d.buf + 51, "IPC");

	/* a 40-byte buffer holds only the first entry and its string */
	r.rcv_len = 40;
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_share_enum_push(&p, &d, &r, sh, 2);
	ck_assert_uint_eq(wire_le16(p.buf), RAP_ERROR_MORE_DATA);
	ck_assert_uint_eq(wire_le16(p.buf + 4), 1);
	ck_assert_uint_eq(wire_le16(p.buf + 6), 2);
	ck_assert_uint_eq(d.len, 20 + 11);
	ck_assert_uint_eq(wire_le32(d.buf + 16), 20);
	talloc_free(wgt_mem);
}
END_TEST

START_TEST(test_long_and_utf8_names)
{
	static const struct rap_share sh[] = {
		{ "averyverylongsharename", 0, "caf\xc3\xa9" },
	};
	struct rap_req r = {};
	struct wire_wr p, d;
	TALLOC_CTX *wgt_mem = talloc_new(NULL);

	ck_assert_int_eq(rap_req_parse(share_enum, sizeof(share_enum), &r), 0);
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_share_enum_push(&p, &d, &r, sh, 1);
	/* cut to 12 characters and a NUL; é becomes one '?' */
	ck_assert_mem_eq(d.buf, "averyverylon\0", 13);
	ck_assert_str_eq((const char *)d.buf + 20, "caf?");
	ck_assert_uint_eq(d.len, 25);
	talloc_free(wgt_mem);
}
END_TEST

START_TEST(test_server_info_and_enum2)
{
	static const uint8_t gi[] = {
		0x0D, 0x00, 'W', 'r', 'L', 'h', 0x00,
		'B', '1', '6', 'B', 'B', 'D', 'z', 0x00, 0x01, 0x00,
		0x00, 0x10,
	};
	struct rap_req r = {};
	struct wire_wr p, d;
	TALLOC_CTX *wgt_mem = talloc_new(NULL);

	ck_assert_int_eq(rap_req_parse(gi, sizeof(gi), &r), 0);
	ck_assert(r.known);
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_server_info_push(&p, &d, &r, &self);
	ck_assert_uint_eq(wire_le16(p.buf), 0);
	ck_assert_uint_eq(wire_le16(p.buf + 4), 30);
	ck_assert_uint_eq(d.len, 30);
	ck_assert_str_eq((const char *)d.buf, "WGTEST");
	ck_assert_uint_eq(d.buf[16], 6);
	ck_assert_uint_eq(d.buf[17], 1);
	ck_assert_uint_eq(wire_le32(d.buf + 18), 0x1203);
	ck_assert_uint_eq(wire_le32(d.buf + 22), 26);
	ck_assert_str_eq((const char *)d.buf + 26, "srv");
	/* too small a buffer: NERR_BufTooSmall, the size needed, no data */
	r.rcv_len = 10;
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_server_info_push(&p, &d, &r, &self);
	ck_assert_uint_eq(wire_le16(p.buf), RAP_NERR_BufTooSmall);
	ck_assert_uint_eq(wire_le16(p.buf + 4), 30);
	ck_assert_uint_eq(d.len, 0);

	/* NetServerEnum2: ourselves for our workgroup, nothing for another
	 * or for a type we are not (SV_TYPE_DOMAIN_ENUM) */
	ck_assert_int_eq(rap_req_parse(enum2, sizeof(enum2), &r), 0);
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_server_enum2_push(&p, &d, &r, &self);
	ck_assert_uint_eq(wire_le16(p.buf + 4), 1);
	ck_assert_uint_eq(d.len, 30);
	strcpy(r.domain, "OTHER");
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_server_enum2_push(&p, &d, &r, &self);
	ck_assert_uint_eq(wire_le16(p.buf + 4), 0);
	ck_assert_uint_eq(d.len, 0);
	r.domain[0] = '\0';
	r.server_type = 0x80000000u;
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_server_enum2_push(&p, &d, &r, &self);
	ck_assert_uint_eq(wire_le16(p.buf + 6), 0);
	talloc_free(wgt_mem);
}
END_TEST

START_TEST(test_wksta_info)
{
	static const uint8_t wi[] = {
		0x3F, 0x00, 'W', 'r', 'L', 'h', 0x00,
		'z', 'z', 'z', 'B', 'B', 'z', 'z', 0x00, 0x0A, 0x00,
		0x00, 0x10,
	};
	struct rap_req r = {};
	struct wire_wr p, d;
	TALLOC_CTX *wgt_mem = talloc_new(NULL);

	ck_assert_int_eq(rap_req_parse(wi, sizeof(wi), &r), 0);
	ck_assert(r.known);
	wire_wr_init(&p, wgt_mem, 0);
	wire_wr_init(&d, wgt_mem, 0);
	rap_wksta_info_push(&p, &d, &r, &self);
	ck_assert_uint_eq(wire_le16(p.buf), 0);
	ck_assert_uint_eq(wire_le32(d.buf), 22);
	ck_assert_str_eq((const char *)d.buf + 22, "WGTEST");
	ck_assert_str_eq((const char *)d.buf + wire_le32(d.buf + 4), "alice");
	ck_assert_uint_eq(d.buf[12], 6);
	ck_assert_uint_eq(d.len, wire_le16(p.buf + 4));
	talloc_free(wgt_mem);
}
END_TEST

static Suite *rap_suite(void)
{
	Suite *s = suite_create("rap");
	TCase *tc = tcase_create("rap");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_share_enum_parse);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_enum2_parse);
	tcase_add_test(tc, test_unknown_and_wrong_desc);
	tcase_add_test(tc, test_share_enum_push);
	tcase_add_test(tc, test_long_and_utf8_names);
	tcase_add_test(tc, test_server_info_and_enum2);
	tcase_add_test(tc, test_wksta_info);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(rap_suite)
