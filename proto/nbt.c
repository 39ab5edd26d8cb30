/*
 * nbt.c - NetBIOS session service framing and SESSION REQUEST names
 * (see nbt.h). Written from RFC 1001 §14.1 (first-level encoding) and
 * RFC 1002 §4.3 (session packets).
 */
#include "proto/nbt.h"

#include <string.h>

#define NBT_ENCODED_LEN		32	/* 16 bytes, two letters each */
#define NBT_NAME_LEN		15	/* the suffix is the 16th byte */
#define NBT_LABEL_MAX		63
#define NBT_NAME_WIRE_MAX	255	/* whole encoded name, RFC 1002 */

int nbt_frame_hdr_pull(struct wire_rd *r, struct nbt_frame_hdr *h)
{
	struct wire_rd c = *r;
	uint8_t type = 0;
	uint32_t length = 0;
	int rc = 0;

	rc = wire_get_u8(&c, &type);
	if (rc != 0) {
		return rc;
	}
	rc = wire_get_u24be(&c, &length);
	if (rc != 0) {
		return rc;
	}
	h->type = type;
	h->length = length;
	*r = c;
	return 0;
}

int nbt_frame_hdr_put(uint8_t out[NBT_FRAME_HDR_LEN], uint8_t type,
		      size_t length)
{
	if (length > NBT_MAX_LENGTH) {
		return WIRE_E_TOOBIG;
	}
	out[0] = type;
	out[1] = (uint8_t)(length >> 16);
	out[2] = (uint8_t)(length >> 8);
	out[3] = (uint8_t)length;
	return 0;
}

void nbt_frame_hdr_push(struct wire_wr *w, uint8_t type, uint32_t length)
{
	uint8_t hdr[NBT_FRAME_HDR_LEN];

	if (nbt_frame_hdr_put(hdr, type, length) != 0) {
		if (w->err == 0) {
			w->err = WIRE_E_TOOBIG;
		}
		return;
	}
	wire_put_bytes(w, hdr, sizeof(hdr));
}

void nbt_negative_response_push(struct wire_wr *w, uint8_t error)
{
	nbt_frame_hdr_push(w, NBT_NEGATIVE_RESPONSE, 1);
	wire_put_u8(w, error);
}

/* One half-byte from a first-level letter 'A'..'P', or -1. */
static int nibble(uint8_t c)
{
	if (c < 'A' || c > 'P') {
		return -1;
	}
	return c - 'A';
}

static bool is_control(uint8_t c)
{
	return c < 0x20 || c == 0x7F;
}

/*
 * Turn the 16 decoded bytes into name + suffix: strip trailing spaces and
 * NULs (both are used as padding), then refuse control characters.
 */
static int name_from_raw(const uint8_t raw[16], struct nbt_name *n)
{
	size_t len = NBT_NAME_LEN;

	while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\0')) {
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		if (is_control(raw[i])) {
			return WIRE_E_INVALID;
		}
	}
	memcpy(n->name, raw, len);
	n->name[len] = '\0';
	n->suffix = raw[NBT_NAME_LEN];
	return 0;
}

/* Skip the scope labels after the encoded name, up to the zero byte. */
static int scope_skip(struct wire_rd *c)
{
	size_t total = 1 + NBT_ENCODED_LEN;
	uint8_t len = 0;
	int rc = 0;

	for (;;) {
		rc = wire_get_u8(c, &len);
		if (rc != 0) {
			return rc;
		}
		total += 1;
		if (len == 0) {
			break;
		}
		/* 0x40..0xFF are label types/pointers, never valid here */
		if (len > NBT_LABEL_MAX) {
			return WIRE_E_INVALID;
		}
		total += len;
		if (total > NBT_NAME_WIRE_MAX) {
			return WIRE_E_INVALID;
		}
		rc = wire_skip(c, len);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static int name_pull(struct wire_rd *r, struct nbt_name *n)
{
	struct wire_rd c = *r;
	const uint8_t *p = NULL;
	uint8_t raw[16] = { 0 };
	uint8_t len = 0;
	int rc = 0;

	rc = wire_get_u8(&c, &len);
	if (rc != 0) {
		return rc;
	}
	if (len != NBT_ENCODED_LEN) {
		return WIRE_E_INVALID;
	}
	rc = wire_get_ptr(&c, &p, NBT_ENCODED_LEN);
	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		int hi = nibble(p[2 * i]);
		int lo = nibble(p[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return WIRE_E_INVALID;
		}
		raw[i] = (uint8_t)(hi << 4 | lo);
	}
	rc = scope_skip(&c);
	if (rc != 0) {
		return rc;
	}
	rc = name_from_raw(raw, n);
	if (rc != 0) {
		return rc;
	}
	*r = c;
	return 0;
}

int nbt_session_request_pull(struct wire_rd *r, struct nbt_name *called,
			     struct nbt_name *calling)
{
	struct wire_rd c = *r;
	int rc = 0;

	rc = name_pull(&c, called);
	if (rc != 0) {
		return rc;
	}
	rc = name_pull(&c, calling);
	if (rc != 0) {
		return rc;
	}
	*r = c;
	return 0;
}

static void name_push(struct wire_wr *w, const struct nbt_name *n)
{
	uint8_t raw[16];
	uint8_t enc[NBT_ENCODED_LEN];
	size_t len = strnlen(n->name, NBT_NAME_LEN);

	memset(raw, ' ', NBT_NAME_LEN);
	memcpy(raw, n->name, len);
	raw[NBT_NAME_LEN] = n->suffix;
	for (size_t i = 0; i < sizeof(raw); i++) {
		enc[2 * i] = (uint8_t)('A' + (raw[i] >> 4));
		enc[2 * i + 1] = (uint8_t)('A' + (raw[i] & 0x0F));
	}
	wire_put_u8(w, NBT_ENCODED_LEN);
	wire_put_bytes(w, enc, sizeof(enc));
	wire_put_u8(w, 0);	/* empty scope */
}

void nbt_session_request_push(struct wire_wr *w, const struct nbt_name *called,
			      const struct nbt_name *calling)
{
	name_push(w, called);
	name_push(w, calling);
}
