/*
 * test_smb2_lease.c - the lease create context (v1, v2), break
 * notification and break acknowledgment codecs, byte by byte as MS-SMB2
 * §2.2.13.2.8, §2.2.13.2.10, §2.2.23.2 and §2.2.24.2 lay them out, and
 * every truncation.
 */
#include "tests/wgtest.h"
#include "proto/smb2_lease.h"

/* RqLs v2: key 01..10, state RWH, flags PARENT_LEASE_KEY_SET, duration 0,
 * parent key 21..30, epoch 0x4711 */
static const uint8_t v2_wire[SMB2_LEASE_V2_SIZE] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x07, 0x00, 0x00, 0x00,		/* LeaseState */
	0x04, 0x00, 0x00, 0x00,		/* Flags */
	0, 0, 0, 0, 0, 0, 0, 0,		/* LeaseDuration */
	0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
	0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30,
	0x11, 0x47,			/* Epoch */
	0x00, 0x00,			/* Reserved */
};

START_TEST(test_ctx_v2)
{
	struct wire_rd r;
	struct smb2_lease l = {};
	struct wire_wr w;

	wire_rd_init(&r, v2_wire, sizeof(v2_wire));
	ck_assert_int_eq(smb2_lease_ctx_pull(&r, true, &l), 0);
	ck_assert_int_eq(l.version, 2);
	ck_assert_mem_eq(l.key, v2_wire, 16);
	ck_assert_uint_eq(l.state, SMB2_LEASE_READ | SMB2_LEASE_HANDLE |
			  SMB2_LEASE_WRITE);
	ck_assert_uint_eq(l.flags, SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
	ck_assert_mem_eq(l.parent_key, v2_wire + 32, 16);
	ck_assert_uint_eq(l.epoch, 0x4711);
	wire_wr_init(&w, wgt_root, 0);
	smb2_lease_ctx_push(&w, &l);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(v2_wire));
	ck_assert_mem_eq(w.buf, v2_wire, sizeof(v2_wire));
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_ctx_v1)
{
	struct wire_rd r;
	struct smb2_lease l = {};
	struct wire_wr w;

	/* the first 32 bytes are a v1 context */
	wire_rd_init(&r, v2_wire, SMB2_LEASE_V1_SIZE);
	ck_assert_int_eq(smb2_lease_ctx_pull(&r, true, &l), 0);
	ck_assert_int_eq(l.version, 1);
	ck_assert_uint_eq(l.state, 7);
	ck_assert_uint_eq(l.epoch, 0);
	/* a v2 context where v2 is not spoken (SMB 2.1) reads as v1 */
	wire_rd_init(&r, v2_wire, sizeof(v2_wire));
	ck_assert_int_eq(smb2_lease_ctx_pull(&r, false, &l), 0);
	ck_assert_int_eq(l.version, 1);
	wire_wr_init(&w, wgt_root, 0);
	smb2_lease_ctx_push(&w, &l);
	ck_assert_uint_eq(w.len, SMB2_LEASE_V1_SIZE);
	ck_assert_mem_eq(w.buf, v2_wire, SMB2_LEASE_V1_SIZE);
	talloc_free(w.buf);
}
END_TEST

/* Every length short of a v1 context is refused; between v1 and v2 a v1. */
START_TEST(test_ctx_truncated)
{
	struct wire_rd r;
	struct smb2_lease l = { .state = 99 };
	size_t n = (size_t)_i;

	wire_rd_init(&r, v2_wire, n);
	if (n < SMB2_LEASE_V1_SIZE) {
		ck_assert_int_eq(smb2_lease_ctx_pull(&r, true, &l),
				 WIRE_E_SHORT);
		ck_assert_uint_eq(l.state, 99);	/* untouched */
	} else {
		ck_assert_int_eq(smb2_lease_ctx_pull(&r, true, &l), 0);
		ck_assert_int_eq(l.version,
				 n >= SMB2_LEASE_V2_SIZE ? 2 : 1);
	}
}
END_TEST

START_TEST(test_break_layout)
{
	static const uint8_t want[SMB2_LEASE_BREAK_SIZE] = {
		0x2c, 0x00,		/* StructureSize 44 */
		0x03, 0x00,		/* NewEpoch */
		0x01, 0x00, 0x00, 0x00,	/* Flags: ACK_REQUIRED */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
		0x07, 0x00, 0x00, 0x00,	/* CurrentLeaseState RWH */
		0x03, 0x00, 0x00, 0x00,	/* NewLeaseState RH */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct smb2_lease_break b = {
		.epoch = 3,
		.flags = SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED,
		.current = 7,
		.new_state = 3,
	};
	struct wire_wr w;

	memcpy(b.key, v2_wire, 16);
	wire_wr_init(&w, wgt_root, 0);
	smb2_lease_break_push(&w, &b);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(w.buf, want, sizeof(want));
	talloc_free(w.buf);
}
END_TEST

static const uint8_t ack_wire[SMB2_LEASE_ACK_SIZE] = {
	0x24, 0x00,		/* StructureSize 36 */
	0x00, 0x00,		/* Reserved */
	0x00, 0x00, 0x00, 0x00,	/* Flags */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x03, 0x00, 0x00, 0x00,	/* LeaseState RH */
	0, 0, 0, 0, 0, 0, 0, 0,	/* LeaseDuration */
};

START_TEST(test_ack_round_trip)
{
	struct wire_rd r;
	struct smb2_lease_ack a = {};
	struct wire_wr w;

	wire_rd_init(&r, ack_wire, sizeof(ack_wire));
	ck_assert_int_eq(smb2_lease_ack_pull(&r, &a), 0);
	ck_assert_uint_eq(r.off, sizeof(ack_wire));
	ck_assert_mem_eq(a.key, ack_wire + 8, 16);
	ck_assert_uint_eq(a.state, 3);
	wire_wr_init(&w, wgt_root, 0);
	smb2_lease_ack_push(&w, &a);
	ck_assert_uint_eq(w.len, sizeof(ack_wire));
	ck_assert_mem_eq(w.buf, ack_wire, sizeof(ack_wire));
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_ack_truncated)
{
	struct wire_rd r;
	struct smb2_lease_ack a = { .state = 99 };

	wire_rd_init(&r, ack_wire, (size_t)_i);
	ck_assert_int_eq(smb2_lease_ack_pull(&r, &a), WIRE_E_SHORT);
	ck_assert_uint_eq(r.off, 0);
	ck_assert_uint_eq(a.state, 99);
}
END_TEST

START_TEST(test_ack_wrong_size)
{
	uint8_t b[SMB2_LEASE_ACK_SIZE];
	struct wire_rd r;
	struct smb2_lease_ack a = {};

	memcpy(b, ack_wire, sizeof(b));
	b[0] = 24;		/* an oplock break acknowledgment */
	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(smb2_lease_ack_pull(&r, &a), WIRE_E_INVALID);
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

static Suite *lease_suite(void)
{
	Suite *s = suite_create("smb2_lease");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_ctx_v2);
	tcase_add_test(tc, test_ctx_v1);
	tcase_add_loop_test(tc, test_ctx_truncated, 0, SMB2_LEASE_V2_SIZE + 1);
	tcase_add_test(tc, test_break_layout);
	tcase_add_test(tc, test_ack_round_trip);
	tcase_add_loop_test(tc, test_ack_truncated, 0, SMB2_LEASE_ACK_SIZE);
	tcase_add_test(tc, test_ack_wrong_size);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(lease_suite)
