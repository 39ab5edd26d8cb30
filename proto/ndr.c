/*
 * ndr.c - NDR marshalling on the shared reader/writer (see ndr.h).
 */
#include "proto/ndr.h"

#include <string.h>
#include "proto/utf16.h"
#include "proto/hex.h"

/* 8a885d04-1ceb-11c9-9fe8-08002b104860 */
const uint8_t NDR_SYNTAX_NDR32[16] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
};

/* 71710533-beba-4937-83ab-bd0a4d8de1d5 */
const uint8_t NDR_SYNTAX_NDR64[16] = {
	0x33, 0x05, 0x71, 0x71, 0xba, 0xbe, 0x37, 0x49,
	0x83, 0xab, 0xbd, 0x0a, 0x4d, 0x8d, 0xe1, 0xd5,
};

/* First referent id we hand out; ids step by 4 like Windows' stubs. */
#define NDR_REFERENT_BASE 0x00020000u

struct ndr_deferred {
	struct ndr_deferred *next;
	ndr_push_fn fn;
	const void *arg;
};

void ndr_pull_init(struct ndr_pull *p, TALLOC_CTX *mem, const uint8_t *stub,
		   size_t len)
{
	*p = (struct ndr_pull) {
		.mem = mem,
		.max_count = NDR_MAX_COUNT,
	};
	wire_rd_init(&p->r, stub, len);
}

int ndr_pull_align(struct ndr_pull *p, size_t a)
{
	return wire_align(&p->r, a);
}

int ndr_pull_u8(struct ndr_pull *p, uint8_t *v)
{
	return wire_get_u8(&p->r, v);
}

int ndr_pull_u16(struct ndr_pull *p, uint16_t *v)
{
	size_t save = p->r.off;
	int rc = wire_align(&p->r, 2);

	if (rc == 0) {
		rc = wire_get_u16le(&p->r, v);
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

int ndr_pull_u32(struct ndr_pull *p, uint32_t *v)
{
	size_t save = p->r.off;
	int rc = wire_align(&p->r, 4);

	if (rc == 0) {
		rc = wire_get_u32le(&p->r, v);
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

int ndr_pull_u64(struct ndr_pull *p, uint64_t *v)
{
	size_t save = p->r.off;
	int rc = wire_align(&p->r, 8);

	if (rc == 0) {
		rc = wire_get_u64le(&p->r, v);
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

int ndr_pull_bytes(struct ndr_pull *p, void *dst, size_t n)
{
	return wire_get_bytes(&p->r, dst, n);
}

int ndr_pull_ptr(struct ndr_pull *p, uint32_t *referent)
{
	return ndr_pull_u32(p, referent);
}

int ndr_pull_full_ptr(struct ndr_pull *p, uint32_t *referent, bool *seen)
{
	size_t save = p->r.off;
	uint32_t id = 0;
	uint32_t *ids = NULL;
	int rc = ndr_pull_u32(p, &id);

	if (rc != 0) {
		return rc;
	}
	*seen = false;
	if (id != 0) {
		for (size_t i = 0; i < p->n_full; i++) {
			if (p->full_ids[i] == id) {
				*seen = true;
				break;
			}
		}
	}
	if (id != 0 && !*seen) {
		if (p->n_full >= NDR_MAX_FULL_PTRS) {
			p->r.off = save;
			return WIRE_E_TOOBIG;
		}
		ids = talloc_realloc(p->mem, p->full_ids, uint32_t,
				     p->n_full + 1);
		if (ids == NULL) {
			p->r.off = save;
			return WIRE_E_NOMEM;
		}
		ids[p->n_full++] = id;
		p->full_ids = ids;
	}
	*referent = id;
	return 0;
}

int ndr_pull_array_size(struct ndr_pull *p, size_t elem_size,
			uint32_t *count)
{
	size_t save = p->r.off;
	uint32_t n = 0;
	int rc = ndr_pull_u32(p, &n);

	if (rc != 0) {
		return rc;
	}
	if (n > p->max_count) {
		p->r.off = save;
		return WIRE_E_TOOBIG;
	}
	if (elem_size != 0 && n > wire_left(&p->r) / elem_size) {
		p->r.off = save;
		return WIRE_E_SHORT;
	}
	*count = n;
	return 0;
}

int ndr_pull_conformant_bytes(struct ndr_pull *p, const uint8_t **data,
			      uint32_t *count)
{
	size_t save = p->r.off;
	uint32_t n = 0;
	int rc = ndr_pull_array_size(p, 1, &n);

	if (rc != 0) {
		return rc;
	}
	rc = wire_get_ptr(&p->r, data, n);
	if (rc != 0) {
		p->r.off = save;
		return rc;
	}
	*count = n;
	return 0;
}

int ndr_pull_string(struct ndr_pull *p, char **out)
{
	size_t save = p->r.off;
	uint32_t max = 0, offset = 0, actual = 0;
	const uint8_t *units = NULL;
	size_t nul = 0;
	int rc = ndr_pull_u32(p, &max);

	if (rc == 0) {
		rc = ndr_pull_u32(p, &offset);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(p, &actual);
	}
	if (rc != 0) {
		goto fail;
	}
	if (max > p->max_count || actual > p->max_count) {
		rc = WIRE_E_TOOBIG;
		goto fail;
	}
	if (offset != 0 || actual > max || actual == 0) {
		rc = WIRE_E_INVALID;
		goto fail;
	}
	rc = wire_get_ptr(&p->r, &units, (size_t)actual * 2);
	if (rc != 0) {
		goto fail;
	}
	if (wire_le16(units + ((size_t)actual - 1) * 2) != 0) {
		rc = WIRE_E_INVALID;
		goto fail;
	}
	/* The string ends at its first NUL: Windows takes "\0\0\0" too. */
	for (nul = 0; wire_le16(units + nul * 2) != 0; nul++) {
	}
	rc = utf16le_to_utf8(p->mem, units, nul * 2, out);
	if (rc != 0) {
		goto fail;
	}
	return 0;
fail:
	p->r.off = save;
	return rc;
}

int ndr_pull_unique_string(struct ndr_pull *p, char **out)
{
	size_t save = p->r.off;
	uint32_t ref = 0;
	int rc = ndr_pull_ptr(p, &ref);

	if (rc != 0) {
		return rc;
	}
	if (ref == 0) {
		*out = NULL;
		return 0;
	}
	rc = ndr_pull_string(p, out);
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

int ndr_pull_handle(struct ndr_pull *p, uint8_t h[NDR_HANDLE_LEN])
{
	size_t save = p->r.off;
	int rc = wire_align(&p->r, 4);

	if (rc == 0) {
		rc = wire_get_bytes(&p->r, h, NDR_HANDLE_LEN);
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

void ndr_push_init(struct ndr_push *p, TALLOC_CTX *mem, size_t limit)
{
	*p = (struct ndr_push) {
		.mem = mem,
		.next_referent = NDR_REFERENT_BASE,
	};
	wire_wr_init(&p->w, mem, limit);
}

void ndr_push_align(struct ndr_push *p, size_t a)
{
	size_t pad = (a - (p->w.len & (a - 1))) & (a - 1);

	/* Nothing at all when aligned: an empty writer has no buffer yet. */
	if (pad > 0) {
		wire_put_zero(&p->w, pad);
	}
}

void ndr_push_u8(struct ndr_push *p, uint8_t v)
{
	wire_put_u8(&p->w, v);
}

void ndr_push_u16(struct ndr_push *p, uint16_t v)
{
	ndr_push_align(p, 2);
	wire_put_u16le(&p->w, v);
}

void ndr_push_u32(struct ndr_push *p, uint32_t v)
{
	ndr_push_align(p, 4);
	wire_put_u32le(&p->w, v);
}

void ndr_push_u64(struct ndr_push *p, uint64_t v)
{
	ndr_push_align(p, 8);
	wire_put_u64le(&p->w, v);
}

void ndr_push_bytes(struct ndr_push *p, const void *data, size_t n)
{
	if (n > 0) {
		wire_put_bytes(&p->w, data, n);
	}
}

static void fail_push(struct ndr_push *p, int err)
{
	if (p->w.err == 0) {
		p->w.err = err;
	}
}

static uint32_t new_referent(struct ndr_push *p)
{
	uint32_t id = p->next_referent;

	p->next_referent += 4;
	if (p->next_referent == 0) {
		p->next_referent = NDR_REFERENT_BASE;
	}
	return id;
}

static void enqueue(struct ndr_push *p, const void *arg, ndr_push_fn fn)
{
	struct ndr_deferred *d = NULL;

	if (p->w.err != 0) {
		return;
	}
	d = talloc_zero(p->mem, struct ndr_deferred);
	if (d == NULL) {
		fail_push(p, WIRE_E_NOMEM);
		return;
	}
	d->fn = fn;
	d->arg = arg;
	if (p->tail == NULL) {
		p->head = d;
	} else {
		p->tail->next = d;
	}
	p->tail = d;
}

void ndr_push_ptr(struct ndr_push *p, const void *arg, ndr_push_fn fn)
{
	if (arg == NULL) {
		ndr_push_u32(p, 0);
		return;
	}
	ndr_push_u32(p, new_referent(p));
	enqueue(p, arg, fn);
}

void ndr_push_full_ptr(struct ndr_push *p, const void *arg, ndr_push_fn fn)
{
	const void **args = NULL;
	uint32_t *ids = NULL;
	uint32_t id = 0;

	if (arg == NULL) {
		ndr_push_u32(p, 0);
		return;
	}
	for (size_t i = 0; i < p->n_full; i++) {
		if (p->full_args[i] == arg) {
			ndr_push_u32(p, p->full_ids[i]);
			return;
		}
	}
	args = talloc_realloc(p->mem, p->full_args, const void *,
			      p->n_full + 1);
	if (args == NULL) {
		fail_push(p, WIRE_E_NOMEM);
		return;
	}
	p->full_args = args;
	ids = talloc_realloc(p->mem, p->full_ids, uint32_t, p->n_full + 1);
	if (ids == NULL) {
		fail_push(p, WIRE_E_NOMEM);
		return;
	}
	p->full_ids = ids;
	id = new_referent(p);
	args[p->n_full] = arg;
	ids[p->n_full] = id;
	p->n_full++;
	ndr_push_u32(p, id);
	enqueue(p, arg, fn);
}

void ndr_push_referent(struct ndr_push *p)
{
	ndr_push_u32(p, new_referent(p));
}

void ndr_push_flush(struct ndr_push *p)
{
	struct ndr_deferred *list = p->head;

	/* Detach this level: what the pointees queue is the next level. */
	p->head = NULL;
	p->tail = NULL;
	while (list != NULL) {
		struct ndr_deferred *d = list;

		list = d->next;
		if (p->w.err == 0) {
			d->fn(p, d->arg);
		}
		talloc_free(d);
		ndr_push_flush(p);
	}
}

void ndr_push_string(struct ndr_push *p, const char *s)
{
	size_t bytes = utf16_len_of_utf8(s);
	size_t units = bytes / 2 + 1;

	if (s[0] != '\0' && bytes == 0) {
		fail_push(p, WIRE_E_INVALID);
		return;
	}
	if (units > NDR_MAX_COUNT) {
		fail_push(p, WIRE_E_TOOBIG);
		return;
	}
	ndr_push_u32(p, (uint32_t)units);
	ndr_push_u32(p, 0);
	ndr_push_u32(p, (uint32_t)units);
	wire_put_utf16(&p->w, s);
	wire_put_u16le(&p->w, 0);
}

static void push_string_cb(struct ndr_push *p, const void *arg)
{
	ndr_push_string(p, arg);
}

void ndr_push_unique_string(struct ndr_push *p, const char *s)
{
	ndr_push_ptr(p, s, push_string_cb);
}

void ndr_push_conformant_bytes(struct ndr_push *p, const void *data,
			       uint32_t n)
{
	ndr_push_u32(p, n);
	ndr_push_bytes(p, data, n);
}

void ndr_push_handle(struct ndr_push *p, const uint8_t h[NDR_HANDLE_LEN])
{
	ndr_push_align(p, 4);
	ndr_push_bytes(p, h, NDR_HANDLE_LEN);
}

int ndr_uuid_parse(const char *s, uint8_t out[16])
{
	/* Canonical order of the 16 bytes as printed, and where each goes. */
	static const uint8_t wire_pos[16] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	uint8_t tmp[16];
	size_t n = 0;

	if (strlen(s) != 36) {
		return WIRE_E_INVALID;
	}
	for (size_t i = 0; i < 36; i++) {
		int hi = 0, lo = 0;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-') {
				return WIRE_E_INVALID;
			}
			continue;
		}
		hi = hex_digit(s[i]);
		lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 ||
		    i + 1 == 18 || i + 1 == 23) {
			return WIRE_E_INVALID;
		}
		tmp[wire_pos[n++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	memcpy(out, tmp, 16);
	return 0;
}
