/*
 * errmap.c - errno to NTSTATUS, once for all of smbd (see errmap.h).
 */
#include "smbd/base/errmap.h"

#include <errno.h>

NTSTATUS smbd_map_errno(int err)
{
	if (err < 0) {
		err = -err;
	}
	switch (err) {
	case 0:
		return NT_STATUS_OK;
	case ENOENT:
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	case ENOTDIR:
		return NT_STATUS_OBJECT_PATH_NOT_FOUND;
	case EEXIST:
		return NT_STATUS_OBJECT_NAME_COLLISION;
	case EACCES:
	case EPERM:
		return NT_STATUS_ACCESS_DENIED;
	case EXDEV:
	case ELOOP:
		/* an attempt to leave the share */
		return NT_STATUS_ACCESS_DENIED;
	case ENOTEMPTY:
		return NT_STATUS_DIRECTORY_NOT_EMPTY;
	case EISDIR:
		return NT_STATUS_FILE_IS_A_DIRECTORY;
	case ENOSPC:
	case EDQUOT:
		return NT_STATUS_DISK_FULL;
	case EMFILE:
	case ENFILE:
		return NT_STATUS_TOO_MANY_OPENED_FILES;
	case EROFS:
		return NT_STATUS_MEDIA_WRITE_PROTECTED;
	case ENAMETOOLONG:
		return NT_STATUS_OBJECT_NAME_INVALID;
	case ENOMEM:
		return NT_STATUS_NO_MEMORY;
	default:
		return NT_STATUS_UNSUCCESSFUL;
	}
}
