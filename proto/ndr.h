/*
 * ndr.h - NDR, the DCE/RPC transfer syntax 8a885d04-1ceb-11c9-9fe8-
 * 08002b104860 v2 [C706 ch. 14], little-endian and ASCII only, on top of
 * struct wire_rd / struct wire_wr.
 *
 * Alignment: every primitive is aligned to its size, measured from the
 * start of the stub (the reader's base, the writer's first byte), which
 * is what NDR's "octet stream" alignment means.
 *
 * Pointers [C706 §14.3.10-12]:
 *  - a top-level [ref] pointer has no wire representation: its pointee
 *    comes in its place;
 *  - a [unique] or embedded pointer is a 4-byte referent id (0 = NULL);
 *  - a [ptr] (full) pointer is a referent id that may repeat: the same id
 *    names the same pointee, sent once.
 * Embedded pointees are deferred: written after the structure (or array
 * of structures) containing them, in the order their pointers appeared,
 * each followed at once by its own deferred pointees (depth first). The
 * encoder does this with a queue (ndr_push_ptr() + ndr_push_flush()); the
 * decoder's callers read referent ids first and pointees after, by hand.
 *
 * Reader rules are wire.h's: every getter returns 0 or a negative WIRE_E_*
 * code, is warn_unused_result, and leaves the cursor where it was when it
 * fails, even the compound ones (strings, arrays). Counts a peer sends are
 * checked against NDR_MAX_COUNT and the bytes left before anything is
 * allocated from them.
 */
#ifndef WG_PROTO_NDR_H
#define WG_PROTO_NDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "proto/wire.h"

/* Most elements a conformant or varying array may announce. */
#define NDR_MAX_COUNT		(1u << 20)
/* Distinct full-pointer referents tracked in one stub. */
#define NDR_MAX_FULL_PTRS	256
/* A context handle: 4 bytes of attributes and a 16-byte UUID. */
#define NDR_HANDLE_LEN		20

struct ndr_pull {
	struct wire_rd r;	/* base = first byte of the stub */
	TALLOC_CTX *mem;	/* parent of strings pulled */
	uint32_t max_count;	/* cap for counts: NDR_MAX_COUNT by default */
	uint32_t *full_ids;	/* referent ids of full pointers seen */
	size_t n_full;
};

/* Start reading stub [p, p+len); strings become talloc children of mem. */
void ndr_pull_init(struct ndr_pull *p, TALLOC_CTX *mem, const uint8_t *stub,
		   size_t len);

static inline size_t ndr_pull_left(const struct ndr_pull *p)
{
	return wire_left(&p->r);
}

/* Skip to a multiple of a (1, 2, 4 or 8). Errors: WIRE_E_SHORT. */
int ndr_pull_align(struct ndr_pull *p, size_t a) WIRE_WUR;

/* Aligned little-endian integers. Errors: WIRE_E_SHORT. */
int ndr_pull_u8(struct ndr_pull *p, uint8_t *v) WIRE_WUR;
int ndr_pull_u16(struct ndr_pull *p, uint16_t *v) WIRE_WUR;
int ndr_pull_u32(struct ndr_pull *p, uint32_t *v) WIRE_WUR;
int ndr_pull_u64(struct ndr_pull *p, uint64_t *v) WIRE_WUR;

/* n unaligned bytes. Errors: WIRE_E_SHORT. */
int ndr_pull_bytes(struct ndr_pull *p, void *dst, size_t n) WIRE_WUR;

/*
 * A unique (or embedded ref) pointer: the aligned referent id, 0 for NULL.
 * Errors: WIRE_E_SHORT.
 */
int ndr_pull_ptr(struct ndr_pull *p, uint32_t *referent) WIRE_WUR;

/*
 * A full pointer: as ndr_pull_ptr(), and *seen tells whether this non-zero
 * id came before in the stub (then its pointee is not sent again).
 * Errors: WIRE_E_SHORT, WIRE_E_TOOBIG (more than NDR_MAX_FULL_PTRS ids),
 * WIRE_E_NOMEM.
 */
int ndr_pull_full_ptr(struct ndr_pull *p, uint32_t *referent, bool *seen)
	WIRE_WUR;

/*
 * The conformance of a conformant array (its max count), checked against
 * the cap and against elem_size * count <= bytes left (elem_size is the
 * smallest wire size of one element; 0 skips that check).
 * Errors: WIRE_E_SHORT, WIRE_E_TOOBIG.
 */
int ndr_pull_array_size(struct ndr_pull *p, size_t elem_size,
			uint32_t *count) WIRE_WUR;

/*
 * A conformant array of bytes ([size_is(n)] BYTE*): max count, then the
 * bytes. *data points into the stub. Errors: WIRE_E_SHORT, WIRE_E_TOOBIG.
 */
int ndr_pull_conformant_bytes(struct ndr_pull *p, const uint8_t **data,
			      uint32_t *count) WIRE_WUR;

/*
 * The pointee of a [string] wchar_t*: a conformant varying array of
 * UTF-16LE code units ending in a NUL (max count, offset 0, actual
 * count <= max count, a NUL last). The string is what comes before the
 * first NUL (as Windows reads it). *out is a UTF-8 talloc child of
 * p->mem.
 * Errors: WIRE_E_SHORT, WIRE_E_TOOBIG (count over the cap), WIRE_E_INVALID
 * (offset not 0, actual > max, no NUL, bad UTF-16), WIRE_E_NOMEM.
 */
int ndr_pull_string(struct ndr_pull *p, char **out) WIRE_WUR;

/*
 * A top-level [unique, string] wchar_t*: referent id, then (if not NULL)
 * the string at once. *out is NULL for a NULL pointer. Errors as above.
 */
int ndr_pull_unique_string(struct ndr_pull *p, char **out) WIRE_WUR;

/* A context handle (20 bytes, 4-aligned). Errors: WIRE_E_SHORT. */
int ndr_pull_handle(struct ndr_pull *p, uint8_t h[NDR_HANDLE_LEN]) WIRE_WUR;

struct ndr_push;

/* Writes the pointee of a deferred pointer: arg is what was queued. */
typedef void (*ndr_push_fn)(struct ndr_push *p, const void *arg);

struct ndr_deferred;

struct ndr_push {
	struct wire_wr w;	/* the stub: alignment from w.buf[0] */
	TALLOC_CTX *mem;	/* parent of the queue's entries */
	uint32_t next_referent;
	struct ndr_deferred *head, *tail;	/* pointees not yet written */
	const void **full_args;	/* full pointers written: arg ... */
	uint32_t *full_ids;	/* ... and its referent id */
	size_t n_full;
};

/*
 * Start a stub writer; its buffer is a talloc child of mem. limit caps
 * the stub (0 = none): past it the writer fails with WIRE_E_TOOBIG.
 */
void ndr_push_init(struct ndr_push *p, TALLOC_CTX *mem, size_t limit);

/* The first failure (WIRE_E_NOMEM, WIRE_E_TOOBIG, WIRE_E_INVALID), or 0. */
static inline int ndr_push_error(const struct ndr_push *p)
{
	return wire_wr_error(&p->w);
}

void ndr_push_align(struct ndr_push *p, size_t a);
void ndr_push_u8(struct ndr_push *p, uint8_t v);
void ndr_push_u16(struct ndr_push *p, uint16_t v);
void ndr_push_u32(struct ndr_push *p, uint32_t v);
void ndr_push_u64(struct ndr_push *p, uint64_t v);
void ndr_push_bytes(struct ndr_push *p, const void *data, size_t n);

/*
 * A unique or embedded pointer to arg: writes a fresh referent id (0 when
 * arg is NULL) and queues fn(arg) for the next ndr_push_flush(). arg must
 * stay valid until then.
 */
void ndr_push_ptr(struct ndr_push *p, const void *arg, ndr_push_fn fn);

/*
 * A full pointer: like ndr_push_ptr(), but an arg already written gets its
 * earlier referent id and is not queued again.
 */
void ndr_push_full_ptr(struct ndr_push *p, const void *arg, ndr_push_fn fn);

/*
 * A non-NULL pointer whose pointee the caller writes at once (top-level
 * [unique] or [out] pointers): just a fresh referent id.
 */
void ndr_push_referent(struct ndr_push *p);

/*
 * Write every queued pointee, in order, each followed by the pointees it
 * queued itself. Call it at the end of each top-level parameter.
 */
void ndr_push_flush(struct ndr_push *p);

/* The pointee of a [string] wchar_t*: conformant varying, NUL included.
 * Malformed UTF-8 fails the writer with WIRE_E_INVALID. */
void ndr_push_string(struct ndr_push *p, const char *s);

/* An embedded [unique, string] wchar_t*: referent now, string deferred. */
void ndr_push_unique_string(struct ndr_push *p, const char *s);

/* [size_is(n)] BYTE*: max count n, then the bytes. */
void ndr_push_conformant_bytes(struct ndr_push *p, const void *data,
			       uint32_t n);

void ndr_push_handle(struct ndr_push *p, const uint8_t h[NDR_HANDLE_LEN]);

/* The well-known transfer syntaxes, as 16 wire bytes (little-endian). */
extern const uint8_t NDR_SYNTAX_NDR32[16];	/* 8a885d04-... v2 */
extern const uint8_t NDR_SYNTAX_NDR64[16];	/* 71710533-... v1 */

/*
 * Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into the 16-byte NDR wire
 * form of a UUID (first three fields little-endian). 0 or WIRE_E_INVALID.
 */
int ndr_uuid_parse(const char *s, uint8_t out[16]) WIRE_WUR;

#endif
