/*
 * test_spnego.c - the DER reader/writer and SPNEGO tokens.
 */
#include "tests/wgtest.h"
#include "proto/der.h"
#include "proto/spnego.h"

/* The negTokenInit2 Windows servers send, written out by hand. */
static const char init2_hex[] =
	"6048 0606 2b0601050502"
	"a03e 303c"
	"a00e 300c 060a 2b06010401823702020a"
	"a32a 3028 a026 1b24"
	"6e6f745f646566696e65645f696e5f524643343137384070"
	"6c656173655f69676e6f7265";

/* GSS negTokenInit { mechTypes { NTLMSSP }, mechToken NEGOTIATE }. */
static const char gss_init_hex[] =
	"604806062b0601050502a03e303ca00e300c060a2b06010401823702020a"
	"a22a04284e544c4d5353500001000000978208e2000000000000000000000000"
	"000000000a00614a0000000f";

/*
 * Kerberos first, then NTLMSSP; reqFlags [1], mechToken, mechListMIC [3]
 * and an unknown [7] field.
 */
static const char gss_init_krb_hex[] =
	"607106062b0601050502a0673065a019301706092a864882f712010202060a2b"
	"06010401823702020aa10403020000a22a04284e544c4d535350000100000097"
	"8208e2000000000000000000000000000000000a00614a0000000fa312041011"
	"111111111111111111111111111111a7020500";

/* negTokenResp { responseToken, mechListMIC }, no negState. */
static const char resp_hex[] =
	"a1263024a20e040c4e544c4d5353500003000000a31204100100000"
	"0aaaaaaaaaaaaaaaa00000000";

/* Every strict prefix of a DER token must fail to parse. */
static void check_truncations(const uint8_t *buf, size_t len)
{
	for (size_t n = 0; n < len; n++) {
		struct spnego_token tok = {};
		uint8_t *copy = talloc_memdup(wgt_root, buf, n == 0 ? 1 : n);
		int rc = spnego_parse(n == 0 ? NULL : copy, n, &tok);

		ck_assert_msg(rc < 0, "prefix of %zu/%zu bytes parsed", n,
			      len);
		ck_assert_ptr_null(tok.mech_token);
		talloc_free(copy);
	}
}

START_TEST(test_init2_encoding)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct wire_wr w;
	size_t len = 0;
	uint8_t *want = wgt_hex(mem, init2_hex, &len);
	struct spnego_token tok = {};

	wire_wr_init(&w, mem, 0);
	spnego_push_neg_token_init2(&w);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, len);
	ck_assert_mem_eq(w.buf, want, len);

	ck_assert_int_eq(spnego_parse(w.buf, w.len, &tok), 0);
	ck_assert(tok.is_init);
	ck_assert(!tok.is_raw_ntlmssp);
	ck_assert(tok.offers_ntlmssp);
	ck_assert(tok.first_mech_is_ntlmssp);
	ck_assert_ptr_null(tok.mech_token);
	ck_assert_ptr_null(tok.mech_list_mic);
	/* mechTypes covers the SEQUENCE, tag included */
	ck_assert_uint_eq(tok.mech_types_len, 14);
	ck_assert_ptr_eq(tok.mech_types, w.buf + 16);
	ck_assert_uint_eq(tok.mech_types[0], 0x30);
	check_truncations(w.buf, w.len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_resp_roundtrip)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t mic[16] = { 1, 0, 0, 0, 9, 9, 9, 9, 9 };
	uint8_t *token = talloc_zero_array(mem, uint8_t, 300);
	struct spnego_token tok = {};
	struct wire_wr w;

	ck_assert_ptr_nonnull(token);
	for (size_t i = 0; i < 300; i++) {
		token[i] = (uint8_t)i;
	}
	wire_wr_init(&w, mem, 0);
	spnego_push_neg_token_resp(&w, SPNEGO_ACCEPT_INCOMPLETE, true, token,
				   300, mic, sizeof(mic));
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.buf[0], 0xa1);
	ck_assert_int_eq(spnego_parse(w.buf, w.len, &tok), 0);
	ck_assert(!tok.is_init);
	ck_assert_int_eq(tok.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	ck_assert(tok.offers_ntlmssp);
	ck_assert_uint_eq(tok.mech_token_len, 300);
	ck_assert_mem_eq(tok.mech_token, token, 300);
	ck_assert_uint_eq(tok.mech_list_mic_len, sizeof(mic));
	ck_assert_mem_eq(tok.mech_list_mic, mic, sizeof(mic));
	check_truncations(w.buf, w.len);

	/* Only a negState: accept-completed with nothing else. */
	wire_wr_init(&w, mem, 0);
	spnego_push_neg_token_resp(&w, SPNEGO_ACCEPT_COMPLETED, false, NULL,
				   0, NULL, 0);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, 9);
	ck_assert_int_eq(spnego_parse(w.buf, w.len, &tok), 0);
	ck_assert_int_eq(tok.neg_state, SPNEGO_ACCEPT_COMPLETED);
	ck_assert(!tok.offers_ntlmssp);
	ck_assert_ptr_null(tok.mech_token);

	/* No negState at all. */
	wire_wr_init(&w, mem, 0);
	spnego_push_neg_token_resp(&w, -1, false, token, 3, NULL, 0);
	ck_assert_int_eq(spnego_parse(w.buf, w.len, &tok), 0);
	ck_assert_int_eq(tok.neg_state, SPNEGO_NO_STATE);
	ck_assert_uint_eq(tok.mech_token_len, 3);
	talloc_free(mem);
}
END_TEST

START_TEST(test_resp_big_token)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t n = 70000;	/* 3-byte DER lengths all the way out */
	uint8_t *token = talloc_zero_array(mem, uint8_t, n);
	struct spnego_token tok = {};
	struct wire_wr w;

	token[0] = 0x42;
	token[n - 1] = 0x24;
	wire_wr_init(&w, mem, 0);
	spnego_push_neg_token_resp(&w, SPNEGO_ACCEPT_COMPLETED, false, token,
				   n, NULL, 0);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.buf[1], 0x83);
	ck_assert_int_eq(spnego_parse(w.buf, w.len, &tok), 0);
	ck_assert_uint_eq(tok.mech_token_len, n);
	ck_assert_mem_eq(tok.mech_token, token, n);
	talloc_free(mem);
}
END_TEST

START_TEST(test_parse_gss_init)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t len = 0;
	uint8_t *buf = wgt_hex(mem, gss_init_hex, &len);
	struct spnego_token tok = {};

	ck_assert_int_eq(spnego_parse(buf, len, &tok), 0);
	ck_assert(tok.is_init);
	ck_assert(tok.offers_ntlmssp);
	ck_assert(tok.first_mech_is_ntlmssp);
	ck_assert_int_eq(tok.neg_state, SPNEGO_NO_STATE);
	ck_assert_uint_eq(tok.mech_types_len, 14);
	ck_assert_ptr_eq(tok.mech_types, buf + 16);
	ck_assert_uint_eq(tok.mech_token_len, 40);
	ck_assert_ptr_eq(tok.mech_token, buf + len - 40);
	ck_assert_mem_eq(tok.mech_token, "NTLMSSP\0\1\0\0\0", 12);
	ck_assert_ptr_null(tok.mech_list_mic);
	check_truncations(buf, len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_parse_gss_init_krb_first)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t len = 0;
	uint8_t *buf = wgt_hex(mem, gss_init_krb_hex, &len);
	struct spnego_token tok = {};

	ck_assert_int_eq(spnego_parse(buf, len, &tok), 0);
	ck_assert(tok.is_init);
	ck_assert(tok.offers_ntlmssp);
	ck_assert(!tok.first_mech_is_ntlmssp);
	ck_assert_uint_eq(tok.mech_types_len, 25);
	ck_assert_uint_eq(tok.mech_token_len, 40);
	ck_assert_uint_eq(tok.mech_list_mic_len, 16);
	ck_assert_uint_eq(tok.mech_list_mic[0], 0x11);
	check_truncations(buf, len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_parse_resp)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t len = 0;
	uint8_t *buf = wgt_hex(mem, resp_hex, &len);
	struct spnego_token tok = {};

	ck_assert_int_eq(spnego_parse(buf, len, &tok), 0);
	ck_assert(!tok.is_init);
	ck_assert_int_eq(tok.neg_state, SPNEGO_NO_STATE);
	ck_assert_uint_eq(tok.mech_token_len, 12);
	ck_assert_mem_eq(tok.mech_token, "NTLMSSP\0\3\0\0\0", 12);
	ck_assert_uint_eq(tok.mech_list_mic_len, 16);
	check_truncations(buf, len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_parse_raw_ntlmssp)
{
	static const uint8_t raw[] = "NTLMSSP\0\1\0\0\0\0\0\0\0";
	struct spnego_token tok = {};

	ck_assert_int_eq(spnego_parse(raw, sizeof(raw), &tok), 0);
	ck_assert(tok.is_raw_ntlmssp);
	ck_assert_ptr_eq(tok.mech_token, raw);
	ck_assert_uint_eq(tok.mech_token_len, sizeof(raw));
	ck_assert_int_eq(spnego_parse(raw, 7, &tok), WIRE_E_INVALID);
}
END_TEST

/* Hex strings that must be refused, with the error expected. */
static const struct {
	const char *hex;
	int err;
} bad_tokens[] = {
	/* empty */
	{ "", WIRE_E_SHORT },
	/* not a token we know */
	{ "3000", WIRE_E_INVALID },
	/* indefinite length on the outside */
	{ "a180 3000 0000", WIRE_E_INVALID },
	/* length past the buffer */
	{ "a105 3003 a001", WIRE_E_SHORT },
	/* five length bytes */
	{ "a185 0000000005 3003 a0010a", WIRE_E_TOOBIG },
	/* GSS token for Kerberos, not SPNEGO */
	{ "600b 0609 2a864886f712010202", WIRE_E_UNSUPPORTED },
	/* negTokenInit without mechTypes */
	{ "600e 0606 2b0601050502 a004 3002 a100", WIRE_E_INVALID },
	/* mechTypes holding something other than OIDs */
	{ "6010 0606 2b0601050502 a006 3004 a002 0400", WIRE_E_INVALID },
	/* mechTypes that is not a SEQUENCE */
	{ "6012 0606 2b0601050502 a008 3006 a004 3102 0600",
	  WIRE_E_INVALID },
	/* negState out of range */
	{ "a107 3005 a003 0a0107", WIRE_E_INVALID },
	/* negState negative */
	{ "a107 3005 a003 0a01ff", WIRE_E_INVALID },
	/* negState twice */
	{ "a10c 300a a003 0a0101 a003 0a0101", WIRE_E_INVALID },
	/* a universal tag where only [n] fields belong */
	{ "a104 3002 0400", WIRE_E_INVALID },
	/* responseToken that is not an OCTET STRING */
	{ "a106 3004 a202 0500", WIRE_E_INVALID },
	/* high tag number form */
	{ "bf01 00", WIRE_E_INVALID },
	/* inner length larger than the outer one */
	{ "a103 3005 a003 0a0101", WIRE_E_SHORT },
};

START_TEST(test_parse_bad)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]);
	     i++) {
		size_t len = 0;
		uint8_t *buf = wgt_hex(mem, bad_tokens[i].hex, &len);
		struct spnego_token tok = {};
		int rc = spnego_parse(buf, len, &tok);

		ck_assert_msg(rc == bad_tokens[i].err,
			      "case %zu (%s): got %d, want %d", i,
			      bad_tokens[i].hex, rc, bad_tokens[i].err);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_der_nesting_cap)
{
	uint8_t buf[2 * 12] = {};
	struct der_rd d = {};
	struct der_rd in = {};
	unsigned int levels = 0;
	int rc = 0;

	/* 12 SEQUENCEs, each holding the next. */
	for (size_t i = 0; i < 12; i++) {
		buf[2 * i] = DER_SEQUENCE;
		buf[2 * i + 1] = (uint8_t)(sizeof(buf) - 2 * i - 2);
	}
	der_rd_init(&d, buf, sizeof(buf));
	for (;;) {
		rc = der_get(&d, DER_SEQUENCE, &in);
		if (rc != 0) {
			break;
		}
		levels++;
		d = in;
	}
	ck_assert_int_eq(rc, WIRE_E_TOOBIG);
	ck_assert_uint_eq(levels, DER_MAX_DEPTH);
	/* The failed read left the cursor alone. */
	ck_assert_uint_eq(d.r.off, 0);
}
END_TEST

START_TEST(test_der_reader)
{
	static const uint8_t buf[] = {
		0x04, 0x81, 0x02, 0xaa, 0xbb,	/* non-minimal length */
		0x0a, 0x02, 0x01, 0x00,		/* ENUMERATED 256 */
		0x04, 0x00,			/* empty OCTET STRING */
		0x0a, 0x01,			/* truncated */
	};
	struct der_rd d = {};
	const uint8_t *p = NULL;
	size_t len = 0;
	uint32_t v = 0;
	uint8_t tag = 0;

	der_rd_init(&d, buf, sizeof(buf));
	ck_assert_int_eq(der_get_prim(&d, DER_OID, &p, &len),
			 WIRE_E_INVALID);
	ck_assert_uint_eq(d.r.off, 0);
	ck_assert_int_eq(der_get_prim(&d, DER_OCTET_STRING, &p, &len), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_ptr_eq(p, buf + 3);
	ck_assert_int_eq(der_get_enum(&d, &v), 0);
	ck_assert_uint_eq(v, 256);
	ck_assert_int_eq(der_get_prim(&d, DER_OCTET_STRING, &p, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_eq(p, buf + 11);
	ck_assert_int_eq(der_peek_tag(&d, &tag), 0);
	ck_assert_uint_eq(tag, DER_ENUMERATED);
	ck_assert_int_eq(der_get_enum(&d, &v), WIRE_E_SHORT);
	ck_assert_uint_eq(d.r.off, 11);
}
END_TEST

START_TEST(test_der_writer_lengths)
{
	static const size_t sizes[] = { 0, 1, 127, 128, 255, 256, 65535,
					65536, 70000 };
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint8_t *content = talloc_array(mem, uint8_t, n + 1);
		struct wire_wr w;
		struct der_rd d = {};
		struct der_rd outer = {};
		const uint8_t *p = NULL;
		size_t got = 0;
		size_t mark = 0;
		size_t inner = 0;

		for (size_t j = 0; j < n; j++) {
			content[j] = (uint8_t)(j * 7);
		}
		wire_wr_init(&w, mem, 0);
		wire_put_u8(&w, 0xee);	/* marks are writer offsets */
		mark = der_begin(&w, DER_CONTEXT(2));
		der_put_tlv(&w, DER_OCTET_STRING, content, n);
		der_end(&w, mark);
		ck_assert_int_eq(wire_wr_error(&w), 0);
		inner = 1 + der_len_size(n) + n;
		ck_assert_uint_eq(w.len, 1 + 1 + der_len_size(inner) + inner);
		der_rd_init(&d, w.buf + 1, w.len - 1);
		ck_assert_int_eq(der_get(&d, DER_CONTEXT(2), &outer), 0);
		ck_assert(der_at_end(&d));
		ck_assert_int_eq(der_get_prim(&outer, DER_OCTET_STRING, &p,
					      &got), 0);
		ck_assert_uint_eq(got, n);
		if (n > 0) {
			ck_assert_mem_eq(p, content, n);
		}
		talloc_free(content);
		talloc_free(w.buf);
	}
	talloc_free(mem);
}
END_TEST

static Suite *spnego_suite(void)
{
	Suite *s = suite_create("spnego");
	TCase *tc = tcase_create("spnego");
	TCase *der = tcase_create("der");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_init2_encoding);
	tcase_add_test(tc, test_resp_roundtrip);
	tcase_add_test(tc, test_resp_big_token);
	tcase_add_test(tc, test_parse_gss_init);
	tcase_add_test(tc, test_parse_gss_init_krb_first);
	tcase_add_test(tc, test_parse_resp);
	tcase_add_test(tc, test_parse_raw_ntlmssp);
	tcase_add_test(tc, test_parse_bad);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(der, wgt_setup, wgt_teardown);
	tcase_add_test(der, test_der_nesting_cap);
	tcase_add_test(der, test_der_reader);
	tcase_add_test(der, test_der_writer_lengths);
	suite_add_tcase(s, der);
	return s;
}

WGT_MAIN(spnego_suite)
