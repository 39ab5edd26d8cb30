/*
 * test_ntlm_cr.c - NTLM challenge/response without NTLMSSP
 * (proto/ntlm_cr.c), as SMB1 SESSION_SETUP_ANDX without extended
 * security carries it: the MS-NLMP §4.2.4 NTLMv2 and LMv2 examples and
 * the §4.2.2 NTLMv1 one, byte for byte, the NTLMv1 policy, the domain
 * spellings tried, and every length that is no logon.
 */
#include "tests/wgtest.h"
#include "proto/ntlm_cr.h"
#include "proto/ntlmssp.h"
#include "proto/ntlmv1.h"
#include "proto/utf16.h"

static const uint8_t srv_chal[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};
/* §4.2.4.2.1 LMv2 response */
static const char lmv2_hex[] =
	"86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa";
/* §4.2.4.2.2 NTProofStr and §4.2.4.1.2 SessionBaseKey */
static const char proof_hex[] = "68cd0ab851e51c96aabc927bebef6a1c";
static const char v2_key_hex[] = "8de40ccadbc14a82f15cb0ad0de95ca3";
/* §4.2.2.2 NTLMv1 response and §4.2.2.1 SessionBaseKey */
static const char v1_resp_hex[] =
	"67c43011f30298a2ad35ece64f16331c44bdbed927841f94";
static const char v1_key_hex[] = "d87262b0cde4b1cb7499becccdf10784";

static uint8_t *hex(TALLOC_CTX *mem, const char *h, size_t want)
{
	size_t n = 0;
	uint8_t *p = wgt_hex(mem, h, &n);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, want);
	return p;
}

/* The §4.2.4 NTLMv2 response: NTProofStr || temp (time 0, client
 * challenge aa.., AV pairs NbDomainName "Domain", NbComputerName
 * "Server"). */
static uint8_t *v2_response(TALLOC_CTX *mem, size_t *len)
{
	struct wire_wr w;
	uint8_t cc[8];

	memset(cc, 0xaa, sizeof(cc));
	wire_wr_init(&w, mem, 0);
	wire_put_bytes(&w, hex(mem, proof_hex, 16), 16);
	wire_put_u8(&w, 1);
	wire_put_u8(&w, 1);
	wire_put_zero(&w, 6);
	wire_put_zero(&w, 8);		/* time */
	wire_put_bytes(&w, cc, 8);
	wire_put_zero(&w, 4);
	wire_put_u16le(&w, 2);
	wire_put_u16le(&w, 12);
	wire_put_utf16(&w, "Domain");
	wire_put_u16le(&w, 1);
	wire_put_u16le(&w, 12);
	wire_put_utf16(&w, "Server");
	wire_put_zero(&w, 4);		/* MsvAvEOL */
	wire_put_zero(&w, 4);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	*len = w.len;
	return w.buf;
}

static void user_hash(uint8_t h[16])
{
	ck_assert_int_eq(ntlm_nt_hash("Password", h), 0);
}

START_TEST(test_classify)
{
	static const uint8_t nul = 0;
	static const uint8_t one = 1;

	ck_assert_int_eq(ntlm_cr_classify(NULL, 0, 0), NTLM_CR_ANONYMOUS);
	ck_assert_int_eq(ntlm_cr_classify(&nul, 1, 0), NTLM_CR_ANONYMOUS);
	ck_assert_int_eq(ntlm_cr_classify(&one, 1, 0), NTLM_CR_INVALID);
	ck_assert_int_eq(ntlm_cr_classify(NULL, 0, 25), NTLM_CR_V2);
	ck_assert_int_eq(ntlm_cr_classify(NULL, 24, 24), NTLM_CR_V1);
	ck_assert_int_eq(ntlm_cr_classify(NULL, 24, 0), NTLM_CR_LM24);
	ck_assert_int_eq(ntlm_cr_classify(NULL, 8, 0), NTLM_CR_INVALID);
	ck_assert_int_eq(ntlm_cr_classify(NULL, 0, 16), NTLM_CR_INVALID);
	ck_assert_int_eq(ntlm_cr_classify(NULL, 24, 23), NTLM_CR_INVALID);
}
END_TEST

START_TEST(test_v2_spec)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t h[16];
	size_t n = 0;
	uint8_t *nt = v2_response(mem, &n);
	uint8_t *lm = hex(mem, lmv2_hex, 24);
	struct ntlm_cr_in in = {
		.challenge = srv_chal, .user = "User", .domain = "Domain",
		.lm = lm, .lm_len = 24, .nt = nt, .nt_len = n,
	};
	struct ntlm_cr_out out;

	user_hash(h);
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), 0);
	ck_assert(!out.ntlmv1);
	ck_assert_mem_eq(out.session_key, hex(mem, v2_key_hex, 16), 16);
	ck_assert_ptr_eq(out.mac_resp, nt);
	ck_assert_uint_eq(out.mac_resp_len, n);
	/* the user name is case-insensitive; the domain's case counts but
	 * an empty domain is tried too, so a wrong domain still fails */
	in.user = "USER";
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), 0);
	in.domain = "DOMAIN";
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	in.domain = "Domain";
	/* a flipped bit anywhere in the blob or the proof */
	for (size_t i = 0; i < n; i += 7) {
		nt[i] ^= 0x10;
		ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
		nt[i] ^= 0x10;
	}
	/* another password */
	ck_assert_int_eq(ntlm_nt_hash("password", h), 0);
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	talloc_free(mem);
}
END_TEST

START_TEST(test_lmv2_spec)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t h[16];
	uint8_t *lm = hex(mem, lmv2_hex, 24);
	struct ntlm_cr_in in = {
		.challenge = srv_chal, .user = "User", .domain = "Domain",
		.lm = lm, .lm_len = 24,
	};
	struct ntlm_cr_out out;

	user_hash(h);
	/* LMv2 alone is allowed whatever the NTLMv1 policy */
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), 0);
	ck_assert(!out.ntlmv1);
	ck_assert_ptr_eq(out.mac_resp, lm);
	ck_assert_uint_eq(out.mac_resp_len, 24);
	/* a wrong one is then taken for LM, which is NTLMv1 policy */
	lm[3] ^= 1;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	ck_assert(out.ntlmv1);
	ck_assert(out.ntlmv1_refused);
	in.permit_v1 = true;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	ck_assert(out.ntlmv1);
	ck_assert(!out.ntlmv1_refused);
	talloc_free(mem);
}
END_TEST

START_TEST(test_v1_spec)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t h[16];
	uint8_t *v1 = hex(mem, v1_resp_hex, 24);
	struct ntlm_cr_in in = {
		.challenge = srv_chal, .user = "User", .domain = "Domain",
		.lm = v1, .lm_len = 24, .nt = v1, .nt_len = 24,
	};
	struct ntlm_cr_out out;

	user_hash(h);
	/* refused by default, before any check */
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	ck_assert(out.ntlmv1);
	ck_assert(out.ntlmv1_refused);
	in.permit_v1 = true;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), 0);
	ck_assert(out.ntlmv1);
	ck_assert(!out.ntlmv1_refused);
	ck_assert_mem_eq(out.session_key, hex(mem, v1_key_hex, 16), 16);
	ck_assert_ptr_eq(out.mac_resp, v1);
	ck_assert_uint_eq(out.mac_resp_len, 24);
	/* NTLMv1 in the LM slot only */
	in.nt = NULL;
	in.nt_len = 0;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), 0);
	ck_assert(out.ntlmv1);
	/* wrong */
	v1[23] ^= 1;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	in.nt = v1;
	in.nt_len = 24;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
	talloc_free(mem);
}
END_TEST

START_TEST(test_invalid_lengths)
{
	uint8_t buf[64] = {};
	uint8_t h[16] = {};
	struct ntlm_cr_in in = {
		.challenge = srv_chal, .user = "User", .domain = "",
		.lm = buf, .nt = buf, .permit_v1 = true,
	};
	struct ntlm_cr_out out;

	/* anonymous and plaintext-looking lengths are not verified here */
	for (size_t lm = 0; lm <= 30; lm++) {
		for (size_t nt = 0; nt <= 24; nt++) {
			enum ntlm_cr_kind k = ntlm_cr_classify(buf, lm, nt);

			in.lm_len = lm;
			in.nt_len = nt;
			if (k == NTLM_CR_ANONYMOUS || k == NTLM_CR_INVALID) {
				ck_assert_int_eq(ntlm_cr_verify(&in, h, &out),
						 WIRE_E_INVALID);
			} else {
				ck_assert_int_eq(ntlm_cr_verify(&in, h, &out),
						 WIRE_E_AUTH);
			}
		}
	}
	/* shortest NTLMv2 (25 bytes): a proof and 9 bytes of blob, wrong */
	in.lm_len = 0;
	in.nt_len = 25;
	ck_assert_int_eq(ntlm_cr_verify(&in, h, &out), WIRE_E_AUTH);
}
END_TEST

static Suite *ntlm_cr_suite(void)
{
	Suite *s = suite_create("ntlm_cr");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_v2_spec);
	tcase_add_test(tc, test_lmv2_spec);
	tcase_add_test(tc, test_v1_spec);
	tcase_add_test(tc, test_invalid_lengths);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(ntlm_cr_suite)
