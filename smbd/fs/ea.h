/*
 * ea.h - a file's extended attributes [MS-FSA §2.1.5.15.5], kept in the
 * share's filesystem as Linux user xattrs, one per EA:
 *
 *   user.wgsmb.ea.<NAME>  =  1 byte Flags, then the value
 *
 * NAME is the EA name upper-cased (ASCII letters), as NTFS stores and
 * returns it, so names compare without regard to case by construction
 * and a client's EA can never name any other xattr (the dosinfo, a
 * stream, a security descriptor: all of them live beside this prefix,
 * not under it). Names beginning "$KERNEL." are kernel EAs on Windows,
 * which no client may set: refused with ACCESS_DENIED.
 *
 * Budgets: a file's EAs, packed as the FILE_FULL_EA_INFORMATION list a
 * query returns, take at most FSCC_EA_MAX_TOTAL bytes (Windows' 64 KiB
 * - 5); a filesystem that keeps less (ext4 without ea_inode: about one
 * block per inode) answers EA_TOO_LARGE sooner. One request names at
 * most SMBD_EA_MAX_NAMES EAs.
 *
 * Nothing here knows SMB beyond the EA list format: access checks are
 * the commands'.
 */
#ifndef WG_SMBD_FS_EA_H
#define WG_SMBD_FS_EA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <talloc.h>

#include "proto/fscc_ea.h"
#include "proto/ntstatus.h"

#define SMBD_EA_XATTR_PREFIX	"user.wgsmb.ea."
/* EAs one SET_INFO, CREATE or QUERY_INFO may name: more than the
 * smallest entries that fit in FSCC_EA_MAX_TOTAL (12 bytes each). */
#define SMBD_EA_MAX_NAMES	6000u

/*
 * The EAs of the file open on fd (a file or directory fd, not O_PATH),
 * in the order the filesystem lists them, names upper-cased. *eas is a
 * talloc array under mem (names and values its children), NULL if *n is
 * 0. Returns NT_STATUS_OK, NO_MEMORY or the mapped errno; a filesystem
 * without user xattrs has no EAs (OK, *n 0).
 */
NTSTATUS smbd_ea_read(TALLOC_CTX *mem, int fd, struct fscc_ea **eas,
		      size_t *n);

/*
 * EaSize [MS-FSCC §2.4.12]: bytes the file's EAs take as the
 * FILE_FULL_EA_INFORMATION list a query of all of them returns; 0 when
 * it has none or on any error. smbd_ea_size_at() looks at name in the
 * directory open on dirfd without following a symlink; it uses no talloc
 * (it runs on the directory workers).
 */
uint32_t smbd_ea_size_fd(int fd);
uint32_t smbd_ea_size_at(int dirfd, const char *name);
/*
 * The same, where st is a stat of that very object the caller took just
 * before (not of a symlink's target for _at): the answer is remembered
 * against its ctime (fs/fileinfo.h smbd_xmemo_ea_get). st NULL: as above.
 */
uint32_t smbd_ea_size_fd_st(int fd, const struct stat *st);
uint32_t smbd_ea_size_at_st(int dirfd, const char *name,
			    const struct stat *st);

/*
 * The status a list a client sent earns for its pull's wire error (0:
 * OK; WIRE_E_NOMEM: NO_MEMORY; WIRE_E_TOOBIG: EA_TOO_LARGE; else
 * EA_LIST_INCONSISTENT).
 */
NTSTATUS smbd_ea_pull_status(int ret);

/*
 * The EAs a client asked for by name, want[0, nwant), looked up among the
 * file's all[0, nall) (as smbd_ea_read gives them) without regard to
 * case: each one found becomes that EA (name and value); one not found
 * keeps its name, upper-cased (a copy under mem), and no value. Returns
 * OK, INVALID_EA_NAME (a malformed name) or NO_MEMORY.
 */
NTSTATUS smbd_ea_pick(TALLOC_CTX *mem, struct fscc_ea *want, size_t nwant,
		      const struct fscc_ea *all, size_t nall);

/*
 * Check a list a client wants to set (names well-formed, Flags 0 or
 * FILE_NEED_EA, no kernel EA), before anything is created or changed.
 * Returns OK, INVALID_EA_NAME or ACCESS_DENIED.
 */
NTSTATUS smbd_ea_check(const struct fscc_ea *eas, size_t n);

/*
 * Apply eas[0, n) (already checked) to the file open on fd in order: an
 * EA with a value replaces the one of the same name, an empty value
 * deletes it. All or nothing: EA_TOO_LARGE when the result would exceed
 * FSCC_EA_MAX_TOTAL (nothing changed); a failure part-way puts back what
 * was changed. Returns OK, EA_TOO_LARGE, EAS_NOT_SUPPORTED (no user
 * xattrs on this filesystem), NO_MEMORY or the mapped errno.
 */
NTSTATUS smbd_ea_apply(int fd, const struct fscc_ea *eas, size_t n);

/* Upper-case the ASCII letters of s[0, len) in place. */
void smbd_ea_upper(char *s, size_t len);

#endif
