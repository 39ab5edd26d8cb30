/*
 * dcerpc.c - connection-oriented DCE/RPC PDU codec (see dcerpc.h).
 */
#include "proto/dcerpc.h"

#include <string.h>

#define RPC_VERS		5
#define DREP_LE_ASCII		0x10

int dcerpc_frag_length(const uint8_t *p, size_t len, uint16_t *frag_length)
{
	uint16_t fl = 0;

	if (len < 10) {
		return WIRE_E_SHORT;
	}
	if (p[0] != RPC_VERS || p[1] > 1) {
		return WIRE_E_INVALID;
	}
	/* Integer and character formats in byte 4, float format in 5. */
	if (p[4] != DREP_LE_ASCII || p[5] != 0) {
		return WIRE_E_UNSUPPORTED;
	}
	fl = wire_le16(p + 8);
	if (fl < DCERPC_HDR_LEN) {
		return WIRE_E_INVALID;
	}
	*frag_length = fl;
	return 0;
}

int dcerpc_pull_hdr(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h)
{
	uint16_t fl = 0;
	int rc = dcerpc_frag_length(pdu, len, &fl);

	if (rc != 0) {
		return rc;
	}
	if (len < DCERPC_HDR_LEN || fl != len) {
		return WIRE_E_INVALID;
	}
	*h = (struct dcerpc_hdr) {
		.vers_minor = pdu[1],
		.ptype = pdu[2],
		.pfc_flags = pdu[3],
		.frag_length = fl,
		.auth_length = wire_le16(pdu + 10),
		.call_id = wire_le32(pdu + 12),
	};
	if (h->auth_length != 0) {
		return WIRE_E_AUTH;
	}
	return 0;
}

static int get_syntax(struct wire_rd *r, struct dcerpc_syntax *s)
{
	size_t save = r->off;
	uint16_t major = 0, minor = 0;
	int rc = wire_get_bytes(r, s->uuid, 16);

	if (rc == 0) {
		rc = wire_get_u16le(r, &major);
	}
	if (rc == 0) {
		rc = wire_get_u16le(r, &minor);
	}
	if (rc != 0) {
		r->off = save;
		return rc;
	}
	s->major = major;
	s->minor = minor;
	return 0;
}

static void put_syntax(struct wire_wr *w, const struct dcerpc_syntax *s)
{
	wire_put_bytes(w, s->uuid, 16);
	wire_put_u16le(w, s->major);
	wire_put_u16le(w, s->minor);
}

/* Header checks shared by the body parsers: right ptype, no auth. */
static int pull_typed(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
		      uint8_t t1, uint8_t t2, struct wire_rd *r)
{
	int rc = dcerpc_pull_hdr(pdu, len, h);

	if (rc != 0) {
		return rc;
	}
	if (h->ptype != t1 && h->ptype != t2) {
		return WIRE_E_INVALID;
	}
	wire_rd_init(r, pdu, len);
	return wire_skip(r, DCERPC_HDR_LEN);
}

static int get_ctx(struct wire_rd *r, struct dcerpc_ctx *c)
{
	uint8_t reserved = 0;
	int rc = wire_get_u16le(r, &c->id);

	if (rc == 0) {
		rc = wire_get_u8(r, &c->n_transfer);
	}
	if (rc == 0) {
		rc = wire_get_u8(r, &reserved);
	}
	if (rc == 0) {
		rc = get_syntax(r, &c->abstract);
	}
	if (rc != 0) {
		return rc;
	}
	if (c->n_transfer > DCERPC_MAX_TRANSFER) {
		return WIRE_E_TOOBIG;
	}
	for (uint8_t t = 0; t < c->n_transfer; t++) {
		rc = get_syntax(r, &c->transfer[t]);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int dcerpc_pull_bind(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
		     struct dcerpc_bind *b)
{
	struct wire_rd r;
	uint8_t pad8 = 0;
	uint16_t pad16 = 0;
	int rc = pull_typed(pdu, len, h, DCERPC_PTYPE_BIND,
			    DCERPC_PTYPE_ALTER, &r);

	if (rc != 0) {
		return rc;
	}
	memset(b, 0, sizeof(*b));
	rc = wire_get_u16le(&r, &b->max_xmit_frag);
	if (rc == 0) {
		rc = wire_get_u16le(&r, &b->max_recv_frag);
	}
	if (rc == 0) {
		rc = wire_get_u32le(&r, &b->assoc_group);
	}
	if (rc == 0) {
		rc = wire_get_u8(&r, &b->n_ctx);
	}
	if (rc == 0) {
		rc = wire_get_u8(&r, &pad8);
	}
	if (rc == 0) {
		rc = wire_get_u16le(&r, &pad16);
	}
	if (rc != 0) {
		return rc;
	}
	if (b->n_ctx > DCERPC_MAX_CTX) {
		return WIRE_E_TOOBIG;
	}
	for (uint8_t i = 0; i < b->n_ctx; i++) {
		rc = get_ctx(&r, &b->ctx[i]);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int dcerpc_pull_bind_ack(const uint8_t *pdu, size_t len,
			 struct dcerpc_hdr *h, struct dcerpc_bind_ack *a)
{
	struct wire_rd r;
	uint16_t sec_len = 0, pad16 = 0;
	uint8_t pad8 = 0;
	const uint8_t *sec = NULL;
	int rc = pull_typed(pdu, len, h, DCERPC_PTYPE_BIND_ACK,
			    DCERPC_PTYPE_ALTER_RESP, &r);

	if (rc != 0) {
		return rc;
	}
	memset(a, 0, sizeof(*a));
	rc = wire_get_u16le(&r, &a->max_xmit_frag);
	if (rc == 0) {
		rc = wire_get_u16le(&r, &a->max_recv_frag);
	}
	if (rc == 0) {
		rc = wire_get_u32le(&r, &a->assoc_group);
	}
	if (rc == 0) {
		rc = wire_get_u16le(&r, &sec_len);
	}
	if (rc == 0) {
		rc = wire_get_ptr(&r, &sec, sec_len);
	}
	if (rc == 0) {
		rc = wire_align(&r, 4);
	}
	if (rc == 0) {
		rc = wire_get_u8(&r, &a->n_results);
	}
	if (rc == 0) {
		rc = wire_get_u8(&r, &pad8);
	}
	if (rc == 0) {
		rc = wire_get_u16le(&r, &pad16);
	}
	if (rc != 0) {
		return rc;
	}
	if (sec_len > 0 && (sec[sec_len - 1] != '\0' ||
			    memchr(sec, '\0', sec_len) != sec + sec_len - 1)) {
		return WIRE_E_INVALID;
	}
	a->sec_addr = sec_len > 0 ? (const char *)sec : "";
	if (a->n_results > DCERPC_MAX_CTX) {
		return WIRE_E_TOOBIG;
	}
	for (uint8_t i = 0; i < a->n_results; i++) {
		struct dcerpc_ack_result *res = &a->results[i];

		rc = wire_get_u16le(&r, &res->result);
		if (rc == 0) {
			rc = wire_get_u16le(&r, &res->reason);
		}
		if (rc == 0) {
			rc = get_syntax(&r, &res->transfer);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int dcerpc_pull_request(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
			struct dcerpc_request *q)
{
	struct wire_rd r;
	int rc = pull_typed(pdu, len, h, DCERPC_PTYPE_REQUEST,
			    DCERPC_PTYPE_REQUEST, &r);

	if (rc != 0) {
		return rc;
	}
	memset(q, 0, sizeof(*q));
	rc = wire_get_u32le(&r, &q->alloc_hint);
	if (rc == 0) {
		rc = wire_get_u16le(&r, &q->context_id);
	}
	if (rc == 0) {
		rc = wire_get_u16le(&r, &q->opnum);
	}
	if (rc == 0 && (h->pfc_flags & DCERPC_PFC_OBJECT_UUID) != 0) {
		q->has_object = true;
		rc = wire_get_bytes(&r, q->object, 16);
	}
	if (rc != 0) {
		return rc;
	}
	q->stub_len = wire_left(&r);
	q->stub = q->stub_len > 0 ? wire_cur(&r) : NULL;
	return 0;
}

int dcerpc_pull_response(const uint8_t *pdu, size_t len,
			 struct dcerpc_hdr *h, struct dcerpc_response *q)
{
	struct wire_rd r;
	uint8_t reserved = 0;
	int rc = pull_typed(pdu, len, h, DCERPC_PTYPE_RESPONSE,
			    DCERPC_PTYPE_RESPONSE, &r);

	if (rc != 0) {
		return rc;
	}
	memset(q, 0, sizeof(*q));
	rc = wire_get_u32le(&r, &q->alloc_hint);
	if (rc == 0) {
		rc = wire_get_u16le(&r, &q->context_id);
	}
	if (rc == 0) {
		rc = wire_get_u8(&r, &q->cancel_count);
	}
	if (rc == 0) {
		rc = wire_get_u8(&r, &reserved);
	}
	if (rc != 0) {
		return rc;
	}
	q->stub_len = wire_left(&r);
	q->stub = q->stub_len > 0 ? wire_cur(&r) : NULL;
	return 0;
}

int dcerpc_pull_fault(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
		      uint32_t *status)
{
	struct wire_rd r;
	int rc = pull_typed(pdu, len, h, DCERPC_PTYPE_FAULT,
			    DCERPC_PTYPE_FAULT, &r);

	if (rc == 0) {
		/* alloc_hint, p_cont_id, cancel_count, reserved */
		rc = wire_skip(&r, 8);
	}
	if (rc == 0) {
		rc = wire_get_u32le(&r, status);
	}
	return rc;
}

int dcerpc_pull_bind_nak(const uint8_t *pdu, size_t len,
			 struct dcerpc_hdr *h, uint16_t *reason)
{
	struct wire_rd r;
	int rc = pull_typed(pdu, len, h, DCERPC_PTYPE_BIND_NAK,
			    DCERPC_PTYPE_BIND_NAK, &r);

	if (rc == 0) {
		rc = wire_get_u16le(&r, reason);
	}
	return rc;
}

/* Common header with frag_length 0 (patched by end_pdu). */
static size_t begin_pdu(struct wire_wr *w, uint8_t ptype, uint8_t flags,
			uint32_t call_id)
{
	size_t start = w->len;

	wire_put_u8(w, RPC_VERS);
	wire_put_u8(w, 0);
	wire_put_u8(w, ptype);
	wire_put_u8(w, flags);
	wire_put_u8(w, DREP_LE_ASCII);
	wire_put_zero(w, 3);
	wire_put_u16le(w, 0);
	wire_put_u16le(w, 0);
	wire_put_u32le(w, call_id);
	return start;
}

static void end_pdu(struct wire_wr *w, size_t start)
{
	size_t n = 0;

	if (w->err != 0) {
		return;
	}
	n = w->len - start;
	if (n > UINT16_MAX) {
		w->err = WIRE_E_TOOBIG;
		return;
	}
	wire_patch_u16le(w, start + 8, (uint16_t)n);
}

/* Zero padding to a multiple of 4 counted from the PDU's start. */
static void pad4_from(struct wire_wr *w, size_t start)
{
	size_t pad = (4 - ((w->len - start) & 3)) & 3;

	wire_put_zero(w, pad);
}

void dcerpc_push_bind(struct wire_wr *w, uint8_t ptype, uint32_t call_id,
		      const struct dcerpc_bind *b)
{
	size_t start = begin_pdu(w, ptype,
				 DCERPC_PFC_FIRST | DCERPC_PFC_LAST, call_id);

	wire_put_u16le(w, b->max_xmit_frag);
	wire_put_u16le(w, b->max_recv_frag);
	wire_put_u32le(w, b->assoc_group);
	wire_put_u8(w, b->n_ctx);
	wire_put_zero(w, 3);
	for (uint8_t i = 0; i < b->n_ctx && i < DCERPC_MAX_CTX; i++) {
		const struct dcerpc_ctx *c = &b->ctx[i];

		wire_put_u16le(w, c->id);
		wire_put_u8(w, c->n_transfer);
		wire_put_u8(w, 0);
		put_syntax(w, &c->abstract);
		for (uint8_t t = 0; t < c->n_transfer &&
				    t < DCERPC_MAX_TRANSFER; t++) {
			put_syntax(w, &c->transfer[t]);
		}
	}
	end_pdu(w, start);
}

void dcerpc_push_bind_ack(struct wire_wr *w, uint8_t ptype, uint32_t call_id,
			  const struct dcerpc_bind_ack *a)
{
	size_t start = begin_pdu(w, ptype,
				 DCERPC_PFC_FIRST | DCERPC_PFC_LAST, call_id);
	size_t sec_len = a->sec_addr[0] == '\0' ? 0 : strlen(a->sec_addr) + 1;

	wire_put_u16le(w, a->max_xmit_frag);
	wire_put_u16le(w, a->max_recv_frag);
	wire_put_u32le(w, a->assoc_group);
	if (sec_len > UINT16_MAX) {
		sec_len = 0;
		if (w->err == 0) {
			w->err = WIRE_E_TOOBIG;
		}
	}
	wire_put_u16le(w, (uint16_t)sec_len);
	wire_put_bytes(w, a->sec_addr, sec_len);
	pad4_from(w, start);
	wire_put_u8(w, a->n_results);
	wire_put_zero(w, 3);
	for (uint8_t i = 0; i < a->n_results && i < DCERPC_MAX_CTX; i++) {
		wire_put_u16le(w, a->results[i].result);
		wire_put_u16le(w, a->results[i].reason);
		put_syntax(w, &a->results[i].transfer);
	}
	end_pdu(w, start);
}

void dcerpc_push_bind_nak(struct wire_wr *w, uint32_t call_id,
			  uint16_t reason)
{
	size_t start = begin_pdu(w, DCERPC_PTYPE_BIND_NAK,
				 DCERPC_PFC_FIRST | DCERPC_PFC_LAST, call_id);

	wire_put_u16le(w, reason);
	/* Protocol versions supported: one, 5.0. */
	wire_put_u8(w, 1);
	wire_put_u8(w, RPC_VERS);
	wire_put_u8(w, 0);
	pad4_from(w, start);
	end_pdu(w, start);
}

void dcerpc_push_request(struct wire_wr *w, uint32_t call_id, uint8_t flags,
			 const struct dcerpc_request *r)
{
	uint8_t f = flags & (uint8_t)~DCERPC_PFC_OBJECT_UUID;
	size_t start = 0;

	if (r->has_object) {
		f |= DCERPC_PFC_OBJECT_UUID;
	}
	start = begin_pdu(w, DCERPC_PTYPE_REQUEST, f, call_id);
	wire_put_u32le(w, r->alloc_hint);
	wire_put_u16le(w, r->context_id);
	wire_put_u16le(w, r->opnum);
	if (r->has_object) {
		wire_put_bytes(w, r->object, 16);
	}
	wire_put_bytes(w, r->stub, r->stub_len);
	end_pdu(w, start);
}

void dcerpc_push_response(struct wire_wr *w, uint32_t call_id, uint8_t flags,
			  const struct dcerpc_response *r)
{
	size_t start = begin_pdu(w, DCERPC_PTYPE_RESPONSE, flags, call_id);

	wire_put_u32le(w, r->alloc_hint);
	wire_put_u16le(w, r->context_id);
	wire_put_u8(w, r->cancel_count);
	wire_put_u8(w, 0);
	wire_put_bytes(w, r->stub, r->stub_len);
	end_pdu(w, start);
}

void dcerpc_push_fault(struct wire_wr *w, uint32_t call_id,
		       uint8_t extra_flags, uint16_t context_id,
		       uint32_t status)
{
	size_t start = begin_pdu(w, DCERPC_PTYPE_FAULT,
				 DCERPC_PFC_FIRST | DCERPC_PFC_LAST |
				 extra_flags, call_id);

	wire_put_u32le(w, 0);		/* alloc_hint */
	wire_put_u16le(w, context_id);
	wire_put_u8(w, 0);		/* cancel_count */
	wire_put_u8(w, 0);
	wire_put_u32le(w, status);
	wire_put_u32le(w, 0);		/* reserved */
	end_pdu(w, start);
}
