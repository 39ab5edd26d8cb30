/*
 * rpctest.h - a tiny DCE/RPC client over struct wg_pipe for the pipe
 * suites: bind, send a request (whole or in fragments), drain and
 * reassemble the answer. Uses the Check assertions of wgtest.h.
 */
#ifndef WG_TESTS_RPCTEST_H
#define WG_TESTS_RPCTEST_H

#include "tests/wgtest.h"
#include "pipes/pipe.h"
#include "proto/dcerpc.h"
#include "proto/ndr.h"
#include "proto/utf16.h"

static uint32_t rt_next_call_id = 1;

/* Everything the pipe has queued, as one buffer under mem. */
static inline uint8_t *rt_drain(TALLOC_CTX *mem, struct wg_pipe *p,
				size_t *len)
{
	size_t n = wg_pipe_pending(p);
	uint8_t *buf = talloc_zero_array(mem, uint8_t, n + 1);
	size_t got = 0;
	bool more = false;

	ck_assert_ptr_nonnull(buf);
	while (got < n) {
		size_t r = wg_pipe_read(p, buf + got, n - got, &more);

		ck_assert_uint_gt(r, 0);
		got += r;
	}
	ck_assert_uint_eq(wg_pipe_pending(p), 0);
	*len = got;
	return buf;
}

static inline void rt_syntax(struct dcerpc_syntax *s, const char *uuid,
			     uint16_t major, uint16_t minor)
{
	ck_assert_int_eq(ndr_uuid_parse(uuid, s->uuid), 0);
	s->major = major;
	s->minor = minor;
}

#define RT_NDR32 "8a885d04-1ceb-11c9-9fe8-08002b104860"
#define RT_NDR64 "71710533-beba-4937-83ab-bd0a4d8de1d5"
#define RT_BTFN "6cb71c2c-9812-4540-0300-000000000000"

/* Bind context 0 of `uuid` with NDR32 and check it was accepted. */
static inline void rt_bind(TALLOC_CTX *mem, struct wg_pipe *p,
			   const char *uuid, uint16_t major)
{
	struct dcerpc_bind b = {
		.max_xmit_frag = 4280,
		.max_recv_frag = 4280,
		.n_ctx = 1,
	};
	struct dcerpc_bind_ack a;
	struct dcerpc_hdr h;
	struct wire_wr w;
	uint8_t *out = NULL;
	size_t len = 0;

	b.ctx[0].n_transfer = 1;
	rt_syntax(&b.ctx[0].abstract, uuid, major, 0);
	rt_syntax(&b.ctx[0].transfer[0], RT_NDR32, 2, 0);
	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, rt_next_call_id++, &b);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_int_eq(wg_pipe_write(p, w.buf, w.len), 0);
	out = rt_drain(mem, p, &len);
	ck_assert_int_eq(dcerpc_pull_bind_ack(out, len, &h, &a), 0);
	ck_assert_uint_eq(a.n_results, 1);
	ck_assert_uint_eq(a.results[0].result, DCERPC_RESULT_ACCEPT);
	talloc_free(out);
	talloc_free(w.buf);
}

/* Write one request fragment. */
static inline int rt_write_frag(TALLOC_CTX *mem, struct wg_pipe *p,
				uint32_t call_id, uint8_t flags,
				uint16_t opnum, uint32_t alloc_hint,
				const uint8_t *stub, size_t len)
{
	struct dcerpc_request r = {
		.alloc_hint = alloc_hint,
		.context_id = 0,
		.opnum = opnum,
		.stub = stub,
		.stub_len = len,
	};
	struct wire_wr w;
	int rc = 0;

	wire_wr_init(&w, mem, 0);
	dcerpc_push_request(&w, call_id, flags, &r);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	rc = wg_pipe_write(p, w.buf, w.len);
	talloc_free(w.buf);
	return rc;
}

/*
 * Parse the queued answer to call_id: a fault (returns its status) or
 * response fragments, joined into *stub (returns 0).
 */
static inline uint32_t rt_collect(TALLOC_CTX *mem, struct wg_pipe *p,
				  uint32_t call_id, uint8_t **stub,
				  size_t *stub_len)
{
	size_t len = 0, off = 0;
	uint8_t *all = rt_drain(mem, p, &len);
	struct wire_wr w;
	uint32_t status = 0;
	size_t total = 0;

	wire_wr_init(&w, mem, 0);
	while (off < len) {
		struct dcerpc_hdr h;
		struct dcerpc_response r;
		uint16_t fl = 0;

		ck_assert_int_eq(dcerpc_frag_length(all + off, len - off,
						    &fl), 0);
		ck_assert_uint_le(fl, len - off);
		ck_assert_uint_le(fl, 4280);
		if (all[off + 2] == DCERPC_PTYPE_FAULT) {
			ck_assert_int_eq(dcerpc_pull_fault(all + off, fl, &h,
							   &status), 0);
			ck_assert_uint_eq(h.call_id, call_id);
			ck_assert_uint_ne(status, 0);
			off += fl;
			continue;
		}
		ck_assert_int_eq(dcerpc_pull_response(all + off, fl, &h, &r),
				 0);
		ck_assert_uint_eq(h.call_id, call_id);
		if (w.len == 0) {
			total = r.alloc_hint;
		}
		/* alloc_hint: the stub bytes left from this fragment on */
		ck_assert_uint_eq(r.alloc_hint, total - w.len);
		ck_assert_int_eq((h.pfc_flags & DCERPC_PFC_FIRST) != 0,
				 w.len == 0);
		wire_put_bytes(&w, r.stub, r.stub_len);
		off += fl;
		if ((h.pfc_flags & DCERPC_PFC_LAST) == 0) {
			ck_assert_uint_lt(off, len);
		} else {
			ck_assert_uint_eq(off, len);
		}
	}
	talloc_free(all);
	*stub = w.buf;
	*stub_len = w.len;
	return status;
}

/* One whole request; returns the fault status or 0 with the stub. */
static inline uint32_t rt_call(TALLOC_CTX *mem, struct wg_pipe *p,
			       uint16_t opnum, const struct wire_wr *in,
			       uint8_t **stub, size_t *stub_len)
{
	uint32_t id = rt_next_call_id++;

	ck_assert_int_eq(rt_write_frag(mem, p, id, DCERPC_PFC_FIRST |
				       DCERPC_PFC_LAST, opnum, (uint32_t)in->len,
				       in->buf, in->len), 0);
	return rt_collect(mem, p, id, stub, stub_len);
}

/* NDR helpers for building request stubs in tests. */
static inline void rt_put_unique_string(struct ndr_push *p, const char *s)
{
	if (s == NULL) {
		ndr_push_u32(p, 0);
		return;
	}
	ndr_push_referent(p);
	ndr_push_string(p, s);
}

#endif
