/*
 * smb2_transform.h - SMB 3.x encryption: the SMB2 TRANSFORM_HEADER
 * [MS-SMB2 §2.2.41] and the AEAD around the message it carries
 * [§3.1.4.3 encrypting, §3.3.5.2.1.1 decrypting]. Pure codec: no session
 * lookup, no I/O. All crypto comes from nettle.
 *
 * Frame layout (52-byte header, then the ciphertext):
 *   0  ProtocolId  0xFD 'S' 'M' 'B'
 *   4  Signature   16  (the AEAD tag)
 *  20  Nonce       16  (CCM uses bytes 0..10, GCM bytes 0..11)
 *  36  OriginalMessageSize u32
 *  40  Reserved    u16
 *  42  Flags/EncryptionAlgorithm u16 (must be 0x0001)
 *  44  SessionId   u64
 * The AAD is header bytes 20..51 (everything after the signature).
 *
 * Keys: the server encrypts with smb2_keys.encrypt ("ServerOut" /
 * "SMBS2CCipherKey") and decrypts with smb2_keys.decrypt ("ServerIn " /
 * "SMBC2SCipherKey"), see smb2_crypto.h.
 *
 * All four ciphers of SMB 3.1.1 are implemented: AES-128-CCM/GCM take
 * 16-byte keys, AES-256-CCM/GCM 32-byte ones (derived with L = 256, see
 * smb2_derive_keys). 3.0 and 3.0.2 always use AES-128-CCM.
 */
#ifndef WG_PROTO_SMB2_TRANSFORM_H
#define WG_PROTO_SMB2_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>
#include <nettle/aes.h>
#include <nettle/gcm.h>
#include "proto/wire.h"

#define SMB2_TRANSFORM_HDR_SIZE 52
#define SMB2_TRANSFORM_SIG_SIZE 16
#define SMB2_TRANSFORM_NONCE_SIZE 16
#define SMB2_TRANSFORM_AAD_OFF 20
#define SMB2_TRANSFORM_AAD_SIZE 32
#define SMB2_TRANSFORM_FLAG_ENCRYPTED 0x0001

/* Cipher ids as on the wire in SMB2_ENCRYPTION_CAPABILITIES
 * [MS-SMB2 §2.2.3.1.2]. 3.0/3.0.2 always use AES-128-CCM. */
enum smb2_cipher {
	SMB2_CIPHER_NONE = 0,
	SMB2_CIPHER_AES128_CCM = 1,
	SMB2_CIPHER_AES128_GCM = 2,
	SMB2_CIPHER_AES256_CCM = 3,
	SMB2_CIPHER_AES256_GCM = 4,
};

/* The longest cipher key (AES-256), in bytes. */
#define SMB2_CIPHER_KEY_MAX 32

struct smb2_transform_hdr {
	uint8_t signature[SMB2_TRANSFORM_SIG_SIZE];
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE];
	uint32_t original_size;
	uint16_t reserved;
	uint16_t flags;
	uint64_t session_id;
};

/*
 * Bytes of the Nonce field the cipher uses: 11 for CCM, 12 for GCM
 * (either key size),
 * 0 for anything else.
 */
size_t smb2_cipher_nonce_len(enum smb2_cipher c);

/* Key length of the cipher in bytes: 16, 32, or 0 for an unknown one. */
size_t smb2_cipher_key_len(enum smb2_cipher c);

/* "AES-128-CCM" ...; "none" for SMB2_CIPHER_NONE or an unknown id. */
const char *smb2_cipher_name(enum smb2_cipher c);

/*
 * A cipher key expanded once (the AES key schedule, and for GCM the
 * GHASH table) for any number of messages. A plain struct of about
 * 4.4 KiB: the caller owns it and may copy it. Once made it is only
 * read, so several threads may encrypt or decrypt with one at once (the
 * per-message CCM/GCM state lives on each call's stack).
 */
struct smb2_crypt_key {
	enum smb2_cipher cipher;
	union {
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} aes;
	struct gcm_key ghash;		/* GCM only */
};

/*
 * Expand key (smb2_cipher_key_len(c) bytes) for cipher c into *k. An
 * unknown cipher is kept: such a key encrypts and decrypts nothing
 * (WIRE_E_UNSUPPORTED), as with the raw-key functions. Never fails.
 */
void smb2_crypt_key_init(struct smb2_crypt_key *k, enum smb2_cipher c,
			 const uint8_t *key);

/* Wipe an expanded key (explicit_bzero). */
void smb2_crypt_key_wipe(struct smb2_crypt_key *k);

/*
 * Decode the 52-byte transform header at the cursor. Checks the
 * ProtocolId and that Flags is 0x0001; Reserved is returned as read.
 * OriginalMessageSize is not checked here (smb2_decrypt does).
 * Returns 0 (cursor advanced by 52), WIRE_E_SHORT if fewer than 52 bytes
 * are left, or WIRE_E_INVALID for a bad magic or flags. On failure the
 * cursor is unchanged and *h is untouched.
 */
int smb2_transform_pull(struct wire_rd *r, struct smb2_transform_hdr *h)
	WIRE_WUR;

/* Encode a transform header (52 bytes). Errors are sticky in w. */
void smb2_transform_push(struct wire_wr *w,
			 const struct smb2_transform_hdr *h);

/*
 * Decrypt one received frame (transform header + ciphertext, i.e. the
 * whole NetBIOS payload) with key (the session's smb2_keys.decrypt,
 * smb2_cipher_key_len(c) bytes).
 * The caller normally pulls the header first to find the session by
 * SessionId; this function decodes it again itself.
 *
 * On success *plain is a new talloc child of mem_ctx holding
 * OriginalMessageSize bytes (the SMB2 message, possibly a compound) and
 * *plain_len is set. On failure *plain is NULL, *plain_len is 0 and no
 * plaintext survives (it is wiped and freed).
 *
 * Returns 0 or:
 *  WIRE_E_SHORT       len <= 52 (nothing to decrypt; §3.3.5.2.1.1)
 *  WIRE_E_INVALID     bad magic or flags, OriginalMessageSize != len - 52,
 *                     or OriginalMessageSize < 64 (an SMB2 header)
 *  WIRE_E_UNSUPPORTED unknown cipher
 *  WIRE_E_AUTH        the tag does not verify (constant-time compare)
 *  WIRE_E_NOMEM       allocation failed
 */
int smb2_decrypt(enum smb2_cipher c, const uint8_t *key,
		 const uint8_t *frame, size_t len, void *mem_ctx,
		 uint8_t **plain, size_t *plain_len) WIRE_WUR;

/*
 * As smb2_decrypt, without allocating (for a worker thread): the
 * plaintext replaces the ciphertext, at frame + 52, len - 52 bytes. On
 * failure those bytes are wiped (or, for the checks before any work,
 * untouched). Same returns, but never WIRE_E_NOMEM.
 */
int smb2_decrypt_inplace(enum smb2_cipher c, const uint8_t *key,
			 uint8_t *frame, size_t len) WIRE_WUR;

/*
 * Encrypt one SMB2 message (or a whole compound) for sending with key
 * (the session's smb2_keys.encrypt, smb2_cipher_key_len(c) bytes). The
 * nonce is fresh from getrandom():
 * 11 random bytes for CCM, 12 for GCM, the rest of the 16-byte field zero.
 * With 88/96 random bits a repeat within one session's key is not a
 * practical concern (birthday bound near 2^44 messages for CCM).
 *
 * On success *out is a new talloc child of mem_ctx holding header +
 * ciphertext (len + 52 bytes, *out_len). On failure *out is NULL and
 * *out_len 0.
 *
 * Returns 0 or:
 *  WIRE_E_INVALID     len < 64 (not an SMB2 message)
 *  WIRE_E_TOOBIG      len does not fit OriginalMessageSize (u32)
 *  WIRE_E_UNSUPPORTED unknown cipher
 *  WIRE_E_NOMEM       allocation failed or the random source failed
 */
int smb2_encrypt(enum smb2_cipher c, const uint8_t *key,
		 uint64_t session_id, const uint8_t *msg, size_t len,
		 void *mem_ctx, uint8_t **out, size_t *out_len) WIRE_WUR;

/*
 * As smb2_encrypt, without allocating (for a worker thread): header and
 * ciphertext go to out, which holds len + 52 bytes and must not overlap
 * msg. Same returns.
 */
int smb2_encrypt_to(enum smb2_cipher c, const uint8_t *key,
		    uint64_t session_id, const uint8_t *msg, size_t len,
		    uint8_t *out) WIRE_WUR;

/*
 * As smb2_encrypt, with the whole 16-byte Nonce field given by the caller
 * and copied verbatim (the cipher uses its first 11/12 bytes; all 16 are
 * in the AAD). For known-answer tests, and for callers with a random
 * source of their own (a server's per-thread pool, which saves a
 * getrandom() per message): the nonce must be as fresh as smb2_encrypt's
 * (random in its first smb2_cipher_nonce_len bytes), so that no nonce is
 * ever reused under a key.
 */
int smb2_encrypt_with_nonce(enum smb2_cipher c, const uint8_t *key,
			    uint64_t session_id,
			    const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
			    const uint8_t *msg, size_t len, void *mem_ctx,
			    uint8_t **out, size_t *out_len) WIRE_WUR;


/*
 * The same with an expanded key instead of (cipher, raw key): same
 * arguments otherwise, same results. What code that encrypts or
 * decrypts more than one message under a key uses; the raw-key forms
 * above expand the key for their one message.
 */
int smb2_key_decrypt(const struct smb2_crypt_key *k, const uint8_t *frame,
		     size_t len, void *mem_ctx, uint8_t **plain,
		     size_t *plain_len) WIRE_WUR;
int smb2_key_decrypt_inplace(const struct smb2_crypt_key *k, uint8_t *frame,
			     size_t len) WIRE_WUR;
int smb2_key_encrypt(const struct smb2_crypt_key *k, uint64_t session_id,
		     const uint8_t *msg, size_t len, void *mem_ctx,
		     uint8_t **out, size_t *out_len) WIRE_WUR;
int smb2_key_encrypt_to(const struct smb2_crypt_key *k, uint64_t session_id,
			const uint8_t *msg, size_t len, uint8_t *out) WIRE_WUR;
int smb2_key_encrypt_with_nonce(const struct smb2_crypt_key *k,
				uint64_t session_id,
				const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
				const uint8_t *msg, size_t len, void *mem_ctx,
				uint8_t **out, size_t *out_len) WIRE_WUR;
int smb2_key_encrypt_to_with_nonce(const struct smb2_crypt_key *k,
				   uint64_t session_id,
				   const uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE],
				   const uint8_t *msg, size_t len,
				   uint8_t *out) WIRE_WUR;

#endif
