/*
 * test_smb1_oplock.c - SMB1 oplocks (smbd/smb1/oplock.c): the level the
 * NT_CREATE_ANDX and OPEN_ANDX Flags ask for, and the OpLockLevel an
 * NT_CREATE_ANDX response carries for each level held.
 */
#include "tests/wgtest.h"
#include "smbd/smb1/smb1.h"

START_TEST(test_requested)
{
	static const struct {
		uint32_t flags;
		uint8_t level;
	} t[] = {
		{ 0x00, SMB2_OPLOCK_LEVEL_NONE },
		{ 0x10, SMB2_OPLOCK_LEVEL_NONE },	/* extended response */
		{ 0x02, SMB2_OPLOCK_LEVEL_EXCLUSIVE },
		{ 0x04, SMB2_OPLOCK_LEVEL_BATCH },
		{ 0x06, SMB2_OPLOCK_LEVEL_BATCH },
		{ 0x16, SMB2_OPLOCK_LEVEL_BATCH },
		{ 0x08, SMB2_OPLOCK_LEVEL_NONE },	/* open target dir */
	};
	size_t i = 0;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(smb1_oplock_requested(t[i].flags) == t[i].level,
			      "flags 0x%x", t[i].flags);
	}
}
END_TEST

START_TEST(test_wire_level)
{
	ck_assert_uint_eq(smb1_oplock_wire_level(SMB2_OPLOCK_LEVEL_NONE), 0);
	ck_assert_uint_eq(smb1_oplock_wire_level(SMB2_OPLOCK_LEVEL_EXCLUSIVE),
			  1);
	ck_assert_uint_eq(smb1_oplock_wire_level(SMB2_OPLOCK_LEVEL_BATCH), 2);
	ck_assert_uint_eq(smb1_oplock_wire_level(SMB2_OPLOCK_LEVEL_II), 3);
	/* a lease is never an SMB1 open's: none */
	ck_assert_uint_eq(smb1_oplock_wire_level(SMB2_OPLOCK_LEVEL_LEASE), 0);
}
END_TEST

static Suite *smb1_oplock_suite(void)
{
	Suite *s = suite_create("smb1_oplock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_requested);
	tcase_add_test(tc, test_wire_level);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb1_oplock_suite)
