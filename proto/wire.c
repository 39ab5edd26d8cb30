/*
 * wire.c - bounds-checked reader and sticky-error writer (see wire.h).
 */
#include "proto/wire.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <talloc.h>

const char *wire_strerror(int err)
{
	switch (err) {
	case WIRE_OK:
		return "success";
	case WIRE_E_SHORT:
		return "truncated field";
	case WIRE_E_BOUNDS:
		return "offset or length out of bounds";
	case WIRE_E_INVALID:
		return "invalid field value";
	case WIRE_E_NOMEM:
		return "out of memory";
	case WIRE_E_TOOBIG:
		return "size or count over limit";
	case WIRE_E_UNSUPPORTED:
		return "unsupported";
	case WIRE_E_AUTH:
		return "verification failed";
	}
	return "unknown wire error";
}

void wire_rd_init(struct wire_rd *r, const void *p, size_t len)
{
	r->base = p;
	r->len = p == NULL ? 0 : len;
	r->off = 0;
}

static int need(const struct wire_rd *r, size_t n)
{
	if (n > r->len - r->off) {
		return WIRE_E_SHORT;
	}
	return 0;
}

int wire_get_u8(struct wire_rd *r, uint8_t *v)
{
	int rc = need(r, 1);

	if (rc != 0) {
		return rc;
	}
	*v = r->base[r->off];
	r->off += 1;
	return 0;
}

int wire_get_u16le(struct wire_rd *r, uint16_t *v)
{
	int rc = need(r, 2);

	if (rc != 0) {
		return rc;
	}
	*v = wire_le16(r->base + r->off);
	r->off += 2;
	return 0;
}

int wire_get_u32le(struct wire_rd *r, uint32_t *v)
{
	int rc = need(r, 4);

	if (rc != 0) {
		return rc;
	}
	*v = wire_le32(r->base + r->off);
	r->off += 4;
	return 0;
}

int wire_get_u64le(struct wire_rd *r, uint64_t *v)
{
	int rc = need(r, 8);

	if (rc != 0) {
		return rc;
	}
	*v = wire_le64(r->base + r->off);
	r->off += 8;
	return 0;
}

int wire_get_u16be(struct wire_rd *r, uint16_t *v)
{
	int rc = need(r, 2);
	const uint8_t *p = NULL;

	if (rc != 0) {
		return rc;
	}
	p = r->base + r->off;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	r->off += 2;
	return 0;
}

int wire_get_u24be(struct wire_rd *r, uint32_t *v)
{
	int rc = need(r, 3);
	const uint8_t *p = NULL;

	if (rc != 0) {
		return rc;
	}
	p = r->base + r->off;
	*v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
	r->off += 3;
	return 0;
}

int wire_get_u32be(struct wire_rd *r, uint32_t *v)
{
	int rc = need(r, 4);
	const uint8_t *p = NULL;

	if (rc != 0) {
		return rc;
	}
	p = r->base + r->off;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	     ((uint32_t)p[2] << 8) | p[3];
	r->off += 4;
	return 0;
}

int wire_get_bytes(struct wire_rd *r, void *dst, size_t n)
{
	int rc = need(r, n);

	if (rc != 0) {
		return rc;
	}
	if (n > 0) {
		memcpy(dst, r->base + r->off, n);
	}
	r->off += n;
	return 0;
}

int wire_get_ptr(struct wire_rd *r, const uint8_t **p, size_t n)
{
	int rc = need(r, n);

	if (rc != 0) {
		return rc;
	}
	*p = r->base + r->off;
	r->off += n;
	return 0;
}

int wire_skip(struct wire_rd *r, size_t n)
{
	int rc = need(r, n);

	if (rc != 0) {
		return rc;
	}
	r->off += n;
	return 0;
}

int wire_seek(struct wire_rd *r, size_t off)
{
	if (off > r->len) {
		return WIRE_E_BOUNDS;
	}
	r->off = off;
	return 0;
}

int wire_align(struct wire_rd *r, size_t a)
{
	size_t pad = (a - (r->off & (a - 1))) & (a - 1);

	return wire_skip(r, pad);
}

int wire_sub(const struct wire_rd *pdu, size_t off, size_t len,
	     struct wire_rd *sub)
{
	if (len == 0) {
		wire_rd_init(sub, NULL, 0);
		return 0;
	}
	if (off > pdu->len || len > pdu->len - off) {
		return WIRE_E_BOUNDS;
	}
	wire_rd_init(sub, pdu->base + off, len);
	return 0;
}

int wire_get_sub(struct wire_rd *r, size_t n, struct wire_rd *sub)
{
	int rc = need(r, n);

	if (rc != 0) {
		return rc;
	}
	wire_rd_init(sub, n == 0 ? NULL : r->base + r->off, n);
	r->off += n;
	return 0;
}

void wire_wr_init(struct wire_wr *w, void *mem_ctx, size_t limit)
{
	*w = (struct wire_wr) {
		.mem_ctx = mem_ctx,
		.limit = limit,
	};
}

int wire_wr_reserve(struct wire_wr *w, size_t n)
{
	size_t want = 0;
	uint8_t *nb = NULL;

	if (w->err != 0) {
		return w->err;
	}
	if (n > SIZE_MAX / 2 - w->len) {
		w->err = WIRE_E_TOOBIG;
		return w->err;
	}
	want = w->len + n;
	if (w->limit != 0 && want > w->limit) {
		w->err = WIRE_E_TOOBIG;
		return w->err;
	}
	if (want <= w->cap) {
		return 0;
	}
	if (want < 256) {
		want = 256;
	}
	if (want < w->cap * 2) {
		want = w->cap * 2;
	}
	nb = talloc_realloc(w->mem_ctx, w->buf, uint8_t, want);
	if (nb == NULL) {
		w->err = WIRE_E_NOMEM;
		return w->err;
	}
	w->buf = nb;
	w->cap = want;
	return 0;
}

static uint8_t *grow(struct wire_wr *w, size_t n)
{
	uint8_t *p = NULL;

	if (n == 0) {
		return NULL;	/* nothing to write; buf may not exist yet */
	}
	/* room already (the common case: one call per field of a reply,
	 * ~2,400 instructions of an open+fstat+close in the call alone) */
	if (w->err == 0 && n <= w->cap - w->len &&
	    (w->limit == 0 || n <= w->limit - w->len)) {
		p = w->buf + w->len;
		w->len += n;
		return p;
	}
	if (wire_wr_reserve(w, n) != 0) {
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void wire_put_u8(struct wire_wr *w, uint8_t v)
{
	uint8_t *p = grow(w, 1);

	if (p != NULL) {
		p[0] = v;
	}
}

void wire_put_u16le(struct wire_wr *w, uint16_t v)
{
	uint8_t *p = grow(w, 2);

	if (p != NULL) {
		wire_setle16(p, v);
	}
}

void wire_put_u32le(struct wire_wr *w, uint32_t v)
{
	uint8_t *p = grow(w, 4);

	if (p != NULL) {
		wire_setle32(p, v);
	}
}

void wire_put_u64le(struct wire_wr *w, uint64_t v)
{
	uint8_t *p = grow(w, 8);

	if (p != NULL) {
		wire_setle64(p, v);
	}
}

void wire_put_u16be(struct wire_wr *w, uint16_t v)
{
	uint8_t *p = grow(w, 2);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

void wire_put_u24be(struct wire_wr *w, uint32_t v)
{
	uint8_t *p = grow(w, 3);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 16);
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)v;
	}
}

void wire_put_u32be(struct wire_wr *w, uint32_t v)
{
	uint8_t *p = grow(w, 4);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void wire_put_bytes(struct wire_wr *w, const void *src, size_t n)
{
	uint8_t *p = grow(w, n);

	if (p != NULL && n > 0) {
		memcpy(p, src, n);
	}
}

void wire_put_zero(struct wire_wr *w, size_t n)
{
	uint8_t *p = grow(w, n);

	if (p != NULL && n > 0) {
		memset(p, 0, n);
	}
}

void wire_put_align(struct wire_wr *w, size_t a)
{
	size_t pad = (a - (w->len & (a - 1))) & (a - 1);

	wire_put_zero(w, pad);
}

static uint8_t *patch_at(struct wire_wr *w, size_t off, size_t n)
{
	if (w->err != 0) {
		return NULL;
	}
	if (off > w->len || n > w->len - off) {
		w->err = WIRE_E_BOUNDS;
		return NULL;
	}
	return w->buf + off;
}

void wire_patch_u8(struct wire_wr *w, size_t off, uint8_t v)
{
	uint8_t *p = patch_at(w, off, 1);

	if (p != NULL) {
		p[0] = v;
	}
}

void wire_patch_u16le(struct wire_wr *w, size_t off, uint16_t v)
{
	uint8_t *p = patch_at(w, off, 2);

	if (p != NULL) {
		wire_setle16(p, v);
	}
}

void wire_patch_u32le(struct wire_wr *w, size_t off, uint32_t v)
{
	uint8_t *p = patch_at(w, off, 4);

	if (p != NULL) {
		wire_setle32(p, v);
	}
}

void wire_patch_u64le(struct wire_wr *w, size_t off, uint64_t v)
{
	uint8_t *p = patch_at(w, off, 8);

	if (p != NULL) {
		wire_setle64(p, v);
	}
}

void wire_patch_u24be(struct wire_wr *w, size_t off, uint32_t v)
{
	uint8_t *p = patch_at(w, off, 3);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 16);
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)v;
	}
}

int wire_random(void *p, size_t n)
{
	uint8_t *b = p;
	size_t got = 0;

	while (got < n) {
		ssize_t rc = getrandom(b + got, n - got, 0);

		if (rc < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		got += (size_t)rc;
	}
	return 0;
}
