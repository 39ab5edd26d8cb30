/*
 * fileinfo.h - turning what Linux knows about a file (struct stat, statx)
 * into what an SMB2 client expects to see [MS-FSCC §2.4, §2.6]: NT times,
 * DOS attributes, allocation sizes and file ids.
 *
 * Everything here is pure computation except the smbd_stat_*(),
 * smbd_ntinfo_fd() and smbd_store_*() calls, which use statx(2) and
 * xattrs. Nothing allocates.
 *
 * What a client sets that Linux has no place for - a creation time (a
 * copy that keeps times) and the DOS attributes other than READONLY and
 * DIRECTORY - is kept in the xattr user.wgsmb.dosinfo and reported as is.
 * READONLY always stays the owner write bit.
 *
 * Creation time without a stored one: we report
 *	min(btime, mtime, ctime)
 * where btime is the birth time statx() gives on filesystems that record
 * it (ext4, xfs, btrfs, tmpfs...). The minimum keeps the Windows invariant
 * "created no later than last written" also for files whose mtime was set
 * into the past. Without btime (callers that only have a struct stat, or
 * filesystems without it) the result is min(mtime, ctime).
 *
 * Change time: ctime cannot be set either. A ChangeTime a client set is
 * remembered in memory against the file's ctime of that moment and
 * reported until the file changes again (its ctime moves on).
 *
 * Use smbd_stat_fd()/smbd_stat_at() and smbd_ntinfo_fill() (or
 * smbd_ntinfo_fd()) wherever times go on the wire, so that CREATE,
 * QUERY_INFO and QUERY_DIRECTORY agree. They are thread-safe.
 */
#ifndef WG_SMBD_FILEINFO_H
#define WG_SMBD_FILEINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "proto/smb2.h"
#include "smbd/base/nttime.h"

/* FILE_DEVICE_DISK [MS-FSCC §2.5.10] */
#define SMBD_FILE_DEVICE_DISK	0x00000007u

/*
 * Creation time as NT time: min(btime, mtime, ctime), see above. btime
 * may be NULL when unknown.
 */
uint64_t smbd_create_time_nt(const struct stat *st,
			     const struct timespec *btime);

/* DOS attributes kept in the xattr (the others come from the mode). */
#define SMBD_STORED_ATTRS	(FILE_ATTRIBUTE_HIDDEN | \
				 FILE_ATTRIBUTE_SYSTEM | \
				 FILE_ATTRIBUTE_ARCHIVE | \
				 0x00000100u /* TEMPORARY */ | \
				 0x00001000u /* OFFLINE */ | \
				 0x00002000u /* NOT_CONTENT_INDEXED */)

/*
 * DOS attributes [MS-FSCC §2.6] for st when none are stored, and the
 * parts always computed. name is the share-relative path
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

/*
 * The bytes that n FIEMAP extents hold on disk (inline data counts
 * none); *last is set when one of them is the file's last. smbd_stat_at
 * counts a file's allocation this way when it has extended attributes,
 * whose block st_blocks would count too (see fileinfo.c).
 */
struct fiemap_extent;
uint64_t smbd_extent_bytes(const struct fiemap_extent *e, uint32_t n,
			   bool *last);

/*
 * A worker is about to free the extents of the file st names (a large
 * truncate), and is done with it. FIEMAP waits for the filesystem's
 * extent lock, which such a truncate holds until it is over (ext4: 0.25
 * s for a 64 MiB file of 4,000 extents): meanwhile smbd_stat_at does not
 * ask it about that file and counts its blocks as st_blocks, at most its
 * size's, so that a loop opening the file is not held up. Thread-safe;
 * begin returns false (and end must not follow) when
 * SMBD_TRUNCATING_MAX files are marked already: as many as a pool may
 * have workers (workers.c), each marking one at a time.
 */
#define SMBD_TRUNCATING_MAX	64
bool smbd_truncating_begin(const struct stat *st);
void smbd_truncating_end(const struct stat *st);
bool smbd_truncating(const struct stat *st);

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
	uint32_t ea_size;	/* EaSize (fs/ea.h): 0 unless a caller that
				 * reports it fills it in */
};

/* What smbd_stat_fd()/smbd_stat_at() found. */
struct smbd_stat {
	struct stat st;
	uint64_t create_time;	/* NT time, by the rule above */
	bool have_attrs;	/* stored_attrs holds what a client set */
	uint32_t stored_attrs;	/* within SMBD_STORED_ATTRS */
	bool sparse;		/* FSCTL_SET_SPARSE marked it (see below) */
};

/*
 * smbd_stat_fd() of a regular file or directory this request has just
 * created on fd, after it stored what it stores: one statx, and the DOS
 * info not read back but taken from what was written: attrs points to
 * the attributes given to smbd_store_dos_info(), NULL if nothing was
 * stored (no creation time is ever stored at create). has_xattrs: the
 * creator stored some extended attribute (a descriptor, attrs).
 * Returns 0 or -errno. Nothing is remembered (see fileinfo.c, the memo).
 */
int smbd_stat_new_fd(int fd, const uint32_t *attrs, bool has_xattrs,
		     struct smbd_stat *sx);

/*
 * Fill *ni from sx; name as for smbd_dos_attrs(). Applies a remembered
 * ChangeTime (see above).
 */
void smbd_ntinfo_fill(const struct smbd_stat *sx, const char *name,
		      struct smbd_ntinfo *ni);

/*
 * "/proc/self/fd/FD", or "/proc/self/fd/FD/NAME" if name is neither NULL
 * nor empty, into path (size bytes): the name under which the xattr
 * calls reach an fd, also an O_PATH one. Returns false (path then empty)
 * if fd < 0 or it does not fit. Formats by hand: it is on the path of
 * every stat, and snprintf costs as much as the rest of a reply.
 */
bool smbd_proc_path(char *path, size_t size, int fd, const char *name);

/*
 * The EaSize (fs/ea.h) remembered for the object of st, a stat the
 * caller just took, if it still holds (see fileinfo.c: per thread, keyed
 * on dev, ino and ctime, which every xattr change moves); put remembers
 * one read after st was taken (not kept while ctime is recent).
 */
bool smbd_xmemo_ea_get(const struct stat *st, uint32_t *ea_size);
void smbd_xmemo_ea_put(const struct stat *st, uint32_t ea_size);

/*
 * statx(2) of an open fd (also O_PATH fds) plus its stored creation
 * time. Returns 0 or -errno.
 */
int smbd_stat_fd(int fd, struct smbd_stat *sx);

/*
 * The same for name relative to dirfd, with AT_* flags as for fstatat()
 * (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH).
 */
int smbd_stat_at(int dirfd, const char *name, int at_flags,
		 struct smbd_stat *sx);

/*
 * Shortcut: stat fd straight into *ni (name as for smbd_dos_attrs).
 * Returns 0 or -errno.
 */
int smbd_ntinfo_fd(int fd, const char *name, struct smbd_ntinfo *ni);

/*
 * Keep a creation time (create_time not NULL) and/or DOS attributes
 * (attrs not NULL; only SMBD_STORED_ATTRS are kept) for the file open on
 * fd (any kind of fd); what is not given stays as stored. Returns 0 or
 * -errno (-ENOTSUP/-EOPNOTSUPP: no user xattrs here, -EACCES: no write
 * permission on the file, so store before taking the write bit away).
 */
int smbd_store_dos_info(int fd, const uint64_t *create_time,
			const uint32_t *attrs);

/*
 * Mark the file open on fd sparse or not (FSCTL_SET_SPARSE): kept in the
 * same xattr, apart from the attributes a SET_INFO stores, which on
 * Windows cannot set or clear FILE_ATTRIBUTE_SPARSE_FILE either. A sparse
 * file reports that attribute; SET_ZERO_DATA punches holes in it and
 * QUERY_ALLOCATED_RANGES reports its holes. Returns 0 or -errno as
 * smbd_store_dos_info().
 */
int smbd_store_sparse(int fd, bool sparse);

/*
 * Report nt as the ChangeTime of the file open on fd until it changes
 * again. Call after the request's other changes to the file, since each
 * of them moves ctime. Remembers the last 256 files or so; forgetting
 * one just shows its real ctime.
 */
void smbd_store_change_time(int fd, uint64_t nt);

/*
 * The ChangeTime remembered for the file open on fd, if it still holds:
 * true and *nt set. SET_INFO re-arms it after its own changes, since on
 * Windows a handle that set a time keeps it through what it does next.
 */
bool smbd_remembered_change_time(int fd, uint64_t *nt);

#endif
