/*
 * test_smb2_durable.c - the durable handle create contexts: the fields of
 * each as MS-SMB2 §2.2.13.2.3-4 and §2.2.13.2.11-12 lay them out, every
 * truncation, and which context takes effect when several come.
 */
#include "tests/wgtest.h"
#include "proto/smb2_durable.h"

static const uint8_t dh2q[SMB2_DH2Q_SIZE] = {
	0x60, 0xEA, 0x00, 0x00,			/* Timeout 60000 */
	0x00, 0x00, 0x00, 0x00,			/* Flags */
	0, 0, 0, 0, 0, 0, 0, 0,			/* Reserved */
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
};

static const uint8_t dh2c[SMB2_DH2C_SIZE] = {
	0x01, 0, 0, 0, 0, 0, 0, 0,		/* Persistent */
	0x02, 0, 0, 0, 0, 0, 0, 0x80,		/* Volatile */
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
	0x02, 0, 0, 0,				/* Flags: persistent */
};

static struct wire_rd rd(const uint8_t *p, size_t n)
{
	struct wire_rd r;

	wire_rd_init(&r, p, n);
	return r;
}

START_TEST(test_tags)
{
	ck_assert_int_eq(smb2_durable_tag((const uint8_t *)"DHnQ"),
			 SMB2_DURABLE_V1_REQ);
	ck_assert_int_eq(smb2_durable_tag((const uint8_t *)"DHnC"),
			 SMB2_DURABLE_V1_RECONNECT);
	ck_assert_int_eq(smb2_durable_tag((const uint8_t *)"DH2Q"),
			 SMB2_DURABLE_V2_REQ);
	ck_assert_int_eq(smb2_durable_tag((const uint8_t *)"DH2C"),
			 SMB2_DURABLE_V2_RECONNECT);
	ck_assert_int_eq(smb2_durable_tag((const uint8_t *)"MxAc"),
			 SMB2_DURABLE_NONE);
	ck_assert_int_eq(smb2_durable_tag((const uint8_t *)"dhnq"),
			 SMB2_DURABLE_NONE);
}
END_TEST

START_TEST(test_dh2q_fields)
{
	struct smb2_durable_ctx c = {};
	struct wire_rd r = rd(dh2q, sizeof(dh2q));
	enum smb2_durable_kind k = SMB2_DURABLE_NONE;

	smb2_durable_add(&c, SMB2_DURABLE_V2_REQ, &r);
	ck_assert(!c.bad);
	ck_assert_uint_eq(c.timeout_ms, 60000);
	ck_assert_uint_eq(c.flags, 0);
	ck_assert_mem_eq(c.create_guid, dh2q + 16, 16);
	ck_assert_int_eq(smb2_durable_pick(&c, true, &k), 0);
	ck_assert_int_eq(k, SMB2_DURABLE_V2_REQ);
	/* below SMB 3.0 the v2 contexts are not looked at */
	ck_assert_int_eq(smb2_durable_pick(&c, false, &k), 0);
	ck_assert_int_eq(k, SMB2_DURABLE_NONE);
}
END_TEST

START_TEST(test_dh2c_fields)
{
	struct smb2_durable_ctx c = {};
	struct wire_rd r = rd(dh2c, sizeof(dh2c));
	enum smb2_durable_kind k = SMB2_DURABLE_NONE;

	smb2_durable_add(&c, SMB2_DURABLE_V2_RECONNECT, &r);
	ck_assert(!c.bad);
	ck_assert_uint_eq(c.fid_persistent, 1);
	ck_assert_uint_eq(c.fid_volatile, 0x8000000000000002ull);
	ck_assert_mem_eq(c.create_guid, dh2c + 16, 16);
	ck_assert_uint_eq(c.flags, SMB2_DHANDLE_FLAG_PERSISTENT);
	ck_assert_int_eq(smb2_durable_pick(&c, true, &k), 0);
	ck_assert_int_eq(k, SMB2_DURABLE_V2_RECONNECT);
}
END_TEST

START_TEST(test_dhnc_fields)
{
	struct smb2_durable_ctx c = {};
	struct wire_rd r = rd(dh2c, SMB2_DHNC_SIZE);
	enum smb2_durable_kind k = SMB2_DURABLE_NONE;

	smb2_durable_add(&c, SMB2_DURABLE_V1_RECONNECT, &r);
	ck_assert(!c.bad);
	ck_assert_uint_eq(c.fid_persistent, 1);
	ck_assert_uint_eq(c.fid_volatile, 0x8000000000000002ull);
	ck_assert_int_eq(smb2_durable_pick(&c, false, &k), 0);
	ck_assert_int_eq(k, SMB2_DURABLE_V1_RECONNECT);
}
END_TEST

/* The tag as MS-SMB2 §2.2.13.2 lists it: 0x45BCA66AEFA7F74A9008FA462E144D74 */
START_TEST(test_app_instance_tag)
{
	uint8_t tag[16] = {
		0x45, 0xBC, 0xA6, 0x6A, 0xEF, 0xA7, 0xF7, 0x4A,
		0x90, 0x08, 0xFA, 0x46, 0x2E, 0x14, 0x4D, 0x74,
	};

	ck_assert(smb2_app_instance_tag(tag, sizeof(tag)));
	ck_assert(!smb2_app_instance_tag(tag, 15));
	ck_assert(!smb2_app_instance_tag((const uint8_t *)"DH2Q", 4));
	for (size_t i = 0; i < sizeof(tag); i++) {
		tag[i] ^= 0x01;
		ck_assert(!smb2_app_instance_tag(tag, sizeof(tag)));
		tag[i] ^= 0x01;
	}
}
END_TEST

static const uint8_t app_instance[SMB2_APP_INSTANCE_SIZE] = {
	0x14, 0x00,				/* StructureSize 20 */
	0x00, 0x00,				/* Reserved */
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
};

START_TEST(test_app_instance_fields)
{
	struct wire_rd r = rd(app_instance, sizeof(app_instance));
	uint8_t id[16] = {};

	ck_assert_int_eq(smb2_app_instance_pull(&r, id), 0);
	ck_assert_mem_eq(id, app_instance + 4, 16);
	/* the caller's reader does not move */
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

/* Short data or another StructureSize: ignored, id untouched. */
START_TEST(test_app_instance_bad)
{
	uint8_t buf[SMB2_APP_INSTANCE_SIZE + 4];
	uint8_t id[16];
	uint8_t zero[16] = {};

	memcpy(buf, app_instance, sizeof(app_instance));
	memset(buf + sizeof(app_instance), 0xEE, 4);
	for (size_t n = 0; n < SMB2_APP_INSTANCE_SIZE; n++) {
		struct wire_rd r = rd(buf, n);

		memset(id, 0, sizeof(id));
		ck_assert_int_eq(smb2_app_instance_pull(&r, id), -1);
		ck_assert_mem_eq(id, zero, 16);
	}
	{
		/* longer data is fine: the rest is not ours */
		struct wire_rd r = rd(buf, sizeof(buf));

		ck_assert_int_eq(smb2_app_instance_pull(&r, id), 0);
	}
	buf[0] = 0x18;	/* 24: the APP_INSTANCE_VERSION size */
	{
		struct wire_rd r = rd(buf, SMB2_APP_INSTANCE_SIZE);

		memset(id, 0, sizeof(id));
		ck_assert_int_eq(smb2_app_instance_pull(&r, id), -1);
		ck_assert_mem_eq(id, zero, 16);
	}
}
END_TEST

/* Every length short of each context's size is malformed. */
START_TEST(test_truncated_every_byte)
{
	static const struct {
		enum smb2_durable_kind kind;
		size_t size;
	} t[] = {
		{ SMB2_DURABLE_V1_REQ, SMB2_DHNQ_SIZE },
		{ SMB2_DURABLE_V1_RECONNECT, SMB2_DHNC_SIZE },
		{ SMB2_DURABLE_V2_REQ, SMB2_DH2Q_SIZE },
		{ SMB2_DURABLE_V2_RECONNECT, SMB2_DH2C_SIZE },
	};
	uint8_t buf[64] = {};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (size_t n = 0; n <= t[i].size; n++) {
			struct smb2_durable_ctx c = {};
			struct wire_rd r = rd(buf, n);
			enum smb2_durable_kind k = SMB2_DURABLE_NONE;

			smb2_durable_add(&c, t[i].kind, &r);
			ck_assert_int_eq(c.bad, n < t[i].size);
			ck_assert_int_eq(smb2_durable_pick(&c, true, &k),
					 n < t[i].size ? -1 : 0);
		}
	}
}
END_TEST

/* §3.3.5.9.6-12: which combinations are refused. */
START_TEST(test_combinations)
{
	static const struct {
		uint8_t tags;		/* bit per kind */
		bool v2_ok;
		int rc;
		enum smb2_durable_kind kind;
	} t[] = {
		{ 0, true, 0, SMB2_DURABLE_NONE },
		{ 1u << 1, true, 0, SMB2_DURABLE_V1_REQ },
		{ (1u << 1) | (1u << 2), true, 0, SMB2_DURABLE_V1_RECONNECT },
		{ (1u << 1) | (1u << 3), true, -1, SMB2_DURABLE_NONE },
		{ (1u << 1) | (1u << 3), false, 0, SMB2_DURABLE_V1_REQ },
		{ (1u << 2) | (1u << 4), true, -1, SMB2_DURABLE_NONE },
		{ (1u << 3) | (1u << 4), true, -1, SMB2_DURABLE_NONE },
		{ (1u << 3) | (1u << 4), false, 0, SMB2_DURABLE_NONE },
		{ 1u << 4, true, 0, SMB2_DURABLE_V2_RECONNECT },
	};
	uint8_t buf[64] = {};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct smb2_durable_ctx c = {};
		enum smb2_durable_kind k = SMB2_DURABLE_NONE;

		for (int kind = 1; kind <= 4; kind++) {
			struct wire_rd r = rd(buf, sizeof(buf));

			if (t[i].tags & (1u << kind)) {
				smb2_durable_add(&c, kind, &r);
			}
		}
		ck_assert_int_eq(smb2_durable_pick(&c, t[i].v2_ok, &k),
				 t[i].rc);
		ck_assert_int_eq(k, t[i].kind);
	}
}
END_TEST

START_TEST(test_duplicate)
{
	struct smb2_durable_ctx c = {};
	struct wire_rd r = rd(dh2q, sizeof(dh2q));
	enum smb2_durable_kind k = SMB2_DURABLE_NONE;

	smb2_durable_add(&c, SMB2_DURABLE_V1_REQ, &r);
	smb2_durable_add(&c, SMB2_DURABLE_V1_REQ, &r);
	ck_assert(c.dup);
	ck_assert_int_eq(smb2_durable_pick(&c, true, &k), -1);
}
END_TEST

START_TEST(test_responses)
{
	uint8_t q[SMB2_DHNQ_RESP_SIZE];
	uint8_t q2[SMB2_DH2Q_RESP_SIZE];
	static const uint8_t want[8] = { 0x60, 0xEA, 0, 0, 0, 0, 0, 0 };
	static const uint8_t zero[8] = {};

	memset(q, 0xAA, sizeof(q));
	smb2_dhnq_resp(q);
	ck_assert_mem_eq(q, zero, 8);
	smb2_dh2q_resp(q2, 60000, 0);
	ck_assert_mem_eq(q2, want, 8);
}
END_TEST

static Suite *durable_suite(void)
{
	Suite *s = suite_create("smb2_durable");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_dh2q_fields);
	tcase_add_test(tc, test_dh2c_fields);
	tcase_add_test(tc, test_dhnc_fields);
	tcase_add_test(tc, test_truncated_every_byte);
	tcase_add_test(tc, test_combinations);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_responses);
	tcase_add_test(tc, test_app_instance_tag);
	tcase_add_test(tc, test_app_instance_fields);
	tcase_add_test(tc, test_app_instance_bad);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(durable_suite)
