/*
 * vfs.h - everything that touches the share's filesystem goes through
 * here: path checks, case-insensitive lookup, and opens that cannot leave
 * the share root (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS).
 *
 * Paths: "client" paths are UTF-8 with '\' separators as the client sent
 * them; "rel" paths are share-relative with '/' separators and no leading
 * '/'; "" is the share root. "ondisk" paths are rel paths whose components
 * have the case found on disk.
 */
#ifndef WG_SMBD_VFS_H
#define WG_SMBD_VFS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <talloc.h>
#include "proto/ntstatus.h"

/*
 * Turn a client path into a rel path: strips leading '\', folds '\' to
 * '/', collapses repeated separators and a trailing one; a ".."
 * component takes away the one before it, as Windows does ("dir\sub\.."
 * is "dir", smbtorture smb2.notify.tree); rejects a ".." with nothing
 * before it (above the share root: OBJECT_PATH_SYNTAX_BAD, as Windows,
 * smbtorture smb2.mkdir), "." components (OBJECT_NAME_INVALID), ':' (streams,
 * OBJECT_NAME_INVALID until streams exist), wildcards '*?<>"|' and
 * control characters (OBJECT_NAME_INVALID). allow_wildcards lets '*' and
 * '?' (and '<', '>', '"') through for QUERY_DIRECTORY patterns.
 */
NTSTATUS vfs_canonicalize(TALLOC_CTX *mem, const char *client_path,
			  bool allow_wildcards, char **rel);

/*
 * Find rel beneath root_fd, matching each component case-insensitively
 * when the exact name does not exist, or else as the 8.3 short name of
 * an entry (fs/shortname.h; not in the streams store, whose path holds
 * ':'), as Windows opens "LO1A2B~3.TXT". On success *ondisk is the
 * on-disk name. If only the last component is missing: returns
 * NT_STATUS_OBJECT_NAME_NOT_FOUND and *ondisk is the on-disk parent plus
 * the client's last component (ready for creation). A missing or
 * non-directory parent gives NT_STATUS_OBJECT_PATH_NOT_FOUND.
 */
NTSTATUS vfs_resolve(TALLOC_CTX *mem, int root_fd, const char *rel,
		     char **ondisk);

/*
 * vfs_resolve for a name the caller just failed to open as written
 * (vfs_open_beneath gave missing, a -errno): with -ENOENT or -ENOTDIR it
 * neither opens rel again nor, while the parents are found as written,
 * its last component; any other value does all of vfs_resolve. Same
 * results as vfs_resolve.
 */
NTSTATUS vfs_resolve_missing(TALLOC_CTX *mem, int root_fd, const char *rel,
			     int missing, char **ondisk);

/*
 * openat2(root_fd, ondisk, flags, mode, RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS). "" opens the root itself. Returns an fd or
 * -errno (-EXDEV for an escape attempt).
 */
int vfs_open_beneath(int root_fd, const char *ondisk, int flags, mode_t mode);

/*
 * Open the parent directory of ondisk beneath root (O_PATH|O_DIRECTORY)
 * and point *leaf at the last component inside ondisk. For the root
 * itself (ondisk "") returns -EINVAL. Returns an fd or -errno.
 */
int vfs_open_parent(int root_fd, const char *ondisk, const char **leaf);

/*
 * smbd_map_errno() (smbd/base/errmap.h) for an errno of either sign.
 * Only test_vfs still calls it; new code calls smbd_map_errno() with a
 * positive errno.
 */
NTSTATUS vfs_map_errno(int err);

/* Case-insensitive compare of UTF-8 names (simple case folding). */
int vfs_name_casecmp(const char *a, const char *b);

/*
 * Windows wildcard match [MS-FSA 2.1.4.4] ('*', '?', and the DOS '<',
 * '>', '"'), case-insensitive, for QUERY_DIRECTORY. O(pattern x name)
 * time and O(name) memory; false on no memory. An empty name matches
 * only an empty pattern.
 */
bool vfs_wildcard_match(const char *pattern, const char *name);

#endif
