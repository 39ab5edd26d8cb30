/*
 * test_fscc_ea.c - the EA lists of proto/fscc_ea.h as MS-FSCC §2.4.15
 * and §2.4.15.1 lay them out: a two-entry FILE_FULL_EA_INFORMATION chain
 * with its 4-byte padding, pulled and pushed back byte for byte, cut at
 * every byte; bad NextEntryOffsets, a missing NUL, the entry cap; the
 * FILE_GET_EA_INFORMATION chain; the name rules; partial pushes; the
 * SMB1 SMB_FEA_LIST and SMB_GEA_LIST of MS-CIFS §2.2.1.2 (unpadded, a
 * leading SizeOfListInBytes), round trip and every cut.
 */
#include "tests/wgtest.h"
#include "proto/fscc_ea.h"

/* "EA1" = "abc" (15 bytes, padded to 16), then "NAME2" = "" (14) with
 * FILE_NEED_EA */
static const uint8_t full_wire[] = {
	0x10, 0x00, 0x00, 0x00,		/* NextEntryOffset 16 */
	/* Flags, EaNameLength, EaValueLength */
	0x00, 0x03, 0x03, 0x00,
	'E', 'A', '1', 0x00, 'a', 'b', 'c',
	0x00,				/* padding */
	0x00, 0x00, 0x00, 0x00,		/* last */
	0x80, 0x05, 0x00, 0x00,
	'N', 'A', 'M', 'E', '2', 0x00,
};

START_TEST(test_full_layout)
{
	struct fscc_ea *eas = NULL;
	struct wire_wr w;
	size_t n = 0;

	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, full_wire,
					   sizeof(full_wire), 16, &eas, &n),
			 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(eas[0].flags, 0);
	ck_assert_str_eq(eas[0].name, "EA1");
	ck_assert_uint_eq(eas[0].name_len, 3);
	ck_assert_uint_eq(eas[0].value_len, 3);
	ck_assert_mem_eq(eas[0].value, "abc", 3);
	ck_assert_uint_eq(eas[1].flags, FSCC_FILE_NEED_EA);
	ck_assert_str_eq(eas[1].name, "NAME2");
	ck_assert_uint_eq(eas[1].value_len, 0);
	ck_assert_ptr_null(eas[1].value);
	ck_assert_uint_eq(fscc_ea_list_size(eas, n), sizeof(full_wire));

	wire_wr_init(&w, wgt_root, 0);
	ck_assert_uint_eq(fscc_ea_full_push(&w, eas, n, 4096), 2);
	ck_assert_uint_eq(w.len, sizeof(full_wire));
	ck_assert_mem_eq(w.buf, full_wire, sizeof(full_wire));
	talloc_free(w.buf);
	talloc_free(eas);
}
END_TEST

/* Cut anywhere but at 0 and the end, the list is inconsistent. */
START_TEST(test_full_truncated)
{
	struct fscc_ea *eas = NULL;
	size_t n = 99;
	int ret = fscc_ea_full_pull(wgt_root, full_wire, (size_t)_i, 16,
				    &eas, &n);

	if (_i == 0) {
		ck_assert_int_eq(ret, 0);
		ck_assert_uint_eq(n, 0);
		ck_assert_ptr_null(eas);
		return;
	}
	ck_assert_int_eq(ret, WIRE_E_INVALID);
	ck_assert_ptr_null(eas);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_full_bad_offsets)
{
	uint8_t b[sizeof(full_wire)];
	struct fscc_ea *eas = NULL;
	size_t n = 0;

	/* NextEntryOffset not a multiple of 4 */
	memcpy(b, full_wire, sizeof(b));
	b[0] = 0x0f;
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* past the buffer */
	b[0] = 0x40;
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* inside the entry's own name and value */
	b[0] = 0x0c;
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* huge: no wrap-around */
	b[0] = 0xfc;
	b[3] = 0xff;
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* the name's NUL missing */
	memcpy(b, full_wire, sizeof(b));
	b[11] = 'X';
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* a value longer than the entry */
	memcpy(b, full_wire, sizeof(b));
	b[6] = 0x05;
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* a second entry claiming 64 KiB of value */
	memcpy(b, full_wire, sizeof(b));
	b[22] = 0xff;
	b[23] = 0xff;
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, b, sizeof(b), 16, &eas,
					   &n), WIRE_E_INVALID);
	/* more entries than allowed */
	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, full_wire,
					   sizeof(full_wire), 1, &eas, &n),
			 WIRE_E_TOOBIG);
	ck_assert_ptr_null(eas);
}
END_TEST

/* FILE_GET_EA_INFORMATION: "EA1" (padded to 12), then "x" */
static const uint8_t get_wire[] = {
	0x0c, 0x00, 0x00, 0x00, 0x03, 'E', 'A', '1', 0x00, 0, 0, 0,
	0x00, 0x00, 0x00, 0x00, 0x01, 'x', 0x00,
};

START_TEST(test_get_list)
{
	struct fscc_ea *eas = NULL;
	size_t n = 0, i = 0;

	ck_assert_int_eq(fscc_ea_get_pull(wgt_root, get_wire,
					  sizeof(get_wire), 16, &eas, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(eas[0].name, "EA1");
	ck_assert_str_eq(eas[1].name, "x");
	ck_assert_uint_eq(eas[1].name_len, 1);
	ck_assert_uint_eq(eas[1].value_len, 0);
	talloc_free(eas);
	for (i = 1; i < sizeof(get_wire); i++) {
		ck_assert_int_eq(fscc_ea_get_pull(wgt_root, get_wire, i, 16,
						  &eas, &n), WIRE_E_INVALID);
	}
}
END_TEST

START_TEST(test_name_rules)
{
	static const char *const good[] = {
		"A", "EAONE", "security.NTACL", "$KERNEL.X", "a b",
		"~!@#$%^&()",
		"org.samba.x-y_z", "\x80\xff",
	};
	static const char *const bad[] = {
		"", "a\"b", "a*b", "a+b", "a,b", "a/b", "a:b", "a;b", "a<b",
		"a=b", "a>b", "a?b", "a[b", "a\\b", "a]b", "a|b", "a\tb",
		"\x1f",
	};
	char longname[257];
	size_t i = 0;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(fscc_ea_name_valid(good[i], strlen(good[i])),
			      "%s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!fscc_ea_name_valid(bad[i], strlen(bad[i])),
			      "%s", bad[i]);
	}
	memset(longname, 'A', sizeof(longname));
	ck_assert(fscc_ea_name_valid(longname, 255));
	ck_assert(!fscc_ea_name_valid(longname, 256));
}
END_TEST

/* A push stops before the first entry that does not fit. */
START_TEST(test_push_partial)
{
	struct fscc_ea *eas = NULL;
	struct wire_wr w;
	size_t n = 0;

	ck_assert_int_eq(fscc_ea_full_pull(wgt_root, full_wire,
					   sizeof(full_wire), 16, &eas, &n),
			 0);
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_uint_eq(fscc_ea_full_push(&w, eas, n, 14), 0);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_uint_eq(fscc_ea_full_push(&w, eas, n, 15), 1);
	ck_assert_uint_eq(w.len, 15);
	ck_assert_uint_eq(wire_le32(w.buf), 0);	/* alone: the last */
	w.len = 0;
	ck_assert_uint_eq(fscc_ea_full_push(&w, eas, n, sizeof(full_wire) - 1),
			  1);
	w.len = 0;
	ck_assert_uint_eq(fscc_ea_full_push(&w, eas, n, sizeof(full_wire)),
			  2);
	ck_assert_uint_eq(fscc_ea_list_size(eas, 1), 15);
	ck_assert_uint_eq(fscc_ea_list_size(eas, 0), 0);
	talloc_free(w.buf);
	talloc_free(eas);
}
END_TEST

/* SMB_FEA_LIST: SizeOfListInBytes 25, "EA1" = "abc" (11 bytes), then
 * "NAME2" = "" with FILE_NEED_EA (10), no padding between them */
static const uint8_t fea_wire[] = {
	0x19, 0x00, 0x00, 0x00,
	0x00, 0x03, 0x03, 0x00, 'E', 'A', '1', 0x00, 'a', 'b', 'c',
	0x80, 0x05, 0x00, 0x00, 'N', 'A', 'M', 'E', '2', 0x00,
	0xEE, 0xEE,			/* after the list: ignored */
};

START_TEST(test_fea_layout)
{
	struct fscc_ea *eas = NULL;
	struct wire_wr w;
	size_t n = 0;

	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, fea_wire,
					   sizeof(fea_wire), true, 16, &eas,
					   &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(eas[0].name, "EA1");
	ck_assert_uint_eq(eas[0].flags, 0);
	ck_assert_uint_eq(eas[0].value_len, 3);
	ck_assert_mem_eq(eas[0].value, "abc", 3);
	ck_assert_str_eq(eas[1].name, "NAME2");
	ck_assert_uint_eq(eas[1].flags, FSCC_FILE_NEED_EA);
	ck_assert_uint_eq(eas[1].value_len, 0);
	ck_assert_ptr_null(eas[1].value);
	ck_assert_uint_eq(smb1_fea_list_size(eas, n), 25);
	ck_assert_uint_eq(smb1_fea_list_size(eas, 0), 4);

	wire_wr_init(&w, wgt_root, 0);
	smb1_fea_list_push(&w, eas, n);
	ck_assert_uint_eq(w.len, 25);
	ck_assert_mem_eq(w.buf, fea_wire, 25);
	w.len = 0;
	smb1_fea_list_push(&w, NULL, 0);
	ck_assert_uint_eq(w.len, 4);
	ck_assert_uint_eq(wire_le32(w.buf), 4);
	talloc_free(w.buf);
	talloc_free(eas);
}
END_TEST

/* Cut before the end of the list: short (no size) or inconsistent. */
START_TEST(test_fea_truncated)
{
	struct fscc_ea *eas = NULL;
	size_t n = 99;
	int ret = smb1_ea_list_pull(wgt_root, fea_wire, (size_t)_i, true, 16,
				    &eas, &n);

	ck_assert_int_eq(ret, _i < 4 ? WIRE_E_SHORT : WIRE_E_INVALID);
	ck_assert_ptr_null(eas);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* A size smaller than its entries, below 4, a missing NUL, the cap. */
START_TEST(test_fea_bad)
{
	uint8_t b[sizeof(fea_wire)];
	struct fscc_ea *eas = NULL;
	size_t n = 0;

	memcpy(b, fea_wire, sizeof(b));
	b[0] = 24;	/* ends inside the second entry */
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, b, sizeof(b), true, 16,
					   &eas, &n), WIRE_E_INVALID);
	b[0] = 3;
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, b, sizeof(b), true, 16,
					   &eas, &n), WIRE_E_INVALID);
	b[0] = 4;	/* the empty list */
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, b, sizeof(b), true, 16,
					   &eas, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(eas);
	b[0] = 25;
	b[11] = 'X';	/* the first name's NUL */
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, b, sizeof(b), true, 16,
					   &eas, &n), WIRE_E_INVALID);
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, fea_wire,
					   sizeof(fea_wire), true, 1, &eas,
					   &n), WIRE_E_TOOBIG);
	ck_assert_ptr_null(eas);
}
END_TEST

/* SMB_GEA_LIST: "EA1", "B" */
START_TEST(test_gea_list)
{
	static const uint8_t gea[] = {
		0x0D, 0x00, 0x00, 0x00,
		0x03, 'E', 'A', '1', 0x00,
		0x01, 'B', 0x00,
		0x00,	/* a byte left in the list: not an entry */
	};
	struct fscc_ea *eas = NULL;
	size_t n = 0;
	/* the pulled names point into the buffer: it must outlive them */
	uint8_t b[sizeof(gea)];

	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, gea, sizeof(gea), false,
					   16, &eas, &n), WIRE_E_INVALID);
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, gea, sizeof(gea) - 1,
					   false, 16, &eas, &n),
			 WIRE_E_INVALID);	/* size 13 > 12 bytes */
	memcpy(b, gea, sizeof(b));
	b[0] = 12;
	ck_assert_int_eq(smb1_ea_list_pull(wgt_root, b, sizeof(b), false, 16,
					   &eas, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(eas[0].name, "EA1");
	ck_assert_uint_eq(eas[0].name_len, 3);
	ck_assert_str_eq(eas[1].name, "B");
	ck_assert_uint_eq(eas[1].value_len, 0);
	talloc_free(eas);
}
END_TEST

static Suite *fscc_ea_suite(void)
{
	Suite *s = suite_create("fscc_ea");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_full_layout);
	tcase_add_loop_test(tc, test_full_truncated, 0, sizeof(full_wire));
	tcase_add_test(tc, test_full_bad_offsets);
	tcase_add_test(tc, test_get_list);
	tcase_add_test(tc, test_name_rules);
	tcase_add_test(tc, test_push_partial);
	tcase_add_test(tc, test_fea_layout);
	tcase_add_loop_test(tc, test_fea_truncated, 0, 25);
	tcase_add_test(tc, test_fea_bad);
	tcase_add_test(tc, test_gea_list);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(fscc_ea_suite)
