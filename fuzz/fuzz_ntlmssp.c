/*
 * fuzz_ntlmssp.c - libFuzzer target for the NTLMSSP server.
 *
 * Each input is used twice: as the AUTHENTICATE after a fixed NEGOTIATE
 * and CHALLENGE (server challenge and time fixed, so a seed built for
 * them reaches the MIC and key-exchange code), and as a NEGOTIATE, then
 * as the AUTHENTICATE too. Every user exists, with password "Password".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/ntlmssp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t challenge[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

/* NEGOTIATE asking for KEY_EXCH, SIGN, SEAL, 128/56, ESS, VERSION. */
static const uint8_t negotiate[40] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
	0x01, 0x00, 0x00, 0x00, 0x35, 0x82, 0x08, 0xe2,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0x0a, 0x00, 0x61, 0x4a, 0x00, 0x00, 0x00, 0x0f,
};

#define FUZZ_NOW_NT 0x01d0000000000000ull

static const struct ntlmssp_server_info info = {
	.netbios_domain = "WORKGROUP",
	.netbios_computer = "WGSMB",
	.dns_domain = "",
	.dns_computer = "wgsmb",
};

/* NT hash of "Password" */
static const uint8_t password_hash[16] = {
	0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10, 0xbd, 0xca,
	0xb6, 0x82, 0x4e, 0xe7, 0xc3, 0x0f, 0xd8, 0x52,
};

static int lookup(void *priv, const char *user, const char *domain,
		  uint8_t nt_hash[16])
{
	if (user == NULL || domain == NULL) {
		abort();
	}
	memcpy(nt_hash, password_hash, 16);
	return 0;
}

static void after_auth(struct ntlmssp_server *s,
		       const struct ntlmssp_result *res, const uint8_t *data,
		       size_t size)
{
	uint8_t sig[16] = {};

	if (res->user == NULL || res->domain == NULL ||
	    res->workstation == NULL) {
		abort();
	}
	ntlmssp_server_make_mic(s, data, size, sig);
	if (ntlmssp_server_check_mic(s, data, size, data,
				     size < 16 ? size : 16) == 0 &&
	    !res->have_session_key) {
		abort();
	}
}

static void run(const uint8_t *neg, size_t neg_len, const uint8_t *auth,
		size_t auth_len, bool permit_v1)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ntlmssp_server *s = ntlmssp_server_new(mem, &info, lookup,
						      NULL);
	struct ntlmssp_result res = {};
	struct wire_wr out;
	int rc = 0;

	if (s == NULL) {
		abort();
	}
	ntlmssp_server_permit_ntlmv1(s, permit_v1);
	wire_wr_init(&out, mem, 0);
	rc = ntlmssp_server_challenge(s, neg, neg_len, challenge, FUZZ_NOW_NT,
				      &out);
	if (rc != 0) {
		if (out.len != 0) {
			abort();
		}
		goto done;
	}
	rc = ntlmssp_server_authenticate(s, auth, auth_len, &res);
	if (rc == 0 || rc == WIRE_E_AUTH) {
		after_auth(s, &res, auth, auth_len);
	}
	if (rc != 0 && res.have_session_key) {
		abort();
	}
	/* refused NTLMv1 is refused, and only when not permitted */
	if (res.ntlmv1_refused && (rc == 0 || permit_v1 || !res.ntlmv1)) {
		abort();
	}
done:
	talloc_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NTLMv1 (a 24-byte response) both refused and verified */
	run(negotiate, sizeof(negotiate), data, size, false);
	run(negotiate, sizeof(negotiate), data, size, true);
	run(data, size, data, size, true);
	return 0;
}
