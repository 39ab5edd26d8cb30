/*
 * smb2_fsctl.c - FSCTL input/output buffers: server-side copy, sparse
 * files, compression (see smb2_fsctl.h).
 */
#include "proto/smb2_fsctl.h"

#include <string.h>

int smb2_copychunk_req_pull(const struct wire_rd *d,
			    struct smb2_copychunk_req *req)
{
	struct wire_rd r = *d;
	struct smb2_copychunk *c = NULL;
	uint32_t count = 0, reserved = 0, creserved = 0, i = 0;

	r.off = 0;
	if (wire_get_bytes(&r, req->key, SMB2_RESUME_KEY_SIZE) != 0 ||
	    wire_get_u32le(&r, &count) != 0 ||
	    wire_get_u32le(&r, &reserved) != 0) {
		return WIRE_E_SHORT;
	}
	req->count = count;
	if (count > SMB2_COPYCHUNK_MAX_CHUNKS) {
		return WIRE_E_TOOBIG;
	}
	if ((size_t)count * SMB2_COPYCHUNK_ENTRY_SIZE > wire_left(&r)) {
		return WIRE_E_SHORT;
	}
	for (i = 0; i < count; i++) {
		c = &req->chunks[i];
		if (wire_get_u64le(&r, &c->src_off) != 0 ||
		    wire_get_u64le(&r, &c->dst_off) != 0 ||
		    wire_get_u32le(&r, &c->len) != 0 ||
		    wire_get_u32le(&r, &creserved) != 0) {
			return WIRE_E_SHORT;	/* cannot happen: checked */
		}
	}
	return WIRE_OK;
}

void smb2_copychunk_req_push(struct wire_wr *w,
			     const struct smb2_copychunk_req *req)
{
	uint32_t i = 0;
	uint32_t n = req->count;

	if (n > SMB2_COPYCHUNK_MAX_CHUNKS) {
		n = SMB2_COPYCHUNK_MAX_CHUNKS;
	}
	wire_put_bytes(w, req->key, SMB2_RESUME_KEY_SIZE);
	wire_put_u32le(w, req->count);
	wire_put_u32le(w, 0);
	for (i = 0; i < n; i++) {
		wire_put_u64le(w, req->chunks[i].src_off);
		wire_put_u64le(w, req->chunks[i].dst_off);
		wire_put_u32le(w, req->chunks[i].len);
		wire_put_u32le(w, 0);
	}
}

bool smb2_copychunk_within_limits(const struct smb2_copychunk_req *req)
{
	uint64_t total = 0;
	uint32_t i = 0;

	if (req->count > SMB2_COPYCHUNK_MAX_CHUNKS) {
		return false;
	}
	for (i = 0; i < req->count; i++) {
		if (req->chunks[i].len == 0 ||
		    req->chunks[i].len > SMB2_COPYCHUNK_MAX_CHUNK_SIZE) {
			return false;
		}
		total += req->chunks[i].len;
	}
	return total <= SMB2_COPYCHUNK_MAX_DATA;
}

void smb2_copychunk_resp_push(struct wire_wr *w,
			      const struct smb2_copychunk_resp *r)
{
	wire_put_u32le(w, r->chunks_written);
	wire_put_u32le(w, r->chunk_bytes_written);
	wire_put_u32le(w, r->total_bytes_written);
}

int smb2_copychunk_resp_pull(const struct wire_rd *d,
			     struct smb2_copychunk_resp *r)
{
	struct wire_rd c = *d;

	c.off = 0;
	if (wire_get_u32le(&c, &r->chunks_written) != 0 ||
	    wire_get_u32le(&c, &r->chunk_bytes_written) != 0 ||
	    wire_get_u32le(&c, &r->total_bytes_written) != 0) {
		return WIRE_E_SHORT;
	}
	return WIRE_OK;
}

void smb2_resume_key_resp_push(struct wire_wr *w,
			       const uint8_t key[SMB2_RESUME_KEY_SIZE])
{
	wire_put_bytes(w, key, SMB2_RESUME_KEY_SIZE);
	wire_put_u32le(w, 0);	/* ContextLength */
	wire_put_u32le(w, 0);	/* Context (Windows sends 4 zero bytes) */
}

int smb2_file_range_pull(const struct wire_rd *d, struct smb2_file_range *fr)
{
	struct wire_rd r = *d;

	r.off = 0;
	if (wire_get_u64le(&r, &fr->off) != 0 ||
	    wire_get_u64le(&r, &fr->len_or_end) != 0) {
		return WIRE_E_SHORT;
	}
	return WIRE_OK;
}

void smb2_file_range_push(struct wire_wr *w, uint64_t off, uint64_t len)
{
	wire_put_u64le(w, off);
	wire_put_u64le(w, len);
}

bool smb2_set_sparse_pull(const struct wire_rd *d)
{
	if (d->len == 0) {
		return true;
	}
	return d->base[0] != 0;
}

int smb2_compression_pull(const struct wire_rd *d, uint16_t *state)
{
	struct wire_rd r = *d;

	r.off = 0;
	if (wire_get_u16le(&r, state) != 0) {
		return WIRE_E_SHORT;
	}
	return WIRE_OK;
}

void smb2_compression_push(struct wire_wr *w, uint16_t state)
{
	wire_put_u16le(w, state);
}
