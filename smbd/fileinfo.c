/*
 * fileinfo.c - stat -> NT conversions shared by CREATE, CLOSE,
 * QUERY_INFO and QUERY_DIRECTORY. See fileinfo.h for the rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileinfo.h"
#include "../proto/smb2.h"

#define NT_TICKS_PER_SEC	10000000ULL
#define CLUSTER_SIZE		4096ULL

uint64_t smbd_timespec_nt(const struct timespec *ts)
{
	int64_t sec = 0;

	if (ts->tv_sec < -SMBD_NT_EPOCH_DELTA) {
		return 0;
	}
	sec = (int64_t)ts->tv_sec + SMBD_NT_EPOCH_DELTA;
	if ((uint64_t)sec > UINT64_MAX / NT_TICKS_PER_SEC - 1) {
		return UINT64_MAX;
	}
	return (uint64_t)sec * NT_TICKS_PER_SEC + (uint64_t)ts->tv_nsec / 100;
}

bool smbd_nt_timespec(int64_t nt, struct timespec *ts)
{
	if (nt < 0) {
		return false;
	}
	ts->tv_sec = (time_t)(nt / (int64_t)NT_TICKS_PER_SEC) -
		     SMBD_NT_EPOCH_DELTA;
	ts->tv_nsec = (long)(nt % (int64_t)NT_TICKS_PER_SEC) * 100;
	return true;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec) {
		return a->tv_sec < b->tv_sec;
	}
	return a->tv_nsec < b->tv_nsec;
}

uint64_t smbd_create_time_nt(const struct stat *st,
			     const struct timespec *btime)
{
	const struct timespec *t = &st->st_mtim;

	if (ts_before(&st->st_ctim, t)) {
		t = &st->st_ctim;
	}
	if (btime != NULL && (btime->tv_sec != 0 || btime->tv_nsec != 0) &&
	    ts_before(btime, t)) {
		t = btime;
	}
	return smbd_timespec_nt(t);
}

static const char *leaf_of(const char *name)
{
	const char *slash = NULL;

	if (name == NULL) {
		return "";
	}
	slash = strrchr(name, '/');
	return slash != NULL ? slash + 1 : name;
}

uint32_t smbd_dos_attrs(const struct stat *st, const char *name)
{
	const char *leaf = leaf_of(name);
	uint32_t attrs = 0;

	if (S_ISDIR(st->st_mode)) {
		attrs |= FILE_ATTRIBUTE_DIRECTORY;
	} else {
		attrs |= FILE_ATTRIBUTE_ARCHIVE;
		if ((st->st_mode & S_IWUSR) == 0) {
			attrs |= FILE_ATTRIBUTE_READONLY;
		}
	}
	if (leaf[0] == '.' && strcmp(leaf, ".") != 0 &&
	    strcmp(leaf, "..") != 0) {
		attrs |= FILE_ATTRIBUTE_HIDDEN;
	}
	if (attrs == 0) {
		attrs = FILE_ATTRIBUTE_NORMAL;
	}
	return attrs;
}

uint64_t smbd_alloc_size(const struct stat *st)
{
	uint64_t bytes = 0;

	if (S_ISDIR(st->st_mode) || st->st_blocks <= 0) {
		return 0;
	}
	bytes = (uint64_t)st->st_blocks * 512;
	if (bytes > UINT64_MAX - CLUSTER_SIZE) {
		return bytes;
	}
	return (bytes + CLUSTER_SIZE - 1) & ~(CLUSTER_SIZE - 1);
}

uint64_t smbd_end_of_file(const struct stat *st)
{
	if (S_ISDIR(st->st_mode) || st->st_size < 0) {
		return 0;
	}
	return (uint64_t)st->st_size;
}

uint64_t smbd_file_index(const struct stat *st)
{
	return (uint64_t)st->st_ino;
}

void smbd_ntinfo_fill(const struct stat *st, const struct timespec *btime,
		      const char *name, struct smbd_ntinfo *ni)
{
	ni->create_time = smbd_create_time_nt(st, btime);
	ni->access_time = smbd_timespec_nt(&st->st_atim);
	ni->write_time = smbd_timespec_nt(&st->st_mtim);
	ni->change_time = smbd_timespec_nt(&st->st_ctim);
	ni->alloc_size = smbd_alloc_size(st);
	ni->end_of_file = smbd_end_of_file(st);
	ni->file_index = smbd_file_index(st);
	ni->attrs = smbd_dos_attrs(st, name);
	ni->is_dir = S_ISDIR(st->st_mode);
	ni->nlink = ni->is_dir ? 1 : (uint32_t)st->st_nlink;
}

static void statx_ts(const struct statx_timestamp *sx, struct timespec *ts)
{
	ts->tv_sec = (time_t)sx->tv_sec;
	ts->tv_nsec = (long)sx->tv_nsec;
}

static void statx_to_stat(const struct statx *sx, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->st_ino = (ino_t)sx->stx_ino;
	st->st_mode = (mode_t)sx->stx_mode;
	st->st_nlink = (nlink_t)sx->stx_nlink;
	st->st_uid = (uid_t)sx->stx_uid;
	st->st_gid = (gid_t)sx->stx_gid;
	st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	statx_ts(&sx->stx_atime, &st->st_atim);
	statx_ts(&sx->stx_mtime, &st->st_mtim);
	statx_ts(&sx->stx_ctime, &st->st_ctim);
}

int smbd_stat_at(int dirfd, const char *name, int at_flags, struct stat *st,
		 struct timespec *btime, bool *has_btime)
{
	struct statx sx = {};
	unsigned int mask = STATX_BASIC_STATS | STATX_BTIME;

	btime->tv_sec = 0;
	btime->tv_nsec = 0;
	*has_btime = false;

	if (statx(dirfd, name, at_flags | AT_STATX_SYNC_AS_STAT, mask,
		  &sx) != 0) {
		int err = errno;

		if (err != ENOSYS) {
			return -err;
		}
		/* Kernels before 4.11: plain fstatat, no birth time. */
		if (fstatat(dirfd, name, st, at_flags) != 0) {
			return -errno;
		}
		return 0;
	}
	statx_to_stat(&sx, st);
	if ((sx.stx_mask & STATX_BTIME) != 0) {
		statx_ts(&sx.stx_btime, btime);
		*has_btime = true;
	}
	return 0;
}

int smbd_stat_fd(int fd, struct stat *st, struct timespec *btime,
		 bool *has_btime)
{
	return smbd_stat_at(fd, "", AT_EMPTY_PATH, st, btime, has_btime);
}

int smbd_ntinfo_fd(int fd, const char *name, struct smbd_ntinfo *ni)
{
	struct stat st = {};
	struct timespec btime = {};
	bool has_btime = false;
	int ret = 0;

	ret = smbd_stat_fd(fd, &st, &btime, &has_btime);
	if (ret != 0) {
		return ret;
	}
	smbd_ntinfo_fill(&st, has_btime ? &btime : NULL, name, ni);
	return 0;
}
