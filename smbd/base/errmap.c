/*
 * errmap.c - errno to NTSTATUS, once for all of smbd (see errmap.h).
 */
#include "smbd/base/errmap.h"

#include <errno.h>

NTSTATUS smbd_map_errno(int err)
{
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
		return err < 0 ? NT_STATUS_INTERNAL_ERROR :
				 NT_STATUS_UNSUCCESSFUL;
	}
}

NTSTATUS smbd_map_errno_in(enum smbd_errmap_ctx ctx, int err)
{
	switch (ctx) {
	case SMBD_ERRMAP_FILE:
		break;
	case SMBD_ERRMAP_PARENT:
		if (err == ENOENT) {
			return NT_STATUS_OBJECT_PATH_NOT_FOUND;
		}
		break;
	case SMBD_ERRMAP_WRITE:
		if (err == EFBIG) {
			return NT_STATUS_DISK_FULL;
		}
		break;
	case SMBD_ERRMAP_EA:
		if (err == ENOSPC || err == E2BIG) {
			return NT_STATUS_EA_TOO_LARGE;
		}
		if (err == ENOTSUP) {
			return NT_STATUS_EAS_NOT_SUPPORTED;
		}
		break;
	case SMBD_ERRMAP_OPEN_TABLE:
		if (err == 0) {
			return NT_STATUS_OK;
		}
		return err == EMFILE ? NT_STATUS_INSUFFICIENT_RESOURCES :
				       NT_STATUS_NO_MEMORY;
	}
	return smbd_map_errno(err);
}
