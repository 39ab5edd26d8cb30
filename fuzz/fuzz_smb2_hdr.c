/*
 * fuzz_smb2_hdr.c - libFuzzer target: the SMB2 header decoder and a
 * compound chain walked through NextCommand, as the dispatcher will.
 *
 * Properties checked (abort() on violation):
 *  - a failed smb2_hdr_pull leaves the cursor where it was;
 *  - a decoded header pushed again gives back the same 64 bytes;
 *  - every NextCommand step stays inside the input, is 8-byte aligned and
 *    at least one header long, so the walk always ends.
 * Each message is also run through signature verification, which must
 * not read outside [msg, msg + len).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/smb2.h"
#include "proto/smb2_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const uint8_t *msg, const struct smb2_hdr *h)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct wire_wr w;

	if (mem == NULL) {
		abort();
	}
	wire_wr_init(&w, mem, 0);
	smb2_hdr_push(&w, h);
	if (wire_wr_error(&w) != 0 || w.len != SMB2_HDR_SIZE ||
	    memcmp(w.buf, msg, SMB2_HDR_SIZE) != 0) {
		abort();
	}
	talloc_free(mem);
}

static void check_verify(const uint8_t *msg, size_t len, uint16_t cmd)
{
	static const uint8_t key[16] = { 0x5A };
	enum smb2_sign_alg alg = (enum smb2_sign_alg)(cmd % 3);

	/* A random signature matching is not expected; either answer is
	 * fine, only the memory accesses matter. */
	(void)!smb2_verify(alg, key, msg, len);
}

/* Returns the length of the message at off, or 0 to stop the walk. */
static size_t one_message(const struct wire_rd *pdu, size_t off)
{
	struct smb2_hdr h = {};
	struct wire_rd r;
	size_t left = pdu->len - off;
	size_t msg_len = 0;
	int rc = 0;

	if (wire_sub(pdu, off, left, &r) != 0) {
		abort();
	}
	rc = smb2_hdr_pull(&r, &h);
	if (rc != 0) {
		if (r.off != 0) {
			abort();
		}
		return 0;
	}
	if (r.off != SMB2_HDR_SIZE) {
		abort();
	}
	check_round_trip(pdu->base + off, &h);
	(void)smb2_cmd_name(h.command);

	if (h.next_command == 0) {
		msg_len = left;
	} else if (h.next_command < SMB2_HDR_SIZE ||
		   (h.next_command & 7) != 0 || h.next_command > left) {
		return 0;
	} else {
		msg_len = h.next_command;
	}
	check_verify(pdu->base + off, msg_len, h.command);
	return h.next_command == 0 ? 0 : msg_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_rd pdu;
	size_t off = 0;

	wire_rd_init(&pdu, data, size);
	for (;;) {
		size_t step = one_message(&pdu, off);

		if (step == 0) {
			break;
		}
		if (step < SMB2_HDR_SIZE || step > size - off) {
			abort();
		}
		off += step;
	}
	return 0;
}
