/*
 * smb2_crypto.h - SMB2/3 signing, key derivation and the 3.1.1 preauth
 * integrity hash [MS-SMB2 §3.1.4]. All primitives come from nettle.
 */
#ifndef WG_PROTO_SMB2_CRYPTO_H
#define WG_PROTO_SMB2_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <nettle/aes.h>
#include <nettle/cmac.h>
#include <nettle/gcm.h>
#include <nettle/hmac.h>
#include "proto/wire.h"

#define SMB2_PREAUTH_HASH_SIZE 64

enum smb2_sign_alg {
	SMB2_SIGN_HMAC_SHA256 = 0,	/* 2.0.2, 2.1 */
	SMB2_SIGN_AES_CMAC = 1,		/* 3.x (default) */
	SMB2_SIGN_AES_GMAC = 2,		/* 3.1.1 when negotiated */
};

/*
 * SP800-108 counter-mode KDF with HMAC-SHA256 [MS-SMB2 §3.1.4.2]:
 * out = HMAC-SHA256(key, 00000001 || label || 00 || context || L)
 * truncated to out_len bytes, where L = out_len * 8 as a 32-bit
 * big-endian number. out_len is 16 (L = 128) or 32 (L = 256, the AES-256
 * cipher keys); anything else is clamped to 32. label_len/context_len
 * are the byte lengths as they go on the wire (callers include the
 * terminating NUL of the label strings).
 */
void smb2_kdf(const uint8_t key[16], const void *label, size_t label_len,
	      const void *context, size_t context_len, uint8_t *out,
	      size_t out_len);

struct smb2_keys {
	uint8_t signing[16];
	uint8_t application[16];
	uint8_t encrypt[32];	/* server -> client; cipher_key_len used */
	uint8_t decrypt[32];	/* client -> server; cipher_key_len used */
	uint8_t cipher_key_len;	/* 16, or 32 for the AES-256 ciphers */
};

/*
 * Derive the session keys for a dialect from the 16-byte session key.
 * For 2.x (any dialect below 0x0300), signing = session_key and the
 * others are zero. For 3.1.1, preauth is the session's final preauth hash
 * (64 bytes); it is ignored otherwise and may then be NULL. Any other
 * dialect from 0x0300 up gets the 3.0/3.0.2 labels.
 *
 * cipher_key_len is the connection's cipher key length
 * (smb2_cipher_key_len): 32 for AES-256-CCM/GCM, which only 3.1.1 can
 * negotiate, derives the encryption and decryption keys with L = 256
 * [MS-SMB2 §3.3.5.5.3]; anything else (16, or 0 when no cipher was
 * agreed) derives 16-byte keys with L = 128. The KDF key is the session
 * key either way: MS-SMB2 wants the full session key for AES-256, and
 * NTLM's is 16 bytes long. Never fails.
 */
void smb2_derive_keys(uint16_t dialect, const uint8_t session_key[16],
		      const uint8_t preauth[SMB2_PREAUTH_HASH_SIZE],
		      size_t cipher_key_len, struct smb2_keys *keys);

/* Which keys smb2_derive_some_keys derives. */
#define SMB2_KEYS_SIGNING	0x1u
#define SMB2_KEYS_APPLICATION	0x2u
#define SMB2_KEYS_CIPHER	0x4u	/* encrypt, decrypt, cipher_key_len */
#define SMB2_KEYS_ALL		0x7u

/*
 * smb2_derive_keys for the keys in which only; the other fields of keys
 * are left as they are. The same keys as smb2_derive_keys whatever the
 * split, so a server can derive the signing key at SESSION_SETUP and the
 * cipher keys only when the session first encrypts (each call schedules
 * the HMAC key again). preauth must be the hash the session ended its
 * setup with, also when the cipher keys come later. Never fails.
 */
void smb2_derive_some_keys(uint16_t dialect, const uint8_t session_key[16],
			   const uint8_t preauth[SMB2_PREAUTH_HASH_SIZE],
			   size_t cipher_key_len, unsigned which,
			   struct smb2_keys *keys);

/*
 * Compute the signature of one SMB2 message (header + body, exactly the
 * bytes of this message in a compound, padding included) with its
 * signature field treated as zero. msg must be at least 64 bytes.
 * For GMAC, the nonce is built from the header's MessageId and flags
 * (server bit from SMB2_FLAGS_SERVER_TO_REDIR, cancel bit when the
 * command is CANCEL). Expands the key for this one message: code that
 * signs more than one message with a key keeps a smb2_sign_key.
 */
void smb2_signature(enum smb2_sign_alg alg, const uint8_t key[16],
		    const uint8_t *msg, size_t len, uint8_t sig[16]);

/* Sign in place: sets SMB2_FLAGS_SIGNED and writes the signature.
 * A message shorter than 64 bytes is left untouched. */
void smb2_sign(enum smb2_sign_alg alg, const uint8_t key[16], uint8_t *msg,
	       size_t len);

/*
 * Verify a received message's signature (constant-time compare).
 * Returns 0, or WIRE_E_AUTH on a mismatch, a message shorter than 64
 * bytes or an unknown algorithm.
 */
int smb2_verify(enum smb2_sign_alg alg, const uint8_t key[16],
		const uint8_t *msg, size_t len) WIRE_WUR;

/*
 * A signing key expanded once (AES key schedule, CMAC subkeys, GHASH
 * table, or HMAC's keyed inner/outer state) for any number of messages.
 * A plain struct: the caller owns it and may copy it. Once made it is
 * only read, so several threads may sign and verify with one at once
 * (the per-message state lives on each call's stack). Large for GMAC
 * (the 4 KiB GHASH table): keep one per session, not per message.
 */
struct smb2_sign_key {
	enum smb2_sign_alg alg;
	union {
		struct hmac_sha256_ctx hmac;	/* keyed; copied per message */
		struct {
			struct aes128_ctx aes;
			struct cmac128_key sub;
		} cmac;
		struct {
			struct aes128_ctx aes;
			struct gcm_key ghash;
		} gmac;
	} u;
};

/*
 * Expand key for alg into *k. An unknown alg is kept: such a key signs
 * with sixteen zero bytes and verifies nothing, as smb2_signature and
 * smb2_verify do. Never fails.
 */
void smb2_sign_key_init(struct smb2_sign_key *k, enum smb2_sign_alg alg,
			const uint8_t key[16]);

/*
 * Wipe an expanded key (explicit_bzero of the bytes its alg uses: the rest
 * was never written); it must be made again to use.
 */
void smb2_sign_key_wipe(struct smb2_sign_key *k);

/* smb2_signature, smb2_sign and smb2_verify with an expanded key. */
void smb2_key_signature(const struct smb2_sign_key *k, const uint8_t *msg,
			size_t len, uint8_t sig[16]);
void smb2_key_sign(const struct smb2_sign_key *k, uint8_t *msg, size_t len);
int smb2_key_verify(const struct smb2_sign_key *k, const uint8_t *msg,
		    size_t len) WIRE_WUR;

/* hash = SHA-512(hash || msg) */
void smb2_preauth_update(uint8_t hash[SMB2_PREAUTH_HASH_SIZE],
			 const uint8_t *msg, size_t len);

#endif
