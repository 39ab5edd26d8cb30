/*
 * ntlmv1.c - NTLMv1 responses and keys (see ntlmv1.h).
 */
#include "proto/ntlmv1.h"

#include <string.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

/* Spread 56 key bits over 8 bytes, 7 bits each, parity fixed [§6]. */
static void des_key_from_56(const uint8_t in[7], uint8_t out[8])
{
	out[0] = in[0];
	out[1] = (uint8_t)(in[0] << 7 | in[1] >> 1);
	out[2] = (uint8_t)(in[1] << 6 | in[2] >> 2);
	out[3] = (uint8_t)(in[2] << 5 | in[3] >> 3);
	out[4] = (uint8_t)(in[3] << 4 | in[4] >> 4);
	out[5] = (uint8_t)(in[4] << 3 | in[5] >> 5);
	out[6] = (uint8_t)(in[5] << 2 | in[6] >> 6);
	out[7] = (uint8_t)(in[6] << 1);
	des_fix_parity(8, out, out);
}

static void des_block(const uint8_t key7[7], const uint8_t data[8],
		      uint8_t out[8])
{
	struct des_ctx ctx = {};
	uint8_t key[8] = {};

	des_key_from_56(key7, key);
	/* A weak key (an NT hash with zero bytes) is still a key here:
	 * nettle sets the schedule up either way. */
	(void)des_set_key(&ctx, key);
	des_encrypt(&ctx, 8, out, data);
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(key, sizeof(key));
}

void ntlm_desl(const uint8_t key[16], const uint8_t data[8],
	       uint8_t out[NTLMV1_RESP_LEN])
{
	uint8_t last[7] = {};

	memcpy(last, key + 14, 2);
	des_block(key, data, out);
	des_block(key + 7, data, out + 8);
	des_block(last, data, out + 16);
	explicit_bzero(last, sizeof(last));
}

void ntlmv1_response(const uint8_t nt_hash[16], const uint8_t server_chal[8],
		     const uint8_t *client_chal, uint8_t out[NTLMV1_RESP_LEN])
{
	struct md5_ctx ctx = {};
	uint8_t digest[MD5_DIGEST_SIZE] = {};

	if (client_chal == NULL) {
		ntlm_desl(nt_hash, server_chal, out);
		return;
	}
	md5_init(&ctx);
	md5_update(&ctx, 8, server_chal);
	md5_update(&ctx, 8, client_chal);
	md5_digest(&ctx, sizeof(digest), digest);
	ntlm_desl(nt_hash, digest, out);
}

void ntlmv1_session_base_key(const uint8_t nt_hash[16], uint8_t out[16])
{
	struct md4_ctx ctx = {};

	md4_init(&ctx);
	md4_update(&ctx, 16, nt_hash);
	md4_digest(&ctx, MD4_DIGEST_SIZE, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

void ntlmv1_key_exchange_key(const uint8_t base_key[16], bool ess,
			     const uint8_t server_chal[8],
			     const uint8_t lm_resp8[8], uint8_t out[16])
{
	struct hmac_md5_ctx ctx = {};

	if (!ess) {
		memmove(out, base_key, 16);
		return;
	}
	hmac_md5_set_key(&ctx, 16, base_key);
	hmac_md5_update(&ctx, 8, server_chal);
	hmac_md5_update(&ctx, 8, lm_resp8);
	hmac_md5_digest(&ctx, MD5_DIGEST_SIZE, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

int ntlmv1_verify(const uint8_t nt_hash[16], const uint8_t server_chal[8],
		  bool ess, const uint8_t *lm, size_t lm_len,
		  const uint8_t *nt, size_t nt_len, uint8_t base_key[16])
{
	uint8_t expect[NTLMV1_RESP_LEN] = {};
	const uint8_t *got = NULL;
	int rc = WIRE_E_AUTH;

	if (nt_len == NTLMV1_RESP_LEN) {
		if (ess && lm_len < 8) {
			return WIRE_E_AUTH;
		}
		ntlmv1_response(nt_hash, server_chal, ess ? lm : NULL, expect);
		got = nt;
	} else if (nt_len == 0 && lm_len == NTLMV1_RESP_LEN && !ess) {
		ntlmv1_response(nt_hash, server_chal, NULL, expect);
		got = lm;
	} else {
		return WIRE_E_AUTH;
	}
	if (memeql_sec(expect, got, NTLMV1_RESP_LEN)) {
		ntlmv1_session_base_key(nt_hash, base_key);
		rc = 0;
	}
	explicit_bzero(expect, sizeof(expect));
	return rc;
}
