/*
 * ntlm_cr.c - NTLM challenge/response without NTLMSSP (see ntlm_cr.h).
 */
#include "proto/ntlm_cr.h"
#include "proto/ntlmssp.h"
#include "proto/ntlmv1.h"

#include <string.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

#define PROOF_LEN	16

enum ntlm_cr_kind ntlm_cr_classify(const uint8_t *lm, size_t lm_len,
				   size_t nt_len)
{
	if (nt_len == 0 &&
	    (lm_len == 0 || (lm_len == 1 && lm != NULL && lm[0] == 0))) {
		return NTLM_CR_ANONYMOUS;
	}
	if (nt_len > NTLMV1_RESP_LEN) {
		return NTLM_CR_V2;
	}
	if (nt_len == NTLMV1_RESP_LEN) {
		return NTLM_CR_V1;
	}
	if (nt_len == 0 && lm_len == NTLMV1_RESP_LEN) {
		return NTLM_CR_LM24;
	}
	return NTLM_CR_INVALID;
}

static void hmac2(const uint8_t key[16], const uint8_t *a, size_t a_len,
		  const uint8_t *b, size_t b_len, uint8_t out[16])
{
	struct hmac_md5_ctx ctx = {};

	hmac_md5_set_key(&ctx, 16, key);
	hmac_md5_update(&ctx, a_len, a);
	if (b_len > 0) {
		hmac_md5_update(&ctx, b_len, b);
	}
	hmac_md5_digest(&ctx, MD5_DIGEST_SIZE, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

/*
 * resp = proof(16) || rest: proof must be HMAC-MD5(NTOWFv2, chal ||
 * rest) (NTLMv2: rest is the blob; LMv2: the 8-byte client challenge).
 * The user session key is then HMAC-MD5(NTOWFv2, proof).
 */
static int check_v2(const struct ntlm_cr_in *in, const uint8_t nt_hash[16],
		    const char *domain, const uint8_t *resp, size_t len,
		    uint8_t key[16])
{
	uint8_t owf[16] = {};
	uint8_t expect[16] = {};
	int rc = ntlm_ntowf_v2(nt_hash, in->user, domain, owf);

	if (rc != 0) {
		return rc;
	}
	hmac2(owf, in->challenge, 8, resp + PROOF_LEN, len - PROOF_LEN,
	      expect);
	if (!memeql_sec(expect, resp, PROOF_LEN)) {
		rc = WIRE_E_AUTH;
	} else {
		hmac2(owf, resp, PROOF_LEN, NULL, 0, key);
	}
	explicit_bzero(owf, sizeof(owf));
	explicit_bzero(expect, sizeof(expect));
	return rc;
}

/* With the domain as sent, then without one. */
static int check_v2_domains(const struct ntlm_cr_in *in,
			    const uint8_t nt_hash[16], const uint8_t *resp,
			    size_t len, uint8_t key[16])
{
	const char *dom = in->domain != NULL ? in->domain : "";
	int rc = check_v2(in, nt_hash, dom, resp, len, key);

	if (rc == WIRE_E_AUTH && dom[0] != '\0') {
		rc = check_v2(in, nt_hash, "", resp, len, key);
	}
	return rc;
}

int ntlm_cr_verify(const struct ntlm_cr_in *in, const uint8_t nt_hash[16],
		   struct ntlm_cr_out *out)
{
	enum ntlm_cr_kind kind = ntlm_cr_classify(in->lm, in->lm_len,
						  in->nt_len);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	switch (kind) {
	case NTLM_CR_V2:
		rc = check_v2_domains(in, nt_hash, in->nt, in->nt_len,
				      out->session_key);
		if (rc == 0) {
			out->mac_resp = in->nt;
			out->mac_resp_len = in->nt_len;
		}
		return rc;
	case NTLM_CR_LM24:
		/* LMv2 first: it is allowed whatever the policy */
		rc = check_v2_domains(in, nt_hash, in->lm, in->lm_len,
				      out->session_key);
		if (rc != WIRE_E_AUTH) {
			if (rc == 0) {
				out->mac_resp = in->lm;
				out->mac_resp_len = in->lm_len;
			}
			return rc;
		}
		/* else LM or NTLMv1 in the LM slot */
		/* fall through */
	case NTLM_CR_V1:
		out->ntlmv1 = true;
		if (!in->permit_v1) {
			out->ntlmv1_refused = true;
			return WIRE_E_AUTH;
		}
		rc = ntlmv1_verify(nt_hash, in->challenge, false, in->lm,
				   in->lm_len, in->nt, in->nt_len,
				   out->session_key);
		if (rc != 0) {
			explicit_bzero(out->session_key,
				       sizeof(out->session_key));
			return rc;
		}
		out->mac_resp = in->nt_len > 0 ? in->nt : in->lm;
		out->mac_resp_len = NTLMV1_RESP_LEN;
		return 0;
	case NTLM_CR_ANONYMOUS:
	case NTLM_CR_INVALID:
	default:
		return WIRE_E_INVALID;
	}
}
