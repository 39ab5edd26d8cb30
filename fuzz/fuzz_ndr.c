/*
 * fuzz_ndr.c - libFuzzer target for the NDR reader and the DCE/RPC PDU
 * parsers.
 *
 * Input: data[0] % 16 = k program bytes, then the payload. Each program
 * byte picks an NDR getter run on the payload in turn.
 * Properties checked (abort() on violation):
 *  - a failing getter leaves the cursor where it was; a succeeding one
 *    stays inside the payload;
 *  - pointers the PDU parsers return lie inside the input;
 *  - a bind that parses, pushed again, parses to the same contexts;
 *  - a string pulled and pushed again pulls back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/dcerpc.h"
#include "proto/ndr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const uint8_t *data, size_t size, const void *q,
			 size_t n)
{
	const uint8_t *p = q;

	if (p == NULL) {
		if (n != 0) {
			abort();
		}
		return;
	}
	if (p < data || (size_t)(p - data) > size ||
	    n > size - (size_t)(p - data)) {
		abort();
	}
}

static void string_roundtrip(TALLOC_CTX *mem, const char *s)
{
	struct ndr_push w;
	struct ndr_pull r;
	char *back = NULL;

	ndr_push_init(&w, mem, 0);
	ndr_push_string(&w, s);
	if (ndr_push_error(&w) != 0) {
		abort();
	}
	ndr_pull_init(&r, mem, w.w.buf, w.w.len);
	if (ndr_pull_string(&r, &back) != 0 || strcmp(back, s) != 0 ||
	    ndr_pull_left(&r) != 0) {
		abort();
	}
}

static int run_op(TALLOC_CTX *mem, struct ndr_pull *r, uint8_t op)
{
	uint8_t u8 = 0, h[NDR_HANDLE_LEN];
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	const uint8_t *d = NULL;
	char *s = NULL;
	bool seen = false;
	int rc = 0;

	switch (op % 11) {
	case 0:
		return ndr_pull_u8(r, &u8);
	case 1:
		return ndr_pull_u16(r, &u16);
	case 2:
		return ndr_pull_u32(r, &u32);
	case 3:
		return ndr_pull_u64(r, &u64);
	case 4:
		return ndr_pull_ptr(r, &u32);
	case 5:
		return ndr_pull_full_ptr(r, &u32, &seen);
	case 6:
		return ndr_pull_array_size(r, op >> 4, &u32);
	case 7:
		rc = ndr_pull_conformant_bytes(r, &d, &u32);
		if (rc == 0) {
			check_inside(r->r.base, r->r.len, d, u32);
		}
		return rc;
	case 8:
		rc = ndr_pull_string(r, &s);
		if (rc == 0) {
			string_roundtrip(mem, s);
		}
		return rc;
	case 9:
		rc = ndr_pull_unique_string(r, &s);
		if (rc == 0 && s != NULL) {
			string_roundtrip(mem, s);
		}
		return rc;
	default:
		return ndr_pull_handle(r, h);
	}
}

static void bind_roundtrip(TALLOC_CTX *mem, const struct dcerpc_hdr *h,
			   const struct dcerpc_bind *b)
{
	struct dcerpc_bind b2;
	struct dcerpc_hdr h2;
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind(&w, h->ptype, h->call_id, b);
	if (wire_wr_error(&w) != 0 ||
	    dcerpc_pull_bind(w.buf, w.len, &h2, &b2) != 0 ||
	    b2.n_ctx != b->n_ctx || h2.call_id != h->call_id) {
		abort();
	}
	for (uint8_t i = 0; i < b->n_ctx; i++) {
		if (b2.ctx[i].n_transfer != b->ctx[i].n_transfer ||
		    memcmp(&b2.ctx[i].abstract, &b->ctx[i].abstract,
			   sizeof(b->ctx[i].abstract)) != 0) {
			abort();
		}
	}
}

static void parse_pdu(TALLOC_CTX *mem, const uint8_t *p, size_t n)
{
	struct dcerpc_hdr h;
	struct dcerpc_bind b;
	struct dcerpc_bind_ack a;
	struct dcerpc_request q;
	struct dcerpc_response rs;
	uint32_t status = 0;
	uint16_t reason = 0;

	if (dcerpc_pull_bind(p, n, &h, &b) == 0) {
		bind_roundtrip(mem, &h, &b);
	}
	if (dcerpc_pull_bind_ack(p, n, &h, &a) == 0) {
		check_inside(p, n, a.sec_addr[0] != '\0' ? a.sec_addr : NULL,
			     a.sec_addr[0] != '\0' ? strlen(a.sec_addr) + 1 :
			     0);
	}
	if (dcerpc_pull_request(p, n, &h, &q) == 0) {
		check_inside(p, n, q.stub, q.stub_len);
	}
	if (dcerpc_pull_response(p, n, &h, &rs) == 0) {
		check_inside(p, n, rs.stub, rs.stub_len);
	}
	(void)dcerpc_pull_fault(p, n, &h, &status);
	(void)dcerpc_pull_bind_nak(p, n, &h, &reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct ndr_pull r;
	size_t k = 0;

	if (size == 0) {
		return 0;
	}
	k = data[0] % 16;
	if (k + 1 > size) {
		return 0;
	}
	mem = talloc_new(NULL);
	ndr_pull_init(&r, mem, data + 1 + k, size - 1 - k);
	for (size_t i = 0; i < k; i++) {
		size_t before = r.r.off;
		int rc = run_op(mem, &r, data[1 + i]);

		if (rc != 0 && r.r.off != before) {
			abort();
		}
		if (r.r.off > r.r.len || (rc == 0 && r.r.off < before)) {
			abort();
		}
	}
	parse_pdu(mem, data + 1 + k, size - 1 - k);
	talloc_free(mem);
	return 0;
}
