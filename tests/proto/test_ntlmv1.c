/*
 * test_ntlmv1.c - NTLMv1 responses and keys (proto/ntlmv1.c) and their
 * use by the NTLMSSP server, against the MS-NLMP §4.2.2 (NTLMv1) and
 * §4.2.3 (NTLMv1 with client challenge) examples, byte for byte: the
 * spec's own AUTHENTICATE messages are fed to the server.
 */
#include "tests/wgtest.h"
#include "proto/ntlmssp.h"
#include "proto/ntlmv1.h"
#include "proto/utf16.h"

/* MS-NLMP §4.2.1 common values */
static const uint8_t srv_chal[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};
static const uint8_t cli_chal[8] = {
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
};

/* §4.2.2.1 */
static const char ntowf_hex[] = "a4f49c406510bdcab6824ee7c30fd852";
static const char base_key_hex[] = "d87262b0cde4b1cb7499becccdf10784";
/* §4.2.2.2 */
static const char v1_resp_hex[] =
	"67c43011f30298a2ad35ece64f16331c44bdbed927841f94";
static const char lm_resp_hex[] =
	"98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13";
/* §4.2.2.3 AUTHENTICATE (flags e2808235: KEY_EXCH, no ESS) */
static const char auth_422_hex[] =
	"4e544c4d5353500003000000180018006c00000018001800"
	"840000000c000c00480000000800080054000000100010005c000000"
	"100010009c000000358280e20501280a0000000f44006f006d006100"
	"69006e00550073006500720043004f004d0050005500540045005200"
	"98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13"
	"67c43011f30298a2ad35ece64f16331c44bdbed927841f94"
	"518822b1b3f350c8958682ecbb3e3cb7";
/* §4.2.3.1-2 */
static const char ess_kx_hex[] = "eb93429a8bd952f8b89c55b87f475edc";
static const char ess_resp_hex[] =
	"7537f803ae367128ca458204bde7caf81e97ed2683267232";
/* §4.2.3.3 AUTHENTICATE (flags 82088235: ESS, no KEY_EXCH) */
static const char auth_423_hex[] =
	"4e544c4d5353500003000000180018006c00000018001800"
	"840000000c000c00480000000800080054000000100010005c000000"
	"000000009c000000358208820501280a0000000f44006f006d006100"
	"69006e00550073006500720043004f004d0050005500540045005200"
	"aaaaaaaaaaaaaaaa0000000000000000"
	"0000000000000000"
	"7537f803ae367128ca458204bde7caf81e97ed2683267232";
/* §4.2.3.4: "Plaintext" signed with the client signing key, seq 0 */
static const char plaintext_hex[] = "50006c00610069006e007400650078007400";
static const char ess_sig_hex[] = "01000000ff2aeb52f681793a00000000";

#define AUTH_LM_FIELD	12
#define AUTH_NT_FIELD	20

static uint8_t *hex(TALLOC_CTX *mem, const char *h, size_t want)
{
	size_t n = 0;
	uint8_t *p = wgt_hex(mem, h, &n);

	ck_assert_ptr_nonnull(p);
	if (want != 0) {
		ck_assert_uint_eq(n, want);
	}
	return p;
}

struct tuser {
	int calls;
};

static int tlookup(void *priv, const char *user, const char *domain,
		   uint8_t nt_hash[16])
{
	struct tuser *u = priv;

	(void)domain;
	u->calls++;
	if (utf8_casecmp(user, "user") != 0) {
		return -1;
	}
	return ntlm_nt_hash("Password", nt_hash) == 0 ? 0 : -1;
}

/* A server that has sent its CHALLENGE (with the spec's challenge). */
static struct ntlmssp_server *tserver(TALLOC_CTX *mem, struct tuser *u,
				      bool permit)
{
	static const struct ntlmssp_server_info info = {
		.netbios_domain = "Domain",
		.netbios_computer = "Server",
		.dns_domain = "",
		.dns_computer = "",
	};
	uint32_t flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM |
			 NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
			 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
			 NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128;
	struct ntlmssp_server *s = ntlmssp_server_new(mem, &info, tlookup, u);
	struct wire_wr neg;
	struct wire_wr out;

	ck_assert_ptr_nonnull(s);
	ntlmssp_server_permit_ntlmv1(s, permit);
	wire_wr_init(&neg, mem, 0);
	wire_put_bytes(&neg, "NTLMSSP\0", 8);
	wire_put_u32le(&neg, 1);
	wire_put_u32le(&neg, flags);
	wire_put_zero(&neg, 16);
	ck_assert_int_eq(wire_wr_error(&neg), 0);
	wire_wr_init(&out, mem, 0);
	ck_assert_int_eq(ntlmssp_server_challenge(s, neg.buf, neg.len,
						  srv_chal, 0, &out), 0);
	return s;
}

START_TEST(test_vectors_422)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t nt_hash[16];
	uint8_t out[24];
	uint8_t key[16];

	ck_assert_int_eq(ntlm_nt_hash("Password", nt_hash), 0);
	ck_assert_mem_eq(nt_hash, hex(mem, ntowf_hex, 16), 16);
	ntlmv1_response(nt_hash, srv_chal, NULL, out);
	ck_assert_mem_eq(out, hex(mem, v1_resp_hex, 24), 24);
	ntlm_desl(nt_hash, srv_chal, out);
	ck_assert_mem_eq(out, hex(mem, v1_resp_hex, 24), 24);
	ntlmv1_session_base_key(nt_hash, key);
	ck_assert_mem_eq(key, hex(mem, base_key_hex, 16), 16);
	/* no ESS: KeyExchangeKey = SessionBaseKey (§4.2.2.1.2) */
	ntlmv1_key_exchange_key(key, false, srv_chal, cli_chal, out);
	ck_assert_mem_eq(out, hex(mem, base_key_hex, 16), 16);
	talloc_free(mem);
}
END_TEST

START_TEST(test_vectors_423)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t nt_hash[16];
	uint8_t lm[24] = {};
	uint8_t out[24];
	uint8_t base[16];
	uint8_t key[16];

	ck_assert_int_eq(ntlm_nt_hash("Password", nt_hash), 0);
	ntlmv1_response(nt_hash, srv_chal, cli_chal, out);
	ck_assert_mem_eq(out, hex(mem, ess_resp_hex, 24), 24);
	ntlmv1_session_base_key(nt_hash, base);
	memcpy(lm, cli_chal, 8);
	ntlmv1_key_exchange_key(base, true, srv_chal, lm, key);
	ck_assert_mem_eq(key, hex(mem, ess_kx_hex, 16), 16);
	/* verify: the client challenge comes from the LM slot */
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, true, lm, 24, out,
				       24, key), 0);
	ck_assert_mem_eq(key, base, 16);
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, true, lm, 7, out,
				       24, key), WIRE_E_AUTH);
	lm[0] ^= 1;
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, true, lm, 24, out,
				       24, key), WIRE_E_AUTH);
	talloc_free(mem);
}
END_TEST

START_TEST(test_verify_slots)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const uint8_t *v1 = NULL;
	const uint8_t *lm = NULL;
	uint8_t nt_hash[16];
	uint8_t key[16];

	ck_assert_int_eq(ntlm_nt_hash("Password", nt_hash), 0);
	v1 = hex(mem, v1_resp_hex, 24);
	lm = hex(mem, lm_resp_hex, 24);
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, false, lm, 24, v1,
				       24, key), 0);
	/* the NTLMv1 response in the LM slot, none in the NT slot */
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, false, v1, 24, NULL,
				       0, key), 0);
	/* a real LM response cannot be checked: no LM hash is kept */
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, false, lm, 24, NULL,
				       0, key), WIRE_E_AUTH);
	/* odd lengths */
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, false, lm, 24, v1,
				       23, key), WIRE_E_AUTH);
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, false, v1, 23, NULL,
				       0, key), WIRE_E_AUTH);
	ck_assert_int_eq(ntlmv1_verify(nt_hash, srv_chal, true, v1, 24, NULL,
				       0, key), WIRE_E_AUTH);
	/* another challenge */
	ck_assert_int_eq(ntlmv1_verify(nt_hash, cli_chal, false, lm, 24, v1,
				       24, key), WIRE_E_AUTH);
	talloc_free(mem);
}
END_TEST

/* §4.2.2.3 through the server: KEY_EXCH gives RandomSessionKey 55..55. */
START_TEST(test_server_422)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t random_key[16] = {
		0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
		0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	};
	struct tuser u = {};
	struct ntlmssp_server *s = tserver(mem, &u, true);
	struct ntlmssp_result res;
	size_t n = 0;
	uint8_t *auth = wgt_hex(mem, auth_422_hex, &n);
	uint8_t sig[16] = {};

	ck_assert_int_eq(ntlmssp_server_authenticate(s, auth, n, &res), 0);
	ck_assert(res.ntlmv1);
	ck_assert(!res.ntlmv1_refused);
	ck_assert(res.have_session_key);
	ck_assert_mem_eq(res.session_key, random_key, 16);
	ck_assert_str_eq(res.user, "User");
	ck_assert_str_eq(res.workstation, "COMPUTER");
	/* without ESS there is no NTLM2 signature for a mechListMIC */
	ck_assert_int_eq(ntlmssp_server_check_mic(s, sig, 1, sig, 16),
			 WIRE_E_AUTH);
	ntlmssp_server_make_mic(s, sig, 1, sig);
	ck_assert_mem_eq(sig, (uint8_t[16]) {}, 16);
	talloc_free(mem);
}
END_TEST

/* §4.2.3.3 through the server, and the §4.2.3.4 signature as a MIC. */
START_TEST(test_server_423)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct tuser u = {};
	struct ntlmssp_server *s = tserver(mem, &u, true);
	struct ntlmssp_result res;
	size_t n = 0;
	uint8_t *auth = wgt_hex(mem, auth_423_hex, &n);
	const uint8_t *plain = hex(mem, plaintext_hex, 18);
	uint8_t *sig = hex(mem, ess_sig_hex, 16);

	ck_assert_int_eq(ntlmssp_server_authenticate(s, auth, n, &res), 0);
	ck_assert(res.ntlmv1);
	ck_assert(res.have_session_key);
	ck_assert_mem_eq(res.session_key, hex(mem, ess_kx_hex, 16), 16);
	ck_assert_int_eq(ntlmssp_server_check_mic(s, plain, 18, sig, 16), 0);
	sig[6] ^= 1;
	ck_assert_int_eq(ntlmssp_server_check_mic(s, plain, 18, sig, 16),
			 WIRE_E_AUTH);
	talloc_free(mem);
}
END_TEST

/* The default: refused before any user is looked up, and said so. */
START_TEST(test_server_refused)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const char *const msgs[] = { auth_422_hex, auth_423_hex };

	for (size_t i = 0; i < 2; i++) {
		struct tuser u = {};
		struct ntlmssp_server *s = tserver(mem, &u, false);
		struct ntlmssp_result res;
		size_t n = 0;
		uint8_t *auth = wgt_hex(mem, msgs[i], &n);

		ck_assert_int_eq(ntlmssp_server_authenticate(s, auth, n, &res),
				 WIRE_E_AUTH);
		ck_assert(res.ntlmv1);
		ck_assert(res.ntlmv1_refused);
		ck_assert(!res.have_session_key);
		ck_assert_int_eq(u.calls, 0);
		ck_assert_str_eq(res.user, "User");
	}
	talloc_free(mem);
}
END_TEST

/* LM slot only: the NTLMv1 response there passes, a real LM one not. */
START_TEST(test_server_lm_slot)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (int copy_nt = 1; copy_nt >= 0; copy_nt--) {
		struct tuser u = {};
		struct ntlmssp_server *s = tserver(mem, &u, true);
		struct ntlmssp_result res;
		size_t n = 0;
		uint8_t *auth = wgt_hex(mem, auth_422_hex, &n);
		uint32_t lm_off = wire_le32(auth + AUTH_LM_FIELD + 4);
		uint32_t nt_off = wire_le32(auth + AUTH_NT_FIELD + 4);

		if (copy_nt) {
			memcpy(auth + lm_off, auth + nt_off, 24);
		}
		wire_setle16(auth + AUTH_NT_FIELD, 0);
		wire_setle16(auth + AUTH_NT_FIELD + 2, 0);
		ck_assert_int_eq(ntlmssp_server_authenticate(s, auth, n, &res),
				 copy_nt ? 0 : WIRE_E_AUTH);
		ck_assert(res.ntlmv1);
		ck_assert(!res.ntlmv1_refused);
		ck_assert(res.have_session_key == (copy_nt != 0));
	}
	talloc_free(mem);
}
END_TEST

/* A wrong password, an unknown user, a tampered response. */
START_TEST(test_server_wrong)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (int i = 0; i < 3; i++) {
		struct tuser u = {};
		struct ntlmssp_server *s = tserver(mem, &u, true);
		struct ntlmssp_result res;
		size_t n = 0;
		uint8_t *auth = wgt_hex(mem, auth_423_hex, &n);
		uint32_t nt_off = wire_le32(auth + AUTH_NT_FIELD + 4);
		uint32_t lm_off = wire_le32(auth + AUTH_LM_FIELD + 4);
		uint32_t user_off = 0x54;

		if (i == 0) {
			auth[nt_off + 23] ^= 0x80;
		} else if (i == 1) {
			auth[user_off] = 'X';	/* "Xser" */
		} else {
			auth[lm_off] ^= 1;	/* the client challenge */
		}
		ck_assert_int_eq(ntlmssp_server_authenticate(s, auth, n, &res),
				 WIRE_E_AUTH);
		ck_assert(!res.have_session_key);
		ck_assert(!res.ntlmv1_refused);
	}
	talloc_free(mem);
}
END_TEST

/* Every truncation of the spec messages fails cleanly. */
START_TEST(test_server_truncated)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const char *const msgs[] = { auth_422_hex, auth_423_hex };

	for (size_t i = 0; i < 2; i++) {
		size_t n = 0;
		uint8_t *auth = wgt_hex(mem, msgs[i], &n);

		for (size_t len = 0; len < n; len++) {
			struct tuser u = {};
			struct ntlmssp_server *s = tserver(mem, &u, true);
			struct ntlmssp_result res;
			uint8_t *cut = talloc_memdup(mem, auth, len + 1);

			ck_assert_int_ne(ntlmssp_server_authenticate(s, cut,
								     len,
								     &res), 0);
			ck_assert(!res.have_session_key);
			talloc_free(s);
			talloc_free(cut);
		}
	}
	talloc_free(mem);
}
END_TEST

static Suite *ntlmv1_suite(void)
{
	Suite *s = suite_create("ntlmv1");
	TCase *tc = tcase_create("ntlmv1");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_vectors_422);
	tcase_add_test(tc, test_vectors_423);
	tcase_add_test(tc, test_verify_slots);
	tcase_add_test(tc, test_server_422);
	tcase_add_test(tc, test_server_423);
	tcase_add_test(tc, test_server_refused);
	tcase_add_test(tc, test_server_lm_slot);
	tcase_add_test(tc, test_server_wrong);
	tcase_add_test(tc, test_server_truncated);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(ntlmv1_suite)
