/*
 * wire.h - the one bounds-checked reader and growable writer used by every
 * codec in proto/: SMB2 bodies, NTLMSSP, SPNEGO DER, NDR and NetBIOS framing.
 *
 * Reader rules:
 *  - every getter returns 0 or a negative WIRE_E_* code and is marked
 *    warn_unused_result;
 *  - a failing getter leaves the cursor where it was;
 *  - bounds checks are written as "n > len - off", never "off + n > len",
 *    so they cannot overflow.
 *
 * Writer rules: putters never fail individually; the first failure (out of
 * memory, size limit) is sticky in w->err and reported by wire_wr_error().
 * The writer's buffer is a talloc child of the mem_ctx given to
 * wire_wr_init().
 */
#ifndef WG_PROTO_WIRE_H
#define WG_PROTO_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define WIRE_WUR __attribute__((warn_unused_result))

enum wire_err {
	WIRE_OK = 0,
	WIRE_E_SHORT = -1,	/* fewer bytes than the field needs */
	WIRE_E_BOUNDS = -2,	/* offset/length points outside the PDU */
	WIRE_E_INVALID = -3,	/* a field has a value the format forbids */
	WIRE_E_NOMEM = -4,	/* allocation failed */
	WIRE_E_TOOBIG = -5,	/* a size or count exceeds our limit */
	WIRE_E_UNSUPPORTED = -6,/* well-formed but not something we speak */
	WIRE_E_AUTH = -7,	/* authentication/verification failed */
};

/* Returns a static string for a WIRE_E_* code (never NULL). */
const char *wire_strerror(int err);

struct wire_rd {
	const uint8_t *base;	/* start of the PDU (offsets are from here) */
	size_t len;		/* bytes available from base */
	size_t off;		/* cursor */
};

/* Initialise a reader over [p, p+len). p may be NULL only if len is 0. */
void wire_rd_init(struct wire_rd *r, const void *p, size_t len);

static inline size_t wire_left(const struct wire_rd *r)
{
	return r->len - r->off;
}

static inline const uint8_t *wire_cur(const struct wire_rd *r)
{
	return r->base + r->off;
}

int wire_get_u8(struct wire_rd *r, uint8_t *v) WIRE_WUR;
int wire_get_u16le(struct wire_rd *r, uint16_t *v) WIRE_WUR;
int wire_get_u32le(struct wire_rd *r, uint32_t *v) WIRE_WUR;
int wire_get_u64le(struct wire_rd *r, uint64_t *v) WIRE_WUR;
int wire_get_u16be(struct wire_rd *r, uint16_t *v) WIRE_WUR;
int wire_get_u24be(struct wire_rd *r, uint32_t *v) WIRE_WUR;
int wire_get_u32be(struct wire_rd *r, uint32_t *v) WIRE_WUR;
/* Copy n bytes out. */
int wire_get_bytes(struct wire_rd *r, void *dst, size_t n) WIRE_WUR;
/* Zero-copy: *p points into the PDU; valid as long as the PDU buffer. */
int wire_get_ptr(struct wire_rd *r, const uint8_t **p, size_t n) WIRE_WUR;
int wire_skip(struct wire_rd *r, size_t n) WIRE_WUR;
/* Move the cursor to an absolute offset from base (off <= len). */
int wire_seek(struct wire_rd *r, size_t off) WIRE_WUR;
/* Advance the cursor to the next multiple of a (a power of two), measured
 * from base. Fails with WIRE_E_SHORT if that passes the end. */
int wire_align(struct wire_rd *r, size_t a) WIRE_WUR;

/*
 * An offset/length pair from a header becomes a sub-reader measured from
 * the start of the PDU (pdu->base). The sub-reader's base is base+off and
 * its cursor is 0. len 0 gives an empty reader whatever off is.
 * Returns WIRE_E_BOUNDS if [off, off+len) is not inside the PDU.
 */
int wire_sub(const struct wire_rd *pdu, size_t off, size_t len,
	     struct wire_rd *sub) WIRE_WUR;

/* Take the next n bytes as a sub-reader (cursor advances by n). */
int wire_get_sub(struct wire_rd *r, size_t n, struct wire_rd *sub) WIRE_WUR;

struct wire_wr {
	void *mem_ctx;		/* talloc parent of buf */
	uint8_t *buf;
	size_t len;		/* bytes written */
	size_t cap;
	size_t limit;		/* maximum len; 0 = no limit */
	int err;		/* first failure, sticky */
};

/* Start a writer; buf is allocated lazily under mem_ctx. */
void wire_wr_init(struct wire_wr *w, void *mem_ctx, size_t limit);
/* Reserve space for n more bytes without writing them. */
int wire_wr_reserve(struct wire_wr *w, size_t n);
static inline int wire_wr_error(const struct wire_wr *w)
{
	return w->err;
}

void wire_put_u8(struct wire_wr *w, uint8_t v);
void wire_put_u16le(struct wire_wr *w, uint16_t v);
void wire_put_u32le(struct wire_wr *w, uint32_t v);
void wire_put_u64le(struct wire_wr *w, uint64_t v);
void wire_put_u16be(struct wire_wr *w, uint16_t v);
void wire_put_u24be(struct wire_wr *w, uint32_t v);
void wire_put_u32be(struct wire_wr *w, uint32_t v);
void wire_put_bytes(struct wire_wr *w, const void *p, size_t n);
void wire_put_zero(struct wire_wr *w, size_t n);
/* Pad with zeros to a multiple of a, measured from the writer's start. */
void wire_put_align(struct wire_wr *w, size_t a);
/* Overwrite already-written bytes (for back-patched offsets/lengths).
 * Out-of-range patches set WIRE_E_BOUNDS. */
void wire_patch_u8(struct wire_wr *w, size_t off, uint8_t v);
void wire_patch_u16le(struct wire_wr *w, size_t off, uint16_t v);
void wire_patch_u32le(struct wire_wr *w, size_t off, uint32_t v);
void wire_patch_u64le(struct wire_wr *w, size_t off, uint64_t v);
void wire_patch_u24be(struct wire_wr *w, size_t off, uint32_t v);

/* Little-endian/big-endian helpers on raw memory (no bounds checks). */
static inline uint16_t wire_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t wire_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t wire_le64(const uint8_t *p)
{
	return (uint64_t)wire_le32(p) | ((uint64_t)wire_le32(p + 4) << 32);
}
static inline void wire_setle16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void wire_setle32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void wire_setle64(uint8_t *p, uint64_t v)
{
	wire_setle32(p, (uint32_t)v);
	wire_setle32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Fill p with n bytes from the kernel's CSPRNG (getrandom(2), retried on
 * EINTR and short reads). Returns 0, or -errno (p is then unspecified).
 * The one loop over getrandom for proto's random nonces and the server's
 * per-thread pool (smbd/base/random.h).
 */
int wire_random(void *p, size_t n) WIRE_WUR;

#endif
