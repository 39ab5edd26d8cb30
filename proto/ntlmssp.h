/*
 * ntlmssp.h - NTLMSSP server side [MS-NLMP]: NEGOTIATE -> CHALLENGE ->
 * AUTHENTICATE with NTLMv2, MIC and key exchange; anonymous logons.
 * Pure: the caller supplies the server challenge, the time and a callback
 * that finds a user's NT hash. All crypto via nettle.
 */
#ifndef WG_PROTO_NTLMSSP_H
#define WG_PROTO_NTLMSSP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "proto/wire.h"

#define NTLMSSP_NEGOTIATE_UNICODE		0x00000001u
#define NTLMSSP_NEGOTIATE_OEM			0x00000002u
#define NTLMSSP_REQUEST_TARGET			0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN			0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL			0x00000020u
#define NTLMSSP_NEGOTIATE_LM_KEY		0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM			0x00000200u
#define NTLMSSP_ANONYMOUS			0x00000800u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN		0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN		0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER		0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY		0x00100000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO		0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION		0x02000000u
#define NTLMSSP_NEGOTIATE_128			0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH		0x40000000u
#define NTLMSSP_NEGOTIATE_56			0x80000000u

/* MD4(UTF-16LE(password)); password is UTF-8. Returns 0 or WIRE_E_INVALID
 * (bad UTF-8). */
int ntlm_nt_hash(const char *password, uint8_t out[16]) WIRE_WUR;

/*
 * NTOWFv2 [MS-NLMP §3.3.2]: HMAC-MD5(nt_hash, UTF-16LE(Uppercase(user) ||
 * domain)); user and domain are UTF-8, the domain keeps its case.
 * Returns 0, WIRE_E_INVALID (bad UTF-8) or WIRE_E_NOMEM.
 */
int ntlm_ntowf_v2(const uint8_t nt_hash[16], const char *user,
		  const char *domain, uint8_t out[16]) WIRE_WUR;

/* Who the server is, for the CHALLENGE target info (UTF-8 strings). */
struct ntlmssp_server_info {
	const char *netbios_domain;	/* workgroup, upper case */
	const char *netbios_computer;	/* netbios name, upper case */
	const char *dns_domain;		/* may be "" */
	const char *dns_computer;	/* may be "" */
};

/*
 * Look up a user's NT hash. user/domain are UTF-8 as sent by the client.
 * Return 0 and fill nt_hash, or -1 if there is no such user.
 */
typedef int (*ntlmssp_lookup_fn)(void *priv, const char *user,
				 const char *domain, uint8_t nt_hash[16]);

struct ntlmssp_server;

/* Create server state as a talloc child of mem_ctx; NULL on no memory. */
struct ntlmssp_server *ntlmssp_server_new(void *mem_ctx,
					  const struct ntlmssp_server_info *info,
					  ntlmssp_lookup_fn lookup, void *priv);

/*
 * Accept NTLMv1 responses (`ntlm auth = ntlmv1-permitted`); off by
 * default. Call before the AUTHENTICATE. See ntlmv1.h for what is
 * verified (NTLMv1, with and without extended session security, and the
 * NTLMv1 response in the LM slot; never a real LM response).
 */
void ntlmssp_server_permit_ntlmv1(struct ntlmssp_server *s, bool permit);

/*
 * Leg 1: consume the client's NEGOTIATE message and append the CHALLENGE
 * message to out. challenge is 8 random bytes from the caller; now_nt is
 * the current time as NT FILETIME (for the MsvAvTimestamp pair).
 * Errors: WIRE_E_SHORT, WIRE_E_INVALID (not a NEGOTIATE, or called
 * twice), WIRE_E_TOOBIG (neg_len > 65535), WIRE_E_NOMEM. On failure out
 * is untouched and the server still waits for a NEGOTIATE.
 */
int ntlmssp_server_challenge(struct ntlmssp_server *s, const uint8_t *neg,
			     size_t neg_len, const uint8_t challenge[8],
			     uint64_t now_nt, struct wire_wr *out) WIRE_WUR;

/* The outcome of leg 2. Strings are talloc children of the server state. */
struct ntlmssp_result {
	bool anonymous;			/* null session */
	char *user;			/* as sent, UTF-8 ("" if anonymous) */
	char *domain;			/* as sent, UTF-8 */
	char *workstation;		/* as sent, UTF-8, may be "" */
	uint8_t session_key[16];	/* ExportedSessionKey; zero if anon */
	bool have_session_key;
	bool ntlmv1;			/* the response was NTLMv1 or LM */
	bool ntlmv1_refused;		/* ... and NTLMv1 is not permitted */
};

/*
 * Leg 2: verify the AUTHENTICATE message. NTLMv2; NTLMv1 (a 24-byte NT
 * response, or an empty one and 24 bytes of LM) only when permitted,
 * else WIRE_E_AUTH with ntlmv1_refused set and no user looked up.
 * Anonymous (empty user and empty NT
 * response, LM empty or one zero byte) succeeds with anonymous = true.
 * The MIC, when MsvAvFlags says it is present, is checked over
 * NEGOTIATE || CHALLENGE || AUTHENTICATE.
 * Errors: WIRE_E_SHORT/WIRE_E_BOUNDS/WIRE_E_INVALID (malformed),
 * WIRE_E_AUTH (unknown user, wrong password, bad MIC, NTLMv1 refused).
 * res is zeroed first; on WIRE_E_AUTH user/domain/workstation are still
 * filled in (for logging) but there is no key. Only one call per state:
 * a second call, or one before the CHALLENGE, gives WIRE_E_INVALID.
 */
int ntlmssp_server_authenticate(struct ntlmssp_server *s, const uint8_t *auth,
				size_t auth_len, struct ntlmssp_result *res)
	WIRE_WUR;

/*
 * After a successful authenticate: compute the NTLMSSP signature (seq 0,
 * with the negotiated flags' keys) over data, for the SPNEGO
 * mechListMIC [MS-NLMP §3.4.4.2], and check the client's. Return
 * 0 / WIRE_E_AUTH. sig is 16 bytes. An NTLMv1 logon without extended
 * session security has no such signature here: WIRE_E_AUTH (clients of
 * that kind send no mechListMIC).
 */
int ntlmssp_server_check_mic(struct ntlmssp_server *s, const uint8_t *data,
			     size_t len, const uint8_t *sig, size_t sig_len)
	WIRE_WUR;
/* Produce the server's mechListMIC (server-to-client seq 0). Each call
 * signs with seq 0 and a fresh RC4 handle. Without a session key (no
 * successful authenticate, or anonymous) sig is all zeros. */
void ntlmssp_server_make_mic(struct ntlmssp_server *s, const uint8_t *data,
			     size_t len, uint8_t sig[16]);

#endif
