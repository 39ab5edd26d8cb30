/*
 * smb2_transform.c - SMB 3.x transform header and AES-128/256-CCM/GCM
 * encryption (see smb2_transform.h). Written from MS-SMB2 §2.2.41,
 * §3.1.4.3 and §3.3.5.2.1.1, RFC 5084 and nettle's ccm.h/gcm.h.
 *
 * All four ciphers run through one helper with the same shape: expanded
 * key (read-only), nonce, 32 bytes of AAD in a single update, the
 * payload, a 16-byte tag. The
 * received tag is compared with memeql_sec so the time taken does not
 * depend on where the first differing byte is.
 */
#include "proto/smb2_transform.h"
#include "proto/smb2.h"

#include <string.h>
#include <talloc.h>
#include <nettle/ccm.h>
#include <nettle/memops.h>

#define TAG_LEN SMB2_TRANSFORM_SIG_SIZE
#define HDR_LEN SMB2_TRANSFORM_HDR_SIZE

static const uint8_t transform_magic[4] = { 0xFD, 'S', 'M', 'B' };

size_t smb2_cipher_nonce_len(enum smb2_cipher c)
{
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
	case SMB2_CIPHER_AES256_CCM:
		return 11;
	case SMB2_CIPHER_AES128_GCM:
	case SMB2_CIPHER_AES256_GCM:
		return 12;
	case SMB2_CIPHER_NONE:
		break;
	}
	return 0;
}

size_t smb2_cipher_key_len(enum smb2_cipher c)
{
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
	case SMB2_CIPHER_AES128_GCM:
		return 16;
	case SMB2_CIPHER_AES256_CCM:
	case SMB2_CIPHER_AES256_GCM:
		return 32;
	case SMB2_CIPHER_NONE:
		break;
	}
	return 0;
}

const char *smb2_cipher_name(enum smb2_cipher c)
{
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
		return "AES-128-CCM";
	case SMB2_CIPHER_AES128_GCM:
		return "AES-128-GCM";
	case SMB2_CIPHER_AES256_CCM:
		return "AES-256-CCM";
	case SMB2_CIPHER_AES256_GCM:
		return "AES-256-GCM";
	case SMB2_CIPHER_NONE:
		break;
	}
	return "none";
}

int smb2_transform_pull(struct wire_rd *r, struct smb2_transform_hdr *h)
{
	struct wire_rd t = *r;
	struct smb2_transform_hdr tmp = {};
	const uint8_t *magic = NULL;
	int rc = 0;

	if (wire_left(r) < HDR_LEN) {
		return WIRE_E_SHORT;
	}
	rc = wire_get_ptr(&t, &magic, sizeof(transform_magic));
	if (rc != 0) {
		return rc;
	}
	if (memcmp(magic, transform_magic, sizeof(transform_magic)) != 0) {
		return WIRE_E_INVALID;
	}
	/* Length was checked above: none of these can fail. */
	rc = wire_get_bytes(&t, tmp.signature, sizeof(tmp.signature));
	if (rc == 0) {
		rc = wire_get_bytes(&t, tmp.nonce, sizeof(tmp.nonce));
	}
	if (rc == 0) {
		rc = wire_get_u32le(&t, &tmp.original_size);
	}
	if (rc == 0) {
		rc = wire_get_u16le(&t, &tmp.reserved);
	}
	if (rc == 0) {
		rc = wire_get_u16le(&t, &tmp.flags);
	}
	if (rc == 0) {
		rc = wire_get_u64le(&t, &tmp.session_id);
	}
	if (rc != 0) {
		return rc;
	}
	if (tmp.flags != SMB2_TRANSFORM_FLAG_ENCRYPTED) {
		return WIRE_E_INVALID;
	}
	*h = tmp;
	*r = t;
	return 0;
}

static void transform_encode(uint8_t p[HDR_LEN],
			     const struct smb2_transform_hdr *h)
{
	memcpy(p, transform_magic, sizeof(transform_magic));
	memcpy(p + 4, h->signature, sizeof(h->signature));
	memcpy(p + 20, h->nonce, sizeof(h->nonce));
	wire_setle32(p + 36, h->original_size);
	wire_setle16(p + 40, h->reserved);
	wire_setle16(p + 42, h->flags);
	wire_setle64(p + 44, h->session_id);
}

void smb2_transform_push(struct wire_wr *w,
			 const struct smb2_transform_hdr *h)
{
	uint8_t p[HDR_LEN] = {};

	transform_encode(p, h);
	wire_put_bytes(w, p, sizeof(p));
}

void smb2_crypt_key_init(struct smb2_crypt_key *k, enum smb2_cipher c,
			 const uint8_t *key)
{
	*k = (struct smb2_crypt_key) { .cipher = c };
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
		aes128_set_encrypt_key(&k->aes.a128, key);
		break;
	case SMB2_CIPHER_AES128_GCM:
		aes128_set_encrypt_key(&k->aes.a128, key);
		gcm_set_key(&k->ghash, &k->aes.a128,
			    (nettle_cipher_func *)aes128_encrypt);
		break;
	case SMB2_CIPHER_AES256_CCM:
		aes256_set_encrypt_key(&k->aes.a256, key);
		break;
	case SMB2_CIPHER_AES256_GCM:
		aes256_set_encrypt_key(&k->aes.a256, key);
		gcm_set_key(&k->ghash, &k->aes.a256,
			    (nettle_cipher_func *)aes256_encrypt);
		break;
	case SMB2_CIPHER_NONE:
		break;
	}
}

void smb2_crypt_key_wipe(struct smb2_crypt_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

/* CCM over n bytes with the key schedule read-only; state on the stack. */
static void ccm_run(const void *aes, nettle_cipher_func *f,
		    const uint8_t *nonce, const uint8_t *aad, bool encrypt,
		    const uint8_t *src, uint8_t *dst, size_t n,
		    uint8_t tag[TAG_LEN])
{
	struct ccm_ctx ctx = {};

	ccm_set_nonce(&ctx, aes, f, 11, nonce, SMB2_TRANSFORM_AAD_SIZE, n,
		      TAG_LEN);
	ccm_update(&ctx, aes, f, SMB2_TRANSFORM_AAD_SIZE, aad);
	if (encrypt) {
		ccm_encrypt(&ctx, aes, f, n, dst, src);
	} else {
		ccm_decrypt(&ctx, aes, f, n, dst, src);
	}
	ccm_digest(&ctx, aes, f, TAG_LEN, tag);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* GCM likewise: key schedule and GHASH table read-only. */
static void gcm_run(const void *aes, nettle_cipher_func *f,
		    const struct gcm_key *gk, const uint8_t *nonce,
		    const uint8_t *aad, bool encrypt, const uint8_t *src,
		    uint8_t *dst, size_t n, uint8_t tag[TAG_LEN])
{
	struct gcm_ctx ctx = {};

	gcm_set_iv(&ctx, gk, 12, nonce);
	gcm_update(&ctx, gk, SMB2_TRANSFORM_AAD_SIZE, aad);
	if (encrypt) {
		gcm_encrypt(&ctx, gk, aes, f, n, dst, src);
	} else {
		gcm_decrypt(&ctx, gk, aes, f, n, dst, src);
	}
	gcm_digest(&ctx, gk, aes, f, TAG_LEN, tag);
	explicit_bzero(&ctx, sizeof(ctx));
}

/*
 * Run the AEAD over n bytes from src to dst (which may be the same
 * buffer) and write the tag. nonce is the 16-byte field; aad the 32 AAD
 * bytes. The caller has checked the cipher and that n fits in a u32.
 * k is only read.
 */
static void aead_run(const struct smb2_crypt_key *k, const uint8_t *nonce,
		     const uint8_t *aad, bool encrypt, const uint8_t *src,
		     uint8_t *dst, size_t n, uint8_t tag[TAG_LEN])
{
	nettle_cipher_func *f128 = (nettle_cipher_func *)aes128_encrypt;
	nettle_cipher_func *f256 = (nettle_cipher_func *)aes256_encrypt;

	switch (k->cipher) {
	case SMB2_CIPHER_AES128_CCM:
		ccm_run(&k->aes.a128, f128, nonce, aad, encrypt, src, dst, n,
			tag);
		break;
	case SMB2_CIPHER_AES128_GCM:
		gcm_run(&k->aes.a128, f128, &k->ghash, nonce, aad, encrypt,
			src, dst, n, tag);
		break;
	case SMB2_CIPHER_AES256_CCM:
		ccm_run(&k->aes.a256, f256, nonce, aad, encrypt, src, dst, n,
			tag);
		break;
	case SMB2_CIPHER_AES256_GCM:
		gcm_run(&k->aes.a256, f256, &k->ghash, nonce, aad, encrypt,
			src, dst, n, tag);
		break;
	case SMB2_CIPHER_NONE:
		break;
	}
}

/*
 * Check the header of frame and decrypt its n = len - 52 bytes into dst
 * (which may be frame + 52). On WIRE_E_AUTH dst holds the unverified
 * plaintext: the caller wipes it.
 */
static int decrypt_to(const struct smb2_crypt_key *k, const uint8_t *frame,
		      size_t len, uint8_t *dst)
{
	struct smb2_transform_hdr h = {};
	struct wire_rd r;
	uint8_t tag[TAG_LEN] = {};
	int rc = 0;

	wire_rd_init(&r, frame, len);
	rc = smb2_transform_pull(&r, &h);
	if (rc != 0) {
		return rc;
	}
	aead_run(k, frame + SMB2_TRANSFORM_AAD_OFF,
		 frame + SMB2_TRANSFORM_AAD_OFF, false, frame + HDR_LEN, dst,
		 len - HDR_LEN, tag);
	if (memeql_sec(tag, h.signature, TAG_LEN) == 0) {
		return WIRE_E_AUTH;
	}
	return 0;
}

/* The checks before any work: 0, or why the frame cannot decrypt. */
static int decrypt_check(enum smb2_cipher c, const uint8_t *frame,
			 size_t len)
{
	struct smb2_transform_hdr h = {};
	struct wire_rd r;
	int rc = 0;

	if (smb2_cipher_nonce_len(c) == 0) {
		return WIRE_E_UNSUPPORTED;
	}
	if (len <= HDR_LEN) {
		return WIRE_E_SHORT;
	}
	wire_rd_init(&r, frame, len);
	rc = smb2_transform_pull(&r, &h);
	if (rc != 0) {
		return rc;
	}
	if (h.original_size != len - HDR_LEN ||
	    len - HDR_LEN < SMB2_HDR_SIZE) {
		return WIRE_E_INVALID;
	}
	return 0;
}

int smb2_key_decrypt(const struct smb2_crypt_key *k, const uint8_t *frame,
		     size_t len, void *mem_ctx, uint8_t **plain,
		     size_t *plain_len)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = 0;

	*plain = NULL;
	*plain_len = 0;
	rc = decrypt_check(k->cipher, frame, len);
	if (rc != 0) {
		return rc;
	}
	n = len - HDR_LEN;
	buf = talloc_array(mem_ctx, uint8_t, n);
	if (buf == NULL) {
		return WIRE_E_NOMEM;
	}
	rc = decrypt_to(k, frame, len, buf);
	if (rc != 0) {
		explicit_bzero(buf, n);
		talloc_free(buf);
		return rc;
	}
	*plain = buf;
	*plain_len = n;
	return 0;
}

int smb2_key_decrypt_inplace(const struct smb2_crypt_key *k, uint8_t *frame,
			     size_t len)
{
	int rc = decrypt_check(k->cipher, frame, len);

	if (rc != 0) {
		return rc;
	}
	rc = decrypt_to(k, frame, len, frame + HDR_LEN);
	if (rc != 0) {
		explicit_bzero(frame + HDR_LEN, len - HDR_LEN);
	}
	return rc;
}

/* Header and ciphertext of msg into out (len + 52 bytes); checked. */
static void encrypt_into(const struct smb2_crypt_key *k, uint64_t session_id,
			 const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
			 const uint8_t *msg, size_t len, uint8_t *out)
{
	struct smb2_transform_hdr h = {};
	uint8_t tag[TAG_LEN] = {};

	memcpy(h.nonce, nonce, sizeof(h.nonce));
	h.original_size = (uint32_t)len;
	h.flags = SMB2_TRANSFORM_FLAG_ENCRYPTED;
	h.session_id = session_id;
	/* Signature is still zero here; it is not part of the AAD. */
	transform_encode(out, &h);
	aead_run(k, out + SMB2_TRANSFORM_AAD_OFF,
		 out + SMB2_TRANSFORM_AAD_OFF, true, msg, out + HDR_LEN, len,
		 tag);
	memcpy(out + 4, tag, TAG_LEN);
}

static int encrypt_check(enum smb2_cipher c, size_t len)
{
	if (smb2_cipher_nonce_len(c) == 0) {
		return WIRE_E_UNSUPPORTED;
	}
	if (len < SMB2_HDR_SIZE) {
		return WIRE_E_INVALID;
	}
	if (len > UINT32_MAX || len > SIZE_MAX - HDR_LEN) {
		return WIRE_E_TOOBIG;
	}
	return 0;
}

int smb2_key_encrypt_with_nonce(const struct smb2_crypt_key *k,
				uint64_t session_id,
				const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
				const uint8_t *msg, size_t len, void *mem_ctx,
				uint8_t **out, size_t *out_len)
{
	uint8_t *buf = NULL;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	rc = encrypt_check(k->cipher, len);
	if (rc != 0) {
		return rc;
	}
	buf = talloc_array(mem_ctx, uint8_t, len + HDR_LEN);
	if (buf == NULL) {
		return WIRE_E_NOMEM;
	}
	encrypt_into(k, session_id, nonce, msg, len, buf);
	*out = buf;
	*out_len = len + HDR_LEN;
	return 0;
}

/* Fill p with n random bytes. Returns 0 or WIRE_E_NOMEM. */
static int random_bytes(uint8_t *p, size_t n)
{
	return wire_random(p, n) == 0 ? 0 : WIRE_E_NOMEM;
}

int smb2_key_encrypt(const struct smb2_crypt_key *k, uint64_t session_id,
		     const uint8_t *msg, size_t len, void *mem_ctx,
		     uint8_t **out, size_t *out_len)
{
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE] = {};
	size_t nlen = smb2_cipher_nonce_len(k->cipher);
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (nlen == 0) {
		return WIRE_E_UNSUPPORTED;
	}
	rc = random_bytes(nonce, nlen);
	if (rc != 0) {
		return rc;
	}
	return smb2_key_encrypt_with_nonce(k, session_id, nonce, msg, len,
					   mem_ctx, out, out_len);
}

int smb2_key_encrypt_to_with_nonce(const struct smb2_crypt_key *k,
				   uint64_t session_id,
				   const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
				   const uint8_t *msg, size_t len, uint8_t *out)
{
	int rc = encrypt_check(k->cipher, len);

	if (rc != 0) {
		return rc;
	}
	encrypt_into(k, session_id, nonce, msg, len, out);
	return 0;
}

int smb2_key_encrypt_to(const struct smb2_crypt_key *k, uint64_t session_id,
			const uint8_t *msg, size_t len, uint8_t *out)
{
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE] = {};
	size_t nlen = smb2_cipher_nonce_len(k->cipher);
	int rc = encrypt_check(k->cipher, len);

	if (rc != 0) {
		return rc;
	}
	rc = random_bytes(nonce, nlen);
	if (rc != 0) {
		return rc;
	}
	return smb2_key_encrypt_to_with_nonce(k, session_id, nonce, msg, len,
					      out);
}

/*
 * The raw-key forms: expand the key for the one message on the stack
 * (about 4.4 KiB) and wipe it after. The cheap refusals (unknown
 * cipher, bad length) come before the expansion, as the checks inside
 * repeat them.
 */
int smb2_decrypt(enum smb2_cipher c, const uint8_t *key,
		 const uint8_t *frame, size_t len, void *mem_ctx,
		 uint8_t **plain, size_t *plain_len)
{
	struct smb2_crypt_key k;
	int rc = 0;

	*plain = NULL;
	*plain_len = 0;
	rc = decrypt_check(c, frame, len);
	if (rc != 0) {
		return rc;
	}
	smb2_crypt_key_init(&k, c, key);
	rc = smb2_key_decrypt(&k, frame, len, mem_ctx, plain, plain_len);
	smb2_crypt_key_wipe(&k);
	return rc;
}

int smb2_decrypt_inplace(enum smb2_cipher c, const uint8_t *key,
			 uint8_t *frame, size_t len)
{
	struct smb2_crypt_key k;
	int rc = decrypt_check(c, frame, len);

	if (rc != 0) {
		return rc;
	}
	smb2_crypt_key_init(&k, c, key);
	rc = smb2_key_decrypt_inplace(&k, frame, len);
	smb2_crypt_key_wipe(&k);
	return rc;
}

int smb2_encrypt_with_nonce(enum smb2_cipher c, const uint8_t *key,
			    uint64_t session_id,
			    const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
			    const uint8_t *msg, size_t len, void *mem_ctx,
			    uint8_t **out, size_t *out_len)
{
	struct smb2_crypt_key k;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	rc = encrypt_check(c, len);
	if (rc != 0) {
		return rc;
	}
	smb2_crypt_key_init(&k, c, key);
	rc = smb2_key_encrypt_with_nonce(&k, session_id, nonce, msg, len,
					 mem_ctx, out, out_len);
	smb2_crypt_key_wipe(&k);
	return rc;
}

int smb2_encrypt(enum smb2_cipher c, const uint8_t *key,
		 uint64_t session_id, const uint8_t *msg, size_t len,
		 void *mem_ctx, uint8_t **out, size_t *out_len)
{
	struct smb2_crypt_key k;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (smb2_cipher_nonce_len(c) == 0) {
		return WIRE_E_UNSUPPORTED;
	}
	smb2_crypt_key_init(&k, c, key);
	rc = smb2_key_encrypt(&k, session_id, msg, len, mem_ctx, out,
			      out_len);
	smb2_crypt_key_wipe(&k);
	return rc;
}

int smb2_encrypt_to(enum smb2_cipher c, const uint8_t *key,
		    uint64_t session_id, const uint8_t *msg, size_t len,
		    uint8_t *out)
{
	struct smb2_crypt_key k;
	int rc = encrypt_check(c, len);

	if (rc != 0) {
		return rc;
	}
	smb2_crypt_key_init(&k, c, key);
	rc = smb2_key_encrypt_to(&k, session_id, msg, len, out);
	smb2_crypt_key_wipe(&k);
	return rc;
}
