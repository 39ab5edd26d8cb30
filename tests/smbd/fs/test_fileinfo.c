/*
 * test_fileinfo.c - stat -> NT conversions (smbd/fs/fileinfo.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/fiemap.h>
#include <unistd.h>

#include "tests/wgtest.h"
#include "smbd/fs/fileinfo.h"
#include "proto/smb2.h"

static struct stat make_stat(mode_t mode)
{
	struct stat st = {};

	st.st_mode = mode;
	st.st_nlink = 1;
	st.st_ino = 4242;
	st.st_size = 5000;
	st.st_blocks = 16;	/* 8 KiB */
	st.st_mtim.tv_sec = 1000;
	st.st_ctim.tv_sec = 2000;
	st.st_atim.tv_sec = 3000;
	return st;
}

START_TEST(test_nt_time_known)
{
	struct timespec ts = {};

	/* The Unix epoch is 116444736000000000 in NT time. */
	ck_assert_uint_eq(smbd_timespec_nt(&ts), 116444736000000000ULL);

	/* 2009-02-13 23:31:30 UTC plus 123456789 ns (.1 us truncated). */
	ts.tv_sec = 1234567890;
	ts.tv_nsec = 123456789;
	ck_assert_uint_eq(smbd_timespec_nt(&ts),
			  (1234567890ULL + 11644473600ULL) * 10000000ULL +
			  1234567ULL);
	ck_assert_uint_eq(smbd_timespec_nt(&ts), 128790414901234567ULL);

	/* 1601-01-01 itself is 0, anything before clamps to 0. */
	ts.tv_sec = -11644473600LL;
	ts.tv_nsec = 0;
	ck_assert_uint_eq(smbd_timespec_nt(&ts), 0);
	ts.tv_sec = -11644473601LL;
	ck_assert_uint_eq(smbd_timespec_nt(&ts), 0);
}
END_TEST

START_TEST(test_nt_time_roundtrip)
{
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 987654300 };
	struct timespec back = {};

	ck_assert(smbd_nt_timespec((int64_t)smbd_timespec_nt(&ts), &back));
	ck_assert_int_eq(back.tv_sec, ts.tv_sec);
	ck_assert_int_eq(back.tv_nsec, ts.tv_nsec);

	ck_assert(smbd_nt_timespec(0, &back));
	ck_assert_int_eq(back.tv_sec, -11644473600LL);
	ck_assert(!smbd_nt_timespec(-1, &back));
	ck_assert(!smbd_nt_timespec(-2, &back));
}
END_TEST

START_TEST(test_create_time_min)
{
	struct stat st = make_stat(S_IFREG | 0644);
	struct timespec btime = { .tv_sec = 500 };
	struct timespec mtime = { .tv_sec = 1000 };
	struct timespec late = { .tv_sec = 5000 };
	struct timespec zero = {};

	/* Birth time wins when it is the earliest. */
	ck_assert_uint_eq(smbd_create_time_nt(&st, &btime),
			  smbd_timespec_nt(&btime));
	/* mtime set into the past (a copy keeping times) wins over btime. */
	ck_assert_uint_eq(smbd_create_time_nt(&st, &late),
			  smbd_timespec_nt(&mtime));
	/* Unknown birth time: min(mtime, ctime). */
	ck_assert_uint_eq(smbd_create_time_nt(&st, NULL),
			  smbd_timespec_nt(&mtime));
	ck_assert_uint_eq(smbd_create_time_nt(&st, &zero),
			  smbd_timespec_nt(&mtime));
	st.st_ctim.tv_sec = 10;
	ck_assert_uint_eq(smbd_create_time_nt(&st, NULL),
			  smbd_timespec_nt(&st.st_ctim));
}
END_TEST

START_TEST(test_attrs_dir_file)
{
	struct stat dir = make_stat(S_IFDIR | 0755);
	struct stat file = make_stat(S_IFREG | 0644);

	ck_assert_uint_eq(smbd_dos_attrs(&dir, "sub"),
			  FILE_ATTRIBUTE_DIRECTORY);
	ck_assert_uint_eq(smbd_dos_attrs(&dir, ""), FILE_ATTRIBUTE_DIRECTORY);
	ck_assert_uint_eq(smbd_dos_attrs(&dir, NULL),
			  FILE_ATTRIBUTE_DIRECTORY);
	ck_assert_uint_eq(smbd_dos_attrs(&file, "a/b.txt"),
			  FILE_ATTRIBUTE_ARCHIVE);
}
END_TEST

START_TEST(test_attrs_hidden)
{
	struct stat dir = make_stat(S_IFDIR | 0755);
	struct stat file = make_stat(S_IFREG | 0644);

	ck_assert_uint_eq(smbd_dos_attrs(&file, ".bashrc"),
			  FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_HIDDEN);
	/* Only the last component counts. */
	ck_assert_uint_eq(smbd_dos_attrs(&file, ".git/config"),
			  FILE_ATTRIBUTE_ARCHIVE);
	ck_assert_uint_eq(smbd_dos_attrs(&dir, "x/.cache"),
			  FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_HIDDEN);
	ck_assert_uint_eq(smbd_dos_attrs(&dir, "."), FILE_ATTRIBUTE_DIRECTORY);
	ck_assert_uint_eq(smbd_dos_attrs(&dir, ".."),
			  FILE_ATTRIBUTE_DIRECTORY);
}
END_TEST

START_TEST(test_attrs_readonly)
{
	struct stat file = make_stat(S_IFREG | 0444);
	struct stat dir = make_stat(S_IFDIR | 0555);

	ck_assert_uint_eq(smbd_dos_attrs(&file, "ro"),
			  FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY);
	/* Group/other write bits do not make it writable for the owner. */
	file.st_mode = S_IFREG | 0466;
	ck_assert_uint_eq(smbd_dos_attrs(&file, ".ro"),
			  FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY |
			  FILE_ATTRIBUTE_HIDDEN);
	/* Directories never get READONLY. */
	ck_assert_uint_eq(smbd_dos_attrs(&dir, "d"), FILE_ATTRIBUTE_DIRECTORY);
}
END_TEST

START_TEST(test_sizes)
{
	struct stat file = make_stat(S_IFREG | 0644);
	struct stat dir = make_stat(S_IFDIR | 0755);

	ck_assert_uint_eq(smbd_alloc_size(&file), 8192);
	file.st_blocks = 1;	/* 512 bytes rounds up to one cluster */
	ck_assert_uint_eq(smbd_alloc_size(&file), 4096);
	file.st_blocks = 0;	/* sparse/empty */
	ck_assert_uint_eq(smbd_alloc_size(&file), 0);
	ck_assert_uint_eq(smbd_end_of_file(&file), 5000);
	ck_assert_uint_eq(smbd_alloc_size(&dir), 0);
	ck_assert_uint_eq(smbd_end_of_file(&dir), 0);
	ck_assert_uint_eq(smbd_file_index(&file), 4242);
}
END_TEST

START_TEST(test_ntinfo_real_file)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	struct smbd_ntinfo ni = {};
	struct stat st = {};
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello", 5), 5);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "dir/.hidden", &ni), 0);
	ck_assert_uint_eq(ni.end_of_file, 5);
	ck_assert_uint_eq(ni.file_index, st.st_ino);
	ck_assert(!ni.is_dir);
	ck_assert_uint_eq(ni.nlink, 1);
	ck_assert_uint_eq(ni.attrs,
			  FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_HIDDEN);
	ck_assert_uint_eq(ni.write_time, smbd_timespec_nt(&st.st_mtim));
	ck_assert_uint_le(ni.create_time, ni.write_time);
	ck_assert_uint_le(ni.create_time, ni.change_time);
	close(fd);
	unlink(path);

	ck_assert_int_eq(smbd_ntinfo_fd(-1, "x", &ni), -EBADF);
}
END_TEST

START_TEST(test_store_dos_info)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	struct smbd_ntinfo ni = {};
	uint64_t crtime = 132000000000000000ULL;	/* 2019 */
	uint32_t attrs = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM;
	uint32_t none = 0;
	int fd = mkstemp(path);
	int ret = 0;

	ck_assert_int_ge(fd, 0);
	ret = smbd_store_dos_info(fd, &crtime, NULL);
	if (ret == -ENOTSUP || ret == -EOPNOTSUPP) {
		close(fd);
		unlink(path);
		return;		/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.create_time, crtime);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_ARCHIVE);	/* default */

	/* Attributes as set, READONLY still from the mode. */
	ck_assert_int_eq(smbd_store_dos_info(fd, NULL, &attrs), 0);
	ck_assert_int_eq(fchmod(fd, 0444), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.create_time, crtime);	/* kept */
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_HIDDEN |
			  FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_READONLY);

	/* Nothing left set: NORMAL, also for a dot name. */
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	ck_assert_int_eq(smbd_store_dos_info(fd, NULL, &none), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, ".f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_NORMAL);
	close(fd);
	unlink(path);
}
END_TEST

/*
 * The DOS info is remembered per file against its ctime once that is
 * two seconds old: a later store (ours, or any setxattr, which moves
 * ctime) shows at once, and a memo is not taken for a recent ctime.
 */
START_TEST(test_dosinfo_memo)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	struct smbd_ntinfo ni = {};
	uint32_t hidden = FILE_ATTRIBUTE_HIDDEN;
	uint32_t system = FILE_ATTRIBUTE_SYSTEM;
	int fd = mkstemp(path);
	int ret = 0;

	ck_assert_int_ge(fd, 0);
	ret = smbd_store_dos_info(fd, NULL, &hidden);
	if (ret == -ENOTSUP || ret == -EOPNOTSUPP) {
		close(fd);
		unlink(path);
		return;		/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(ret, 0);
	/* recent: read each time, so a change behind our back shows */
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_HIDDEN);
	ck_assert_int_eq(smbd_store_dos_info(fd, NULL, &system), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_SYSTEM);
	/* settled: remembered, then a store moves ctime and shows */
	sleep(3);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_SYSTEM);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_SYSTEM);
	ck_assert_int_eq(smbd_store_dos_info(fd, NULL, &hidden), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_HIDDEN);
	/* and another program's removexattr too */
	sleep(3);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_HIDDEN);
	ck_assert_int_eq(fremovexattr(fd, "user.wgsmb.dosinfo"), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.attrs, FILE_ATTRIBUTE_ARCHIVE);
	close(fd);
	unlink(path);
}
END_TEST

/*
 * A block of extended attributes (ext4: one big value) counts in
 * st_blocks, never in AllocationSize: empty is 0, one byte is a
 * cluster, a preallocation counts in full.
 */
START_TEST(test_alloc_ignores_xattr_block)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	char big[1024];
	struct stat st;
	struct smbd_ntinfo ni = {};
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	memset(big, 'x', sizeof(big));
	if (fsetxattr(fd, "user.test.big", big, sizeof(big), 0) != 0) {
		close(fd);
		unlink(path);
		return;		/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 4096);
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536) == 0) {
		ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
		ck_assert_uint_eq(ni.alloc_size, 65536);
	}
	close(fd);
	unlink(path);
}
END_TEST

/* The same with only our DOS attribute xattr: its read alone says there
 * are xattrs (no listxattr), and the count is still of data blocks. */
START_TEST(test_alloc_with_dosinfo)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	struct smbd_ntinfo ni = {};
	uint64_t crtime = 130000000000000000ULL;
	uint32_t attrs = 0x20;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	if (smbd_store_dos_info(fd, &crtime, &attrs) != 0) {
		close(fd);
		unlink(path);
		return;		/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 0);
	ck_assert_uint_eq(ni.create_time, crtime);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 4096);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_proc_path)
{
	char p[64];
	char small[20];
	char name[80];

	ck_assert(smbd_proc_path(p, sizeof(p), 0, NULL));
	ck_assert_str_eq(p, "/proc/self/fd/0");
	ck_assert(smbd_proc_path(p, sizeof(p), 7, ""));
	ck_assert_str_eq(p, "/proc/self/fd/7");
	ck_assert(smbd_proc_path(p, sizeof(p), 2147483647, NULL));
	ck_assert_str_eq(p, "/proc/self/fd/2147483647");
	ck_assert(smbd_proc_path(p, sizeof(p), 1024, "a/b c"));
	ck_assert_str_eq(p, "/proc/self/fd/1024/a/b c");
	ck_assert(!smbd_proc_path(p, sizeof(p), -1, NULL));
	ck_assert_str_eq(p, "");
	ck_assert(!smbd_proc_path(small, sizeof(small), 3, NULL));
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert(!smbd_proc_path(p, sizeof(p), 3, name));
	/* exactly full: 14 + 1 + 1 + 47 characters and the NUL */
	name[47] = '\0';
	ck_assert(smbd_proc_path(p, sizeof(p), 3, name));
	ck_assert_uint_eq(strlen(p), 63);
	name[47] = 'n';
	name[48] = '\0';
	ck_assert(!smbd_proc_path(p, sizeof(p), 3, name));
}
END_TEST

START_TEST(test_extent_bytes)
{
	struct fiemap_extent e[3] = {
		{ .fe_logical = 0, .fe_length = 8192 },
		{ .fe_logical = 8192, .fe_length = 60,
		  .fe_flags = FIEMAP_EXTENT_DATA_INLINE },
		{ .fe_logical = 1 << 20, .fe_length = 4096,
		  .fe_flags = FIEMAP_EXTENT_LAST },
	};
	bool last = true;

	ck_assert_uint_eq(smbd_extent_bytes(e, 0, &last), 0);
	ck_assert(!last);
	ck_assert_uint_eq(smbd_extent_bytes(e, 2, &last), 8192);
	ck_assert(!last);
	ck_assert_uint_eq(smbd_extent_bytes(e, 3, &last), 12288);
	ck_assert(last);
}
END_TEST

/*
 * A file marked truncating (a worker's truncate in flight): its stat asks
 * no FIEMAP, which would wait for the truncate, and counts st_blocks up
 * to its size's; unmarked, the exact count again. The marks count per
 * file, and a full table refuses one more file.
 */
START_TEST(test_truncating)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	char big[1024];
	struct stat st, other;
	struct smbd_ntinfo ni = {};
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(!smbd_truncating(&st));
	ck_assert(smbd_truncating_begin(&st));
	ck_assert(smbd_truncating_begin(&st));
	ck_assert(smbd_truncating(&st));
	smbd_truncating_end(&st);
	ck_assert(smbd_truncating(&st));
	smbd_truncating_end(&st);
	ck_assert(!smbd_truncating(&st));

	/* a full table: SMBD_TRUNCATING_MAX other files, then no more */
	other = st;
	for (int i = 0; i < SMBD_TRUNCATING_MAX; i++) {
		other.st_ino = st.st_ino + 1 + (ino_t)i;
		ck_assert(smbd_truncating_begin(&other));
	}
	ck_assert(!smbd_truncating_begin(&st));
	ck_assert(!smbd_truncating(&st));
	for (int i = 0; i < SMBD_TRUNCATING_MAX; i++) {
		other.st_ino = st.st_ino + 1 + (ino_t)i;
		smbd_truncating_end(&other);
		ck_assert(!smbd_truncating(&other));
	}

	/* the count of blocks: 64 KiB allocated past a 1-byte end of file */
	memset(big, 'x', sizeof(big));
	if (fsetxattr(fd, "user.test.big", big, sizeof(big), 0) != 0 ||
	    fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536) != 0) {
		close(fd);
		unlink(path);
		return;		/* no user xattrs or fallocate on this /tmp */
	}
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 65536);
	ck_assert(smbd_truncating_begin(&st));
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 4096);
	smbd_truncating_end(&st);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.alloc_size, 65536);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_change_time_override)
{
	char path[] = "/tmp/test_fileinfo.XXXXXX";
	struct smbd_ntinfo ni = {};
	struct timespec later[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
				     { .tv_sec = 1000 } };
	uint64_t set = 130000000000000000ULL;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	smbd_store_change_time(fd, set);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_eq(ni.change_time, set);

	/* Any later change moves ctime: the real one shows again. */
	usleep(20000);
	ck_assert_int_eq(futimens(fd, later), 0);
	ck_assert_int_eq(smbd_ntinfo_fd(fd, "f", &ni), 0);
	ck_assert_uint_ne(ni.change_time, set);
	close(fd);
	unlink(path);
}
END_TEST

static Suite *fileinfo_suite(void)
{
	Suite *s = suite_create("fileinfo");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_set_timeout(tc, 30);	/* test_dosinfo_memo waits 6 s */
	tcase_add_test(tc, test_nt_time_known);
	tcase_add_test(tc, test_nt_time_roundtrip);
	tcase_add_test(tc, test_create_time_min);
	tcase_add_test(tc, test_attrs_dir_file);
	tcase_add_test(tc, test_attrs_hidden);
	tcase_add_test(tc, test_attrs_readonly);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_ntinfo_real_file);
	tcase_add_test(tc, test_store_dos_info);
	tcase_add_test(tc, test_dosinfo_memo);
	tcase_add_test(tc, test_change_time_override);
	tcase_add_test(tc, test_alloc_ignores_xattr_block);
	tcase_add_test(tc, test_extent_bytes);
	tcase_add_test(tc, test_truncating);
	tcase_add_test(tc, test_alloc_with_dosinfo);
	tcase_add_test(tc, test_proc_path);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(fileinfo_suite)
