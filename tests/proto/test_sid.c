/*
 * test_sid.c - SIDs [MS-DTYP §2.4.2]: the binary form byte by byte and
 * every truncation, the string form both ways with its limits, order,
 * domain + RID, and the well-known names.
 */
#include "tests/wgtest.h"
#include "proto/sid.h"

/* S-1-5-21-1004336348-1177238915-682003330-512 (a domain admins SID) */
static const uint8_t dom_admins[] = {
	0x01, 0x05,				/* Revision, count */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x05,	/* authority, big-endian */
	0x15, 0x00, 0x00, 0x00,			/* 21 */
	0xdc, 0xf4, 0xdc, 0x3b,			/* 1004336348 */
	0x83, 0x3d, 0x2b, 0x46,			/* 1177238915 */
	0x82, 0x8b, 0xa6, 0x28,			/* 682003330 */
	0x00, 0x02, 0x00, 0x00,			/* 512 */
};
static const char dom_admins_str[] =
	"S-1-5-21-1004336348-1177238915-682003330-512";

START_TEST(test_binary_round_trip)
{
	struct wire_rd r;
	struct wire_wr w;
	struct dom_sid s;
	char buf[SID_STR_MAX];

	wire_rd_init(&r, dom_admins, sizeof(dom_admins));
	ck_assert_int_eq(sid_pull(&r, &s), 0);
	ck_assert_uint_eq(r.off, sizeof(dom_admins));
	ck_assert_uint_eq(s.num_auths, 5);
	ck_assert_uint_eq(s.authority, 5);
	ck_assert_uint_eq(s.sub_auths[1], 1004336348u);
	ck_assert_uint_eq(s.sub_auths[4], 512);
	ck_assert_uint_eq(sid_size(&s), sizeof(dom_admins));
	ck_assert_str_eq(sid_format_buf(&s, buf), dom_admins_str);
	wire_wr_init(&w, wgt_root, 0);
	sid_push(&w, &s);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(dom_admins));
	ck_assert_mem_eq(w.buf, dom_admins, sizeof(dom_admins));
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_binary_truncated)
{
	struct wire_rd r;
	struct dom_sid s;

	wire_rd_init(&r, dom_admins, (size_t)_i);
	ck_assert_int_eq(sid_pull(&r, &s), WIRE_E_SHORT);
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

START_TEST(test_binary_invalid)
{
	uint8_t b[8 + 4 * 16] = { 1, 16, 0, 0, 0, 0, 0, 5 };
	struct wire_rd r;
	struct dom_sid s;

	/* 16 sub-authorities: one too many, even with the bytes there */
	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(sid_pull(&r, &s), WIRE_E_INVALID);
	ck_assert_uint_eq(r.off, 0);
	b[1] = 15;
	ck_assert_int_eq(sid_pull(&r, &s), 0);
	ck_assert_uint_eq(r.off, 8 + 4 * 15);
	/* revision 2 */
	b[0] = 2;
	wire_rd_init(&r, b, sizeof(b));
	ck_assert_int_eq(sid_pull(&r, &s), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_string_forms)
{
	struct dom_sid s;
	char buf[SID_STR_MAX];

	ck_assert_int_eq(sid_parse(dom_admins_str, &s), 0);
	ck_assert_uint_eq(s.num_auths, 5);
	ck_assert_uint_eq(s.sub_auths[4], 512);
	/* 's' in either case, and no sub-authority (NT AUTHORITY) */
	ck_assert_int_eq(sid_parse("s-1-5", &s), 0);
	ck_assert_uint_eq(s.num_auths, 0);
	ck_assert_str_eq(sid_format_buf(&s, buf), "S-1-5");
	/* an authority of 2^32 or more is written 0x + 12 hex digits */
	ck_assert_int_eq(sid_parse("S-1-0x123456789ABC-7", &s), 0);
	ck_assert_uint_eq(s.authority, 0x123456789ABCull);
	ck_assert_str_eq(sid_format_buf(&s, buf), "S-1-0x123456789ABC-7");
	ck_assert_int_eq(sid_parse("S-1-0x000000000005-32-544", &s), 0);
	ck_assert_str_eq(sid_format_buf(&s, buf), "S-1-5-32-544");
	/* the largest values */
	ck_assert_int_eq(sid_parse("S-1-4294967295-4294967295", &s), 0);
	ck_assert_uint_eq(s.sub_auths[0], 4294967295u);
	ck_assert_int_eq(sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
				   &s), 0);
	ck_assert_uint_eq(s.num_auths, 15);
	/* and what is refused */
	ck_assert_int_eq(sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-"
				   "16", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-4294967296-1", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-5-4294967296", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-5-", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-5--1", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-5-32 ", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-2-5-32", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("S-1-0x12345-1", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("X-1-5", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse("", &s), WIRE_E_INVALID);
	ck_assert_int_eq(sid_parse(NULL, &s), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_format_talloc)
{
	char *s = sid_format(wgt_root, &sid_builtin_admins);

	ck_assert_str_eq(s, "S-1-5-32-544");
	talloc_free(s);
}
END_TEST

START_TEST(test_order_and_domain)
{
	struct dom_sid dom, user, back;
	uint32_t rid = 0;

	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3", &dom), 0);
	ck_assert_int_eq(sid_compose(&user, &dom, 1000), 0);
	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3-1000", &back), 0);
	ck_assert(sid_equal(&user, &back));
	ck_assert(sid_in_domain(&user, &dom, &rid));
	ck_assert_uint_eq(rid, 1000);
	ck_assert(!sid_in_domain(&dom, &dom, NULL));
	ck_assert(!sid_in_domain(&sid_builtin_admins, &dom, NULL));
	ck_assert(sid_in_domain(&sid_builtin_users, &sid_builtin, &rid));
	ck_assert_uint_eq(rid, 545);
	/* prefix first, then by value; authority decides before all */
	ck_assert_int_lt(sid_compare(&dom, &user), 0);
	ck_assert_int_gt(sid_compare(&user, &dom), 0);
	ck_assert_int_lt(sid_compare(&sid_builtin_admins, &sid_builtin_users),
			 0);
	ck_assert_int_lt(sid_compare(&sid_everyone, &sid_system), 0);
	/* garbage past num_auths does not count */
	back.sub_auths[10] = 77;
	ck_assert(sid_equal(&user, &back));
	/* compose in place */
	ck_assert_int_eq(sid_compose(&dom, &dom, 1000), 0);
	ck_assert(sid_equal(&dom, &user));
	dom.num_auths = 15;
	ck_assert_int_eq(sid_compose(&user, &dom, 1), WIRE_E_TOOBIG);
}
END_TEST

START_TEST(test_well_known)
{
	static const struct {
		const char *sid, *name, *alias;
	} want[] = {
		{ "S-1-1-0", "Everyone", "WD" },
		{ "S-1-3-0", "CREATOR OWNER", "CO" },
		{ "S-1-3-1", "CREATOR GROUP", "CG" },
		{ "S-1-5-11", "Authenticated Users", "AU" },
		{ "S-1-5-18", "SYSTEM", "SY" },
		{ "S-1-5-7", "ANONYMOUS LOGON", "AN" },
		{ "S-1-5-32-544", "Administrators", "BA" },
		{ "S-1-5-32-545", "Users", "BU" },
		{ "S-1-5-32-546", "Guests", "BG" },
	};
	const struct sid_wk *e = NULL;
	struct dom_sid s;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(sid_parse(want[i].sid, &s), 0);
		e = sid_wk_by_sid(&s);
		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e->name, want[i].name);
		ck_assert_str_eq(e->alias, want[i].alias);
		ck_assert_ptr_eq(sid_wk_by_name(want[i].name), e);
		ck_assert_ptr_eq(sid_wk_by_alias(want[i].alias), e);
	}
	ck_assert_ptr_eq(sid_wk_by_name("builtin\\ADMINISTRATORS")->name,
			 sid_wk_by_sid(&sid_builtin_admins)->name);
	e = sid_wk_by_name("NT AUTHORITY\\SYSTEM");
	ck_assert_ptr_nonnull(e);
	ck_assert(sid_equal(&e->sid, &sid_system));
	ck_assert_int_eq(e->use, SID_NAME_WKN_GRP);
	ck_assert_int_eq(sid_wk_by_name("users")->use, SID_NAME_ALIAS);
	e = sid_wk_by_name("BUILTIN\\");
	ck_assert_ptr_nonnull(e);
	ck_assert(sid_equal(&e->sid, &sid_builtin));
	ck_assert_int_eq(e->use, SID_NAME_DOMAIN);
	ck_assert_ptr_null(sid_wk_by_name("BUILTIN\\SYSTEM"));
	ck_assert_ptr_null(sid_wk_by_name("Everyon"));
	ck_assert_ptr_null(sid_wk_by_name("Everyone2"));
	ck_assert_ptr_null(sid_wk_by_name(""));
	ck_assert_ptr_null(sid_wk_by_alias("ZZ"));
	ck_assert_ptr_null(sid_wk_by_alias("W"));
	ck_assert_ptr_null(sid_wk_by_alias("WDX"));
	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3-500", &s), 0);
	ck_assert_ptr_null(sid_wk_by_sid(&s));
	ck_assert_ptr_nonnull(sid_wk_table(&n));
	ck_assert_uint_ge(n, 9);
}
END_TEST

static Suite *sid_suite(void)
{
	Suite *s = suite_create("sid");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_binary_round_trip);
	tcase_add_loop_test(tc, test_binary_truncated, 0, sizeof(dom_admins));
	tcase_add_test(tc, test_binary_invalid);
	tcase_add_test(tc, test_string_forms);
	tcase_add_test(tc, test_format_talloc);
	tcase_add_test(tc, test_order_and_domain);
	tcase_add_test(tc, test_well_known);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(sid_suite)
