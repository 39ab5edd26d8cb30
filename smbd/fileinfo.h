/*
 * fileinfo.h - turning what Linux knows about a file (struct stat, statx)
 * into what an SMB2 client expects to see [MS-FSCC §2.4, §2.6]: NT times,
 * DOS attributes, allocation sizes and file ids.
 *
 * Everything here is pure computation except smbd_stat_fd() and
 * smbd_stat_at(), which call statx(2). Nothing allocates.
 *
 * Creation time: Linux has no settable creation time. We report
 *	min(btime, mtime, ctime)
 * where btime is the birth time statx() gives on filesystems that record
 * it (ext4, xfs, btrfs, tmpfs...). The minimum keeps the Windows invariant
 * "created no later than last written" also for files whose mtime was set
 * into the past (a copy that preserves times). Without btime (callers
 * that only have a struct stat, or filesystems without it) the result is
 * min(mtime, ctime). Use smbd_stat_fd()/smbd_stat_at() wherever a
 * creation time goes on the wire, so that CREATE, QUERY_INFO and
 * QUERY_DIRECTORY agree.
 */
#ifndef WG_SMBD_FILEINFO_H
#define WG_SMBD_FILEINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* Seconds between 1601-01-01 and 1970-01-01. */
#define SMBD_NT_EPOCH_DELTA	11644473600LL
/* FILE_DEVICE_DISK [MS-FSCC §2.5.10] */
#define SMBD_FILE_DEVICE_DISK	0x00000007u

/*
 * A Unix time as an NT FILETIME (100 ns units since 1601-01-01 UTC):
 * (tv_sec + 11644473600) * 10^7 + tv_nsec / 100. Times before 1601 give 0.
 */
uint64_t smbd_timespec_nt(const struct timespec *ts);

/*
 * The reverse of smbd_timespec_nt(), for SET_INFO: nt is an NT time as a
 * signed 64-bit count; negative values are the caller's business (SET_INFO
 * gives 0, -1 and -2 special meanings) and are not accepted here: returns
 * false and leaves *ts alone for nt < 0.
 */
bool smbd_nt_timespec(int64_t nt, struct timespec *ts);

/*
 * Creation time as NT time: min(btime, mtime, ctime), see above. btime
 * may be NULL when unknown.
 */
uint64_t smbd_create_time_nt(const struct stat *st,
			     const struct timespec *btime);

/*
 * DOS attributes [MS-FSCC §2.6] for st. name is the share-relative path
 * or the leaf name (NULL or "" for the share root); only its last
 * component is looked at:
 *  - DIRECTORY for directories, ARCHIVE for everything else;
 *  - READONLY for non-directories without the owner write bit
 *    (directories never: Windows gives READONLY on a folder a different
 *    meaning, "customised folder");
 *  - HIDDEN for names starting with '.', except "." and "..";
 *  - NORMAL only if none of the above is set (cannot happen today, kept
 *    for the rule's sake).
 */
uint32_t smbd_dos_attrs(const struct stat *st, const char *name);

/*
 * Allocation size: st_blocks * 512, rounded up to a multiple of 4096 (the
 * cluster size we claim in FileFsSizeInformation). 0 for directories,
 * like NTFS reports them.
 */
uint64_t smbd_alloc_size(const struct stat *st);

/* EndOfFile: st_size, 0 for directories (NTFS reports 0 for them). */
uint64_t smbd_end_of_file(const struct stat *st);

/* A stable file id (FileInternalInformation, FileId fields): st_ino. */
uint64_t smbd_file_index(const struct stat *st);

/*
 * Everything a FILE_*_INFORMATION record needs about one file, computed
 * once. name as for smbd_dos_attrs().
 */
struct smbd_ntinfo {
	uint64_t create_time;
	uint64_t access_time;
	uint64_t write_time;
	uint64_t change_time;
	uint64_t alloc_size;
	uint64_t end_of_file;
	uint64_t file_index;
	uint32_t attrs;
	uint32_t nlink;		/* 1 for directories */
	bool is_dir;
};

void smbd_ntinfo_fill(const struct stat *st, const struct timespec *btime,
		      const char *name, struct smbd_ntinfo *ni);

/*
 * statx(2) of an open fd (also O_PATH fds). Fills *st and, when the
 * filesystem records one, *btime (set to {0, 0} otherwise; *has_btime
 * tells which). Returns 0 or -errno.
 */
int smbd_stat_fd(int fd, struct stat *st, struct timespec *btime,
		 bool *has_btime);

/*
 * statx(2) of name relative to dirfd, with AT_* flags as for fstatat()
 * (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). Same results as smbd_stat_fd().
 */
int smbd_stat_at(int dirfd, const char *name, int at_flags, struct stat *st,
		 struct timespec *btime, bool *has_btime);

/*
 * Shortcut: statx of fd straight into *ni (name as for smbd_dos_attrs).
 * Returns 0 or -errno.
 */
int smbd_ntinfo_fd(int fd, const char *name, struct smbd_ntinfo *ni);

#endif
