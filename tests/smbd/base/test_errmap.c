/*
 * test_errmap.c - the one errno to NTSTATUS mapping (smbd/base/errmap.c)
 * and its named contexts.
 */
#include "tests/wgtest.h"
#include "smbd/base/errmap.h"

#include <errno.h>

START_TEST(test_table)
{
	static const struct {
		int err;
		NTSTATUS st;
	} t[] = {
		{ 0, NT_STATUS_OK },
		{ ENOENT, NT_STATUS_OBJECT_NAME_NOT_FOUND },
		{ ENOTDIR, NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ EEXIST, NT_STATUS_OBJECT_NAME_COLLISION },
		{ EACCES, NT_STATUS_ACCESS_DENIED },
		{ EPERM, NT_STATUS_ACCESS_DENIED },
		{ EXDEV, NT_STATUS_ACCESS_DENIED },
		{ ELOOP, NT_STATUS_ACCESS_DENIED },
		{ ENOTEMPTY, NT_STATUS_DIRECTORY_NOT_EMPTY },
		{ EISDIR, NT_STATUS_FILE_IS_A_DIRECTORY },
		{ ENOSPC, NT_STATUS_DISK_FULL },
		{ EDQUOT, NT_STATUS_DISK_FULL },
		{ EMFILE, NT_STATUS_TOO_MANY_OPENED_FILES },
		{ ENFILE, NT_STATUS_TOO_MANY_OPENED_FILES },
		{ EROFS, NT_STATUS_MEDIA_WRITE_PROTECTED },
		{ ENAMETOOLONG, NT_STATUS_OBJECT_NAME_INVALID },
		{ ENOMEM, NT_STATUS_NO_MEMORY },
		{ EIO, NT_STATUS_UNSUCCESSFUL },
		{ EFBIG, NT_STATUS_UNSUCCESSFUL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_uint_eq(smbd_map_errno(t[i].err), t[i].st);
		/* the default context is the table itself */
		ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_FILE,
						    t[i].err), t[i].st);
	}
}
END_TEST

/* A -errno passed by mistake is not silently taken for an errno. */
START_TEST(test_negative_is_a_bug)
{
	ck_assert_uint_eq(smbd_map_errno(-ENOENT), NT_STATUS_INTERNAL_ERROR);
	ck_assert_uint_eq(smbd_map_errno(-EACCES), NT_STATUS_INTERNAL_ERROR);
}
END_TEST

START_TEST(test_parent)
{
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_PARENT, ENOENT),
			  NT_STATUS_OBJECT_PATH_NOT_FOUND);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_PARENT, EACCES),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_PARENT, ENOTDIR),
			  NT_STATUS_OBJECT_PATH_NOT_FOUND);
}
END_TEST

START_TEST(test_write)
{
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_WRITE, EFBIG),
			  NT_STATUS_DISK_FULL);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_WRITE, ENOSPC),
			  NT_STATUS_DISK_FULL);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_WRITE, EIO),
			  NT_STATUS_UNSUCCESSFUL);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_WRITE, ENOENT),
			  NT_STATUS_OBJECT_NAME_NOT_FOUND);
}
END_TEST

START_TEST(test_open_table)
{
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, 0),
			  NT_STATUS_OK);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, EMFILE),
			  NT_STATUS_INSUFFICIENT_RESOURCES);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, ENOMEM),
			  NT_STATUS_NO_MEMORY);
	ck_assert_uint_eq(smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, EIO),
			  NT_STATUS_NO_MEMORY);
}
END_TEST

static Suite *errmap_suite(void)
{
	Suite *s = suite_create("errmap");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_negative_is_a_bug);
	tcase_add_test(tc, test_parent);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_open_table);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(errmap_suite)
