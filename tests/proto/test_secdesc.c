/*
 * test_secdesc.c - self-relative security descriptors [MS-DTYP §2.4.6]:
 * MS-DTYP's own example (§2.5.1.4) parsed, built byte for byte and
 * written as SDDL; every truncation; each malformed field refused with
 * its error; object ACEs; the SECURITY_INFORMATION subsets; the SDDL
 * reader.
 */
#include "tests/wgtest.h"
#include "proto/secdesc.h"

/* MS-DTYP §2.5.1.4: "O:BAG:BAD:P(A;CIOI;GRGX;;;BU)(A;CIOI;GA;;;BA)
 * (A;CIOI;GA;;;SY)(A;CIOI;GA;;;CO)S:P(AU;FA;GR;;;WD)" */
static const char dtyp_sddl_in[] =
	"O:BAG:BAD:P(A;CIOI;GRGX;;;BU)(A;CIOI;GA;;;BA)(A;CIOI;GA;;;SY)"
	"(A;CIOI;GA;;;CO)S:P(AU;FA;GR;;;WD)";
static const char dtyp_sddl_out[] =
	"O:BAG:BAD:P(A;OICI;GRGX;;;BU)(A;OICI;GA;;;BA)(A;OICI;GA;;;SY)"
	"(A;OICI;GA;;;CO)S:P(AU;FA;GR;;;WD)";
static const char dtyp_hex[] =
	"01 00 14 b0 90 00 00 00 a0 00 00 00 14 00 00 00"
	"30 00 00 00 02 00 1c 00 01 00 00 00 02 80 14 00"
	"00 00 00 80 01 01 00 00 00 00 00 01 00 00 00 00"
	"02 00 60 00 04 00 00 00 00 03 18 00 00 00 00 a0"
	"01 02 00 00 00 00 00 05 20 00 00 00 21 02 00 00"
	"00 03 18 00 00 00 00 10 01 02 00 00 00 00 00 05"
	"20 00 00 00 20 02 00 00 00 03 14 00 00 00 00 10"
	"01 01 00 00 00 00 00 05 12 00 00 00 00 03 14 00"
	"00 00 00 10 01 01 00 00 00 00 00 03 00 00 00 00"
	"01 02 00 00 00 00 00 05 20 00 00 00 20 02 00 00"
	"01 02 00 00 00 00 00 05 20 00 00 00 20 02 00 00";

#define ALL_INFO (SECINFO_OWNER | SECINFO_GROUP | SECINFO_DACL | SECINFO_SACL)

static uint8_t *dtyp_bytes(size_t *len)
{
	return wgt_hex(wgt_root, dtyp_hex, len);
}

START_TEST(test_dtyp_example_parse)
{
	size_t len = 0;
	uint8_t *b = dtyp_bytes(&len);
	struct sec_desc *sd = NULL;
	char *text = NULL;

	ck_assert_uint_eq(len, 0xb0);
	ck_assert_int_eq(sd_pull(wgt_root, b, len, &sd), 0);
	ck_assert_uint_eq(sd->control, 0xb014);
	ck_assert(sid_equal(sd->owner, &sid_builtin_admins));
	ck_assert(sid_equal(sd->group, &sid_builtin_admins));
	ck_assert_ptr_nonnull(sd->sacl);
	ck_assert_uint_eq(sd->sacl->n, 1);
	ck_assert_uint_eq(sd->sacl->aces[0].type, SEC_ACE_AUDIT);
	ck_assert_uint_eq(sd->sacl->aces[0].flags, SEC_ACE_FLAG_FAILED_ACCESS);
	ck_assert_uint_eq(sd->sacl->aces[0].mask, 0x80000000u);
	ck_assert(sid_equal(&sd->sacl->aces[0].sid, &sid_everyone));
	ck_assert_uint_eq(sd->dacl->n, 4);
	ck_assert_uint_eq(sd->dacl->aces[0].mask, 0xa0000000u);
	ck_assert_uint_eq(sd->dacl->aces[0].flags, 3);
	ck_assert(sid_equal(&sd->dacl->aces[0].sid, &sid_builtin_users));
	ck_assert(sid_equal(&sd->dacl->aces[3].sid, &sid_creator_owner));
	text = sd_to_sddl(wgt_root, sd);
	ck_assert_str_eq(text, dtyp_sddl_out);
	talloc_free(text);
	talloc_free(sd);
	talloc_free(b);
}
END_TEST

/* Built from SDDL, the descriptor is MS-DTYP's bytes exactly. */
START_TEST(test_dtyp_example_build)
{
	size_t len = 0;
	uint8_t *b = dtyp_bytes(&len);
	struct sec_desc *sd = NULL, *back = NULL;
	struct wire_wr w;

	ck_assert_int_eq(sd_from_sddl(wgt_root, dtyp_sddl_in, &sd, NULL), 0);
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, ALL_INFO), 0);
	ck_assert_uint_eq(w.len, len);
	ck_assert_mem_eq(w.buf, b, len);
	ck_assert_int_eq(sd_pull(wgt_root, b, len, &back), 0);
	ck_assert(sd_equal(sd, back));
	talloc_free(w.buf);
	talloc_free(back);
	talloc_free(sd);
	talloc_free(b);
}
END_TEST

START_TEST(test_truncated)
{
	size_t len = 0;
	uint8_t *b = dtyp_bytes(&len);
	struct sec_desc *sd = NULL;
	int rc = sd_pull(wgt_root, b, (size_t)_i, &sd);

	/* every part lies inside the 176 bytes, so every cut is refused */
	ck_assert_int_ne(rc, 0);
	ck_assert_ptr_null(sd);
	ck_assert_int_eq(rc, _i < SEC_DESC_HEADER_SIZE ? WIRE_E_SHORT
						       : WIRE_E_BOUNDS);
	talloc_free(b);
}
END_TEST

/* Patch one byte of the example and expect an error. */
static void expect_bad(size_t off, uint8_t v, int want)
{
	size_t len = 0;
	uint8_t *b = dtyp_bytes(&len);
	struct sec_desc *sd = NULL;

	b[off] = v;
	ck_assert_int_eq(sd_pull(wgt_root, b, len, &sd), want);
	ck_assert_ptr_null(sd);
	talloc_free(b);
}

START_TEST(test_malformed)
{
	expect_bad(0, 2, WIRE_E_INVALID);		/* SD revision */
	expect_bad(4, 0xb0, WIRE_E_BOUNDS);		/* owner past the end */
	expect_bad(4, 0x10, WIRE_E_BOUNDS);		/* owner in the header */
	expect_bad(7, 0x80, WIRE_E_BOUNDS);		/* owner offset huge */
	expect_bad(8, 0xaa, WIRE_E_BOUNDS);		/* group runs off */
	expect_bad(8, 0xa4, WIRE_E_INVALID);		/* group on a 0 byte:
							 * SID revision 0 */
}
END_TEST

/* ACL revision 3 (ACL_REVISION3, what smbcacls -S sends) is valid */
START_TEST(test_acl_revision3)
{
	size_t len = 0;
	uint8_t *b = dtyp_bytes(&len);
	struct sec_desc *sd = NULL;

	b[0x30] = 3;
	ck_assert_int_eq(sd_pull(wgt_root, b, len, &sd), 0);
	ck_assert_ptr_nonnull(sd->dacl);
	talloc_free(sd);
	talloc_free(b);
}
END_TEST

START_TEST(test_malformed_acl)
{
	/* DACL at 0x30: revision, AclSize, AceCount; first ACE at 0x38 */
	expect_bad(0x30, 1, WIRE_E_INVALID);		/* ACL revision 1 */
	expect_bad(0x30, 5, WIRE_E_INVALID);		/* ACL revision 5 */
	expect_bad(0x32, 0xff, WIRE_E_BOUNDS);		/* AclSize past end */
	expect_bad(0x32, 0x04, WIRE_E_INVALID);		/* AclSize 4 < 8 */
	expect_bad(0x34, 5, WIRE_E_BOUNDS);		/* 5 ACEs in 0x60 */
	expect_bad(0x34, 0xff, WIRE_E_BOUNDS);		/* count over size */
	expect_bad(0x3a, 0x17, WIRE_E_INVALID);		/* AceSize not 4k */
	expect_bad(0x3a, 0x0c, WIRE_E_INVALID);		/* AceSize < 16 */
	expect_bad(0x3a, 0x10, WIRE_E_INVALID);		/* SID past AceSize */
	expect_bad(0x3a, 0x68, WIRE_E_BOUNDS);		/* ACE past AclSize */
	expect_bad(0x38, 0x09, WIRE_E_UNSUPPORTED);	/* callback ACE */
	expect_bad(0x38, 0x03, WIRE_E_UNSUPPORTED);	/* alarm ACE */
	expect_bad(0x38, 0x12, WIRE_E_UNSUPPORTED);	/* resource attr */
	expect_bad(0x38, 0x42, WIRE_E_UNSUPPORTED);	/* no such type */
	expect_bad(0x40, 0x02, WIRE_E_INVALID);		/* SID revision 2 */
	expect_bad(0x41, 0x10, WIRE_E_INVALID);		/* 16 sub-auths */
}
END_TEST

START_TEST(test_absent_parts_ignored)
{
	size_t len = 0;
	uint8_t *b = dtyp_bytes(&len);
	struct sec_desc *sd = NULL;

	/* with SACL_PRESENT and DACL_PRESENT clear the ACLs are not read,
	 * so a broken one does not matter */
	b[2] = 0x00;
	b[0x30] = 9;
	ck_assert_int_eq(sd_pull(wgt_root, b, len, &sd), 0);
	ck_assert_ptr_null(sd->dacl);
	ck_assert_ptr_null(sd->sacl);
	ck_assert_ptr_nonnull(sd->owner);
	talloc_free(sd);
	talloc_free(b);
}
END_TEST

START_TEST(test_secinfo_subsets)
{
	struct sec_desc *sd = NULL, *back = NULL;
	struct wire_wr w;

	ck_assert_int_eq(sd_from_sddl(wgt_root, dtyp_sddl_in, &sd, NULL), 0);
	/* owner only: DACL/SACL bits cleared, owner right after header */
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, SECINFO_OWNER), 0);
	ck_assert_uint_eq(w.len, SEC_DESC_HEADER_SIZE + 16);
	ck_assert_uint_eq(wire_le16(w.buf + 2), SEC_DESC_SELF_RELATIVE);
	ck_assert_uint_eq(wire_le32(w.buf + 4), SEC_DESC_HEADER_SIZE);
	ck_assert_uint_eq(wire_le32(w.buf + 8), 0);
	ck_assert_uint_eq(wire_le32(w.buf + 12), 0);
	ck_assert_uint_eq(wire_le32(w.buf + 16), 0);
	ck_assert_int_eq(sd_pull(wgt_root, w.buf, w.len, &back), 0);
	ck_assert(sid_equal(back->owner, &sid_builtin_admins));
	ck_assert_ptr_null(back->group);
	ck_assert_ptr_null(back->dacl);
	TALLOC_FREE(back);
	TALLOC_FREE(w.buf);
	/* DACL only: DACL bits kept (protected), SACL's cleared */
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, SECINFO_DACL), 0);
	ck_assert_uint_eq(wire_le16(w.buf + 2),
			  SEC_DESC_SELF_RELATIVE | SEC_DESC_DACL_PRESENT |
			  SEC_DESC_DACL_PROTECTED);
	ck_assert_int_eq(sd_pull(wgt_root, w.buf, w.len, &back), 0);
	ck_assert_ptr_null(back->owner);
	ck_assert_ptr_null(back->sacl);
	ck_assert_uint_eq(back->dacl->n, 4);
	TALLOC_FREE(back);
	TALLOC_FREE(w.buf);
	/* nothing asked: a bare header */
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, 0), 0);
	ck_assert_uint_eq(w.len, SEC_DESC_HEADER_SIZE);
	TALLOC_FREE(w.buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_null_and_empty_dacl)
{
	struct sec_desc *sd = NULL, *back = NULL;
	struct wire_wr w;
	char *text = NULL;

	/* a NULL DACL: DACL_PRESENT with offset 0 */
	ck_assert_int_eq(sd_from_sddl(wgt_root, "O:SYD:NO_ACCESS_CONTROL",
				      &sd, NULL), 0);
	ck_assert_ptr_null(sd->dacl);
	ck_assert(sd->control & SEC_DESC_DACL_PRESENT);
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, ALL_INFO), 0);
	ck_assert_uint_eq(wire_le32(w.buf + 16), 0);
	ck_assert(wire_le16(w.buf + 2) & SEC_DESC_DACL_PRESENT);
	ck_assert_int_eq(sd_pull(wgt_root, w.buf, w.len, &back), 0);
	ck_assert(sd_equal(sd, back));
	text = sd_to_sddl(wgt_root, back);
	ck_assert_str_eq(text, "O:SYD:NO_ACCESS_CONTROL");
	TALLOC_FREE(text);
	TALLOC_FREE(back);
	TALLOC_FREE(w.buf);
	TALLOC_FREE(sd);
	/* an empty DACL: present, no ACEs */
	ck_assert_int_eq(sd_from_sddl(wgt_root, "D:", &sd, NULL), 0);
	ck_assert_ptr_nonnull(sd->dacl);
	ck_assert_uint_eq(sd->dacl->n, 0);
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, ALL_INFO), 0);
	ck_assert_uint_eq(w.len, SEC_DESC_HEADER_SIZE + SEC_ACL_HEADER_SIZE);
	ck_assert_int_eq(sd_pull(wgt_root, w.buf, w.len, &back), 0);
	ck_assert_uint_eq(back->dacl->n, 0);
	text = sd_to_sddl(wgt_root, back);
	ck_assert_str_eq(text, "D:");
	talloc_free(text);
	talloc_free(back);
	talloc_free(w.buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_object_ace)
{
	static const char text[] =
		"D:(OA;CI;0x30;bf967a86-0de6-11d0-a285-00aa003049e2;"
		"bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1000)"
		"(OD;;0x20000;;;AU)";
	/* the wire GUID: first three groups little-endian */
	static const uint8_t guid[16] = {
		0x86, 0x7a, 0x96, 0xbf, 0xe6, 0x0d, 0xd0, 0x11,
		0xa2, 0x85, 0x00, 0xaa, 0x00, 0x30, 0x49, 0xe2,
	};
	struct sec_desc *sd = NULL, *back = NULL;
	struct wire_wr w;
	char *out = NULL;

	ck_assert_int_eq(sd_from_sddl(wgt_root, text, &sd, NULL), 0);
	ck_assert_uint_eq(sd->dacl->n, 2);
	ck_assert_uint_eq(sd->dacl->aces[0].obj_flags, 3);
	ck_assert_mem_eq(sd->dacl->aces[0].obj_type, guid, 16);
	ck_assert_uint_eq(sd->dacl->aces[1].obj_flags, 0);
	ck_assert_uint_eq(sec_ace_size(&sd->dacl->aces[0]),
			  4 + 4 + 4 + 32 + 28);
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, ALL_INFO), 0);
	/* object ACEs need revision 4 */
	ck_assert_uint_eq(w.buf[SEC_DESC_HEADER_SIZE], SEC_ACL_REVISION_DS);
	ck_assert_int_eq(sd_pull(wgt_root, w.buf, w.len, &back), 0);
	ck_assert(sd_equal(sd, back));
	out = sd_to_sddl(wgt_root, back);
	ck_assert_str_eq(out, text);
	talloc_free(out);
	talloc_free(back);
	talloc_free(w.buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_ace_padding_dropped)
{
	/* one ALLOWED ACE whose AceSize (24) has 4 bytes after the SID */
	static const char hex[] =
		"01 00 04 80 00 00 00 00 00 00 00 00 00 00 00 00 14 00 00 00"
		"02 00 20 00 01 00 00 00"
		"00 00 18 00 ff 01 1f 00 01 01 00 00 00 00 00 01 00 00 00 00"
		"de ad be ef";
	size_t len = 0;
	uint8_t *b = wgt_hex(wgt_root, hex, &len);
	struct sec_desc *sd = NULL;
	char *text = NULL;

	ck_assert_int_eq(sd_pull(wgt_root, b, len, &sd), 0);
	text = sd_to_sddl(wgt_root, sd);
	ck_assert_str_eq(text, "D:(A;;FA;;;WD)");
	ck_assert_uint_eq(sec_acl_size(sd->dacl), 8 + 20);
	talloc_free(text);
	talloc_free(sd);
	talloc_free(b);
}
END_TEST

START_TEST(test_acl_too_big)
{
	struct sec_desc *sd = NULL;
	struct sec_ace a = { .type = SEC_ACE_ALLOWED, .mask = 1 };
	struct wire_wr w;

	ck_assert_int_eq(sd_from_sddl(wgt_root, "D:", &sd, NULL), 0);
	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3-1000", &a.sid), 0);
	/* 36-byte ACEs: 1820 of them fill 65528 bytes, one more is over */
	for (int i = 0; i < 1821; i++) {
		ck_assert_int_eq(sec_acl_add(sd->dacl, &a), 0);
	}
	wire_wr_init(&w, wgt_root, 0);
	ck_assert_int_eq(sd_push(&w, sd, ALL_INFO), WIRE_E_TOOBIG);
	ck_assert_uint_eq(w.len, 0);
	sd->dacl->n--;
	ck_assert_int_eq(sd_push(&w, sd, ALL_INFO), 0);
	ck_assert_uint_eq(w.len, SEC_DESC_HEADER_SIZE + 8 + 1820 * 36);
	talloc_free(w.buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_sddl_reader)
{
	struct sec_desc *sd = NULL;
	size_t pos = 0;
	char *text = NULL;

	/* lower case, spaces, numbers, AR/AI flags, several ACE flags */
	ck_assert_int_eq(sd_from_sddl(wgt_root,
				      " o:s-1-5-21-1-2-3-1000 g:bu\n"
				      "d:arai (a;oicinpio;0x1200a9;;;wd)"
				      "(d;id;1;;;an)(AU;SA;FW;;;SY)", &sd,
				      NULL), 0);
	text = sd_to_sddl(wgt_root, sd);
	ck_assert_str_eq(text, "O:S-1-5-21-1-2-3-1000G:BUD:ARAI"
			 "(A;OICINPIO;0x1200a9;;;WD)(D;ID;0x1;;;AN)"
			 "(AU;SA;FW;;;SY)");
	ck_assert_uint_eq(sd->control,
			  SEC_DESC_SELF_RELATIVE | SEC_DESC_DACL_PRESENT |
			  SEC_DESC_DACL_AUTO_INHERIT_REQ |
			  SEC_DESC_DACL_AUTO_INHERITED);
	TALLOC_FREE(text);
	TALLOC_FREE(sd);
	/* a hex authority and no sub-authority, then D: */
	ck_assert_int_eq(sd_from_sddl(wgt_root, "G:S-1-0x020000000025D:", &sd,
				      NULL), 0);
	ck_assert_uint_eq(sd->group->authority, 0x020000000025ull);
	ck_assert_ptr_nonnull(sd->dacl);
	TALLOC_FREE(sd);
	/* rights spelled bit by bit */
	ck_assert_int_eq(sd_from_sddl(wgt_root, "D:(A;;RCSDWDWO;;;BA)", &sd,
				      NULL), 0);
	ck_assert_uint_eq(sd->dacl->aces[0].mask, 0x000F0000u);
	TALLOC_FREE(sd);

	static const struct {
		const char *text;
		size_t pos;
	} bad[] = {
		{ "X:BA", 0 },
		{ "O:ZZ", 2 },
		{ "O:BAO:BA", 4 },
		{ "D:(A;;FA;;;WD", 2 },
		{ "D:(Q;;FA;;;WD)", 2 },
		{ "D:(A;XX;FA;;;WD)", 2 },
		{ "D:(A;;FA;bf967a86-0de6-11d0-a285-00aa003049e2;;WD)", 2 },
		{ "D:(OA;;FA;bf967a86-0de6-11d0-a285;;WD)", 2 },
		{ "D:(A;;0x100000000;;;WD)", 2 },
		{ "D:D:", 2 },
		{ "O:S-1-5-99999999999", 2 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sd_from_sddl(wgt_root, bad[i].text, &sd, &pos) ==
			      WIRE_E_INVALID, "%s", bad[i].text);
		ck_assert_msg(pos >= bad[i].pos, "%s: %zu", bad[i].text, pos);
	}
}
END_TEST

START_TEST(test_copy_equal)
{
	struct sec_desc *sd = NULL, *c = NULL;

	ck_assert_int_eq(sd_from_sddl(wgt_root, dtyp_sddl_in, &sd, NULL), 0);
	c = sd_copy(wgt_root, sd);
	ck_assert_ptr_nonnull(c);
	ck_assert(sd_equal(sd, c));
	c->dacl->aces[2].mask ^= 1;
	ck_assert(!sd_equal(sd, c));
	c->dacl->aces[2].mask ^= 1;
	c->control &= ~SEC_DESC_SACL_PROTECTED;
	ck_assert(!sd_equal(sd, c));
	talloc_free(sd);	/* the copy shares nothing */
	ck_assert_uint_eq(c->dacl->n, 4);
	talloc_free(c);
}
END_TEST

static Suite *secdesc_suite(void)
{
	Suite *s = suite_create("secdesc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_dtyp_example_parse);
	tcase_add_test(tc, test_dtyp_example_build);
	tcase_add_loop_test(tc, test_truncated, 0, 0xb0);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_malformed_acl);
	tcase_add_test(tc, test_acl_revision3);
	tcase_add_test(tc, test_absent_parts_ignored);
	tcase_add_test(tc, test_secinfo_subsets);
	tcase_add_test(tc, test_null_and_empty_dacl);
	tcase_add_test(tc, test_object_ace);
	tcase_add_test(tc, test_ace_padding_dropped);
	tcase_add_test(tc, test_acl_too_big);
	tcase_add_test(tc, test_sddl_reader);
	tcase_add_test(tc, test_copy_equal);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(secdesc_suite)
