/*
 * der.c - minimal DER TLV reader and length-back-patching writer
 * (see der.h).
 */
#include "proto/der.h"

#include <string.h>

void der_rd_init(struct der_rd *d, const uint8_t *p, size_t len)
{
	wire_rd_init(&d->r, p, len);
	d->depth = 0;
}

int der_peek_tag(const struct der_rd *d, uint8_t *tag)
{
	if (wire_left(&d->r) == 0) {
		return WIRE_E_SHORT;
	}
	*tag = *wire_cur(&d->r);
	return 0;
}

/* Read a definite length from r (cursor after the tag). */
static int get_len(struct wire_rd *r, size_t *len)
{
	uint8_t b = 0;
	uint8_t nbytes = 0;
	size_t v = 0;
	int rc = wire_get_u8(r, &b);

	if (rc != 0) {
		return rc;
	}
	if (b < 0x80) {
		*len = b;
		return 0;
	}
	if (b == 0x80) {
		return WIRE_E_INVALID;	/* indefinite: BER only */
	}
	nbytes = b & 0x7f;
	if (nbytes > 4) {
		return WIRE_E_TOOBIG;
	}
	for (uint8_t i = 0; i < nbytes; i++) {
		rc = wire_get_u8(r, &b);
		if (rc != 0) {
			return rc;
		}
		v = (v << 8) | b;
	}
	*len = v;
	return 0;
}

int der_get_any(struct der_rd *d, uint8_t *tag, struct der_rd *inner,
		const uint8_t **raw, size_t *raw_len)
{
	struct wire_rd r = d->r;	/* commit only on success */
	struct wire_rd content = {};
	uint8_t t = 0;
	size_t len = 0;
	int rc = 0;

	if (d->depth >= DER_MAX_DEPTH) {
		return WIRE_E_TOOBIG;
	}
	rc = wire_get_u8(&r, &t);
	if (rc != 0) {
		return rc;
	}
	if ((t & 0x1f) == 0x1f) {
		return WIRE_E_INVALID;	/* high tag number form */
	}
	rc = get_len(&r, &len);
	if (rc != 0) {
		return rc;
	}
	rc = wire_get_sub(&r, len, &content);
	if (rc != 0) {
		return rc;
	}
	if (raw != NULL) {
		*raw = wire_cur(&d->r);
	}
	if (raw_len != NULL) {
		*raw_len = r.off - d->r.off;
	}
	*tag = t;
	inner->r = content;
	inner->depth = d->depth + 1;
	d->r = r;
	return 0;
}

int der_get(struct der_rd *d, uint8_t want, struct der_rd *inner)
{
	struct der_rd saved = *d;
	struct der_rd in = {};
	uint8_t tag = 0;
	int rc = der_get_any(d, &tag, &in, NULL, NULL);

	if (rc != 0) {
		return rc;
	}
	if (tag != want) {
		*d = saved;
		return WIRE_E_INVALID;
	}
	*inner = in;
	return 0;
}

int der_get_prim(struct der_rd *d, uint8_t want, const uint8_t **p,
		 size_t *len)
{
	struct der_rd saved = *d;
	struct der_rd in = {};
	const uint8_t *raw = NULL;
	size_t raw_len = 0;
	uint8_t tag = 0;
	int rc = der_get_any(d, &tag, &in, &raw, &raw_len);

	if (rc != 0) {
		return rc;
	}
	if (tag != want) {
		*d = saved;
		return WIRE_E_INVALID;
	}
	/* From raw rather than in.r: an empty reader has no base. */
	*len = wire_left(&in.r);
	*p = raw + (raw_len - *len);
	return 0;
}

int der_get_enum(struct der_rd *d, uint32_t *v)
{
	struct der_rd saved = *d;
	const uint8_t *p = NULL;
	size_t len = 0;
	uint32_t val = 0;
	int rc = der_get_prim(d, DER_ENUMERATED, &p, &len);

	if (rc != 0) {
		return rc;
	}
	if (len == 0 || (p[0] & 0x80) != 0) {
		*d = saved;
		return WIRE_E_INVALID;
	}
	if (len > 4) {
		*d = saved;
		return WIRE_E_TOOBIG;
	}
	for (size_t i = 0; i < len; i++) {
		val = (val << 8) | p[i];
	}
	*v = val;
	return 0;
}

size_t der_len_size(size_t len)
{
	if (len < 0x80) {
		return 1;
	}
	if (len <= 0xff) {
		return 2;
	}
	if (len <= 0xffff) {
		return 3;
	}
	if (len <= 0xffffff) {
		return 4;
	}
	return 5;
}

/* Write the DER length of len (der_len_size(len) bytes) at o. */
static void encode_len(uint8_t *o, size_t len)
{
	size_t n = der_len_size(len);

	if (n == 1) {
		o[0] = (uint8_t)len;
		return;
	}
	o[0] = (uint8_t)(0x80 | (n - 1));
	for (size_t i = 1; i < n; i++) {
		o[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	}
}

void der_put_tlv(struct wire_wr *w, uint8_t tag, const void *content,
		 size_t len)
{
	uint8_t hdr[6] = {};

	if (len > 0xffffffffu) {
		if (w->err == 0) {
			w->err = WIRE_E_TOOBIG;
		}
		return;
	}
	hdr[0] = tag;
	encode_len(hdr + 1, len);
	wire_put_bytes(w, hdr, 1 + der_len_size(len));
	wire_put_bytes(w, content, len);
}

size_t der_begin(struct wire_wr *w, uint8_t tag)
{
	wire_put_u8(w, tag);
	wire_put_u8(w, 0);
	return w->len - 1;
}

void der_end(struct wire_wr *w, size_t mark)
{
	size_t content = 0;
	size_t extra = 0;

	if (w->err != 0) {
		return;
	}
	if (mark >= w->len) {
		w->err = WIRE_E_BOUNDS;
		return;
	}
	content = w->len - mark - 1;
	if (content > 0xffffffffu) {
		w->err = WIRE_E_TOOBIG;
		return;
	}
	extra = der_len_size(content) - 1;
	if (extra > 0) {
		wire_put_zero(w, extra);
		if (w->err != 0) {
			return;
		}
		memmove(w->buf + mark + 1 + extra, w->buf + mark + 1,
			content);
	}
	encode_len(w->buf + mark, content);
}
