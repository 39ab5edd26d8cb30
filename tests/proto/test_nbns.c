/*
 * test_nbns.c - NetBIOS name service packets (proto/nbns.c): names with
 * labels and compression pointers, requests, and the two replies.
 */
#include "tests/wgtest.h"
#include "proto/nbns.h"

/* RFC 1001 §14.1: "FRED" padded with spaces encodes as below. */
static const char fred_enc[] = "EGFCEFEECACACACACACACACACACACACA";

/* A name query for WGTEST<00> as nmblookup -U sends it: id 0x1234,
 * flags 0x0110 (RD, B), one question, type NB, class IN. The letters
 * were worked out by hand from RFC 1001 §14.1. */
static const char query_hex[] =
	"1234 0110 0001 0000 0000 0000"
	"20 464845484645454646444645"	/* FH EH FE EF FD FE: "WGTEST" */
	"434143414341434143414341434143414341 4141 00"	/* 9 spaces, <00> */
	"0020 0001";

/* Write one 0x20-length label for the 32 letters at p. */
static size_t put_label(uint8_t *b, const char *letters)
{
	b[0] = 0x20;
	memcpy(b + 1, letters, 32);
	return 33;
}

START_TEST(test_name_rfc1001)
{
	uint8_t b[64] = {};
	struct nbns_question q = {};
	struct wire_rd r;
	size_t n = put_label(b, fred_enc);

	b[n++] = 0;
	wire_rd_init(&r, b, n);
	ck_assert_int_eq(nbns_name_pull(&r, &q), 0);
	ck_assert_uint_eq(r.off, 34);
	ck_assert_str_eq(q.name.name, "FRED");
	ck_assert_uint_eq(q.name.suffix, ' ');
	ck_assert_mem_eq(q.raw, "FRED            ", 16);
	ck_assert(!q.has_scope);
}
END_TEST

START_TEST(test_query_vector)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t n = 0;
	uint8_t *p = wgt_hex(mem, query_hex, &n);
	struct nbns_header h = {};
	struct nbns_question q = {};
	struct nbt_name name = { .name = "WGTEST", .suffix = 0 };
	struct wire_wr w;

	ck_assert_uint_eq(n, 50);
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), 0);
	ck_assert_uint_eq(h.trn_id, 0x1234);
	ck_assert(!h.response);
	ck_assert_uint_eq(h.opcode, 0);
	ck_assert_uint_eq(h.nm_flags, NBNS_NM_RD | NBNS_NM_B);
	ck_assert_str_eq(q.name.name, "WGTEST");
	ck_assert_uint_eq(q.name.suffix, 0);
	ck_assert_uint_eq(q.type, NBNS_TYPE_NB);
	ck_assert_uint_eq(q.qclass, NBNS_CLASS_IN);
	/* the encoder writes the same bytes */
	wire_wr_init(&w, mem, 0);
	nbns_request_push(&w, 0x1234, NBNS_NM_RD | NBNS_NM_B, &name,
			  NBNS_TYPE_NB);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(w.buf, p, n);
	talloc_free(mem);
}
END_TEST

/* Node status asks for "*" padded with NULs; that padding is echoed. */
START_TEST(test_status_query_star)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct nbt_name star = { .name = "*", .suffix = 0 };
	struct nbns_header h = {};
	struct nbns_question q = {};
	struct wire_wr w;
	uint8_t raw[16] = { '*' };

	wire_wr_init(&w, mem, 0);
	nbns_request_push(&w, 7, 0, &star, NBNS_TYPE_NBSTAT);
	ck_assert_int_eq(nbns_request_pull(w.buf, w.len, &h, &q), 0);
	ck_assert_str_eq(q.name.name, "*");
	ck_assert_mem_eq(q.raw, raw, 16);
	ck_assert_uint_eq(q.type, NBNS_TYPE_NBSTAT);
	talloc_free(mem);
}
END_TEST

START_TEST(test_pointers)
{
	uint8_t b[128] = {};
	struct nbns_question q = {};
	struct wire_rd r;
	size_t n = put_label(b, fred_enc);
	size_t ptr = 0;

	b[n++] = 0;			/* name at 0..33 */
	ptr = n;
	b[n++] = 0xC0;			/* pointer at 34 to 0 */
	b[n++] = 0x00;
	wire_rd_init(&r, b, n);
	ck_assert_int_eq(wire_seek(&r, ptr), 0);
	ck_assert_int_eq(nbns_name_pull(&r, &q), 0);
	ck_assert_str_eq(q.name.name, "FRED");
	ck_assert_uint_eq(r.off, ptr + 2);	/* after the pointer */

	/* to itself, forwards: refused, cursor kept */
	b[ptr + 1] = (uint8_t)ptr;
	ck_assert_int_eq(wire_seek(&r, ptr), 0);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);
	ck_assert_uint_eq(r.off, ptr);
	b[ptr + 1] = (uint8_t)(ptr + 2);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);

	/* a pointer truncated */
	wire_rd_init(&r, b, ptr + 1);
	ck_assert_int_eq(wire_seek(&r, ptr), 0);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_SHORT);
}
END_TEST

/* A chain of pointers, each to the one before: 8 are followed, 9 not. */
START_TEST(test_pointer_chain)
{
	uint8_t b[128] = {};
	struct nbns_question q = {};
	struct wire_rd r;
	size_t n = put_label(b, fred_enc);
	size_t prev = 0;

	b[n++] = 0;
	for (int i = 1; i <= NBNS_MAX_POINTERS + 1; i++) {
		size_t at = n;

		b[n++] = (uint8_t)(0xC0 | prev >> 8);
		b[n++] = (uint8_t)prev;
		prev = at;
		wire_rd_init(&r, b, n);
		ck_assert_int_eq(wire_seek(&r, at), 0);
		ck_assert_int_eq(nbns_name_pull(&r, &q),
				 i <= NBNS_MAX_POINTERS ? 0 : WIRE_E_INVALID);
	}
}
END_TEST

/* A name whose scope label points back at the name: a loop. */
START_TEST(test_pointer_loop)
{
	uint8_t b[128] = {};
	struct nbns_question q = {};
	struct wire_rd r;
	size_t n = put_label(b, fred_enc);

	b[n++] = 0xC0;
	b[n++] = 0x00;
	wire_rd_init(&r, b, n);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

START_TEST(test_scope_and_bad_names)
{
	uint8_t b[400] = {};
	struct nbns_question q = {};
	struct wire_rd r;
	size_t n = put_label(b, fred_enc);

	memcpy(b + n, "\x03" "foo" "\x03" "com" "\x00", 9);
	wire_rd_init(&r, b, n + 9);
	ck_assert_int_eq(nbns_name_pull(&r, &q), 0);
	ck_assert(q.has_scope);
	ck_assert_uint_eq(r.off, n + 9);

	/* a reserved label type */
	b[n] = 0x41;
	wire_rd_init(&r, b, n + 9);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);

	/* a scope longer than 255 bytes in all */
	for (size_t i = 0; i < 4; i++) {
		b[n + i * 64] = 63;
		memset(b + n + i * 64 + 1, 'a', 63);
	}
	b[n + 256] = 0;
	wire_rd_init(&r, b, n + 257);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);

	/* a letter outside A..P, a first label of 31, an empty name */
	n = put_label(b, fred_enc);
	b[n] = 0;
	b[5] = 'Q';
	wire_rd_init(&r, b, n + 1);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);
	b[5] = 'A';
	b[0] = 31;
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);
	b[0] = 0;
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);

	/* a control character inside the name: "\x01RED" */
	n = put_label(b, fred_enc);
	b[1] = 'A';
	b[2] = 'B';
	wire_rd_init(&r, b, n + 1);
	ck_assert_int_eq(nbns_name_pull(&r, &q), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_request_kinds)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t n = 0;
	uint8_t *p = wgt_hex(mem, query_hex, &n);
	struct nbns_header h = {};
	struct nbns_question q = {};

	p[2] = 0x81;		/* a response */
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), WIRE_E_UNSUPPORTED);
	ck_assert(h.response);
	p[2] = 0x29;		/* opcode 5: registration */
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), WIRE_E_UNSUPPORTED);
	ck_assert_uint_eq(h.opcode, 5);
	p[2] = 0x01;
	p[5] = 0;		/* no question */
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), WIRE_E_INVALID);
	p[5] = 2;		/* two */
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), WIRE_E_UNSUPPORTED);
	p[5] = 1;
	p[n - 3] = 0x01;	/* type A */
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), WIRE_E_UNSUPPORTED);
	p[n - 3] = 0x20;
	p[n - 1] = 0x03;	/* class CH */
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), WIRE_E_UNSUPPORTED);
	p[n - 1] = 0x01;
	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), 0);
	talloc_free(mem);
}
END_TEST

START_TEST(test_request_truncated)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t n = 0;
	uint8_t *p = wgt_hex(mem, query_hex, &n);

	for (size_t len = 0; len < n; len++) {
		struct nbns_header h = {};
		struct nbns_question q = {};
		uint8_t *cut = talloc_memdup(mem, p, len + 1);

		ck_assert_int_eq(nbns_request_pull(cut, len, &h, &q),
				 WIRE_E_SHORT);
		talloc_free(cut);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_name_query_response)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t n = 0;
	uint8_t *p = wgt_hex(mem, query_hex, &n);
	struct nbns_header h = {};
	struct nbns_question q = {};
	struct nbns_question back = {};
	struct wire_wr w;
	struct wire_rd r;
	const uint8_t addr[4] = { 192, 168, 1, 10 };
	uint32_t a = 0;

	ck_assert_int_eq(nbns_request_pull(p, n, &h, &q), 0);
	memcpy(&a, addr, 4);
	wire_wr_init(&w, mem, 0);
	nbns_name_query_response_push(&w, h.trn_id, true, &q, 300000, 0, a);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, 12 + 34 + 10 + 6);
	/* id, flags R|AA|RD, QD 0, AN 1, NS 0, AR 0 */
	ck_assert_mem_eq(w.buf, "\x12\x34\x85\x00\x00\x00\x00\x01\x00\x00"
			 "\x00\x00", 12);
	wire_rd_init(&r, w.buf, w.len);
	ck_assert_int_eq(wire_seek(&r, 12), 0);
	ck_assert_int_eq(nbns_name_pull(&r, &back), 0);
	ck_assert_mem_eq(back.raw, q.raw, 16);
	ck_assert_mem_eq(w.buf + 46, "\x00\x20\x00\x01\x00\x04\x93\xe0"
			 "\x00\x06\x00\x00\xc0\xa8\x01\x0a", 16);
	/* without RD the flags are R|AA */
	wire_wr_init(&w, mem, 0);
	nbns_name_query_response_push(&w, 1, false, &q, 0, NBNS_NB_GROUP, a);
	ck_assert_uint_eq(w.buf[2], 0x84);
	ck_assert_uint_eq(w.buf[3], 0x00);
	ck_assert_uint_eq(w.buf[56], 0x80);
	talloc_free(mem);
}
END_TEST

START_TEST(test_node_status_response)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct nbt_name star = { .name = "*", .suffix = 0 };
	const struct nbns_status_name names[] = {
		{ { "WGTEST", 0x00 }, NBNS_NAME_ACTIVE },
		{ { "WGTEST", 0x20 }, NBNS_NAME_ACTIVE },
		{ { "WORKGROUP", 0x00 }, NBNS_NAME_GROUP | NBNS_NAME_ACTIVE },
	};
	struct nbns_status_name many[NBNS_STATUS_MAX_NAMES + 1] = {};
	const uint8_t mac[6] = {};
	struct nbns_header h = {};
	struct nbns_question q = {};
	struct wire_wr w;
	const uint8_t *e = NULL;

	wire_wr_init(&w, mem, 0);
	nbns_request_push(&w, 0x4242, 0, &star, NBNS_TYPE_NBSTAT);
	ck_assert_int_eq(nbns_request_pull(w.buf, w.len, &h, &q), 0);
	ck_assert_uint_eq(w.len, 50);

	wire_wr_init(&w, mem, 0);
	nbns_node_status_response_push(&w, h.trn_id, &q, names, 3, mac);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, nbns_status_response_len(3));
	ck_assert_uint_eq(w.len, 157);
	ck_assert_mem_eq(w.buf, "\x42\x42\x84\x00\x00\x00\x00\x01", 8);
	/* the question name comes back as it was: "*" and NULs */
	ck_assert_mem_eq(w.buf + 13, "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 32);
	/* NBSTAT, IN, TTL 0, RDLENGTH 1 + 3 * 18 + 46 */
	ck_assert_mem_eq(w.buf + 46, "\x00\x21\x00\x01\x00\x00\x00\x00"
			 "\x00\x65", 10);
	ck_assert_uint_eq(w.buf[56], 3);
	e = w.buf + 57;
	ck_assert_mem_eq(e, "WGTEST         \x00\x04\x00", 18);
	ck_assert_mem_eq(e + 18, "WGTEST         \x20\x04\x00", 18);
	ck_assert_mem_eq(e + 36, "WORKGROUP      \x00\x84\x00", 18);
	for (size_t i = 57 + 54; i < w.len; i++) {
		ck_assert_uint_eq(w.buf[i], 0);	/* MAC and statistics */
	}
	/* the bound is enforced */
	wire_wr_init(&w, mem, 0);
	nbns_node_status_response_push(&w, 1, &q, many,
				       NBNS_STATUS_MAX_NAMES + 1, mac);
	ck_assert_int_eq(wire_wr_error(&w), WIRE_E_TOOBIG);
	ck_assert_uint_eq(w.len, 0);
	talloc_free(mem);
}
END_TEST

static Suite *nbns_suite(void)
{
	Suite *s = suite_create("nbns");
	TCase *tc = tcase_create("nbns");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_name_rfc1001);
	tcase_add_test(tc, test_query_vector);
	tcase_add_test(tc, test_status_query_star);
	tcase_add_test(tc, test_pointers);
	tcase_add_test(tc, test_pointer_chain);
	tcase_add_test(tc, test_pointer_loop);
	tcase_add_test(tc, test_scope_and_bad_names);
	tcase_add_test(tc, test_request_kinds);
	tcase_add_test(tc, test_request_truncated);
	tcase_add_test(tc, test_name_query_response);
	tcase_add_test(tc, test_node_status_response);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(nbns_suite)
