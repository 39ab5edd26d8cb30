/*
 * objid.h - a file's object id [MS-FSCC §2.1.3]: the 64-byte
 * FILE_OBJECTID_BUFFER (ObjectId, then BirthVolumeId, BirthObjectId and
 * DomainId, or 48 bytes of ExtendedInfo) kept whole in the xattr
 * user.wgsmb.objid of the file or directory. No volume-wide index: an
 * object id does not open its file (Windows' OpenFileById by object id
 * is not served). Ids the server makes are 16 random bytes, unique in
 * practice without a table.
 */
#ifndef WG_SMBD_FS_OBJID_H
#define WG_SMBD_FS_OBJID_H

#include <stdbool.h>
#include <stdint.h>

#define SMBD_OBJID_XATTR	"user.wgsmb.objid"
#define SMBD_OBJID_SIZE		64	/* FILE_OBJECTID_BUFFER */

/* The stored buffer: 0, -ENODATA (none) or -errno. */
int smbd_objid_get(int fd, uint8_t buf[SMBD_OBJID_SIZE]);

/*
 * Store buf; with create_only, fail with -EEXIST when the file already
 * has one. 0 or -errno (-ENOTSUP: no user xattrs here).
 */
int smbd_objid_set(int fd, const uint8_t buf[SMBD_OBJID_SIZE],
		   bool create_only);

/* Remove it: 0 (also when there was none) or -errno. */
int smbd_objid_delete(int fd);

/* 16 random bytes for a new ObjectId: 0 or -errno. */
int smbd_objid_new(uint8_t id[16]);

#endif
