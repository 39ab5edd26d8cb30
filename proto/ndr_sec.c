/*
 * ndr_sec.c - RPC_UNICODE_STRING and RPC_SID in NDR (see ndr_sec.h).
 */
#include "proto/ndr_sec.h"

#include "proto/utf16.h"

static void fail(struct ndr_push *p, int err)
{
	if (p->w.err == 0) {
		p->w.err = err;
	}
}

int ndr_pull_ustr_hdr(struct ndr_pull *p, struct ndr_ustr_hdr *h)
{
	size_t save = p->r.off;
	int rc = ndr_pull_align(p, 4);	/* a structure with a pointer */

	if (rc == 0) {
		rc = ndr_pull_u16(p, &h->len);
	}

	if (rc == 0) {
		rc = ndr_pull_u16(p, &h->max);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(p, &h->ref);
	}
	if (rc == 0 && ((h->len | h->max) & 1) != 0) {
		rc = WIRE_E_INVALID;
	}
	if (rc == 0 && h->len > h->max) {
		rc = WIRE_E_INVALID;
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

static int pull_ustr_body(struct ndr_pull *p, const struct ndr_ustr_hdr *h,
			  bool drop_nuls, char **out)
{
	size_t save = p->r.off;
	uint32_t max = 0, offset = 0, actual = 0;
	const uint8_t *units = NULL;
	int rc = 0;

	*out = NULL;
	if (h->ref == 0) {
		return 0;
	}
	rc = ndr_pull_u32(p, &max);
	if (rc == 0) {
		rc = ndr_pull_u32(p, &offset);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(p, &actual);
	}
	if (rc != 0) {
		goto fail;
	}
	/* Windows sends exactly MaximumLength/2 and Length/2 */
	if (max != h->max / 2u || offset != 0 || actual != h->len / 2u) {
		rc = WIRE_E_INVALID;
		goto fail;
	}
	rc = wire_get_ptr(&p->r, &units, (size_t)actual * 2);
	while (rc == 0 && drop_nuls && actual > 0 &&
	       units[actual * 2 - 2] == 0 && units[actual * 2 - 1] == 0) {
		actual--;
	}
	if (rc == 0) {
		rc = utf16le_to_utf8(p->mem, units, (size_t)actual * 2, out);
	}
	if (rc != 0) {
		goto fail;
	}
	return 0;
fail:
	*out = NULL;
	p->r.off = save;
	return rc;
}

int ndr_pull_ustr_body(struct ndr_pull *p, const struct ndr_ustr_hdr *h,
		       char **out)
{
	return pull_ustr_body(p, h, false, out);
}

int ndr_pull_ustr_body_term(struct ndr_pull *p, const struct ndr_ustr_hdr *h,
			    char **out)
{
	return pull_ustr_body(p, h, true, out);
}

int ndr_pull_ustr(struct ndr_pull *p, char **out)
{
	size_t save = p->r.off;
	struct ndr_ustr_hdr h;
	int rc = ndr_pull_ustr_hdr(p, &h);

	if (rc == 0) {
		rc = ndr_pull_ustr_body(p, &h, out);
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

static void push_ustr_body(struct ndr_push *p, const void *arg)
{
	const char *s = arg;
	uint32_t units = (uint32_t)(utf16_len_of_utf8(s) / 2);

	ndr_push_u32(p, units);
	ndr_push_u32(p, 0);
	ndr_push_u32(p, units);
	wire_put_utf16(&p->w, s);
}

void ndr_push_ustr(struct ndr_push *p, const char *s)
{
	size_t bytes = s != NULL ? utf16_len_of_utf8(s) : 0;

	if (s != NULL && s[0] != '\0' && bytes == 0) {
		fail(p, WIRE_E_INVALID);
		return;
	}
	if (bytes / 2 > NDR_USTR_MAX_UNITS) {
		fail(p, WIRE_E_TOOBIG);
		return;
	}
	ndr_push_align(p, 4);	/* a structure with a pointer */
	ndr_push_u16(p, (uint16_t)bytes);
	ndr_push_u16(p, (uint16_t)bytes);
	ndr_push_ptr(p, s, push_ustr_body);
}

int ndr_pull_rpc_sid(struct ndr_pull *p, struct dom_sid *sid)
{
	size_t save = p->r.off;
	uint32_t count = 0;
	int rc = ndr_pull_u32(p, &count);

	if (rc == 0) {
		rc = sid_pull(&p->r, sid);
	}
	if (rc == 0 && sid->num_auths != count) {
		rc = WIRE_E_INVALID;
	}
	if (rc != 0) {
		p->r.off = save;
	}
	return rc;
}

void ndr_push_rpc_sid(struct ndr_push *p, const struct dom_sid *sid)
{
	ndr_push_u32(p, sid->num_auths);
	sid_push(&p->w, sid);
}

static void push_sid_cb(struct ndr_push *p, const void *arg)
{
	ndr_push_rpc_sid(p, arg);
}

void ndr_push_sid_ptr(struct ndr_push *p, const struct dom_sid *sid)
{
	ndr_push_ptr(p, sid, push_sid_cb);
}

int ndr_pull_sid_array(struct ndr_pull *p, uint32_t max_count,
		       struct dom_sid **sids, uint32_t *n)
{
	size_t save = p->r.off;
	uint32_t count = 0, ref = 0, max = 0;
	struct dom_sid *v = NULL;
	int rc = ndr_pull_u32(p, &count);

	*sids = NULL;
	*n = 0;
	if (rc == 0) {
		rc = ndr_pull_ptr(p, &ref);
	}
	if (rc == 0 && count > max_count) {
		rc = WIRE_E_TOOBIG;
	} else if (rc == 0 && ref == 0 && count != 0) {
		rc = WIRE_E_INVALID;
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_array_size(p, 4, &max);
		if (rc == 0 && max != count) {
			rc = WIRE_E_INVALID;
		}
	}
	if (rc == 0 && ref != 0) {
		v = talloc_array(p->mem, struct dom_sid, count + 1);
		if (v == NULL) {
			rc = WIRE_E_NOMEM;
		}
	}
	for (uint32_t i = 0; rc == 0 && ref != 0 && i < count; i++) {
		uint32_t elem = 0;

		rc = ndr_pull_ptr(p, &elem);
		if (rc == 0 && elem == 0) {
			rc = WIRE_E_INVALID;
		}
	}
	for (uint32_t i = 0; rc == 0 && ref != 0 && i < count; i++) {
		rc = ndr_pull_rpc_sid(p, &v[i]);
	}
	if (rc != 0) {
		TALLOC_FREE(v);
		p->r.off = save;
		return rc;
	}
	*sids = v;
	*n = ref != 0 ? count : 0;
	return 0;
}
