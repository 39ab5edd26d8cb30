/*
 * test_smb2.c - the 64-byte SMB2 header codec and the name tables.
 */
#include "tests/wgtest.h"
#include "proto/smb2.h"

static const struct smb2_hdr sync_hdr = {
	.credit_charge = 1,
	.status = 0xC0000016u,
	.command = SMB2_SESSION_SETUP,
	.credits = 33,
	.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_SIGNED,
	.next_command = 0,
	.message_id = 0x0102030405060708ull,
	.reserved = 0xFEFF,
	.tree_id = 0xA1B2C3D4u,
	.session_id = 0x0000100000000025ull,
	.signature = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
};

static const struct smb2_hdr async_hdr = {
	.credit_charge = 0,
	.status = 0x00000103u,
	.command = SMB2_CHANGE_NOTIFY,
	.credits = 1,
	.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND,
	.next_command = 0x68,
	.message_id = 42,
	.async_id = 0x8877665544332211ull,
	.session_id = 7,
};

/* The sync header above, byte by byte as MS-SMB2 §2.2.1.2 lays it out. */
static const uint8_t sync_wire[SMB2_HDR_SIZE] = {
	0xFE, 'S', 'M', 'B', 0x40, 0x00, 0x01, 0x00,
	0x16, 0x00, 0x00, 0xC0, 0x01, 0x00, 0x21, 0x00,
	0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	0xFF, 0xFE, 0x00, 0x00, 0xD4, 0xC3, 0xB2, 0xA1,
	0x25, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static void ck_hdr_eq(const struct smb2_hdr *a, const struct smb2_hdr *b)
{
	ck_assert_uint_eq(a->credit_charge, b->credit_charge);
	ck_assert_uint_eq(a->status, b->status);
	ck_assert_uint_eq(a->command, b->command);
	ck_assert_uint_eq(a->credits, b->credits);
	ck_assert_uint_eq(a->flags, b->flags);
	ck_assert_uint_eq(a->next_command, b->next_command);
	ck_assert_uint_eq(a->message_id, b->message_id);
	ck_assert_uint_eq(a->reserved, b->reserved);
	ck_assert_uint_eq(a->tree_id, b->tree_id);
	ck_assert_uint_eq(a->async_id, b->async_id);
	ck_assert_uint_eq(a->session_id, b->session_id);
	ck_assert_mem_eq(a->signature, b->signature, 16);
}

START_TEST(test_push_sync_layout)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	smb2_hdr_push(&w, &sync_hdr);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, SMB2_HDR_SIZE);
	ck_assert_mem_eq(w.buf, sync_wire, SMB2_HDR_SIZE);
	talloc_free(mem);
}
END_TEST

START_TEST(test_round_trip)
{
	const struct smb2_hdr *in = _i == 0 ? &sync_hdr : &async_hdr;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct smb2_hdr out = {};
	struct wire_wr w;
	struct wire_rd r;

	wire_wr_init(&w, mem, 0);
	wire_put_u32le(&w, 0xDEADBEEF);	/* the header need not be first */
	smb2_hdr_push(&w, in);
	wire_put_u16le(&w, 9);		/* and a body follows */
	ck_assert_int_eq(wire_wr_error(&w), 0);

	wire_rd_init(&r, w.buf, w.len);
	ck_assert_int_eq(wire_skip(&r, 4), 0);
	ck_assert_int_eq(smb2_hdr_pull(&r, &out), 0);
	ck_assert_uint_eq(r.off, 4 + SMB2_HDR_SIZE);
	ck_hdr_eq(&out, in);
	talloc_free(mem);
}
END_TEST

START_TEST(test_async_fields)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct smb2_hdr out = {};
	struct wire_wr w;
	struct wire_rd r;

	wire_wr_init(&w, mem, 0);
	smb2_hdr_push(&w, &async_hdr);
	ck_assert_uint_eq(wire_le64(w.buf + 32), async_hdr.async_id);
	wire_rd_init(&r, w.buf, w.len);
	ck_assert_int_eq(smb2_hdr_pull(&r, &out), 0);
	ck_assert_uint_eq(out.async_id, 0x8877665544332211ull);
	ck_assert_uint_eq(out.tree_id, 0);
	ck_assert_uint_eq(out.reserved, 0);
	talloc_free(mem);
}
END_TEST

START_TEST(test_truncated_every_byte)
{
	for (size_t n = 0; n < SMB2_HDR_SIZE; n++) {
		struct smb2_hdr out = {};
		struct wire_rd r;

		wire_rd_init(&r, sync_wire, n);
		ck_assert_int_eq(smb2_hdr_pull(&r, &out), WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 0);
	}
}
END_TEST

START_TEST(test_truncated_after_prefix)
{
	uint8_t buf[8 + SMB2_HDR_SIZE] = { 0 };

	memcpy(buf + 8, sync_wire, SMB2_HDR_SIZE);
	for (size_t n = 8; n < sizeof(buf); n++) {
		struct smb2_hdr out = {};
		struct wire_rd r;

		wire_rd_init(&r, buf, n);
		ck_assert_int_eq(wire_skip(&r, 8), 0);
		ck_assert_int_eq(smb2_hdr_pull(&r, &out), WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 8);
	}
}
END_TEST

START_TEST(test_bad_magic)
{
	static const char *const magics[] = {
		SMB2_TRANSFORM_MAGIC, SMB1_MAGIC, "\xfeSMb", "\0SMB",
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		uint8_t buf[SMB2_HDR_SIZE];
		struct smb2_hdr out = {};
		struct wire_rd r;

		memcpy(buf, sync_wire, sizeof(buf));
		memcpy(buf, magics[i], 4);
		wire_rd_init(&r, buf, sizeof(buf));
		ck_assert_int_eq(smb2_hdr_pull(&r, &out), WIRE_E_INVALID);
		ck_assert_uint_eq(r.off, 0);
	}
}
END_TEST

START_TEST(test_bad_structure_size)
{
	static const uint16_t sizes[] = { 0, 63, 65, 0x4000, 0xFFFF };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t buf[SMB2_HDR_SIZE];
		struct smb2_hdr out = {};
		struct wire_rd r;

		memcpy(buf, sync_wire, sizeof(buf));
		wire_setle16(buf + 4, sizes[i]);
		wire_rd_init(&r, buf, sizeof(buf));
		ck_assert_int_eq(smb2_hdr_pull(&r, &out), WIRE_E_INVALID);
		ck_assert_uint_eq(r.off, 0);
	}
}
END_TEST

START_TEST(test_dialect_names)
{
	static const struct {
		uint16_t d;
		const char *name;
	} t[] = {
		{ SMB2_DIALECT_202, "SMB2_02" },
		{ SMB2_DIALECT_210, "SMB2_10" },
		{ SMB2_DIALECT_300, "SMB3_00" },
		{ SMB2_DIALECT_302, "SMB3_02" },
		{ SMB2_DIALECT_311, "SMB3_11" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_str_eq(smb2_dialect_name(t[i].d), t[i].name);
		ck_assert_uint_eq(smb2_dialect_parse(t[i].name, false), t[i].d);
		ck_assert_uint_eq(smb2_dialect_parse(t[i].name, true), t[i].d);
	}
	ck_assert_ptr_null(smb2_dialect_name(SMB2_DIALECT_WILDCARD));
	ck_assert_ptr_null(smb2_dialect_name(0x0000));
	ck_assert_ptr_null(smb2_dialect_name(0x0310));
}
END_TEST

START_TEST(test_dialect_parse)
{
	ck_assert_uint_eq(smb2_dialect_parse("smb3_11", false),
			  SMB2_DIALECT_311);
	ck_assert_uint_eq(smb2_dialect_parse("SMB2", false), SMB2_DIALECT_202);
	ck_assert_uint_eq(smb2_dialect_parse("SMB2", true), SMB2_DIALECT_210);
	ck_assert_uint_eq(smb2_dialect_parse("smb3", false),
			  SMB2_DIALECT_300);
	ck_assert_uint_eq(smb2_dialect_parse("SMB3", true), SMB2_DIALECT_311);
	ck_assert_uint_eq(smb2_dialect_parse("", false), 0);
	ck_assert_uint_eq(smb2_dialect_parse("NT1", false), 0);
	ck_assert_uint_eq(smb2_dialect_parse("SMB3_1", false), 0);
	ck_assert_uint_eq(smb2_dialect_parse("SMB3_111", true), 0);
	ck_assert_uint_eq(smb2_dialect_parse("SMB2_FF", true), 0);
}
END_TEST

START_TEST(test_cmd_names)
{
	ck_assert_str_eq(smb2_cmd_name(SMB2_NEGOTIATE), "NEGOTIATE");
	ck_assert_str_eq(smb2_cmd_name(SMB2_CREATE), "CREATE");
	ck_assert_str_eq(smb2_cmd_name(SMB2_OPLOCK_BREAK), "OPLOCK_BREAK");
	ck_assert_str_eq(smb2_cmd_name(SMB2_NUM_CMDS), "UNKNOWN");
	ck_assert_str_eq(smb2_cmd_name(0xFFFF), "UNKNOWN");
	for (uint16_t c = 0; c < SMB2_NUM_CMDS; c++) {
		ck_assert_str_ne(smb2_cmd_name(c), "UNKNOWN");
	}
}
END_TEST

/* READ response [MS-SMB2 §2.2.20]: 17, DataOffset 0x50, then the data. */
START_TEST(test_read_resp)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t data[] = { 'a', 'b', 'c' };
	static const uint8_t want[] = {
		0x11, 0x00, 0x50, 0x00,		/* StructureSize, offset */
		0x03, 0x00, 0x00, 0x00,		/* DataLength */
		0x00, 0x00, 0x00, 0x00,		/* DataRemaining */
		0x00, 0x00, 0x00, 0x00,		/* Reserved2 */
		'a', 'b', 'c',
	};
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	smb2_read_resp_push(&w, data, sizeof(data));
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(w.buf, want, sizeof(want));
	/* the data offset names where the data is behind a 64-byte header */
	ck_assert_uint_eq(SMB2_READ_DATA_OFFSET, SMB2_HDR_SIZE + 16);

	/* no data: the one pad byte StructureSize 17 counts */
	wire_wr_init(&w, mem, 0);
	smb2_read_resp_push(&w, NULL, 0);
	ck_assert_uint_eq(w.len, 17);
	ck_assert_uint_eq(wire_le32(w.buf + 4), 0);
	ck_assert_uint_eq(w.buf[16], 0);

	/* fixed part only: the data rides beside it */
	wire_wr_init(&w, mem, 0);
	smb2_read_resp_push_fixed(&w, 0x10000);
	ck_assert_uint_eq(w.len, 16);
	ck_assert_mem_eq(w.buf, want, 4);
	ck_assert_uint_eq(wire_le32(w.buf + 4), 0x10000);
	talloc_free(mem);
}
END_TEST

/* WRITE response [MS-SMB2 §2.2.22]: 17 bytes, Count, the rest 0. */
START_TEST(test_write_resp)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t want[] = {
		0x11, 0x00, 0x00, 0x00,		/* StructureSize, Reserved */
		0x78, 0x56, 0x34, 0x12,		/* Count */
		0x00, 0x00, 0x00, 0x00,		/* Remaining */
		0x00, 0x00, 0x00, 0x00,		/* WriteChannelInfo */
		0x00,
	};
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	smb2_write_resp_push(&w, 0x12345678);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(w.buf, want, sizeof(want));
	talloc_free(mem);
}
END_TEST

/* Each command's payload field at its offset; 0 when the body is short. */
START_TEST(test_req_payload)
{
	static const struct {
		uint16_t cmd;
		size_t off;	/* of the field in the body */
		bool is_in;	/* sent (in) or asked for (out) */
		size_t need;	/* shortest body that yields it */
	} rows[] = {
		{ SMB2_READ, 4, false, 8 },
		{ SMB2_WRITE, 4, true, 8 },
		{ SMB2_QUERY_DIRECTORY, 28, false, 32 },
		{ SMB2_QUERY_INFO, 4, false, 8 },
		{ SMB2_CHANGE_NOTIFY, 4, false, 8 },
		{ SMB2_SET_INFO, 4, true, 8 },
		{ SMB2_IOCTL, 28, true, 48 },
		{ SMB2_IOCTL, 44, false, 48 },
	};
	uint8_t body[64];
	uint32_t in = 0, out = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(body, 0, sizeof(body));
		body[rows[i].off] = 0x78;
		body[rows[i].off + 1] = 0x56;
		body[rows[i].off + 2] = 0x34;
		body[rows[i].off + 3] = 0x12;
		smb2_req_payload(rows[i].cmd, body, rows[i].need, &in, &out);
		ck_assert_uint_eq(rows[i].is_in ? in : out, 0x12345678);
		ck_assert_uint_eq(rows[i].is_in ? out : in, 0);
		in = out = 1;
		smb2_req_payload(rows[i].cmd, body, rows[i].need - 1, &in,
				 &out);
		ck_assert_uint_eq(in, 0);
		ck_assert_uint_eq(out, 0);
	}
	body[4] = 0xff;
	in = out = 1;
	smb2_req_payload(SMB2_CREATE, body, sizeof(body), &in, &out);
	ck_assert_uint_eq(in, 0);
	ck_assert_uint_eq(out, 0);
}
END_TEST

/*
 * OPLOCK_BREAK acknowledgment [MS-SMB2 §2.2.24.1]: StructureSize 24,
 * OplockLevel II, Reserved, Reserved2, FileId {0x1122334455667788,
 * 0x99aabbccddeeff00}, laid out by hand from the spec.
 */
static const uint8_t oplock_ack_vec[24] = {
	0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99,
};

START_TEST(test_oplock_break_vector)
{
	struct smb2_oplock_break b = {};
	struct wire_rd r;
	struct wire_wr w;

	wire_rd_init(&r, oplock_ack_vec, sizeof(oplock_ack_vec));
	ck_assert_int_eq(smb2_oplock_break_pull(&r, &b), 0);
	ck_assert_uint_eq(r.off, 24);
	ck_assert_uint_eq(b.level, 0x01);
	ck_assert_uint_eq(b.fid_persistent, 0x1122334455667788ull);
	ck_assert_uint_eq(b.fid_volatile, 0x99aabbccddeeff00ull);
	/* the response has the same layout */
	wire_wr_init(&w, wgt_root, 0);
	smb2_oplock_break_push(&w, &b);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, 24);
	ck_assert_mem_eq(w.buf, oplock_ack_vec, 24);
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_oplock_break_truncated)
{
	struct smb2_oplock_break b = { .level = 0x77 };
	struct wire_rd r;
	size_t n = 0;

	for (n = 0; n < sizeof(oplock_ack_vec); n++) {
		wire_rd_init(&r, oplock_ack_vec, n);
		ck_assert_int_eq(smb2_oplock_break_pull(&r, &b), WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 0);
		ck_assert_uint_eq(b.level, 0x77);
	}
}
END_TEST

START_TEST(test_oplock_break_sizes)
{
	uint8_t v[40] = {};
	struct smb2_oplock_break b = {};
	struct wire_rd r;

	/* a lease break acknowledgment (36) is told apart */
	v[0] = 36;
	wire_rd_init(&r, v, sizeof(v));
	ck_assert_int_eq(smb2_oplock_break_pull(&r, &b), WIRE_E_UNSUPPORTED);
	ck_assert_uint_eq(r.off, 0);
	/* any other StructureSize is invalid */
	v[0] = 25;
	wire_rd_init(&r, v, sizeof(v));
	ck_assert_int_eq(smb2_oplock_break_pull(&r, &b), WIRE_E_INVALID);
	v[0] = 0;
	wire_rd_init(&r, v, sizeof(v));
	ck_assert_int_eq(smb2_oplock_break_pull(&r, &b), WIRE_E_INVALID);
	/* reserved fields are ignored, any level is returned as sent */
	memcpy(v, oplock_ack_vec, 24);
	v[2] = 0xFF;
	v[3] = 0x5A;
	v[4] = 0xA5;
	wire_rd_init(&r, v, sizeof(v));
	ck_assert_int_eq(smb2_oplock_break_pull(&r, &b), 0);
	ck_assert_uint_eq(b.level, 0xFF);
	ck_assert_uint_eq(r.off, 24);
}
END_TEST

static Suite *smb2_suite(void)
{
	Suite *s = suite_create("smb2");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_push_sync_layout);
	tcase_add_loop_test(tc, test_round_trip, 0, 2);
	tcase_add_test(tc, test_async_fields);
	tcase_add_test(tc, test_truncated_every_byte);
	tcase_add_test(tc, test_truncated_after_prefix);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_bad_structure_size);
	tcase_add_test(tc, test_dialect_names);
	tcase_add_test(tc, test_dialect_parse);
	tcase_add_test(tc, test_cmd_names);
	tcase_add_test(tc, test_read_resp);
	tcase_add_test(tc, test_write_resp);
	tcase_add_test(tc, test_req_payload);
	tcase_add_test(tc, test_oplock_break_vector);
	tcase_add_test(tc, test_oplock_break_truncated);
	tcase_add_test(tc, test_oplock_break_sizes);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb2_suite)
