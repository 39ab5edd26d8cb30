/*
 * test_seaccess.c - the generic mapping, the access check [MS-DTYP
 * §2.5.3.2] (NULL and empty DACLs, order of deny and allow, owner rights,
 * MAXIMUM_ALLOWED, privileges) and the inheritance of a new file's or
 * directory's descriptor [§2.5.3.4], with descriptors written as SDDL.
 */
#include "tests/wgtest.h"
#include "proto/seaccess.h"

#define ALICE	"S-1-5-21-1-2-3-1000"
#define BOB	"S-1-5-21-1-2-3-1001"

#define FILE_READ_DATA		0x1u
#define FILE_WRITE_DATA		0x2u
#define FILE_APPEND_DATA	0x4u

/* alice's token: alice, Everyone, Authenticated Users, BUILTIN\Users */
static struct dom_sid alice_sids[4];
static struct dom_sid bob_sids[4];
static struct se_token alice, bob;

static void tokens_setup(void)
{
	wgt_setup();
	ck_assert_int_eq(sid_parse(ALICE, &alice_sids[0]), 0);
	ck_assert_int_eq(sid_parse(BOB, &bob_sids[0]), 0);
	alice_sids[1] = bob_sids[1] = sid_everyone;
	alice_sids[2] = bob_sids[2] = sid_authenticated_users;
	alice_sids[3] = bob_sids[3] = sid_builtin_users;
	alice = (struct se_token) { .sids = alice_sids, .n_sids = 4,
				    .group = &sid_builtin_users };
	bob = (struct se_token) { .sids = bob_sids, .n_sids = 4 };
}

static struct sec_desc *sd_of(const char *sddl)
{
	struct sec_desc *sd = NULL;
	size_t pos = 0;

	ck_assert_msg(sd_from_sddl(wgt_root, sddl, &sd, &pos) == 0,
		      "%s at %zu", sddl, pos);
	return sd;
}

/* The check's status for t asking desired on sddl; *granted out. */
static NTSTATUS check(const char *sddl, const struct se_token *t,
		      uint32_t desired, uint32_t flags, uint32_t *granted)
{
	struct sec_desc *sd = sd_of(sddl);
	NTSTATUS st = se_access_check(sd, t, desired, &se_file_mapping, flags,
				      granted);

	talloc_free(sd);
	return st;
}

START_TEST(test_generic_mapping)
{
	const struct se_generic_mapping *m = &se_file_mapping;

	ck_assert_uint_eq(se_map_generic(SEC_RIGHT_GENERIC_READ, m),
			  0x00120089u);
	ck_assert_uint_eq(se_map_generic(SEC_RIGHT_GENERIC_WRITE, m),
			  0x00120116u);
	ck_assert_uint_eq(se_map_generic(SEC_RIGHT_GENERIC_EXECUTE, m),
			  0x001200A0u);
	ck_assert_uint_eq(se_map_generic(SEC_RIGHT_GENERIC_ALL, m),
			  0x001F01FFu);
	/* other bits kept, MAXIMUM_ALLOWED too */
	ck_assert_uint_eq(se_map_generic(SEC_RIGHT_GENERIC_READ |
					 SEC_RIGHT_MAXIMUM_ALLOWED |
					 SEC_RIGHT_DELETE, m),
			  0x00120089u | SEC_RIGHT_MAXIMUM_ALLOWED |
			  SEC_RIGHT_DELETE);
	ck_assert_uint_eq(se_map_generic(0x1, m), 0x1);
}
END_TEST

START_TEST(test_null_and_empty_dacl)
{
	uint32_t g = 0;

	/* NULL DACL: every right, and MAXIMUM_ALLOWED is all of them */
	ck_assert_uint_eq(check("O:" BOB "D:NO_ACCESS_CONTROL", &alice,
				SEC_RIGHT_GENERIC_ALL, 0, &g), NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_FILE_ALL_ACCESS);
	ck_assert_uint_eq(check("O:" BOB, &alice, SEC_RIGHT_MAXIMUM_ALLOWED, 0,
				&g), NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_FILE_ALL_ACCESS);
	/* empty DACL: nothing for others */
	ck_assert_uint_eq(check("O:" BOB "D:", &alice, FILE_READ_DATA, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(g, 0);
	ck_assert_uint_eq(check("O:" BOB "D:", &alice,
				SEC_RIGHT_MAXIMUM_ALLOWED, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	/* ... but the owner may still read and change the DACL */
	ck_assert_uint_eq(check("O:" ALICE "D:", &alice,
				SEC_RIGHT_READ_CONTROL | SEC_RIGHT_WRITE_DAC,
				0, &g), NT_STATUS_OK);
	ck_assert_uint_eq(check("O:" ALICE "D:", &alice,
				SEC_RIGHT_MAXIMUM_ALLOWED, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_RIGHT_READ_CONTROL | SEC_RIGHT_WRITE_DAC);
	ck_assert_uint_eq(check("O:" ALICE "D:", &alice, FILE_READ_DATA, 0,
				&g), NT_STATUS_ACCESS_DENIED);
}
END_TEST

START_TEST(test_order)
{
	uint32_t g = 0;

	/* a deny first wins */
	ck_assert_uint_eq(check("D:(D;;FW;;;" BOB ")(A;;FA;;;WD)", &bob,
				FILE_WRITE_DATA, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	/* an allow that already granted everything asked comes first */
	ck_assert_uint_eq(check("D:(A;;FA;;;WD)(D;;FW;;;" BOB ")", &bob,
				FILE_WRITE_DATA, 0, &g), NT_STATUS_OK);
	ck_assert_uint_eq(g, FILE_WRITE_DATA);
	/* a deny of a right not asked for does not matter */
	ck_assert_uint_eq(check("D:(D;;0x2;;;" BOB ")(A;;FR;;;WD)", &bob,
				SEC_RIGHT_GENERIC_READ, 0, &g), NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_FILE_GENERIC_READ);
	/* rights add up over ACEs; a part missing fails the whole */
	ck_assert_uint_eq(check("D:(A;;0x1;;;" BOB ")(A;;0x2;;;AU)", &bob,
				FILE_READ_DATA | FILE_WRITE_DATA, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(check("D:(A;;0x1;;;" BOB ")(A;;0x2;;;AU)", &bob,
				0x7, 0, &g), NT_STATUS_ACCESS_DENIED);
	/* ACEs for others, inherit-only ones and object ACEs with an
	 * object type do not apply */
	ck_assert_uint_eq(check("D:(A;;FA;;;" ALICE ")(A;OIIO;FA;;;WD)"
				"(OA;;FA;bf967a86-0de6-11d0-a285-00aa003049e2;"
				";WD)", &bob, FILE_READ_DATA, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	/* ... an object ACE without one counts as a plain one */
	ck_assert_uint_eq(check("D:(OD;;FA;;;WD)(A;;FA;;;WD)", &bob,
				FILE_READ_DATA, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	/* generic rights in an ACE are mapped */
	ck_assert_uint_eq(check("D:(A;;GR;;;WD)", &bob, FILE_READ_DATA, 0, &g),
			  NT_STATUS_OK);
	/* an audit ACE in the DACL grants nothing */
	ck_assert_uint_eq(check("D:(AU;SA;FA;;;WD)", &bob, FILE_READ_DATA, 0,
				&g), NT_STATUS_ACCESS_DENIED);
}
END_TEST

START_TEST(test_maximum_allowed)
{
	uint32_t g = 0;

	/* each right decided by the first ACE naming it */
	ck_assert_uint_eq(check("D:(D;;0x6;;;" BOB ")(A;;FA;;;WD)", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_FILE_ALL_ACCESS & ~0x6u);
	ck_assert_uint_eq(check("D:(A;;0x2;;;WD)(D;;0x6;;;" BOB ")", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(g, 0x2);
	/* MAXIMUM_ALLOWED plus a right the maximum lacks */
	ck_assert_uint_eq(check("D:(A;;FR;;;WD)", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED | SEC_RIGHT_DELETE,
				0, &g), NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(check("D:(A;;FR;;;WD)", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED |
				SEC_RIGHT_GENERIC_READ, 0, &g), NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_FILE_GENERIC_READ);
	/* the owner's implicit rights are in the maximum; a deny cannot
	 * take them */
	ck_assert_uint_eq(check("O:" BOB "D:(D;;FA;;;WD)(A;;FR;;;WD)", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_RIGHT_READ_CONTROL | SEC_RIGHT_WRITE_DAC);
}
END_TEST

START_TEST(test_owner_rights)
{
	uint32_t g = 0;

	/* an OWNER RIGHTS ACE replaces the owner's implicit rights */
	ck_assert_uint_eq(check("O:" BOB "D:(A;;FR;;;OW)", &bob,
				SEC_RIGHT_WRITE_DAC, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(check("O:" BOB "D:(A;;FR;;;OW)", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_FILE_GENERIC_READ);
	/* it is the owner's only: alice gets nothing from it */
	ck_assert_uint_eq(check("O:" BOB "D:(A;;FR;;;OW)", &alice,
				FILE_READ_DATA, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	/* an inherit-only one leaves the implicit rights alone */
	ck_assert_uint_eq(check("O:" BOB "D:(A;OIIO;FR;;;OW)", &bob,
				SEC_RIGHT_WRITE_DAC, 0, &g), NT_STATUS_OK);
}
END_TEST

START_TEST(test_privileges)
{
	struct se_token admin = bob;
	uint32_t g = 0;

	/* the SACL needs SeSecurityPrivilege, whatever the DACL says */
	ck_assert_uint_eq(check("D:NO_ACCESS_CONTROL", &bob,
				SEC_RIGHT_SYSTEM_SECURITY, 0, &g),
			  NT_STATUS_PRIVILEGE_NOT_HELD);
	ck_assert_uint_eq(check("D:(A;;FA;;;WD)", &bob,
				SEC_RIGHT_MAXIMUM_ALLOWED |
				SEC_RIGHT_SYSTEM_SECURITY, 0, &g),
			  NT_STATUS_PRIVILEGE_NOT_HELD);
	admin.privileges = SE_PRIV_SECURITY | SE_PRIV_TAKE_OWNERSHIP;
	ck_assert_uint_eq(check("D:", &admin, SEC_RIGHT_SYSTEM_SECURITY, 0,
				&g), NT_STATUS_OK);
	ck_assert_uint_eq(g, SEC_RIGHT_SYSTEM_SECURITY);
	/* take ownership even of a file that denies everything */
	ck_assert_uint_eq(check("O:" ALICE "D:(D;;FA;;;WD)", &admin,
				SEC_RIGHT_WRITE_OWNER, 0, &g), NT_STATUS_OK);
	ck_assert_uint_eq(check("O:" ALICE "D:(D;;FA;;;WD)", &bob,
				SEC_RIGHT_WRITE_OWNER, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	/* backup and restore only with backup intent */
	admin.privileges = SE_PRIV_BACKUP;
	ck_assert_uint_eq(check("D:", &admin, SEC_RIGHT_GENERIC_READ, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(check("D:", &admin, SEC_RIGHT_GENERIC_READ,
				SE_CHECK_BACKUP_INTENT, &g), NT_STATUS_OK);
	ck_assert_uint_eq(check("D:", &admin, FILE_WRITE_DATA,
				SE_CHECK_BACKUP_INTENT, &g),
			  NT_STATUS_ACCESS_DENIED);
	admin.privileges = SE_PRIV_RESTORE;
	ck_assert_uint_eq(check("D:", &admin,
				FILE_WRITE_DATA | SEC_RIGHT_WRITE_OWNER |
				SEC_RIGHT_DELETE, SE_CHECK_BACKUP_INTENT, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(check("D:", &admin, SEC_RIGHT_MAXIMUM_ALLOWED,
				SE_CHECK_BACKUP_INTENT, &g), NT_STATUS_OK);
	ck_assert(g & SEC_RIGHT_WRITE_DAC);
	ck_assert(!(g & FILE_READ_DATA));
}
END_TEST

/* ---- inheritance ---- */

static char *create(const char *parent, const char *creator, bool is_dir,
		    const struct sec_acl *def, uint32_t flags)
{
	struct sec_desc *p = parent != NULL ? sd_of(parent) : NULL;
	struct sec_desc *c = creator != NULL ? sd_of(creator) : NULL;
	struct sec_desc *sd = NULL;
	char *text = NULL;

	ck_assert_int_eq(se_create_sd(wgt_root, p, c, is_dir, &alice, def,
				      &se_file_mapping, flags, &sd), 0);
	text = sd_to_sddl(wgt_root, sd);
	talloc_free(sd);
	talloc_free(p);
	talloc_free(c);
	return text;
}

static void expect_create(const char *parent, const char *creator,
			  bool is_dir, uint32_t flags, const char *want)
{
	char *got = create(parent, creator, is_dir, NULL, flags);

	ck_assert_str_eq(got, want);
	talloc_free(got);
}

/* A folder as Windows makes them: admins and owner full, users read. */
static const char parent[] =
	"O:BAG:BAD:AI(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)(A;CI;0x1200a9;;;BU)"
	"(A;OI;FR;;;WD)(A;OICINP;FA;;;" BOB ")(D;IO;FA;;;AN)";

START_TEST(test_inherit_file)
{
	/* OI ACEs only, all marked inherited, CO replaced by alice with GA
	 * mapped, NP and IO flags gone */
	expect_create(parent, NULL, false, SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:AI(A;ID;FA;;;BA)(A;ID;FA;;;" ALICE ")"
		      "(A;ID;FR;;;WD)(A;ID;FA;;;" BOB ")");
}
END_TEST

START_TEST(test_inherit_dir)
{
	/* CI ACEs apply and propagate; the CO one splits into alice's
	 * effective ACE and the inherit-only original; the OI-only one is
	 * kept inherit-only for files; the NP one stops here */
	expect_create(parent, NULL, true, SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:AI(A;OICIID;FA;;;BA)"
		      "(A;ID;FA;;;" ALICE ")(A;OICIIOID;GA;;;CO)"
		      "(A;CIID;0x1200a9;;;BU)(A;OIIOID;FR;;;WD)"
		      "(A;ID;FA;;;" BOB ")");
	/* ... and a file in that directory gets what a file in the parent
	 * gets, bar the NP ACE */
	char *dir = create(parent, NULL, true, NULL, SE_INHERIT_DEFAULT_ALL);

	expect_create(dir, NULL, false, SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:AI(A;ID;FA;;;BA)(A;ID;FA;;;" ALICE ")"
		      "(A;ID;FR;;;WD)");
	talloc_free(dir);
}
END_TEST

START_TEST(test_inherit_generic_dir)
{
	/* a propagating ACE with generic rights splits too (MS-DTYP's
	 * GRGX for BU in §2.5.1.4) */
	expect_create("D:(A;OICI;GRGX;;;BU)", NULL, true, SE_INHERIT_DACL_AUTO,
		      "O:" ALICE "G:BUD:AI(A;ID;0x1200a9;;;BU)"
		      "(A;OICIIOID;GRGX;;;BU)");
	/* CREATOR GROUP becomes the primary group; without auto-inherit
	 * the ACE is not marked inherited */
	expect_create("D:(A;OI;FR;;;CG)", NULL, false, 0,
		      "O:" ALICE "G:BUD:(A;;FR;;;BU)");
}
END_TEST

/*
 * A DACL set by hand (no AI) passes its ACEs down unmarked, as Windows
 * does (smbtorture smb2.acls.INHERITANCE's table): CO WRITE_DATA with the
 * parent's flags -> the child directory's ACEs.
 */
START_TEST(test_inherit_manual_dacl)
{
	/* CI: the owner's effective ACE and the CO original CI|IO */
	expect_create("D:(A;CI;0x2;;;CO)", NULL, true, 0,
		      "O:" ALICE "G:BUD:(A;;0x2;;;" ALICE ")(A;CIIO;0x2;;;CO)");
	/* IO|CI: the same, the child is no longer inherit-only for CI */
	expect_create("D:(A;CIIO;0x2;;;CO)", NULL, true, 0,
		      "O:" ALICE "G:BUD:(A;;0x2;;;" ALICE ")(A;CIIO;0x2;;;CO)");
	/* a plain SID with IO|CI: a plain CI ACE for child folders */
	expect_create("D:(A;CIIO;0x2;;;BU)", NULL, true, 0,
		      "O:" ALICE "G:BUD:(A;CI;0x2;;;BU)");
	/* OI|IO: kept for the directory's files only */
	expect_create("D:(A;OIIO;0x2;;;CO)", NULL, true, 0,
		      "O:" ALICE "G:BUD:(A;OIIO;0x2;;;CO)");
	/* a file: the owner's ACE, flags 0 */
	expect_create("D:(A;OI;0x2;;;CO)", NULL, false, 0,
		      "O:" ALICE "G:BUD:(A;;0x2;;;" ALICE ")");
	/* the parent's AI turns auto-inherit on: ID and AI again */
	{
		struct sec_desc *p = sd_of("D:AI(A;OI;0x2;;;CO)");

		ck_assert_uint_eq(se_inherit_flags(p), SE_INHERIT_DACL_AUTO);
		talloc_free(p);
		p = sd_of("D:(A;OI;0x2;;;CO)");
		ck_assert_uint_eq(se_inherit_flags(p), 0);
		talloc_free(p);
		ck_assert_uint_eq(se_inherit_flags(NULL), 0);
	}
	expect_create("D:AI(A;OI;0x2;;;CO)", NULL, false, SE_INHERIT_DACL_AUTO,
		      "O:" ALICE "G:BUD:AI(A;ID;0x2;;;" ALICE ")");
}
END_TEST

/* SET_INFO's control bits (smbtorture smb2.acls.INHERITFLAGS) */
START_TEST(test_set_control)
{
	const uint16_t ai = SEC_DESC_DACL_AUTO_INHERITED;
	const uint16_t req = SEC_DESC_DACL_AUTO_INHERIT_REQ;
	const uint16_t p = SEC_DESC_DACL_PROTECTED;
	const uint16_t base = SEC_DESC_SELF_RELATIVE | SEC_DESC_DACL_PRESENT;

	ck_assert_uint_eq(se_set_control(base), base);
	ck_assert_uint_eq(se_set_control(base | ai), base);
	ck_assert_uint_eq(se_set_control(base | req), base);
	ck_assert_uint_eq(se_set_control(base | ai | req), base | ai);
	ck_assert_uint_eq(se_set_control(base | p), base | p);
	ck_assert_uint_eq(se_set_control(base | p | ai | req), base | p | ai);
	ck_assert_uint_eq(se_set_control(SEC_DESC_SACL_AUTO_INHERITED |
					 SEC_DESC_SACL_AUTO_INHERIT_REQ),
			  SEC_DESC_SACL_AUTO_INHERITED);
	ck_assert_uint_eq(se_set_control(SEC_DESC_SACL_AUTO_INHERITED), 0);
}
END_TEST

START_TEST(test_inherit_creator)
{
	/* an explicit DACL first, then the parent's (auto-inherit) */
	expect_create(parent, "D:(A;;FA;;;" BOB ")(A;ID;FA;;;WD)", false,
		      SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:AI(A;;FA;;;" BOB ")(A;ID;FA;;;BA)"
		      "(A;ID;FA;;;" ALICE ")(A;ID;FR;;;WD)(A;ID;FA;;;" BOB
		      ")");
	/* protected: the creator's alone */
	expect_create(parent, "D:P(A;;FA;;;" BOB ")", false,
		      SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:P(A;;FA;;;" BOB ")");
	/* no auto-inherit asked: the creator's alone, inherited ACEs kept */
	expect_create(parent, "D:(A;ID;FA;;;WD)", false, 0,
		      "O:" ALICE "G:BUD:(A;ID;FA;;;WD)");
	/* the creator's owner and group; its CO ACE made concrete */
	expect_create(NULL, "O:" BOB "G:BGD:(A;;GA;;;CO)", false,
		      SE_INHERIT_DEFAULT_ALL,
		      "O:" BOB "G:BGD:(A;;FA;;;" BOB ")");
	/* a creator's NULL DACL stays NULL */
	expect_create(parent, "D:NO_ACCESS_CONTROL", false,
		      SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:NO_ACCESS_CONTROL");
	/* a DEFAULTED DACL yields to the parent's: SDDL has no way to say
	 * DEFAULTED, so set it by hand */
	struct sec_desc *p = sd_of(parent);
	struct sec_desc *c = sd_of("D:(A;;FA;;;" BOB ")");
	struct sec_desc *sd = NULL;

	c->control |= SEC_DESC_DACL_DEFAULTED;
	ck_assert_int_eq(se_create_sd(wgt_root, p, c, false, &alice, NULL,
				      &se_file_mapping, SE_INHERIT_DACL_AUTO,
				      &sd), 0);
	ck_assert_uint_eq(sd->dacl->n, 4);
	ck_assert(sd->dacl->aces[0].flags & SEC_ACE_FLAG_INHERITED);
	talloc_free(sd);
	talloc_free(c);
	talloc_free(p);
}
END_TEST

START_TEST(test_inherit_default)
{
	struct sec_desc *def = sd_of("D:(A;;FA;;;" ALICE ")(A;;FA;;;SY)");
	char *got = NULL;

	/* no parent ACE inheritable: the default DACL */
	got = create("D:(A;;FA;;;WD)", NULL, false, def->dacl,
		     SE_INHERIT_DEFAULT_ALL);
	ck_assert_str_eq(got, "O:" ALICE "G:BUD:(A;;FA;;;" ALICE ")"
			 "(A;;FA;;;SY)");
	TALLOC_FREE(got);
	/* no parent at all and no default: no DACL */
	got = create(NULL, NULL, true, NULL, SE_INHERIT_DEFAULT_ALL);
	ck_assert_str_eq(got, "O:" ALICE "G:BU");
	TALLOC_FREE(got);
	/* inheritable ACEs that do not reach this kind of object: empty */
	got = create("D:(A;OINP;FA;;;WD)", NULL, true, def->dacl, 0);
	ck_assert_str_eq(got, "O:" ALICE "G:BUD:");
	talloc_free(got);
	talloc_free(def);
}
END_TEST

START_TEST(test_inherit_sacl)
{
	/* audit ACEs inherit with their SA/FA flags; no SACL if none */
	expect_create("D:(A;OICI;FA;;;WD)S:(AU;OICISA;FW;;;WD)", NULL, false,
		      SE_INHERIT_DEFAULT_ALL,
		      "O:" ALICE "G:BUD:AI(A;ID;FA;;;WD)S:AI(AU;IDSA;FW;;;WD)");
}
END_TEST

START_TEST(test_inherit_then_check)
{
	/* alice's private folder: bob is refused, alice and admins not */
	struct sec_desc *p = sd_of("O:" ALICE "D:P(A;OICI;FA;;;" ALICE ")"
				   "(A;OICI;FA;;;BA)");
	struct sec_desc *sd = NULL;
	uint32_t g = 0;

	ck_assert_int_eq(se_create_sd(wgt_root, p, NULL, false, &alice, NULL,
				      &se_file_mapping, SE_INHERIT_DEFAULT_ALL,
				      &sd), 0);
	ck_assert_uint_eq(se_access_check(sd, &alice, SEC_RIGHT_GENERIC_ALL,
					  &se_file_mapping, 0, &g),
			  NT_STATUS_OK);
	ck_assert_uint_eq(se_access_check(sd, &bob, SEC_RIGHT_GENERIC_READ,
					  &se_file_mapping, 0, &g),
			  NT_STATUS_ACCESS_DENIED);
	talloc_free(sd);
	talloc_free(p);
}
END_TEST

static Suite *seaccess_suite(void)
{
	Suite *s = suite_create("seaccess");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tokens_setup, wgt_teardown);
	tcase_add_test(tc, test_generic_mapping);
	tcase_add_test(tc, test_null_and_empty_dacl);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_maximum_allowed);
	tcase_add_test(tc, test_owner_rights);
	tcase_add_test(tc, test_privileges);
	tcase_add_test(tc, test_inherit_file);
	tcase_add_test(tc, test_inherit_dir);
	tcase_add_test(tc, test_inherit_generic_dir);
	tcase_add_test(tc, test_inherit_manual_dacl);
	tcase_add_test(tc, test_set_control);
	tcase_add_test(tc, test_inherit_creator);
	tcase_add_test(tc, test_inherit_default);
	tcase_add_test(tc, test_inherit_sacl);
	tcase_add_test(tc, test_inherit_then_check);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(seaccess_suite)
