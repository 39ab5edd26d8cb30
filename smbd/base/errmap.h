/*
 * errmap.h - the one place where an errno becomes the NTSTATUS a client
 * sees.
 *
 * Below smbd/smb2/ errors travel as -errno (vfs, open registry, workers,
 * file info); the command handlers turn them into a status here, once,
 * passing a positive errno: smbd_map_errno(-rc), smbd_map_errno(errno).
 * Nothing else in smbd/ switches on errno values to pick a status.
 *
 * The table follows what Windows answers for the same condition
 * [MS-ERREF §2.3, MS-FSA §2.1.5]. A few operations must answer a
 * different status for the same errno; each such context is an
 * enum smbd_errmap_ctx below, with the reason. Pure: no state, no I/O.
 */
#ifndef WG_SMBD_BASE_ERRMAP_H
#define WG_SMBD_BASE_ERRMAP_H

#include "proto/ntstatus.h"

enum smbd_errmap_ctx {
	/* The file or directory the request names: the table as it is. */
	SMBD_ERRMAP_FILE = 0,
	/*
	 * Opening the parent directory of a name being created: ENOENT
	 * there means a directory on the way is missing, which Windows
	 * reports as OBJECT_PATH_NOT_FOUND [MS-FSA §2.1.5.1], not
	 * OBJECT_NAME_NOT_FOUND.
	 */
	SMBD_ERRMAP_PARENT,
	/*
	 * Writing data: EFBIG (past the largest file the file system
	 * holds) is DISK_FULL, as for ENOSPC.
	 */
	SMBD_ERRMAP_WRITE,
	/*
	 * Registering a new open (smbd_open_register): EMFILE means the
	 * server's open budget is spent, INSUFFICIENT_RESOURCES [MS-SMB2
	 * §3.3.5.9]; any other failure there is NO_MEMORY.
	 */
	SMBD_ERRMAP_OPEN_TABLE,
	/*
	 * Setting an extended attribute (fs/ea.c): ENOSPC and E2BIG mean
	 * no room for it among the inode's xattrs, EA_TOO_LARGE; ENOTSUP
	 * means a filesystem without user xattrs, EAS_NOT_SUPPORTED.
	 */
	SMBD_ERRMAP_EA,
};

/*
 * The status for err, a positive errno (0 gives NT_STATUS_OK). An errno
 * the table does not know gives NT_STATUS_UNSUCCESSFUL; a negative err is
 * a caller's bug and gives NT_STATUS_INTERNAL_ERROR.
 */
NTSTATUS smbd_map_errno(int err);

/* The same in a context that answers some errnos differently (above). */
NTSTATUS smbd_map_errno_in(enum smbd_errmap_ctx ctx, int err);

#endif
