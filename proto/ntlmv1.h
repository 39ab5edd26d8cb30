/*
 * ntlmv1.h - NTLMv1 challenge/response [MS-NLMP §3.3.1, §6 DESL] and its
 * keys [§3.4.5.1], with and without extended session security (the
 * "NTLM2 session response" that mixes an 8-byte client challenge in
 * with MD5). Shared by NTLMSSP (ntlmssp.c, for SMB2 and SMB1 extended
 * security) and SMB1's non-extended challenge/response. Pure: DES, MD4,
 * MD5 and HMAC-MD5 from nettle.
 *
 * LM: wgsmb keeps NT hashes only, never the LM hash (LMOWFv1 needs the
 * password). A genuine LM response therefore cannot be verified and is
 * refused. What is accepted in the LM slot is the NTLMv1 response itself,
 * which some clients put there when they send no NT response.
 */
#ifndef WG_PROTO_NTLMV1_H
#define WG_PROTO_NTLMV1_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "proto/wire.h"

#define NTLMV1_RESP_LEN		24

/*
 * DESL(K, D) [MS-NLMP §6]: three DES encryptions of the 8-byte D, keyed
 * by K[0..6], K[7..13] and K[14..15] padded with five zero bytes; out is
 * their concatenation.
 */
void ntlm_desl(const uint8_t key[16], const uint8_t data[8],
	       uint8_t out[NTLMV1_RESP_LEN]);

/*
 * The NTLMv1 NtChallengeResponse for an NT hash (NTOWFv1). Without
 * extended session security (client_chal NULL): DESL(nt_hash,
 * server_chal). With it: DESL(nt_hash, MD5(server_chal ||
 * client_chal)[0..7]).
 */
void ntlmv1_response(const uint8_t nt_hash[16], const uint8_t server_chal[8],
		     const uint8_t *client_chal, uint8_t out[NTLMV1_RESP_LEN]);

/* SessionBaseKey for NTLMv1: MD4(NT hash). */
void ntlmv1_session_base_key(const uint8_t nt_hash[16], uint8_t out[16]);

/*
 * KeyExchangeKey for NTLMv1 [MS-NLMP §3.4.5.1], for the flag sets this
 * server negotiates (never NEGOTIATE_LM_KEY nor
 * REQUEST_NON_NT_SESSION_KEY, both of which need the LM hash): with
 * extended session security HMAC-MD5(base_key, server_chal ||
 * lm_resp[0..7]), else base_key itself.
 */
void ntlmv1_key_exchange_key(const uint8_t base_key[16], bool ess,
			     const uint8_t server_chal[8],
			     const uint8_t lm_resp8[8], uint8_t out[16]);

/*
 * Verify an NTLMv1 logon against a user's NT hash.
 *  - nt_len 24: the NTLMv1 response (with ess, the client challenge is
 *    lm[0..7], so lm_len must be at least 8).
 *  - nt_len 0, lm_len 24, no ess: the LM slot is checked against the
 *    NTLMv1 response (see above); a real LM response fails.
 * On success base_key gets the SessionBaseKey. Comparison is in constant
 * time. Returns 0 or WIRE_E_AUTH (wrong response or lengths).
 */
int ntlmv1_verify(const uint8_t nt_hash[16], const uint8_t server_chal[8],
		  bool ess, const uint8_t *lm, size_t lm_len,
		  const uint8_t *nt, size_t nt_len, uint8_t base_key[16])
	WIRE_WUR;

#endif
