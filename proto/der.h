/*
 * der.h - the small part of ASN.1 DER [X.690] that SPNEGO needs: a TLV
 * reader on top of struct wire_rd and a writer on top of struct wire_wr
 * that back-patches lengths.
 *
 * Reader limits: single-byte tags only (high tag numbers are rejected),
 * definite lengths of up to 4 length bytes (indefinite lengths are
 * rejected), at most DER_MAX_DEPTH levels of nesting. Non-minimal length
 * encodings are accepted, as BER allows. Like every wire getter, a failing
 * der_get*() leaves the cursor where it was.
 */
#ifndef WG_PROTO_DER_H
#define WG_PROTO_DER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "proto/wire.h"

#define DER_MAX_DEPTH 8

/* Universal tags we use. */
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_OID			0x06
#define DER_ENUMERATED		0x0a
#define DER_GENERAL_STRING	0x1b
#define DER_SEQUENCE		0x30
/* [APPLICATION n] constructed and [n] context-specific constructed. */
#define DER_APPLICATION(n)	(0x60 | (n))
#define DER_CONTEXT(n)		(0xa0 | (n))

/*
 * A reader over the contents of one constructed value. depth is 0 for
 * the outermost buffer and grows by one for each nested value.
 */
struct der_rd {
	struct wire_rd r;
	unsigned int depth;
};

/* Start reading a whole buffer at depth 0. */
void der_rd_init(struct der_rd *d, const uint8_t *p, size_t len);

static inline bool der_at_end(const struct der_rd *d)
{
	return wire_left(&d->r) == 0;
}

/*
 * Look at the next tag without consuming anything.
 * Errors: WIRE_E_SHORT (nothing left).
 */
int der_peek_tag(const struct der_rd *d, uint8_t *tag) WIRE_WUR;

/*
 * Read the next TLV, whatever its tag. *tag gets the tag, *inner a reader
 * over its contents (pointing into d's buffer) one level deeper. raw and
 * raw_len, when not NULL, get the whole encoding (tag and length
 * included), e.g. for data a MIC covers.
 * Errors: WIRE_E_SHORT (truncated header or contents past the end),
 * WIRE_E_INVALID (indefinite length, high tag number),
 * WIRE_E_TOOBIG (length of more than 4 bytes, nesting > DER_MAX_DEPTH).
 */
int der_get_any(struct der_rd *d, uint8_t *tag, struct der_rd *inner,
		const uint8_t **raw, size_t *raw_len) WIRE_WUR;

/* As der_get_any() but the tag must be want: else WIRE_E_INVALID. */
int der_get(struct der_rd *d, uint8_t want, struct der_rd *inner) WIRE_WUR;

/*
 * Read a primitive value with tag want; *p and *len give its contents
 * inside d's buffer. Errors as der_get().
 */
int der_get_prim(struct der_rd *d, uint8_t want, const uint8_t **p,
		 size_t *len) WIRE_WUR;

/*
 * Read a small ENUMERATED (1 to 4 content bytes, non-negative) into *v.
 * Errors as der_get(), plus WIRE_E_INVALID for a negative or empty value
 * and WIRE_E_TOOBIG for more than 4 content bytes.
 */
int der_get_enum(struct der_rd *d, uint32_t *v) WIRE_WUR;

/* Bytes a DER length field for len takes (1 to 5). */
size_t der_len_size(size_t len);

/*
 * Append tag, length and len bytes of content. Contents longer than
 * 0xffffffff set the writer's error to WIRE_E_TOOBIG.
 */
void der_put_tlv(struct wire_wr *w, uint8_t tag, const void *content,
		 size_t len);

/*
 * Open a constructed value: append tag and a one-byte length placeholder
 * and return the placeholder's offset, to be given to der_end() once the
 * contents have been appended. Values nest by nesting the calls.
 */
size_t der_begin(struct wire_wr *w, uint8_t tag);

/*
 * Close the value der_begin() opened at mark: write its real length,
 * moving the contents up when the length needs more than one byte.
 * Failures (including a bad mark) are sticky in the writer's error.
 */
void der_end(struct wire_wr *w, size_t mark);

#endif
