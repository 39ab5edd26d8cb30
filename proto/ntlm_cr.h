/*
 * ntlm_cr.h - NTLM challenge/response without NTLMSSP: what an SMB1
 * client that does not use extended security sends in SESSION_SETUP_ANDX
 * [MS-CIFS §3.2.4.2.4, §3.3.5.3; MS-NLMP §3.3.1, §3.3.2]: an 8-byte
 * server challenge from NEGOTIATE, and an LM-slot (OEM password) and an
 * NT-slot (Unicode password) response. Pure: HMAC-MD5 from nettle, the
 * NTLMv1 side from ntlmv1.h.
 *
 * What is accepted: NTLMv2 (NT slot longer than 24 bytes) and LMv2 (LM
 * slot of 24 bytes, NT slot empty or not NTLMv2) always; NTLMv1 (NT slot
 * of 24 bytes, or the NTLMv1 response in the LM slot) only when the
 * caller permits it. A genuine LM response cannot be verified (no LM
 * hashes are kept) and fails.
 */
#ifndef WG_PROTO_NTLM_CR_H
#define WG_PROTO_NTLM_CR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "proto/wire.h"

/* What kind of logon the two slots carry, before any user is looked up. */
enum ntlm_cr_kind {
	NTLM_CR_ANONYMOUS,	/* both empty (the LM slot may be one NUL) */
	NTLM_CR_V2,		/* NTLMv2 in the NT slot */
	NTLM_CR_V1,		/* 24 bytes of NTLMv1 in the NT slot */
	/* NT slot empty, 24 LM-slot bytes: LMv2, or LM / NTLMv1 there
	 * (the NTLMv1 rules) */
	NTLM_CR_LM24,
	NTLM_CR_INVALID,	/* any other lengths (plaintext, short) */
};

enum ntlm_cr_kind ntlm_cr_classify(const uint8_t *lm, size_t lm_len,
				   size_t nt_len);

/* One logon to verify; user and domain are UTF-8 as the client sent. */
struct ntlm_cr_in {
	const uint8_t *challenge;	/* 8 bytes */
	const char *user;
	const char *domain;
	const uint8_t *lm;
	size_t lm_len;
	const uint8_t *nt;
	size_t nt_len;
	bool permit_v1;
};

struct ntlm_cr_out {
	bool ntlmv1;		/* verified (or refused) as NTLMv1/LM */
	bool ntlmv1_refused;	/* NTLMv1 and !permit_v1 */
	uint8_t session_key[16];	/* the user session key */
	/* The response that follows the key in the SMB1 MAC key
	 * [MS-CIFS §3.1.5.1]: points into in->nt or in->lm. */
	const uint8_t *mac_resp;
	size_t mac_resp_len;
};

/*
 * Verify in against the user's NT hash (the caller looked it up; for an
 * NTLMv1 logon that is refused the hash is not used: call with any).
 * NTLMv2 and LMv2 are tried with the domain as sent and then with an
 * empty domain. Returns 0 (out filled), WIRE_E_AUTH (wrong response,
 * refused NTLMv1: out->ntlmv1_refused), WIRE_E_INVALID (lengths no
 * logon has) or WIRE_E_NOMEM. Comparisons are in constant time.
 */
int ntlm_cr_verify(const struct ntlm_cr_in *in, const uint8_t nt_hash[16],
		   struct ntlm_cr_out *out) WIRE_WUR;

#endif
