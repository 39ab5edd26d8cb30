/*
 * test_smb1_path.c - what an SMB1 path's syntax alone answers
 * (smbd/smb1/path.c smb1_path_syntax): '/' is an invalid name, a "."
 * component before the last one a path not found, as Windows answers
 * smbtorture raw.chkpath; everything else is left to the open.
 */
#include "tests/wgtest.h"
#include "smbd/smb1/smb1.h"

START_TEST(test_syntax)
{
	static const struct {
		const char *name;
		NTSTATUS status;
	} t[] = {
		{ "", NT_STATUS_OK },
		{ "\\", NT_STATUS_OK },
		{ "\\rawchkpath", NT_STATUS_OK },
		{ "rawchkpath\\\\", NT_STATUS_OK },
		{ ".", NT_STATUS_OK },		/* last: vfs_canonicalize's */
		{ ".\\", NT_STATUS_OK },
		{ "\\.\\\\\\\\\\\\", NT_STATUS_OK },
		{ "a\\..\\b", NT_STATUS_OK },
		{ "..a\\.b\\c.", NT_STATUS_OK },
		{ "file:stream", NT_STATUS_OK },
		{ ".\\.", NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ ".\\rawchkpath", NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ "\\rawchkpath\\.\\test.txt..",
		  NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ ".\\.\\", NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ "\\.\\\\\\\\\\\\.", NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ "File/", NT_STATUS_OBJECT_NAME_INVALID },
		{ "/", NT_STATUS_OBJECT_NAME_INVALID },
		{ "\\a/b\\.\\c", NT_STATUS_OBJECT_NAME_INVALID },
	};
	size_t i = 0;

	ck_assert_uint_eq(smb1_path_syntax(NULL), NT_STATUS_OK);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(smb1_path_syntax(t[i].name) == t[i].status,
			      "\"%s\": 0x%x", t[i].name,
			      (unsigned)smb1_path_syntax(t[i].name));
	}
}
END_TEST

static Suite *smb1_path_suite(void)
{
	Suite *s = suite_create("smb1_path");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_syntax);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb1_path_suite)
