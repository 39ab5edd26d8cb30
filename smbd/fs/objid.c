/*
 * objid.c - object ids in one xattr (see objid.h).
 */
#include "smbd/fs/objid.h"

#include "smbd/base/random.h"

#include <errno.h>
#include <stdio.h>
#include <sys/xattr.h>

/* The f*xattr calls refuse O_PATH fds: go through /proc (followed). */
static void fd_path(char p[32], int fd)
{
	snprintf(p, 32, "/proc/self/fd/%d", fd);
}

int smbd_objid_get(int fd, uint8_t buf[SMBD_OBJID_SIZE])
{
	char p[32];
	ssize_t n = 0;

	fd_path(p, fd);
	n = getxattr(p, SMBD_OBJID_XATTR, buf, SMBD_OBJID_SIZE);

	if (n < 0) {
		return errno == ENOTSUP ? -ENODATA : -errno;
	}
	if (n != SMBD_OBJID_SIZE) {
		return -ENODATA;	/* not one of ours: as if none */
	}
	return 0;
}

int smbd_objid_set(int fd, const uint8_t buf[SMBD_OBJID_SIZE],
		   bool create_only)
{
	char p[32];

	fd_path(p, fd);
	if (setxattr(p, SMBD_OBJID_XATTR, buf, SMBD_OBJID_SIZE,
		     create_only ? XATTR_CREATE : 0) != 0) {
		return -errno;
	}
	return 0;
}

int smbd_objid_delete(int fd)
{
	char p[32];

	fd_path(p, fd);
	if (removexattr(p, SMBD_OBJID_XATTR) != 0 && errno != ENODATA &&
	    errno != ENOTSUP) {
		return -errno;
	}
	return 0;
}

int smbd_objid_new(uint8_t id[16])
{
	return smbd_random(id, 16);
}
