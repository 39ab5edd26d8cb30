/*
 * test_smb2_fsctl.c - the FSCTL buffers of proto/smb2_fsctl.h byte by
 * byte as MS-SMB2 §2.2.31.1.1, §2.2.32.1, §2.2.32.3 and MS-FSCC §2.3.33,
 * §2.3.34, §2.3.65, §2.3.67 lay them out: the copy-chunk request at
 * every truncation, its limits, the responses, the range pairs.
 */
#include "tests/wgtest.h"
#include "proto/smb2_fsctl.h"

/* SRV_COPYCHUNK_COPY: key 01..18, 2 chunks:
 * (src 0x1000, dst 0x2000, len 0x800), (src 0, dst 0x0102030405060708,
 * len 0x100000) */
static const uint8_t cc_wire[SMB2_COPYCHUNK_HDR_SIZE +
			     2 * SMB2_COPYCHUNK_ENTRY_SIZE] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x02, 0x00, 0x00, 0x00,			/* ChunkCount */
	0x00, 0x00, 0x00, 0x00,			/* Reserved */
	0x00, 0x10, 0, 0, 0, 0, 0, 0,		/* SourceOffset */
	0x00, 0x20, 0, 0, 0, 0, 0, 0,		/* TargetOffset */
	0x00, 0x08, 0x00, 0x00,			/* Length */
	0x00, 0x00, 0x00, 0x00,			/* Reserved */
	0, 0, 0, 0, 0, 0, 0, 0,
	0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

START_TEST(test_copychunk_layout)
{
	struct smb2_copychunk_req *req = talloc(wgt_root,
						struct smb2_copychunk_req);
	struct wire_rd d;
	struct wire_wr w;

	wire_rd_init(&d, cc_wire, sizeof(cc_wire));
	ck_assert_int_eq(smb2_copychunk_req_pull(&d, req), WIRE_OK);
	ck_assert_mem_eq(req->key, cc_wire, SMB2_RESUME_KEY_SIZE);
	ck_assert_uint_eq(req->count, 2);
	ck_assert_uint_eq(req->chunks[0].src_off, 0x1000);
	ck_assert_uint_eq(req->chunks[0].dst_off, 0x2000);
	ck_assert_uint_eq(req->chunks[0].len, 0x800);
	ck_assert_uint_eq(req->chunks[1].src_off, 0);
	ck_assert_uint_eq(req->chunks[1].dst_off, 0x0102030405060708ULL);
	ck_assert_uint_eq(req->chunks[1].len, SMB2_COPYCHUNK_MAX_CHUNK_SIZE);
	ck_assert(smb2_copychunk_within_limits(req));
	ck_assert_uint_eq(d.off, 0);	/* the caller's reader is untouched */
	wire_wr_init(&w, wgt_root, 0);
	smb2_copychunk_req_push(&w, req);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(cc_wire));
	ck_assert_mem_eq(w.buf, cc_wire, sizeof(cc_wire));
	talloc_free(w.buf);
	talloc_free(req);
}
END_TEST

/* Every prefix shorter than the whole request is refused as short. */
START_TEST(test_copychunk_truncated)
{
	struct smb2_copychunk_req *req = talloc(wgt_root,
						struct smb2_copychunk_req);
	struct wire_rd d;

	wire_rd_init(&d, cc_wire, (size_t)_i);
	ck_assert_int_eq(smb2_copychunk_req_pull(&d, req), WIRE_E_SHORT);
	talloc_free(req);
}
END_TEST

START_TEST(test_copychunk_too_many)
{
	struct smb2_copychunk_req *req = talloc(wgt_root,
						struct smb2_copychunk_req);
	uint8_t b[SMB2_COPYCHUNK_HDR_SIZE] = { 0 };
	struct wire_rd d;

	/* 257 chunks: over the limit before the entries are even looked
	 * at, so the caller can answer with the limits */
	wire_setle32(b + 24, SMB2_COPYCHUNK_MAX_CHUNKS + 1);
	wire_rd_init(&d, b, sizeof(b));
	ck_assert_int_eq(smb2_copychunk_req_pull(&d, req), WIRE_E_TOOBIG);
	ck_assert_uint_eq(req->count, SMB2_COPYCHUNK_MAX_CHUNKS + 1);
	ck_assert(!smb2_copychunk_within_limits(req));
	/* 0 chunks: a valid, empty request */
	wire_setle32(b + 24, 0);
	ck_assert_int_eq(smb2_copychunk_req_pull(&d, req), WIRE_OK);
	ck_assert_uint_eq(req->count, 0);
	ck_assert(smb2_copychunk_within_limits(req));
	talloc_free(req);
}
END_TEST

START_TEST(test_copychunk_limits)
{
	struct smb2_copychunk_req *req = talloc_zero(wgt_root,
						     struct smb2_copychunk_req);
	uint32_t i = 0;

	req->count = 1;
	req->chunks[0].len = 0;		/* a zero-length chunk is refused */
	ck_assert(!smb2_copychunk_within_limits(req));
	req->chunks[0].len = SMB2_COPYCHUNK_MAX_CHUNK_SIZE + 1;
	ck_assert(!smb2_copychunk_within_limits(req));
	req->chunks[0].len = UINT32_MAX;
	ck_assert(!smb2_copychunk_within_limits(req));
	/* 16 chunks of 1 MiB is exactly MaxDataSize; 17 is over */
	req->count = 16;
	for (i = 0; i < 17; i++) {
		req->chunks[i].len = SMB2_COPYCHUNK_MAX_CHUNK_SIZE;
	}
	ck_assert(smb2_copychunk_within_limits(req));
	req->count = 17;
	ck_assert(!smb2_copychunk_within_limits(req));
	/* 256 one-byte chunks are fine */
	req->count = SMB2_COPYCHUNK_MAX_CHUNKS;
	for (i = 0; i < SMB2_COPYCHUNK_MAX_CHUNKS; i++) {
		req->chunks[i].len = 1;
	}
	ck_assert(smb2_copychunk_within_limits(req));
	talloc_free(req);
}
END_TEST

START_TEST(test_copychunk_resp)
{
	static const uint8_t want[SMB2_COPYCHUNK_RESP_SIZE] = {
		0x00, 0x01, 0x00, 0x00,		/* ChunksWritten 256 */
		0x00, 0x00, 0x10, 0x00,		/* ChunkBytesWritten 1 MiB */
		0x00, 0x00, 0x00, 0x01,		/* TotalBytesWritten 16 MiB */
	};
	struct smb2_copychunk_resp r = {
		.chunks_written = SMB2_COPYCHUNK_MAX_CHUNKS,
		.chunk_bytes_written = SMB2_COPYCHUNK_MAX_CHUNK_SIZE,
		.total_bytes_written = SMB2_COPYCHUNK_MAX_DATA,
	};
	struct smb2_copychunk_resp back = {};
	struct wire_wr w;
	struct wire_rd d;
	size_t i = 0;

	wire_wr_init(&w, wgt_root, 0);
	smb2_copychunk_resp_push(&w, &r);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(w.buf, want, sizeof(want));
	wire_rd_init(&d, w.buf, w.len);
	ck_assert_int_eq(smb2_copychunk_resp_pull(&d, &back), WIRE_OK);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	for (i = 0; i < sizeof(want); i++) {
		wire_rd_init(&d, want, i);
		ck_assert_int_eq(smb2_copychunk_resp_pull(&d, &back),
				 WIRE_E_SHORT);
	}
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_resume_key_resp)
{
	uint8_t key[SMB2_RESUME_KEY_SIZE];
	uint8_t want[SMB2_RESUME_KEY_RESP_SIZE] = { 0 };
	struct wire_wr w;
	size_t i = 0;

	for (i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)(0xa0 + i);
	}
	memcpy(want, key, sizeof(key));	/* then ContextLength 0, Context */
	wire_wr_init(&w, wgt_root, 0);
	smb2_resume_key_resp_push(&w, key);
	ck_assert_uint_eq(w.len, SMB2_RESUME_KEY_RESP_SIZE);
	ck_assert_mem_eq(w.buf, want, sizeof(want));
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_file_range)
{
	/* FileOffset 0x1000, Length 0x7fffffffffffffff */
	static const uint8_t v[SMB2_FILE_RANGE_SIZE] = {
		0x00, 0x10, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
	};
	struct smb2_file_range fr = {};
	struct wire_rd d;
	struct wire_wr w;
	size_t i = 0;

	wire_rd_init(&d, v, sizeof(v));
	ck_assert_int_eq(smb2_file_range_pull(&d, &fr), WIRE_OK);
	ck_assert_uint_eq(fr.off, 0x1000);
	ck_assert_uint_eq(fr.len_or_end, (uint64_t)INT64_MAX);
	wire_wr_init(&w, wgt_root, 0);
	smb2_file_range_push(&w, fr.off, fr.len_or_end);
	ck_assert_uint_eq(w.len, sizeof(v));
	ck_assert_mem_eq(w.buf, v, sizeof(v));
	talloc_free(w.buf);
	for (i = 0; i < sizeof(v); i++) {
		wire_rd_init(&d, v, i);
		ck_assert_int_eq(smb2_file_range_pull(&d, &fr), WIRE_E_SHORT);
	}
}
END_TEST

START_TEST(test_set_sparse_and_compression)
{
	static const uint8_t off[1] = { 0 };
	static const uint8_t on2[2] = { 1, 0 };
	static const uint8_t lznt1[2] = { 0x02, 0x00 };
	struct wire_rd d;
	struct wire_wr w;
	uint16_t state = 0xffff;

	wire_rd_init(&d, NULL, 0);
	ck_assert(smb2_set_sparse_pull(&d));	/* no buffer: set */
	wire_rd_init(&d, off, sizeof(off));
	ck_assert(!smb2_set_sparse_pull(&d));
	wire_rd_init(&d, on2, sizeof(on2));	/* oversize: first byte */
	ck_assert(smb2_set_sparse_pull(&d));

	wire_rd_init(&d, lznt1, sizeof(lznt1));
	ck_assert_int_eq(smb2_compression_pull(&d, &state), WIRE_OK);
	ck_assert_uint_eq(state, COMPRESSION_FORMAT_LZNT1);
	wire_rd_init(&d, lznt1, 1);
	ck_assert_int_eq(smb2_compression_pull(&d, &state), WIRE_E_SHORT);
	wire_wr_init(&w, wgt_root, 0);
	smb2_compression_push(&w, COMPRESSION_FORMAT_LZNT1);
	ck_assert_uint_eq(w.len, 2);
	ck_assert_mem_eq(w.buf, lznt1, 2);
	talloc_free(w.buf);
}
END_TEST

static Suite *fsctl_suite(void)
{
	Suite *s = suite_create("smb2_fsctl");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_copychunk_layout);
	tcase_add_loop_test(tc, test_copychunk_truncated, 0, sizeof(cc_wire));
	tcase_add_test(tc, test_copychunk_too_many);
	tcase_add_test(tc, test_copychunk_limits);
	tcase_add_test(tc, test_copychunk_resp);
	tcase_add_test(tc, test_resume_key_resp);
	tcase_add_test(tc, test_file_range);
	tcase_add_test(tc, test_set_sparse_and_compression);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(fsctl_suite)
