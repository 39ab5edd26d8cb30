/*
 * rap.c - RAP requests and responses [MS-RAP §2.5, §3.2.5]: the four
 * browse calls over \PIPE\LANMAN.
 */
#include "proto/rap.h"

#include <string.h>
#include <talloc.h>

/* An ASCIIZ string at the cursor: a pointer into the buffer. */
static int get_asciiz(struct wire_rd *rd, const char **s, size_t max)
{
	const uint8_t *p = wire_cur(rd);
	const uint8_t *nul = memchr(p, 0, wire_left(rd));
	size_t len = 0;

	if (nul == NULL) {
		return WIRE_E_SHORT;
	}
	len = (size_t)(nul - p);
	if (len > max) {
		return WIRE_E_INVALID;
	}
	*s = (const char *)p;
	return wire_skip(rd, len + 1);
}

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Do the descriptors match what MS-RAP gives for the call and level? */
static bool descs_ok(const struct rap_req *r)
{
	const char *d = r->data_desc;

	switch (r->api) {
	case RAP_NetShareEnum:
		return is(r->param_desc, "WrLeh") &&
		       ((r->level == 0 && is(d, "B13")) ||
			(r->level == 1 && is(d, "B13BWz")));
	case RAP_NetServerGetInfo:
		return is(r->param_desc, "WrLh") &&
		       ((r->level == 0 && is(d, "B16")) ||
			(r->level == 1 && is(d, "B16BBDz")));
	case RAP_NetWkstaGetInfo:
		return is(r->param_desc, "WrLh") && r->level == 10 &&
		       is(d, "zzzBBzz");
	case RAP_NetServerEnum2:
		return (is(r->param_desc, "WrLehDz") ||
			is(r->param_desc, "WrLehDO")) &&
		       ((r->level == 0 && is(d, "B16")) ||
			(r->level == 1 && is(d, "B16BBDz")));
	default:
		return false;
	}
}

int rap_req_parse(const uint8_t *p, size_t n, struct rap_req *r)
{
	struct wire_rd rd;
	const char *dom = NULL;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	wire_rd_init(&rd, p, n);
	rc = wire_get_u16le(&rd, &r->api);
	if (rc == 0) {
		rc = get_asciiz(&rd, &r->param_desc, 64);
	}
	if (rc == 0) {
		rc = get_asciiz(&rd, &r->data_desc, 64);
	}
	if (rc != 0) {
		return rc;
	}
	switch (r->api) {
	case RAP_NetShareEnum:
	case RAP_NetServerGetInfo:
	case RAP_NetWkstaGetInfo:
	case RAP_NetServerEnum2:
		break;
	default:
		return 0;	/* answered "not supported" */
	}
	rc = wire_get_u16le(&rd, &r->level);
	if (rc == 0) {
		rc = wire_get_u16le(&rd, &r->rcv_len);
	}
	if (rc == 0 && r->api == RAP_NetServerEnum2) {
		rc = wire_get_u32le(&rd, &r->server_type);
		if (rc == 0 && is(r->param_desc, "WrLehDz")) {
			rc = get_asciiz(&rd, &dom, RAP_MAX_DOMAIN);
			if (rc == 0) {
				memcpy(r->domain, dom, strlen(dom) + 1);
			}
		}
	}
	if (rc != 0) {
		return rc;
	}
	r->known = descs_ok(r);
	return 0;
}

/* ---- responses ---- */

/* Copy s as OEM into a fixed field of size bytes (NUL padded, cut). */
static void put_fixed(struct wire_wr *w, const char *s, size_t size)
{
	size_t i = 0;

	for (i = 0; i < size; i++) {
		uint8_t c = 0;

		if (i + 1 < size && s != NULL && *s != '\0') {
			c = (uint8_t)*s++;
			if (c >= 0x80) {
				c = '?';
				while (((uint8_t)*s & 0xC0) == 0x80) {
					s++;	/* the rest of a UTF-8 char */
				}
			}
		}
		wire_put_u8(w, c);
	}
}

static size_t oem_len(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if (((uint8_t)*s & 0xC0) != 0x80) {
			n++;
		}
	}
	return n;
}

/* The data block's strings: after fixed bytes, pointed to by offset */
struct strs {
	struct wire_wr *data;
	size_t fixed;		/* where the strings start */
	struct wire_wr heap;
};

/* A string pointer to s (its copy after the fixed parts). */
static void put_ptr(struct strs *st, const char *s)
{
	size_t n = oem_len(s);

	wire_put_u32le(st->data, (uint32_t)(st->fixed + st->heap.len));
	put_fixed(&st->heap, s, n + 1);
}

static void strs_end(struct strs *st)
{
	wire_put_bytes(st->data, st->heap.buf, st->heap.len);
	if (wire_wr_error(&st->heap) != 0 && st->data->err == 0) {
		st->data->err = wire_wr_error(&st->heap);	/* sticky */
	}
	talloc_free(st->heap.buf);
}

void rap_status_push(struct wire_wr *param, uint16_t status)
{
	wire_put_u16le(param, status);
	wire_put_u16le(param, 0);	/* Converter */
}

void rap_share_enum_push(struct wire_wr *param, struct wire_wr *data,
			 const struct rap_req *r,
			 const struct rap_share *shares, size_t n)
{
	size_t esize = r->level == 1 ? 20 : 13;
	size_t k = 0, total = 0, i = 0;
	struct strs st = { .data = data };

	/* as many whole entries (and their strings) as fit */
	for (k = 0; k < n; k++) {
		size_t more = esize + (r->level == 1 ?
				       oem_len(shares[k].comment) + 1 : 0);

		if (total + more > r->rcv_len) {
			break;
		}
		total += more;
	}
	rap_status_push(param, k < n ? RAP_ERROR_MORE_DATA :
				       RAP_NERR_Success);
	wire_put_u16le(param, (uint16_t)k);	/* EntriesReturned */
	wire_put_u16le(param, (uint16_t)n);	/* EntriesAvailable */
	st.fixed = esize * k;
	wire_wr_init(&st.heap, NULL, 0);
	for (i = 0; i < k; i++) {
		put_fixed(data, shares[i].name, 13);
		if (r->level == 1) {
			wire_put_u8(data, 0);		/* Pad */
			wire_put_u16le(data, shares[i].type);
			put_ptr(&st, shares[i].comment);
		}
	}
	strs_end(&st);
}

/* server_info_0 / server_info_1 of s (NetServerGetInfo, Enum2) */
static void put_server(struct strs *st, const struct rap_req *r,
		       const struct rap_server *s)
{
	put_fixed(st->data, s->name, 16);
	if (r->level == 1) {
		wire_put_u8(st->data, s->major);
		wire_put_u8(st->data, s->minor);
		wire_put_u32le(st->data, s->type);
		put_ptr(st, s->comment);
	}
}

static size_t server_size(const struct rap_req *r,
			  const struct rap_server *s)
{
	return r->level == 1 ? 26 + oem_len(s->comment) + 1 : 16;
}

void rap_server_info_push(struct wire_wr *param, struct wire_wr *data,
			  const struct rap_req *r,
			  const struct rap_server *s)
{
	struct strs st = { .data = data, .fixed = r->level == 1 ? 26 : 16 };
	size_t need = server_size(r, s);

	if (need > r->rcv_len) {
		rap_status_push(param, RAP_NERR_BufTooSmall);
		wire_put_u16le(param, (uint16_t)need);	/* TotalBytesAvailable */
		return;
	}
	rap_status_push(param, RAP_NERR_Success);
	wire_put_u16le(param, (uint16_t)need);
	wire_wr_init(&st.heap, NULL, 0);
	put_server(&st, r, s);
	strs_end(&st);
}

void rap_wksta_info_push(struct wire_wr *param, struct wire_wr *data,
			 const struct rap_req *r, const struct rap_server *s)
{
	struct strs st = { .data = data, .fixed = 22 };
	size_t need = 22 + oem_len(s->name) + 1 + oem_len(s->user) + 1 +
		      2 * (oem_len(s->workgroup) + 1) + 1;

	if (need > r->rcv_len) {
		rap_status_push(param, RAP_NERR_BufTooSmall);
		wire_put_u16le(param, (uint16_t)need);
		return;
	}
	rap_status_push(param, RAP_NERR_Success);
	wire_put_u16le(param, (uint16_t)need);
	wire_wr_init(&st.heap, NULL, 0);
	put_ptr(&st, s->name);			/* ComputerName */
	put_ptr(&st, s->user);			/* UserName */
	put_ptr(&st, s->workgroup);		/* LanGroup */
	wire_put_u8(data, s->major);
	wire_put_u8(data, s->minor);
	put_ptr(&st, s->workgroup);		/* LogonDomain */
	put_ptr(&st, "");			/* OtherDomains */
	strs_end(&st);
}

static bool same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
		char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;

		if (x != y) {
			return false;
		}
	}
	return *a == *b;
}

void rap_server_enum2_push(struct wire_wr *param, struct wire_wr *data,
			   const struct rap_req *r,
			   const struct rap_server *s)
{
	struct strs st = { .data = data, .fixed = r->level == 1 ? 26 : 16 };
	bool us = (r->server_type & s->type) != 0 &&
		  (r->domain[0] == '\0' || same_name(r->domain, s->workgroup));
	bool fits = server_size(r, s) <= r->rcv_len;

	rap_status_push(param, us && !fits ? RAP_ERROR_MORE_DATA :
					     RAP_NERR_Success);
	wire_put_u16le(param, us && fits ? 1 : 0);	/* EntriesReturned */
	wire_put_u16le(param, us ? 1 : 0);		/* EntriesAvailable */
	if (!us || !fits) {
		return;
	}
	wire_wr_init(&st.heap, NULL, 0);
	put_server(&st, r, s);
	strs_end(&st);
}
