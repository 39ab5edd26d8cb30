/*
 * test_nbt.c - NetBIOS session framing and SESSION REQUEST names.
 */
#include "tests/wgtest.h"
#include "proto/nbt.h"

/*
 * A SESSION REQUEST as a Windows client sends it on port 139: called name
 * "*SMBSERVER" (suffix 0x20), calling name "CLIENT1" (suffix 0x00), no
 * scope: 81 00 00 44, then each name as 0x20, 32 letters, 0x00. The
 * letters were worked out by hand from RFC 1001 §14.1.
 */
static uint8_t *req_bytes(TALLOC_CTX *mem, size_t *len)
{
	static const char *const parts[] = {
		"CKFDENECFDEFFCFGEFFCCACACACACACA",
		"EDEMEJEFEOFEDBCACACACACACACACAAA",
	};
	uint8_t *b = talloc_array(mem, uint8_t, 4 + 2 * 34);
	size_t o = 0;

	b[o++] = NBT_SESSION_REQUEST;
	b[o++] = 0;
	b[o++] = 0;
	b[o++] = 68;
	for (size_t i = 0; i < 2; i++) {
		b[o++] = 0x20;
		memcpy(b + o, parts[i], 32);
		o += 32;
		b[o++] = 0;
	}
	*len = o;
	return b;
}

START_TEST(test_frame_hdr)
{
	static const uint8_t b[] = { 0x00, 0x01, 0x02, 0x03, 0xAA };
	struct nbt_frame_hdr h = {};
	struct wire_rd r;

	for (size_t n = 0; n < 4; n++) {
		wire_rd_init(&r, b, n);
		ck_assert_int_eq(nbt_frame_hdr_pull(&r, &h), WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 0);
	}
	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(nbt_frame_hdr_pull(&r, &h), 0);
	ck_assert_uint_eq(h.type, NBT_SESSION_MESSAGE);
	ck_assert_uint_eq(h.length, 0x010203);
	ck_assert_uint_eq(r.off, 4);
}
END_TEST

START_TEST(test_frame_hdr_push)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct nbt_frame_hdr h = {};
	struct wire_wr w;
	struct wire_rd r;

	wire_wr_init(&w, mem, 0);
	nbt_frame_hdr_push(&w, NBT_POSITIVE_RESPONSE, 0);
	nbt_frame_hdr_push(&w, NBT_SESSION_MESSAGE, 0xFFFFFF);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, 8);
	ck_assert_uint_eq(w.buf[0], 0x82);
	wire_rd_init(&r, w.buf, w.len);
	ck_assert_int_eq(nbt_frame_hdr_pull(&r, &h), 0);
	ck_assert_uint_eq(h.type, 0x82);
	ck_assert_uint_eq(h.length, 0);
	ck_assert_int_eq(nbt_frame_hdr_pull(&r, &h), 0);
	ck_assert_uint_eq(h.length, 0xFFFFFF);
	nbt_frame_hdr_push(&w, NBT_SESSION_MESSAGE, 0x1000000);
	ck_assert_int_eq(wire_wr_error(&w), WIRE_E_TOOBIG);
	ck_assert_uint_eq(w.len, 8);
	talloc_free(mem);
}
END_TEST

START_TEST(test_frame_hdr_put)
{
	uint8_t out[NBT_FRAME_HDR_LEN] = { 0xEE, 0xEE, 0xEE, 0xEE };
	static const uint8_t want[] = { 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t max[] = { 0x00, 0xFF, 0xFF, 0xFF };

	ck_assert_int_eq(nbt_frame_hdr_put(out, NBT_SESSION_MESSAGE,
					   0x123456), 0);
	ck_assert_mem_eq(out, want, sizeof(want));
	ck_assert_int_eq(nbt_frame_hdr_put(out, NBT_SESSION_MESSAGE,
					   NBT_MAX_LENGTH), 0);
	ck_assert_mem_eq(out, max, sizeof(max));
	/* 2^24 would wrap to 0: refused, out untouched */
	ck_assert_int_eq(nbt_frame_hdr_put(out, NBT_SESSION_MESSAGE,
					   (size_t)NBT_MAX_LENGTH + 1),
			 WIRE_E_TOOBIG);
	ck_assert_mem_eq(out, max, sizeof(max));
	/* a size_t past 2^32 is not cut to 32 bits first */
	ck_assert_int_eq(nbt_frame_hdr_put(out, NBT_SESSION_MESSAGE,
					   (size_t)1 << 32 | 5),
			 WIRE_E_TOOBIG);
	ck_assert_mem_eq(out, max, sizeof(max));
}
END_TEST

/* RFC 1002 §4.3.4: 83 00 00 01, then the error code. */
START_TEST(test_negative_response)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t want[] = { 0x83, 0x00, 0x00, 0x01, 0x82 };
	struct nbt_frame_hdr h = {};
	struct wire_wr w;
	struct wire_rd r;
	uint8_t code = 0;

	wire_wr_init(&w, mem, 0);
	nbt_negative_response_push(&w, NBT_ERR_CALLED_NOT_PRESENT);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(w.buf, want, sizeof(want));
	/* and it reads back as a frame of one byte */
	wire_rd_init(&r, w.buf, w.len);
	ck_assert_int_eq(nbt_frame_hdr_pull(&r, &h), 0);
	ck_assert_uint_eq(h.type, NBT_NEGATIVE_RESPONSE);
	ck_assert_uint_eq(h.length, wire_left(&r));
	ck_assert_int_eq(wire_get_u8(&r, &code), 0);
	ck_assert_uint_eq(code, NBT_ERR_CALLED_NOT_PRESENT);
	talloc_free(mem);
}
END_TEST

START_TEST(test_session_request_vector)
{
	size_t len = 0;
	uint8_t *b = req_bytes(wgt_root, &len);
	struct nbt_frame_hdr fh = {};
	struct nbt_name called = {};
	struct nbt_name calling = {};
	struct wire_rd r, body;

	wire_rd_init(&r, b, len);
	ck_assert_int_eq(nbt_frame_hdr_pull(&r, &fh), 0);
	ck_assert_uint_eq(fh.type, NBT_SESSION_REQUEST);
	ck_assert_uint_eq(fh.length, 68);
	ck_assert_int_eq(wire_get_sub(&r, fh.length, &body), 0);
	ck_assert_int_eq(nbt_session_request_pull(&body, &called, &calling),
			 0);
	ck_assert_uint_eq(body.off, 68);
	ck_assert_str_eq(called.name, "*SMBSERVER");
	ck_assert_uint_eq(called.suffix, 0x20);
	ck_assert_str_eq(calling.name, "CLIENT1");
	ck_assert_uint_eq(calling.suffix, 0x00);
	talloc_free(b);
}
END_TEST

START_TEST(test_session_request_push)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct nbt_name called = { .name = "*SMBSERVER",
					 .suffix = 0x20 };
	const struct nbt_name calling = { .name = "CLIENT1", .suffix = 0 };
	size_t len = 0;
	uint8_t *want = req_bytes(mem, &len);
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	nbt_frame_hdr_push(&w, NBT_SESSION_REQUEST, 68);
	nbt_session_request_push(&w, &called, &calling);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, len);
	ck_assert_mem_eq(w.buf, want, len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_round_trip)
{
	static const struct nbt_name names[] = {
		{ .name = "A", .suffix = 0x00 },
		{ .name = "FIFTEEN-CHARS-X", .suffix = 0x20 },
		{ .name = "M\xc4NNER", .suffix = 0x03 },	/* OEM byte */
		{ .name = "", .suffix = 0x1B },
		{ .name = "SP ACE", .suffix = 0xFF },
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t n = sizeof(names) / sizeof(names[0]);

	for (size_t i = 0; i < n; i++) {
		const struct nbt_name *a = &names[i];
		const struct nbt_name *b = &names[(i + 1) % n];
		struct nbt_name x = {};
		struct nbt_name y = {};
		struct wire_wr w;
		struct wire_rd r;

		wire_wr_init(&w, mem, 0);
		nbt_session_request_push(&w, a, b);
		ck_assert_int_eq(wire_wr_error(&w), 0);
		ck_assert_uint_eq(w.len, 68);
		wire_rd_init(&r, w.buf, w.len);
		ck_assert_int_eq(nbt_session_request_pull(&r, &x, &y), 0);
		ck_assert_str_eq(x.name, a->name);
		ck_assert_uint_eq(x.suffix, a->suffix);
		ck_assert_str_eq(y.name, b->name);
		ck_assert_uint_eq(y.suffix, b->suffix);
		talloc_free(w.buf);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_truncated_every_byte)
{
	size_t len = 0;
	uint8_t *b = req_bytes(wgt_root, &len);
	const uint8_t *body = b + 4;
	size_t body_len = len - 4;

	for (size_t n = 0; n < body_len; n++) {
		struct nbt_name x = {};
		struct nbt_name y = {};
		struct wire_rd r;

		wire_rd_init(&r, body, n);
		ck_assert_int_eq(nbt_session_request_pull(&r, &x, &y),
				 WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 0);
	}
	talloc_free(b);
}
END_TEST

/* Pull the request body after replacing byte off with v. */
static int pull_patched(size_t off, uint8_t v)
{
	size_t len = 0;
	uint8_t *b = req_bytes(wgt_root, &len);
	struct nbt_name x = {};
	struct nbt_name y = {};
	struct wire_rd r;
	int rc = 0;

	b[4 + off] = v;
	wire_rd_init(&r, b + 4, len - 4);
	rc = nbt_session_request_pull(&r, &x, &y);
	if (rc != 0) {
		ck_assert_uint_eq(r.off, 0);
	}
	talloc_free(b);
	return rc;
}

START_TEST(test_invalid_characters)
{
	static const uint8_t bad[] = { 'Q', 'Z', '@', 'a', 'p', '0', ' ', 0,
				       0xC1 };

	/* every letter position of both names */
	for (size_t half = 0; half < 2; half++) {
		for (size_t i = 0; i < 32; i++) {
			size_t off = half * 34 + 1 + i;

			for (size_t k = 0; k < sizeof(bad); k++) {
				ck_assert_int_eq(pull_patched(off, bad[k]),
						 WIRE_E_INVALID);
			}
			ck_assert_int_eq(pull_patched(off, 'P'), 0);
		}
	}
}
END_TEST

START_TEST(test_bad_length_byte)
{
	static const uint8_t bad[] = { 0x00, 0x1F, 0x21, 0x40, 0xC0, 0xFF };

	for (size_t k = 0; k < sizeof(bad); k++) {
		ck_assert_int_eq(pull_patched(0, bad[k]), WIRE_E_INVALID);
		ck_assert_int_eq(pull_patched(34, bad[k]), WIRE_E_INVALID);
	}
}
END_TEST

/* One encoded name from 16 raw bytes, followed by a given scope. */
static void put_raw_name(struct wire_wr *w, const uint8_t raw[16],
			 const uint8_t *scope, size_t scope_len)
{
	wire_put_u8(w, 0x20);
	for (size_t i = 0; i < 16; i++) {
		wire_put_u8(w, (uint8_t)('A' + (raw[i] >> 4)));
		wire_put_u8(w, (uint8_t)('A' + (raw[i] & 0x0F)));
	}
	wire_put_bytes(w, scope, scope_len);
}

static int pull_raw(const uint8_t raw[16], const uint8_t *scope,
		    size_t scope_len, struct nbt_name *out)
{
	static const uint8_t plain[16] = "PEER           ";
	static const uint8_t no_scope[1] = { 0 };
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct nbt_name other = {};
	struct wire_wr w;
	struct wire_rd r;
	int rc = 0;

	wire_wr_init(&w, mem, 0);
	put_raw_name(&w, raw, scope, scope_len);
	put_raw_name(&w, plain, no_scope, 1);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	wire_rd_init(&r, w.buf, w.len);
	rc = nbt_session_request_pull(&r, out, &other);
	if (rc == 0) {
		ck_assert_uint_eq(r.off, w.len);
		ck_assert_str_eq(other.name, "PEER");
	} else {
		ck_assert_uint_eq(r.off, 0);
	}
	talloc_free(mem);
	return rc;
}

START_TEST(test_scope)
{
	static const uint8_t raw[16] = "HOST           \x20";
	static const uint8_t scope_ok[] = "\x07" "example" "\x03" "com";
	static const uint8_t ptr[] = { 0xC0, 0x0C, 0x00 };
	static const uint8_t long_label[] = { 64 };
	struct nbt_name n = {};
	uint8_t big[300] = { 0 };
	size_t o = 0;

	/* sizeof includes the terminating zero label */
	ck_assert_int_eq(pull_raw(raw, scope_ok, sizeof(scope_ok), &n), 0);
	ck_assert_str_eq(n.name, "HOST");
	ck_assert_uint_eq(n.suffix, 0x20);
	ck_assert_int_eq(pull_raw(raw, ptr, sizeof(ptr), &n),
			 WIRE_E_INVALID);
	ck_assert_int_eq(pull_raw(raw, long_label, sizeof(long_label), &n),
			 WIRE_E_INVALID);
	/* 33 + 1 + 3 * 64 = 226 fits; a fourth 64-byte label does not */
	for (size_t i = 0; i < 3; i++) {
		big[o++] = 63;
		memset(big + o, 'x', 63);
		o += 63;
	}
	big[o] = 0;
	ck_assert_int_eq(pull_raw(raw, big, o + 1, &n), 0);
	big[o++] = 63;
	memset(big + o, 'x', 63);
	o += 63;
	big[o] = 0;
	ck_assert_int_eq(pull_raw(raw, big, o + 1, &n), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_padding_and_controls)
{
	static const uint8_t nul_pad[16] = { '*', 0 };
	static const uint8_t mixed_pad[16] = "AB \0 \0 \0 \0 \0 \0 \0";
	static const uint8_t ctl_mid[16] = "AB\x01" "CD           ";
	static const uint8_t del_mid[16] = "AB\x7f" "CD           ";
	static const uint8_t nul_mid[16] = "AB\0CD          ";
	static const uint8_t no_scope[1] = { 0 };
	struct nbt_name n = {};

	ck_assert_int_eq(pull_raw(nul_pad, no_scope, 1, &n), 0);
	ck_assert_str_eq(n.name, "*");
	ck_assert_uint_eq(n.suffix, 0);
	ck_assert_int_eq(pull_raw(mixed_pad, no_scope, 1, &n), 0);
	ck_assert_str_eq(n.name, "AB");
	ck_assert_int_eq(pull_raw(ctl_mid, no_scope, 1, &n), WIRE_E_INVALID);
	ck_assert_int_eq(pull_raw(del_mid, no_scope, 1, &n), WIRE_E_INVALID);
	ck_assert_int_eq(pull_raw(nul_mid, no_scope, 1, &n), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_truncated_with_scope)
{
	static const uint8_t raw[16] = "HOST           \x20";
	static const uint8_t scope[] = "\x07" "example" "\x03" "com";
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	put_raw_name(&w, raw, scope, sizeof(scope));
	put_raw_name(&w, raw, scope, sizeof(scope));
	ck_assert_int_eq(wire_wr_error(&w), 0);
	for (size_t n = 0; n <= w.len; n++) {
		struct nbt_name x = {};
		struct nbt_name y = {};
		struct wire_rd r;

		wire_rd_init(&r, w.buf, n);
		if (n == w.len) {
			ck_assert_int_eq(nbt_session_request_pull(&r, &x, &y),
					 0);
			ck_assert_uint_eq(r.off, n);
			break;
		}
		ck_assert_int_eq(nbt_session_request_pull(&r, &x, &y),
				 WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 0);
	}
	talloc_free(mem);
}
END_TEST

static Suite *nbt_suite(void)
{
	Suite *s = suite_create("nbt");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_frame_hdr);
	tcase_add_test(tc, test_frame_hdr_push);
	tcase_add_test(tc, test_frame_hdr_put);
	tcase_add_test(tc, test_negative_response);
	tcase_add_test(tc, test_session_request_vector);
	tcase_add_test(tc, test_session_request_push);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_truncated_every_byte);
	tcase_add_test(tc, test_invalid_characters);
	tcase_add_test(tc, test_bad_length_byte);
	tcase_add_test(tc, test_scope);
	tcase_add_test(tc, test_truncated_with_scope);
	tcase_add_test(tc, test_padding_and_controls);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(nbt_suite)
