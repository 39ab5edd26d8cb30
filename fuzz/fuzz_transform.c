/*
 * fuzz_transform.c - libFuzzer target: the SMB2 transform header and
 * decryption of a received frame with a fixed key, as the dispatcher
 * will run them on every 0xFD frame.
 *
 * Properties checked (abort() on violation):
 *  - a failed smb2_transform_pull leaves the cursor where it was; a
 *    successful one consumes 52 bytes and pushes back to the same bytes;
 *  - smb2_decrypt, whichever cipher, either fails with *plain NULL and
 *    nothing left allocated, or returns OriginalMessageSize bytes;
 *  - whatever decrypts re-encrypts (same nonce field) to the input;
 *  - smb2_decrypt_inplace (the workers' variant) agrees with it: the same
 *    result, the same plaintext at frame + 52, wiped on a bad tag.
 * The first input byte picks the cipher, so the corpus can hold frames
 * for all four; the frame is the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/smb2_transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 32 bytes: the AES-256 ciphers use all, the AES-128 ones the first 16. */
static const uint8_t fuzz_key[32] = {
	0x26, 0x1B, 0x72, 0x35, 0x05, 0x58, 0xF2, 0xE9,
	0xDC, 0xF6, 0x13, 0x07, 0x03, 0x83, 0xED, 0xBF,
	0xCB, 0x61, 0xEB, 0x11, 0x04, 0x46, 0xFB, 0xCA,
	0xEB, 0x6A, 0x83, 0xBE, 0xED, 0xB9, 0x27, 0x79,
};

static void check_pull(const uint8_t *frame, size_t len, TALLOC_CTX *mem)
{
	struct smb2_transform_hdr h = {};
	struct wire_rd r;
	struct wire_wr w;

	wire_rd_init(&r, frame, len);
	if (smb2_transform_pull(&r, &h) != 0) {
		if (r.off != 0) {
			abort();
		}
		return;
	}
	if (r.off != SMB2_TRANSFORM_HDR_SIZE) {
		abort();
	}
	wire_wr_init(&w, mem, 0);
	smb2_transform_push(&w, &h);
	if (wire_wr_error(&w) != 0 || w.len != SMB2_TRANSFORM_HDR_SIZE ||
	    memcmp(w.buf, frame, SMB2_TRANSFORM_HDR_SIZE) != 0) {
		abort();
	}
}

/* The in-place variant on a copy: rc as smb2_decrypt's, plain its output. */
static void check_inplace(enum smb2_cipher c, const uint8_t *frame,
			  size_t len, TALLOC_CTX *mem, int want,
			  const uint8_t *plain)
{
	uint8_t *f = talloc_array(mem, uint8_t, len > 0 ? len : 1);
	size_t i = 0;
	int rc = 0;

	if (f == NULL) {
		abort();
	}
	if (len > 0) {
		memcpy(f, frame, len);
	}
	rc = smb2_decrypt_inplace(c, fuzz_key, f, len);
	if (rc != want) {
		abort();
	}
	if (rc == 0 && memcmp(f + SMB2_TRANSFORM_HDR_SIZE, plain,
			      len - SMB2_TRANSFORM_HDR_SIZE) != 0) {
		abort();
	}
	if (rc == WIRE_E_AUTH) {
		for (i = SMB2_TRANSFORM_HDR_SIZE; i < len; i++) {
			if (f[i] != 0) {
				abort();
			}
		}
	}
	talloc_free(f);
}

static void check_decrypt(enum smb2_cipher c, const uint8_t *frame,
			  size_t len, TALLOC_CTX *mem)
{
	size_t blocks = talloc_total_blocks(mem);
	uint8_t *plain = NULL;
	uint8_t *again = NULL;
	size_t plain_len = 0;
	size_t again_len = 0;
	int rc = smb2_decrypt(c, fuzz_key, frame, len, mem, &plain,
			      &plain_len);

	if (rc != 0) {
		if (plain != NULL || plain_len != 0 ||
		    talloc_total_blocks(mem) != blocks) {
			abort();
		}
		check_inplace(c, frame, len, mem, rc, NULL);
		return;
	}
	if (plain == NULL || len < SMB2_TRANSFORM_HDR_SIZE ||
	    plain_len != len - SMB2_TRANSFORM_HDR_SIZE) {
		abort();
	}
	check_inplace(c, frame, len, mem, 0, plain);
	rc = smb2_encrypt_with_nonce(c, fuzz_key, wire_le64(frame + 44),
				     frame + 20, plain, plain_len, mem,
				     &again, &again_len);
	if (rc != 0 || again_len != len || memcmp(again, frame, len) != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	enum smb2_cipher c = SMB2_CIPHER_AES128_CCM;

	if (size < 1) {
		return 0;
	}
	/* 1..4 are the ciphers; 0, 5, 6 and 7 the unsupported path. */
	c = (enum smb2_cipher)(data[0] & 7);
	mem = talloc_new(NULL);
	if (mem == NULL) {
		abort();
	}
	check_pull(data + 1, size - 1, mem);
	check_decrypt(c, data + 1, size - 1, mem);
	talloc_free(mem);
	return 0;
}
