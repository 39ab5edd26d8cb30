/*
 * test_ndr.c - NDR primitives, strings, arrays and pointer deferral.
 */
#include "tests/wgtest.h"
#include "proto/ndr.h"
#include "proto/ndr_sec.h"

START_TEST(test_alignment_from_stub_start)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct ndr_push p;
	struct ndr_pull r;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;

	ndr_push_init(&p, mem, 0);
	ndr_push_u8(&p, 1);
	ndr_push_u16(&p, 0x0203);	/* at 2 */
	ndr_push_u32(&p, 0x04050607);	/* at 4 */
	ndr_push_u8(&p, 8);		/* at 8 */
	ndr_push_u64(&p, 0x1112131415161718ull);	/* at 16 */
	ck_assert_int_eq(ndr_push_error(&p), 0);
	ck_assert_uint_eq(p.w.len, 24);
	ck_assert_uint_eq(p.w.buf[1], 0);
	ck_assert_uint_eq(p.w.buf[2], 0x03);
	ck_assert_uint_eq(p.w.buf[16], 0x18);

	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_u8(&r, &u8), 0);
	ck_assert_int_eq(ndr_pull_u16(&r, &u16), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &u32), 0);
	ck_assert_int_eq(ndr_pull_u8(&r, &u8), 0);
	ck_assert_int_eq(ndr_pull_u64(&r, &u64), 0);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_uint_eq(u32, 0x04050607);
	ck_assert(u64 == 0x1112131415161718ull);
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	talloc_free(mem);
}
END_TEST

START_TEST(test_failed_pull_keeps_cursor)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ndr_pull r;
	uint8_t u8 = 0;
	uint64_t u64 = 0;
	uint32_t u32 = 0;

	ndr_pull_init(&r, wgt_root, b, sizeof(b));
	ck_assert_int_eq(ndr_pull_u8(&r, &u8), 0);
	/* aligning to 8 would need 7 bytes beyond what is there */
	ck_assert_int_eq(ndr_pull_u64(&r, &u64), WIRE_E_SHORT);
	ck_assert_uint_eq(r.r.off, 1);
	ck_assert_int_eq(ndr_pull_u32(&r, &u32), 0);
	ck_assert_uint_eq(r.r.off, 8);
}
END_TEST

START_TEST(test_string_roundtrip)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct ndr_push p;
	struct ndr_pull r;
	char *s = NULL;

	ndr_push_init(&p, mem, 0);
	ndr_push_u8(&p, 0xaa);
	ndr_push_string(&p, "Grüße");
	ck_assert_int_eq(ndr_push_error(&p), 0);
	/* 1 + pad 3 + 12 header + 6 units * 2 */
	ck_assert_uint_eq(p.w.len, 28);
	ck_assert_uint_eq(wire_le32(p.w.buf + 4), 6);
	ck_assert_uint_eq(wire_le32(p.w.buf + 8), 0);
	ck_assert_uint_eq(wire_le32(p.w.buf + 12), 6);
	ck_assert_uint_eq(wire_le16(p.w.buf + 26), 0);

	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_bytes(&r, &(uint8_t){ 0 }, 1), 0);
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "Grüße");
	talloc_free(mem);
}
END_TEST

START_TEST(test_string_truncated_everywhere)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct ndr_push p;

	ndr_push_init(&p, mem, 0);
	ndr_push_string(&p, "share");
	for (size_t n = 0; n < p.w.len; n++) {
		struct ndr_pull r;
		char *s = NULL;

		ndr_pull_init(&r, mem, p.w.buf, n);
		ck_assert_int_ne(ndr_pull_string(&r, &s), 0);
		ck_assert_uint_eq(r.r.off, 0);
	}
	talloc_free(mem);
}
END_TEST

static void put_str_hdr(struct wire_wr *w, uint32_t max, uint32_t off,
			uint32_t actual)
{
	wire_put_u32le(w, max);
	wire_put_u32le(w, off);
	wire_put_u32le(w, actual);
}

START_TEST(test_string_bad_counts)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct wire_wr w;
	struct ndr_pull r;
	char *s = NULL;

	/* actual > max */
	wire_wr_init(&w, mem, 0);
	put_str_hdr(&w, 1, 0, 2);
	wire_put_zero(&w, 4);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_string(&r, &s), WIRE_E_INVALID);
	/* offset not 0 */
	wire_wr_init(&w, mem, 0);
	put_str_hdr(&w, 2, 1, 1);
	wire_put_zero(&w, 2);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_string(&r, &s), WIRE_E_INVALID);
	/* no terminating NUL */
	wire_wr_init(&w, mem, 0);
	put_str_hdr(&w, 1, 0, 1);
	wire_put_u16le(&w, 'a');
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_string(&r, &s), WIRE_E_INVALID);
	/* an embedded NUL ends the string (impacket sends "\0" * 10) */
	wire_wr_init(&w, mem, 0);
	put_str_hdr(&w, 3, 0, 3);
	wire_put_u16le(&w, 'a');
	wire_put_u16le(&w, 0);
	wire_put_u16le(&w, 0);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "a");
	ck_assert_uint_eq(r.r.off, w.len);
	/* huge counts: refused before anything is allocated */
	wire_wr_init(&w, mem, 0);
	put_str_hdr(&w, 0xffffffffu, 0, 0xffffffffu);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_string(&r, &s), WIRE_E_TOOBIG);
	ck_assert_uint_eq(r.r.off, 0);
	/* a count within the cap but beyond the data */
	wire_wr_init(&w, mem, 0);
	put_str_hdr(&w, 1000, 0, 1000);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_string(&r, &s), WIRE_E_SHORT);
	talloc_free(mem);
}
END_TEST

START_TEST(test_unique_string_null)
{
	static const uint8_t b[] = { 0, 0, 0, 0 };
	struct ndr_pull r;
	char *s = (char *)"x";

	ndr_pull_init(&r, wgt_root, b, sizeof(b));
	ck_assert_int_eq(ndr_pull_unique_string(&r, &s), 0);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_conformant_bytes_caps)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct wire_wr w;
	struct ndr_pull r;
	const uint8_t *d = NULL;
	uint32_t n = 0;

	wire_wr_init(&w, mem, 0);
	wire_put_u32le(&w, 3);
	wire_put_bytes(&w, "abc", 3);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_conformant_bytes(&r, &d, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(d, "abc", 3), 0);

	wire_wr_init(&w, mem, 0);
	wire_put_u32le(&w, 4);
	wire_put_bytes(&w, "abc", 3);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_conformant_bytes(&r, &d, &n), WIRE_E_SHORT);
	ck_assert_uint_eq(r.r.off, 0);

	wire_wr_init(&w, mem, 0);
	wire_put_u32le(&w, NDR_MAX_COUNT + 1);
	ndr_pull_init(&r, mem, w.buf, w.len);
	ck_assert_int_eq(ndr_pull_array_size(&r, 0, &n), WIRE_E_TOOBIG);
	ck_assert_uint_eq(r.r.off, 0);
	talloc_free(mem);
}
END_TEST

/* An array of two structs { unique string a; u32 v; unique string b }. */
struct elem {
	const char *a, *b;
	uint32_t v;
};

static void elems_cb(struct ndr_push *p, const void *arg)
{
	const struct elem *e = arg;

	ndr_push_u32(p, 2);
	for (int i = 0; i < 2; i++) {
		ndr_push_unique_string(p, e[i].a);
		ndr_push_u32(p, e[i].v);
		ndr_push_unique_string(p, e[i].b);
	}
}

START_TEST(test_deferred_array_of_structs)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const struct elem e[2] = {
		{ "a0", "b0", 7 }, { "a1", NULL, 8 },
	};
	struct ndr_push p;
	struct ndr_pull r;
	uint32_t v = 0, ra0 = 0, rb0 = 0, ra1 = 0, rb1 = 0, ref = 0;
	char *s = NULL;

	ndr_push_init(&p, mem, 0);
	ndr_push_ptr(&p, e, elems_cb);
	ndr_push_u32(&p, 0xdead);	/* something after it */
	ndr_push_flush(&p);
	ck_assert_int_eq(ndr_push_error(&p), 0);

	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_uint_ne(ref, 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 0xdead);
	/* the array: count, then both fixed parts, then the strings */
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ra0), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(ndr_pull_ptr(&r, &rb0), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ra1), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(ndr_pull_ptr(&r, &rb1), 0);
	ck_assert_uint_ne(ra0, 0);
	ck_assert_uint_ne(rb0, 0);
	ck_assert_uint_ne(ra1, 0);
	ck_assert_uint_eq(rb1, 0);
	ck_assert_uint_ne(ra0, rb0);
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "a0");
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "b0");
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "a1");
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	talloc_free(mem);
}
END_TEST

/* Depth first: A's own pointee comes before B's. */
static void inner_cb(struct ndr_push *p, const void *arg)
{
	ndr_push_u32(p, *(const uint32_t *)arg);
}

static void outer_cb(struct ndr_push *p, const void *arg)
{
	const uint32_t *v = arg;

	ndr_push_u32(p, v[0]);
	ndr_push_ptr(p, &v[1], inner_cb);
}

START_TEST(test_deferral_depth_first)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint32_t a[2] = { 0xa, 0xa1 };
	static const uint32_t b = 0xb;
	struct ndr_push p;
	uint32_t want[] = { 0, 0, 0xa, 0, 0xa1, 0xb };

	ndr_push_init(&p, mem, 0);
	ndr_push_ptr(&p, a, outer_cb);
	ndr_push_ptr(&p, &b, inner_cb);
	ndr_push_flush(&p);
	ck_assert_int_eq(ndr_push_error(&p), 0);
	ck_assert_uint_eq(p.w.len, sizeof(want));
	for (size_t i = 0; i < 6; i++) {
		if (want[i] != 0) {
			ck_assert_uint_eq(wire_le32(p.w.buf + i * 4), want[i]);
		}
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_full_pointers)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint32_t x = 5;
	struct ndr_push p;
	struct ndr_pull r;
	uint32_t id1 = 0, id2 = 0, v = 0;
	bool seen = true;

	ndr_push_init(&p, mem, 0);
	ndr_push_full_ptr(&p, &x, inner_cb);
	ndr_push_full_ptr(&p, &x, inner_cb);
	ndr_push_full_ptr(&p, NULL, inner_cb);
	ndr_push_flush(&p);
	ck_assert_int_eq(ndr_push_error(&p), 0);
	ck_assert_uint_eq(p.w.len, 16);	/* 3 ids and one pointee */

	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_full_ptr(&r, &id1, &seen), 0);
	ck_assert(!seen);
	ck_assert_int_eq(ndr_pull_full_ptr(&r, &id2, &seen), 0);
	ck_assert(seen);
	ck_assert_uint_eq(id1, id2);
	ck_assert_int_eq(ndr_pull_full_ptr(&r, &id2, &seen), 0);
	ck_assert_uint_eq(id2, 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 5);
	talloc_free(mem);
}
END_TEST

START_TEST(test_push_limit_and_bad_utf8)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct ndr_push p;

	ndr_push_init(&p, mem, 8);
	ndr_push_u32(&p, 1);
	ndr_push_u32(&p, 2);
	ck_assert_int_eq(ndr_push_error(&p), 0);
	ndr_push_u32(&p, 3);
	ck_assert_int_eq(ndr_push_error(&p), WIRE_E_TOOBIG);

	ndr_push_init(&p, mem, 0);
	ndr_push_string(&p, "\xff\xfe");
	ck_assert_int_eq(ndr_push_error(&p), WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

START_TEST(test_handle_and_uuid)
{
	uint8_t u[16];
	uint8_t h[NDR_HANDLE_LEN];
	uint8_t buf[24] = { 0 };
	struct ndr_pull r;
	uint8_t c = 0;

	ck_assert_int_eq(ndr_uuid_parse("8a885d04-1ceb-11c9-9fe8-08002b104860",
					u), 0);
	ck_assert_int_eq(memcmp(u, NDR_SYNTAX_NDR32, 16), 0);
	ck_assert_int_eq(ndr_uuid_parse("8a885d04-1ceb-11c9-9fe8-08002b10486",
					u), WIRE_E_INVALID);
	ck_assert_int_eq(ndr_uuid_parse("8a885d04x1ceb-11c9-9fe8-08002b104860",
					u), WIRE_E_INVALID);
	ck_assert_int_eq(ndr_uuid_parse("8a885d04-1ceb-11c9-9fe8-08002b10486g",
					u), WIRE_E_INVALID);
	buf[4] = 0x42;
	ndr_pull_init(&r, wgt_root, buf, sizeof(buf));
	ck_assert_int_eq(ndr_pull_u8(&r, &c), 0);
	ck_assert_int_eq(ndr_pull_handle(&r, h), 0);
	ck_assert_uint_eq(h[0], 0x42);
	ck_assert_int_eq(ndr_pull_handle(&r, h), WIRE_E_SHORT);
	ck_assert_uint_eq(r.r.off, 24);
}
END_TEST

/* An LSAPR_SID_ENUM_BUFFER / SAMPR_PSID_ARRAY of the SIDs in strs. */
static void push_sid_list(struct ndr_push *p, uint32_t count, uint32_t ref,
			  uint32_t max, const struct dom_sid *v, uint32_t nv)
{
	ndr_push_u32(p, count);
	ndr_push_u32(p, ref);
	if (ref == 0) {
		return;
	}
	ndr_push_u32(p, max);
	for (uint32_t i = 0; i < nv; i++) {
		ndr_push_u32(p, 0x20000 + 4 * i);
	}
	for (uint32_t i = 0; i < nv; i++) {
		ndr_push_rpc_sid(p, &v[i]);
	}
}

START_TEST(test_sid_array)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct dom_sid in[2] = {}, *out = NULL;
	struct ndr_push p;
	struct ndr_pull r;
	uint32_t n = 0;

	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3-1000", &in[0]), 0);
	ck_assert_int_eq(sid_parse("S-1-1-0", &in[1]), 0);
	ndr_push_init(&p, mem, 0);
	push_sid_list(&p, 2, 0x10000, 2, in, 2);
	ck_assert_int_eq(ndr_push_error(&p), 0);

	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_sid_array(&r, 2, &out, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(sid_equal(&out[0], &in[0]));
	ck_assert(sid_equal(&out[1], &in[1]));
	ck_assert_uint_eq(ndr_pull_left(&r), 0);

	/* every truncation fails and leaves the cursor where it was */
	for (size_t len = 0; len < p.w.len; len++) {
		ndr_pull_init(&r, mem, p.w.buf, len);
		ck_assert_int_eq(ndr_pull_sid_array(&r, 2, &out, &n),
				 WIRE_E_SHORT);
		ck_assert_uint_eq(r.r.off, 0);
		ck_assert_ptr_null(out);
	}
	/* a Count over the caller's cap */
	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_sid_array(&r, 1, &out, &n), WIRE_E_TOOBIG);
	ck_assert_uint_eq(r.r.off, 0);

	/* a max count that disagrees with Count */
	ndr_push_init(&p, mem, 0);
	push_sid_list(&p, 2, 0x10000, 3, in, 2);
	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_sid_array(&r, 8, &out, &n), WIRE_E_INVALID);

	/* a NULL array with a Count */
	ndr_push_init(&p, mem, 0);
	push_sid_list(&p, 1, 0, 0, NULL, 0);
	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_sid_array(&r, 8, &out, &n), WIRE_E_INVALID);

	/* a NULL array and no Count: an empty list */
	ndr_push_init(&p, mem, 0);
	push_sid_list(&p, 0, 0, 0, NULL, 0);
	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_sid_array(&r, 8, &out, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(out);

	/* a NULL element */
	ndr_push_init(&p, mem, 0);
	ndr_push_u32(&p, 1);
	ndr_push_u32(&p, 0x10000);
	ndr_push_u32(&p, 1);
	ndr_push_u32(&p, 0);
	ndr_pull_init(&r, mem, p.w.buf, p.w.len);
	ck_assert_int_eq(ndr_pull_sid_array(&r, 8, &out, &n), WIRE_E_INVALID);
	ck_assert_uint_eq(r.r.off, 0);
	talloc_free(mem);
}
END_TEST

/* RPC_UNICODE_STRING bodies: the strict one refuses a counted NUL, the
 * MS-RRP one drops trailing NULs; both refuse counts that disagree. */
START_TEST(test_ustr_body_term)
{
	/* Length 6, Max 6, ptr; max 3, offset 0, actual 3: "ab\0" */
	static const uint8_t with_nul[] = {
		6, 0, 6, 0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
		'a', 0, 'b', 0, 0, 0,
	};
	/* the same with a max count below MaximumLength / 2 */
	static const uint8_t short_max[] = {
		6, 0, 6, 0, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
		'a', 0, 'b', 0, 0, 0,
	};
	/* Length 2, Max 2: only the NUL */
	static const uint8_t only_nul[] = {
		2, 0, 2, 0, 1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
		0, 0,
	};
	void *mem = talloc_new(wgt_root);
	struct ndr_ustr_hdr h;
	struct ndr_pull r;
	char *s = NULL;

	ndr_pull_init(&r, mem, with_nul, sizeof(with_nul));
	ck_assert_int_eq(ndr_pull_ustr_hdr(&r, &h), 0);
	ck_assert_int_ne(ndr_pull_ustr_body(&r, &h, &s), 0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(ndr_pull_ustr_body_term(&r, &h, &s), 0);
	ck_assert_str_eq(s, "ab");
	ck_assert_uint_eq(r.r.off, sizeof(with_nul));

	ndr_pull_init(&r, mem, short_max, sizeof(short_max));
	ck_assert_int_eq(ndr_pull_ustr_hdr(&r, &h), 0);
	ck_assert_int_ne(ndr_pull_ustr_body_term(&r, &h, &s), 0);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(r.r.off, 8);	/* as it was */

	ndr_pull_init(&r, mem, only_nul, sizeof(only_nul));
	ck_assert_int_eq(ndr_pull_ustr_hdr(&r, &h), 0);
	ck_assert_int_eq(ndr_pull_ustr_body_term(&r, &h, &s), 0);
	ck_assert_str_eq(s, "");
	talloc_free(mem);
}
END_TEST

static Suite *ndr_suite(void)
{
	Suite *s = suite_create("ndr");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_alignment_from_stub_start);
	tcase_add_test(tc, test_failed_pull_keeps_cursor);
	tcase_add_test(tc, test_string_roundtrip);
	tcase_add_test(tc, test_string_truncated_everywhere);
	tcase_add_test(tc, test_string_bad_counts);
	tcase_add_test(tc, test_unique_string_null);
	tcase_add_test(tc, test_conformant_bytes_caps);
	tcase_add_test(tc, test_deferred_array_of_structs);
	tcase_add_test(tc, test_deferral_depth_first);
	tcase_add_test(tc, test_full_pointers);
	tcase_add_test(tc, test_push_limit_and_bad_utf8);
	tcase_add_test(tc, test_handle_and_uuid);
	tcase_add_test(tc, test_sid_array);
	tcase_add_test(tc, test_ustr_body_term);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(ndr_suite)
