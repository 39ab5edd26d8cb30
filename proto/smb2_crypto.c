/*
 * smb2_crypto.c - SMB2/3 signing, SP800-108 key derivation and the 3.1.1
 * preauth integrity hash (see smb2_crypto.h). Written from MS-SMB2
 * §3.1.4.1-2 and NIST SP800-108; every primitive comes from nettle.
 *
 * A message is always signed "with its signature field treated as zero":
 * rather than copy the message, each MAC is fed the bytes before the
 * signature, sixteen zero bytes, then the rest. The GCM AAD pieces are
 * 48 and 16 bytes long, which keeps nettle's rule that every update but
 * the last is a whole number of blocks.
 */
#include "proto/smb2_crypto.h"
#include "proto/smb2.h"

#include <stddef.h>
#include <string.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#define SIG_OFF SMB2_HDR_OFF_SIGNATURE
#define SIG_LEN 16
#define SIG_END (SIG_OFF + SIG_LEN)

static const uint8_t zero_sig[SIG_LEN];

/*
 * The KDF's PRF with the key already scheduled in keyed. out_len is 16
 * or 32: one PRF block either way, truncated to L bits.
 */
static void kdf_keyed(const struct hmac_sha256_ctx *keyed, const void *label,
		      size_t label_len, const void *context,
		      size_t context_len, uint8_t *out, size_t out_len)
{
	static const uint8_t counter_i[4] = { 0, 0, 0, 1 };
	static const uint8_t sep[1] = { 0 };
	uint8_t length_l[4] = { 0 };
	struct hmac_sha256_ctx ctx = *keyed;

	if (out_len > SHA256_DIGEST_SIZE) {
		out_len = SHA256_DIGEST_SIZE;
	}
	/* L in bits, big-endian: 128 = 00 00 00 80, 256 = 00 00 01 00 */
	length_l[2] = (uint8_t)((out_len * 8) >> 8);
	length_l[3] = (uint8_t)(out_len * 8);
	hmac_sha256_update(&ctx, sizeof(counter_i), counter_i);
	hmac_sha256_update(&ctx, label_len, label);
	hmac_sha256_update(&ctx, sizeof(sep), sep);
	hmac_sha256_update(&ctx, context_len, context);
	hmac_sha256_update(&ctx, sizeof(length_l), length_l);
	hmac_sha256_digest(&ctx, out_len, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

void smb2_kdf(const uint8_t key[16], const void *label, size_t label_len,
	      const void *context, size_t context_len, uint8_t *out,
	      size_t out_len)
{
	struct hmac_sha256_ctx keyed = {};

	hmac_sha256_set_key(&keyed, 16, key);
	kdf_keyed(&keyed, label, label_len, context, context_len, out,
		  out_len);
	explicit_bzero(&keyed, sizeof(keyed));
}

/* Labels and contexts of MS-SMB2 §3.1.4.2; sizeof() keeps the NUL. */
static const char l30_sign[] = "SMB2AESCMAC";
static const char c30_sign[] = "SmbSign";
static const char l30_app[] = "SMB2APP";
static const char c30_app[] = "SmbRpc";
static const char l30_ccm[] = "SMB2AESCCM";
static const char c30_out[] = "ServerOut";
static const char c30_in[] = "ServerIn ";
static const char l311_sign[] = "SMBSigningKey";
static const char l311_app[] = "SMBAppKey";
static const char l311_s2c[] = "SMBS2CCipherKey";
static const char l311_c2s[] = "SMBC2SCipherKey";

/*
 * The keys of a session share one HMAC key: schedule it once and copy
 * the keyed state per label (the key schedule was a fifth of a whole
 * session setup's user-space time). which: SMB2_KEYS_* (smb2_crypto.h).
 */
static void derive_30(const uint8_t sk[16], unsigned which,
		      struct smb2_keys *keys)
{
	struct hmac_sha256_ctx keyed = {};

	hmac_sha256_set_key(&keyed, 16, sk);
	if (which & SMB2_KEYS_SIGNING) {
		kdf_keyed(&keyed, l30_sign, sizeof(l30_sign), c30_sign,
			  sizeof(c30_sign), keys->signing, 16);
	}
	if (which & SMB2_KEYS_APPLICATION) {
		kdf_keyed(&keyed, l30_app, sizeof(l30_app), c30_app,
			  sizeof(c30_app), keys->application, 16);
	}
	if (which & SMB2_KEYS_CIPHER) {
		kdf_keyed(&keyed, l30_ccm, sizeof(l30_ccm), c30_out,
			  sizeof(c30_out), keys->encrypt, 16);
		kdf_keyed(&keyed, l30_ccm, sizeof(l30_ccm), c30_in,
			  sizeof(c30_in), keys->decrypt, 16);
		keys->cipher_key_len = 16;
	}
	explicit_bzero(&keyed, sizeof(keyed));
}

static void derive_311(const uint8_t sk[16],
		       const uint8_t preauth[SMB2_PREAUTH_HASH_SIZE],
		       size_t cipher_key_len, unsigned which,
		       struct smb2_keys *keys)
{
	const size_t n = SMB2_PREAUTH_HASH_SIZE;
	/* L = 256 for the AES-256 ciphers' keys only [MS-SMB2 §3.3.5.5.3] */
	const size_t ck = cipher_key_len == 32 ? 32 : 16;
	struct hmac_sha256_ctx keyed = {};

	hmac_sha256_set_key(&keyed, 16, sk);
	if (which & SMB2_KEYS_SIGNING) {
		kdf_keyed(&keyed, l311_sign, sizeof(l311_sign), preauth, n,
			  keys->signing, 16);
	}
	if (which & SMB2_KEYS_APPLICATION) {
		kdf_keyed(&keyed, l311_app, sizeof(l311_app), preauth, n,
			  keys->application, 16);
	}
	if (which & SMB2_KEYS_CIPHER) {
		kdf_keyed(&keyed, l311_s2c, sizeof(l311_s2c), preauth, n,
			  keys->encrypt, ck);
		kdf_keyed(&keyed, l311_c2s, sizeof(l311_c2s), preauth, n,
			  keys->decrypt, ck);
		keys->cipher_key_len = (uint8_t)ck;
	}
	explicit_bzero(&keyed, sizeof(keyed));
}

void smb2_derive_some_keys(uint16_t dialect, const uint8_t session_key[16],
			   const uint8_t preauth[SMB2_PREAUTH_HASH_SIZE],
			   size_t cipher_key_len, unsigned which,
			   struct smb2_keys *keys)
{
	if (dialect < SMB2_DIALECT_300) {
		if (which & SMB2_KEYS_SIGNING) {
			memcpy(keys->signing, session_key, 16);
		}
		return;
	}
	if (dialect == SMB2_DIALECT_311) {
		derive_311(session_key, preauth, cipher_key_len, which, keys);
		return;
	}
	derive_30(session_key, which, keys);
}

void smb2_derive_keys(uint16_t dialect, const uint8_t session_key[16],
		      const uint8_t preauth[SMB2_PREAUTH_HASH_SIZE],
		      size_t cipher_key_len, struct smb2_keys *keys)
{
	*keys = (struct smb2_keys) {};
	smb2_derive_some_keys(dialect, session_key, preauth, cipher_key_len,
			      SMB2_KEYS_ALL, keys);
}

/*
 * The bytes of *k an alg uses: the union's largest member (GMAC's 4 KiB
 * table) is zeroed and wiped only for GMAC, not for every HMAC or CMAC
 * key made and dropped per session.
 */
static size_t sign_key_used(enum smb2_sign_alg alg)
{
	switch (alg) {
	case SMB2_SIGN_HMAC_SHA256:
		return offsetof(struct smb2_sign_key, u) +
		       sizeof(((struct smb2_sign_key *)NULL)->u.hmac);
	case SMB2_SIGN_AES_CMAC:
		return offsetof(struct smb2_sign_key, u) +
		       sizeof(((struct smb2_sign_key *)NULL)->u.cmac);
	case SMB2_SIGN_AES_GMAC:
		break;
	}
	return sizeof(struct smb2_sign_key);
}

void smb2_sign_key_init(struct smb2_sign_key *k, enum smb2_sign_alg alg,
			const uint8_t key[16])
{
	memset(k, 0, sign_key_used(alg));
	k->alg = alg;
	switch (alg) {
	case SMB2_SIGN_HMAC_SHA256:
		hmac_sha256_set_key(&k->u.hmac, 16, key);
		return;
	case SMB2_SIGN_AES_CMAC:
		aes128_set_encrypt_key(&k->u.cmac.aes, key);
		cmac128_set_key(&k->u.cmac.sub, &k->u.cmac.aes,
				(nettle_cipher_func *)aes128_encrypt);
		return;
	case SMB2_SIGN_AES_GMAC:
		aes128_set_encrypt_key(&k->u.gmac.aes, key);
		gcm_set_key(&k->u.gmac.ghash, &k->u.gmac.aes,
			    (nettle_cipher_func *)aes128_encrypt);
		return;
	}
}

void smb2_sign_key_wipe(struct smb2_sign_key *k)
{
	explicit_bzero(k, sign_key_used(k->alg));
}

/* The keyed state is copied: nettle's HMAC updates its context. */
static void sig_hmac_sha256(const struct smb2_sign_key *k,
			    const uint8_t *msg, size_t len, uint8_t sig[16])
{
	struct hmac_sha256_ctx ctx = k->u.hmac;

	hmac_sha256_update(&ctx, SIG_OFF, msg);
	hmac_sha256_update(&ctx, SIG_LEN, zero_sig);
	hmac_sha256_update(&ctx, len - SIG_END, msg + SIG_END);
	hmac_sha256_digest(&ctx, SIG_LEN, sig);
	explicit_bzero(&ctx, sizeof(ctx));
}

static void sig_aes_cmac(const struct smb2_sign_key *k, const uint8_t *msg,
			 size_t len, uint8_t sig[16])
{
	nettle_cipher_func *f = (nettle_cipher_func *)aes128_encrypt;
	const void *aes = &k->u.cmac.aes;
	struct cmac128_ctx ctx = {};

	cmac128_init(&ctx);
	cmac128_update(&ctx, aes, f, SIG_OFF, msg);
	cmac128_update(&ctx, aes, f, SIG_LEN, zero_sig);
	cmac128_update(&ctx, aes, f, len - SIG_END, msg + SIG_END);
	cmac128_digest(&ctx, &k->u.cmac.sub, aes, f, SIG_LEN, sig);
	explicit_bzero(&ctx, sizeof(ctx));
}

/*
 * GMAC nonce [MS-SMB2 §3.1.4.1]: MessageId (8 bytes, as on the wire),
 * then a 32-bit little-endian word whose bit 0 is the role (1 = sent by
 * the server) and bit 1 is set for CANCEL; the other 30 bits are zero.
 */
static void gmac_nonce(const uint8_t *msg, uint8_t nonce[GCM_IV_SIZE])
{
	uint32_t flags = wire_le32(msg + SMB2_HDR_OFF_FLAGS);
	uint16_t cmd = wire_le16(msg + SMB2_HDR_OFF_COMMAND);
	uint32_t word = 0;

	if (flags & SMB2_FLAGS_SERVER_TO_REDIR) {
		word |= 1u;
	}
	if (cmd == SMB2_CANCEL) {
		word |= 2u;
	}
	memcpy(nonce, msg + SMB2_HDR_OFF_MID, 8);
	wire_setle32(nonce + 8, word);
}

static void sig_aes_gmac(const struct smb2_sign_key *k, const uint8_t *msg,
			 size_t len, uint8_t sig[16])
{
	const struct gcm_key *gk = &k->u.gmac.ghash;
	struct gcm_ctx ctx = {};
	uint8_t nonce[GCM_IV_SIZE] = { 0 };

	gmac_nonce(msg, nonce);
	gcm_set_iv(&ctx, gk, sizeof(nonce), nonce);
	/* GMAC = GCM with the message as AAD and no plaintext. */
	gcm_update(&ctx, gk, SIG_OFF, msg);
	gcm_update(&ctx, gk, SIG_LEN, zero_sig);
	gcm_update(&ctx, gk, len - SIG_END, msg + SIG_END);
	gcm_digest(&ctx, gk, &k->u.gmac.aes,
		   (nettle_cipher_func *)aes128_encrypt, SIG_LEN, sig);
	explicit_bzero(&ctx, sizeof(ctx));
}

void smb2_key_signature(const struct smb2_sign_key *k, const uint8_t *msg,
			size_t len, uint8_t sig[16])
{
	if (len < SMB2_HDR_SIZE) {
		/* Too short to be a message (callers must not pass one);
		 * keep the output defined. smb2_key_verify() rejects such
		 * a length before it gets here. */
		memset(sig, 0, SIG_LEN);
		return;
	}
	switch (k->alg) {
	case SMB2_SIGN_HMAC_SHA256:
		sig_hmac_sha256(k, msg, len, sig);
		return;
	case SMB2_SIGN_AES_CMAC:
		sig_aes_cmac(k, msg, len, sig);
		return;
	case SMB2_SIGN_AES_GMAC:
		sig_aes_gmac(k, msg, len, sig);
		return;
	}
	memset(sig, 0, SIG_LEN);
}

void smb2_key_sign(const struct smb2_sign_key *k, uint8_t *msg, size_t len)
{
	uint32_t flags = 0;

	if (len < SMB2_HDR_SIZE) {
		return;
	}
	/* The flag is part of the signed bytes, so set it first. */
	flags = wire_le32(msg + SMB2_HDR_OFF_FLAGS);
	wire_setle32(msg + SMB2_HDR_OFF_FLAGS, flags | SMB2_FLAGS_SIGNED);
	smb2_key_signature(k, msg, len, msg + SIG_OFF);
}

int smb2_key_verify(const struct smb2_sign_key *k, const uint8_t *msg,
		    size_t len)
{
	uint8_t sig[SIG_LEN] = { 0 };
	int ok = 0;

	if (len < SMB2_HDR_SIZE) {
		return WIRE_E_AUTH;
	}
	if (k->alg != SMB2_SIGN_HMAC_SHA256 && k->alg != SMB2_SIGN_AES_CMAC &&
	    k->alg != SMB2_SIGN_AES_GMAC) {
		return WIRE_E_AUTH;
	}
	smb2_key_signature(k, msg, len, sig);
	ok = memeql_sec(sig, msg + SIG_OFF, SIG_LEN);
	explicit_bzero(sig, sizeof(sig));
	return ok ? 0 : WIRE_E_AUTH;
}

/*
 * The raw-key entry points expand the key for the one message, on the
 * stack (over 4 KiB for GMAC), and wipe it before returning.
 */
void smb2_signature(enum smb2_sign_alg alg, const uint8_t key[16],
		    const uint8_t *msg, size_t len, uint8_t sig[16])
{
	struct smb2_sign_key k;

	if (len < SMB2_HDR_SIZE) {
		memset(sig, 0, SIG_LEN);
		return;
	}
	smb2_sign_key_init(&k, alg, key);
	smb2_key_signature(&k, msg, len, sig);
	smb2_sign_key_wipe(&k);
}

void smb2_sign(enum smb2_sign_alg alg, const uint8_t key[16], uint8_t *msg,
	       size_t len)
{
	struct smb2_sign_key k;

	if (len < SMB2_HDR_SIZE) {
		return;
	}
	smb2_sign_key_init(&k, alg, key);
	smb2_key_sign(&k, msg, len);
	smb2_sign_key_wipe(&k);
}

int smb2_verify(enum smb2_sign_alg alg, const uint8_t key[16],
		const uint8_t *msg, size_t len)
{
	struct smb2_sign_key k;
	int rc = 0;

	if (len < SMB2_HDR_SIZE) {
		return WIRE_E_AUTH;
	}
	smb2_sign_key_init(&k, alg, key);
	rc = smb2_key_verify(&k, msg, len);
	smb2_sign_key_wipe(&k);
	return rc;
}

void smb2_preauth_update(uint8_t hash[SMB2_PREAUTH_HASH_SIZE],
			 const uint8_t *msg, size_t len)
{
	struct sha512_ctx ctx = {};

	sha512_init(&ctx);
	sha512_update(&ctx, SMB2_PREAUTH_HASH_SIZE, hash);
	sha512_update(&ctx, len, msg);
	sha512_digest(&ctx, SMB2_PREAUTH_HASH_SIZE, hash);
}
