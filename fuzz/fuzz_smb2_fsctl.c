/*
 * fuzz_smb2_fsctl.c - libFuzzer target: the FSCTL input decoders of
 * proto/smb2_fsctl.h (copy-chunk request, range pairs, SET_SPARSE,
 * compression state) on the same bytes.
 *
 * Properties checked (abort() on violation):
 *  - a decoded copy-chunk request pushed again decodes to the same
 *    request, and its bytes are a prefix of the input;
 *  - a count over the limit is reported as WIRE_E_TOOBIG, never decoded;
 *  - a decoded range pair pushed again gives the input's first 16 bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/smb2_fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_copychunk(const struct wire_rd *d)
{
	static struct smb2_copychunk_req req, again;
	TALLOC_CTX *mem = NULL;
	struct wire_wr w;
	struct wire_rd r;
	int rc = smb2_copychunk_req_pull(d, &req);

	if (rc == WIRE_E_TOOBIG) {
		if (req.count <= SMB2_COPYCHUNK_MAX_CHUNKS) {
			abort();
		}
		return;
	}
	if (rc != WIRE_OK) {
		return;
	}
	(void)smb2_copychunk_within_limits(&req);
	mem = talloc_new(NULL);
	if (mem == NULL) {
		abort();
	}
	wire_wr_init(&w, mem, 0);
	smb2_copychunk_req_push(&w, &req);
	if (wire_wr_error(&w) != 0 || w.len > d->len) {
		abort();
	}
	wire_rd_init(&r, w.buf, w.len);
	if (smb2_copychunk_req_pull(&r, &again) != WIRE_OK ||
	    again.count != req.count ||
	    memcmp(again.key, req.key, sizeof(req.key)) != 0 ||
	    memcmp(again.chunks, req.chunks,
		   req.count * sizeof(req.chunks[0])) != 0) {
		abort();
	}
	talloc_free(mem);
}

static void check_range(const struct wire_rd *d)
{
	struct smb2_file_range fr = {};
	TALLOC_CTX *mem = NULL;
	struct wire_wr w;

	if (smb2_file_range_pull(d, &fr) != WIRE_OK) {
		if (d->len >= SMB2_FILE_RANGE_SIZE) {
			abort();
		}
		return;
	}
	mem = talloc_new(NULL);
	if (mem == NULL) {
		abort();
	}
	wire_wr_init(&w, mem, 0);
	smb2_file_range_push(&w, fr.off, fr.len_or_end);
	if (wire_wr_error(&w) != 0 || w.len != SMB2_FILE_RANGE_SIZE ||
	    memcmp(w.buf, d->base, SMB2_FILE_RANGE_SIZE) != 0) {
		abort();
	}
	talloc_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_rd d;
	uint16_t state = 0;

	wire_rd_init(&d, data, size);
	check_copychunk(&d);
	check_range(&d);
	(void)smb2_set_sparse_pull(&d);
	(void)!smb2_compression_pull(&d, &state);
	return 0;
}
