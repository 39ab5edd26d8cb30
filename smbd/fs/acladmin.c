/*
 * acladmin.c - wgnet acl: show a descriptor, reset a tree (acladmin.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "smbd/fs/acladmin.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/vfs.h"
#include "smbd/smbd.h"

/* deeper trees are left for a second reset from further down */
#define ACL_RESET_MAX_DEPTH	256

/* share_path's root and client_path's on-disk name beneath it. */
static int acladmin_open(TALLOC_CTX *mem, const char *share_path,
			 const char *client_path, int *root_fd, char **ondisk,
			 const char **why)
{
	char *rel = NULL;
	NTSTATUS st = NT_STATUS_OK;

	*root_fd = open(share_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*root_fd < 0) {
		*why = "cannot open the share's path";
		return -errno;
	}
	st = vfs_canonicalize(mem, client_path, false, &rel);
	if (st != NT_STATUS_OK) {
		*why = "not a path clients could name";
		goto fail_inval;
	}
	st = vfs_resolve(mem, *root_fd, rel, ondisk);
	if (st == NT_STATUS_OK) {
		return 0;
	}
	close(*root_fd);
	*root_fd = -1;
	*why = "no such file or folder in the share";
	return st == NT_STATUS_NO_MEMORY ? -ENOMEM : -ENOENT;
fail_inval:
	close(*root_fd);
	*root_fd = -1;
	return -EINVAL;
}

int smbd_acl_view(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
		  const char *share_path, const char *client_path,
		  struct smbd_acl_view *v, const char **why)
{
	struct stat st;
	struct sec_desc *stored = NULL;
	int root_fd = -1, fd = -1, rc = 0;

	*v = (struct smbd_acl_view){ 0 };
	rc = acladmin_open(mem, share_path, client_path, &root_fd,
			   &v->ondisk, why);
	if (rc != 0) {
		return rc;
	}
	fd = vfs_open_beneath(root_fd, v->ondisk, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = fd < 0 ? fd : -errno;
		*why = "cannot open it";
		goto out;
	}
	v->is_dir = S_ISDIR(st.st_mode);
	rc = smbd_acl_read_fd(mem, fd, &stored);
	v->stored = rc == 0;
	talloc_free(stored);
	rc = smbd_acl_effective(mem, cache, root_fd, v->ondisk, v->is_dir,
				&v->sd);
	if (rc != 0) {
		*why = "cannot read its descriptor";
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	close(root_fd);
	return rc;
}

/* Drop fd's descriptor: 1 removed, 0 had none, -errno. */
static int acl_drop(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (removexattr(path, SMBD_ACL_XATTR) == 0) {
		return 1;
	}
	if (errno == ENODATA || errno == ENOTSUP || errno == EOPNOTSUPP) {
		return 0;
	}
	return -errno;
}

struct acl_reset {
	dev_t dev;
	unsigned removed, failed;
};

/* Below dir_fd (an O_RDONLY directory of dev rs->dev). */
static void acl_reset_below(struct acl_reset *rs, int dir_fd,
			    const char *where, unsigned depth)
{
	int dup_fd = dup(dir_fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *de = NULL;

	if (d == NULL) {
		if (dup_fd >= 0) {
			close(dup_fd);
		}
		DBG_WARN(VFS, "acl reset: cannot list '%s': %s", where,
			 strerror(errno));
		rs->failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		int fd = -1, rc = 0;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		fd = openat(dir_fd, de->d_name,
			    O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			rs->failed++;
			DBG_WARN(VFS, "acl reset: '%s/%s': %s", where,
				 de->d_name, strerror(errno));
			if (fd >= 0) {
				close(fd);
			}
			continue;
		}
		if (S_ISLNK(st.st_mode) || st.st_dev != rs->dev ||
		    (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))) {
			close(fd);
			continue;
		}
		rc = acl_drop(fd);
		close(fd);
		if (rc > 0) {
			rs->removed++;
		} else if (rc < 0) {
			rs->failed++;
			DBG_WARN(VFS, "acl reset: '%s/%s': %s", where,
				 de->d_name, strerror(-rc));
		}
		if (!S_ISDIR(st.st_mode)) {
			continue;
		}
		if (depth >= ACL_RESET_MAX_DEPTH) {
			rs->failed++;
			continue;
		}
		fd = openat(dir_fd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			rs->failed++;
			DBG_WARN(VFS, "acl reset: cannot enter '%s/%s': %s",
				 where, de->d_name, strerror(errno));
			continue;
		}
		{
			char sub[4096];

			snprintf(sub, sizeof(sub), "%s/%s", where, de->d_name);
			acl_reset_below(rs, fd, sub, depth + 1);
		}
		close(fd);
	}
	closedir(d);
}

int smbd_acl_reset(struct smbd_acl_cache *cache, const char *share_path,
		   const char *client_path, unsigned *removed, unsigned *failed,
		   const char **why)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct acl_reset rs = { 0 };
	struct stat st;
	char *ondisk = NULL;
	int root_fd = -1, fd = -1, rc = 0;

	*removed = *failed = 0;
	if (tmp == NULL) {
		return -ENOMEM;
	}
	rc = acladmin_open(tmp, share_path, client_path, &root_fd, &ondisk,
			   why);
	if (rc != 0) {
		goto out;
	}
	fd = vfs_open_beneath(root_fd, ondisk, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = fd < 0 ? fd : -errno;
		*why = "cannot open it";
		goto out;
	}
	rs.dev = st.st_dev;
	rc = acl_drop(fd);
	close(fd);
	fd = -1;
	if (rc < 0) {
		*why = "cannot remove its descriptor";
		goto out;
	}
	rs.removed += (unsigned)rc;
	rc = 0;
	if (S_ISDIR(st.st_mode)) {
		fd = vfs_open_beneath(root_fd, ondisk, O_RDONLY | O_DIRECTORY |
				      O_NOFOLLOW, 0);
		if (fd < 0) {
			rc = fd;
			fd = -1;
			*why = "cannot list it";
			goto out;
		}
		acl_reset_below(&rs, fd, ondisk[0] != '\0' ? ondisk : ".", 0);
	}
	if (cache != NULL) {
		smbd_acl_cache_flush(cache);
	}
	*removed = rs.removed;
	*failed = rs.failed;
out:
	if (fd >= 0) {
		close(fd);
	}
	if (root_fd >= 0) {
		close(root_fd);
	}
	talloc_free(tmp);
	return rc;
}
