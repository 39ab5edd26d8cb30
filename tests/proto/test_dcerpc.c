/*
 * test_dcerpc.c - the connection-oriented PDU codec.
 */
#include "tests/wgtest.h"
#include "proto/dcerpc.h"
#include "proto/ndr.h"

static void syntax(struct dcerpc_syntax *s, const char *uuid, uint16_t major)
{
	ck_assert_int_eq(ndr_uuid_parse(uuid, s->uuid), 0);
	s->major = major;
	s->minor = 0;
}

static void make_bind(struct dcerpc_bind *b)
{
	memset(b, 0, sizeof(*b));
	b->max_xmit_frag = 5840;
	b->max_recv_frag = 4280;
	b->n_ctx = 2;
	b->ctx[0].id = 0;
	b->ctx[0].n_transfer = 2;
	syntax(&b->ctx[0].abstract, "4b324fc8-1670-01d3-1278-5a47bf6ee188", 3);
	syntax(&b->ctx[0].transfer[0], "8a885d04-1ceb-11c9-9fe8-08002b104860",
	       2);
	syntax(&b->ctx[0].transfer[1], "71710533-beba-4937-83ab-bd0a4d8de1d5",
	       1);
	b->ctx[1].id = 1;
	b->ctx[1].n_transfer = 1;
	syntax(&b->ctx[1].abstract, "4b324fc8-1670-01d3-1278-5a47bf6ee188", 3);
	syntax(&b->ctx[1].transfer[0], "6cb71c2c-9812-4540-0300-000000000000",
	       1);
}

START_TEST(test_bind_roundtrip)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct dcerpc_bind b, b2;
	struct dcerpc_hdr h;
	struct wire_wr w;

	make_bind(&b);
	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 7, &b);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	/* 16 + 12 + (4 + 20 + 2*20) + (4 + 20 + 20) */
	ck_assert_uint_eq(w.len, 136);
	ck_assert_uint_eq(wire_le16(w.buf + 8), w.len);
	ck_assert_int_eq(dcerpc_pull_bind(w.buf, w.len, &h, &b2), 0);
	ck_assert_uint_eq(h.ptype, DCERPC_PTYPE_BIND);
	ck_assert_uint_eq(h.call_id, 7);
	ck_assert_uint_eq(b2.max_xmit_frag, 5840);
	ck_assert_uint_eq(b2.n_ctx, 2);
	ck_assert_uint_eq(b2.ctx[0].n_transfer, 2);
	ck_assert_uint_eq(b2.ctx[0].abstract.major, 3);
	ck_assert_int_eq(memcmp(b2.ctx[0].transfer[0].uuid, NDR_SYNTAX_NDR32,
				16), 0);
	ck_assert_int_eq(memcmp(b2.ctx[0].transfer[1].uuid, NDR_SYNTAX_NDR64,
				16), 0);
	ck_assert_uint_eq(b2.ctx[1].transfer[0].uuid[8], 3);

	/* Every truncation fails cleanly (frag_length no longer matches). */
	for (size_t n = 0; n < w.len; n++) {
		ck_assert_int_ne(dcerpc_pull_bind(w.buf, n, &h, &b2), 0);
	}
	/* ... and so does a consistent but truncated body. */
	for (size_t n = 16; n < w.len; n++) {
		uint8_t *c = talloc_memdup(mem, w.buf, n);

		wire_setle16(c + 8, (uint16_t)n);
		ck_assert_int_ne(dcerpc_pull_bind(c, n, &h, &b2), 0);
		talloc_free(c);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_header_checks)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct dcerpc_bind b;
	struct dcerpc_hdr h;
	struct wire_wr w;
	uint16_t fl = 0;

	make_bind(&b);
	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 1, &b);
	ck_assert_int_eq(dcerpc_frag_length(w.buf, 9, &fl), WIRE_E_SHORT);
	ck_assert_int_eq(dcerpc_frag_length(w.buf, 10, &fl), 0);
	ck_assert_uint_eq(fl, w.len);

	w.buf[4] = 0x00;	/* big-endian */
	ck_assert_int_eq(dcerpc_frag_length(w.buf, w.len, &fl),
			 WIRE_E_UNSUPPORTED);
	ck_assert_int_eq(dcerpc_pull_hdr(w.buf, w.len, &h),
			 WIRE_E_UNSUPPORTED);
	w.buf[4] = 0x10;
	w.buf[0] = 4;
	ck_assert_int_eq(dcerpc_pull_hdr(w.buf, w.len, &h), WIRE_E_INVALID);
	w.buf[0] = 5;
	wire_setle16(w.buf + 10, 8);	/* auth_length */
	ck_assert_int_eq(dcerpc_pull_hdr(w.buf, w.len, &h), WIRE_E_AUTH);
	ck_assert_uint_eq(h.call_id, 1);
	ck_assert_int_eq(dcerpc_pull_bind(w.buf, w.len, &h, &b), WIRE_E_AUTH);
	wire_setle16(w.buf + 10, 0);
	wire_setle16(w.buf + 8, 12);	/* frag_length < 16 */
	ck_assert_int_eq(dcerpc_frag_length(w.buf, w.len, &fl),
			 WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

START_TEST(test_bind_caps)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct dcerpc_bind b;
	struct dcerpc_hdr h;
	struct wire_wr w;

	make_bind(&b);
	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 1, &b);
	w.buf[24] = DCERPC_MAX_CTX + 1;		/* n_context_elem */
	ck_assert_int_eq(dcerpc_pull_bind(w.buf, w.len, &h, &b),
			 WIRE_E_TOOBIG);
	w.buf[24] = 2;
	w.buf[30] = DCERPC_MAX_TRANSFER + 1;	/* ctx 0 n_transfer_syn */
	ck_assert_int_eq(dcerpc_pull_bind(w.buf, w.len, &h, &b),
			 WIRE_E_TOOBIG);
	w.buf[30] = 200;			/* claims more than is there */
	ck_assert_int_ne(dcerpc_pull_bind(w.buf, w.len, &h, &b), 0);
	talloc_free(mem);
}
END_TEST

START_TEST(test_bind_ack_layout)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct dcerpc_bind_ack a = {
		.max_xmit_frag = 4280,
		.max_recv_frag = 4280,
		.assoc_group = 0x1234,
		.sec_addr = "\\PIPE\\srvsvc",
		.n_results = 2,
	}, a2;
	struct dcerpc_hdr h;
	struct wire_wr w;

	a.results[0].result = DCERPC_RESULT_ACCEPT;
	memcpy(a.results[0].transfer.uuid, NDR_SYNTAX_NDR32, 16);
	a.results[0].transfer.major = 2;
	a.results[1].result = DCERPC_RESULT_PROVIDER_REJECTION;
	a.results[1].reason = DCERPC_REASON_TRANSFER_NOT_SUPPORTED;
	wire_wr_init(&w, mem, 0);
	wire_put_u8(&w, 0xee);		/* a PDU need not start at 0 */
	dcerpc_push_bind_ack(&w, DCERPC_PTYPE_BIND_ACK, 9, &a);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	/* 24 + 2 + 13 -> 39, padded to 40, + 4 + 2 * 24 */
	ck_assert_uint_eq(w.len - 1, 92);
	ck_assert_uint_eq(wire_le16(w.buf + 1 + 24), 13);
	ck_assert_int_eq(dcerpc_pull_bind_ack(w.buf + 1, w.len - 1, &h, &a2),
			 0);
	ck_assert_str_eq(a2.sec_addr, "\\PIPE\\srvsvc");
	ck_assert_uint_eq(a2.assoc_group, 0x1234);
	ck_assert_uint_eq(a2.n_results, 2);
	ck_assert_uint_eq(a2.results[1].reason, 2);
	ck_assert_uint_eq(a2.results[0].transfer.major, 2);
	talloc_free(mem);
}
END_TEST

START_TEST(test_request_response_fault)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t stub[] = { 1, 2, 3, 4, 5 };
	struct dcerpc_request q = {
		.alloc_hint = 5,
		.context_id = 1,
		.opnum = 15,
		.has_object = true,
		.stub = stub,
		.stub_len = sizeof(stub),
	}, q2;
	struct dcerpc_response r = {
		.alloc_hint = 5,
		.stub = stub,
		.stub_len = 5,
	}, r2;
	struct dcerpc_hdr h;
	struct wire_wr w;
	uint32_t status = 0;
	uint16_t reason = 0;

	memset(q.object, 0xab, 16);
	wire_wr_init(&w, mem, 0);
	dcerpc_push_request(&w, 3, DCERPC_PFC_FIRST | DCERPC_PFC_LAST, &q);
	ck_assert_uint_eq(w.len, 40 + 5);
	ck_assert_int_eq(dcerpc_pull_request(w.buf, w.len, &h, &q2), 0);
	ck_assert(q2.has_object);
	ck_assert_uint_eq(h.pfc_flags, 0x83);
	ck_assert_uint_eq(q2.opnum, 15);
	ck_assert_uint_eq(q2.stub_len, 5);
	ck_assert_int_eq(memcmp(q2.stub, stub, 5), 0);
	/* object flag set but the UUID cut off */
	wire_setle16(w.buf + 8, 30);
	ck_assert_int_eq(dcerpc_pull_request(w.buf, 30, &h, &q2),
			 WIRE_E_SHORT);

	wire_wr_init(&w, mem, 0);
	dcerpc_push_response(&w, 3, DCERPC_PFC_FIRST, &r);
	ck_assert_uint_eq(w.len, 24 + 5);
	ck_assert_int_eq(dcerpc_pull_response(w.buf, w.len, &h, &r2), 0);
	ck_assert_uint_eq(r2.stub_len, 5);
	ck_assert_int_eq(dcerpc_pull_fault(w.buf, w.len, &h, &status),
			 WIRE_E_INVALID);

	wire_wr_init(&w, mem, 0);
	dcerpc_push_fault(&w, 4, DCERPC_PFC_DID_NOT_EXECUTE, 0,
			  DCERPC_NCA_OP_RNG_ERROR);
	ck_assert_uint_eq(w.len, DCERPC_FAULT_LEN);
	ck_assert_int_eq(dcerpc_pull_fault(w.buf, w.len, &h, &status), 0);
	ck_assert_uint_eq(status, 0x1c010002);
	ck_assert_uint_eq(h.pfc_flags, 0x23);

	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind_nak(&w, 5, DCERPC_NAK_PROTOCOL_VERSION);
	ck_assert_uint_eq(w.len % 4, 0);
	ck_assert_int_eq(dcerpc_pull_bind_nak(w.buf, w.len, &h, &reason), 0);
	ck_assert_uint_eq(reason, 4);
	talloc_free(mem);
}
END_TEST

START_TEST(test_pdu_too_big)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t *big = talloc_zero_array(mem, uint8_t, 70000);
	struct dcerpc_response r = { .stub = big, .stub_len = 70000 };
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	dcerpc_push_response(&w, 1, 3, &r);
	ck_assert_int_eq(wire_wr_error(&w), WIRE_E_TOOBIG);
	talloc_free(mem);
}
END_TEST

static Suite *dcerpc_suite(void)
{
	Suite *s = suite_create("dcerpc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_bind_roundtrip);
	tcase_add_test(tc, test_header_checks);
	tcase_add_test(tc, test_bind_caps);
	tcase_add_test(tc, test_bind_ack_layout);
	tcase_add_test(tc, test_request_response_fault);
	tcase_add_test(tc, test_pdu_too_big);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(dcerpc_suite)
