/*
 * ea.c - extended attributes in user xattrs (see ea.h).
 */
#include "smbd/fs/ea.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/xattr.h>

#include "smbd/base/errmap.h"
#include "smbd/fs/fileinfo.h"

#define PREFIX_LEN	(sizeof(SMBD_EA_XATTR_PREFIX) - 1)
/* "user.wgsmb.ea." + a 255-byte name + NUL */
#define XNAME_MAX	(PREFIX_LEN + 256)
/* Flags byte + the largest value */
#define XVALUE_MAX	(1u + 65535u)
#define KERNEL_EA	"$KERNEL."

void smbd_ea_upper(char *s, size_t len)
{
	size_t i = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= 'a' && s[i] <= 'z') {
			s[i] = (char)(s[i] - 'a' + 'A');
		}
	}
}

static size_t align4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

/*
 * The path that reaches the file open on fd, for every kind of fd: the
 * f*xattr calls refuse O_PATH fds, which CREATE gives a file the server
 * may not read. Followed, it is the inode opened, whatever the name.
 */
struct fdpath {
	char p[32];
};

static const char *fd_path(int fd, struct fdpath *fp)
{
	if (!smbd_proc_path(fp->p, sizeof(fp->p), fd, NULL)) {
		fp->p[0] = '\0';
	}
	return fp->p;
}

/* The xattr name of EA name[0, len), upper-cased. */
static void xattr_name(char out[XNAME_MAX], const char *name, size_t len)
{
	memcpy(out, SMBD_EA_XATTR_PREFIX, PREFIX_LEN);
	memcpy(out + PREFIX_LEN, name, len);
	out[PREFIX_LEN + len] = '\0';
	smbd_ea_upper(out + PREFIX_LEN, len);
}

/* Is the xattr at x one of ours with a usable EA name? */
static bool is_ea_xattr(const char *x, size_t *name_len)
{
	size_t len = strlen(x);

	if (len <= PREFIX_LEN || len - PREFIX_LEN > 255 ||
	    strncmp(x, SMBD_EA_XATTR_PREFIX, PREFIX_LEN) != 0 ||
	    !fscc_ea_name_valid(x + PREFIX_LEN, len - PREFIX_LEN)) {
		return false;
	}
	*name_len = len - PREFIX_LEN;
	return true;
}

/* listxattr into a talloc buffer; *len 0 if none. */
static int list_xattrs(TALLOC_CTX *mem, const char *path, char **list,
		       size_t *len)
{
	ssize_t n = 0;
	int tries = 0;

	*list = NULL;
	*len = 0;
	for (tries = 0; tries < 3; tries++) {
		n = listxattr(path, NULL, 0);
		if (n < 0) {
			return errno == ENOTSUP ? 0 : -errno;
		}
		if (n == 0) {
			return 0;
		}
		talloc_free(*list);
		*list = talloc_size(mem, (size_t)n);
		if (*list == NULL) {
			return -ENOMEM;
		}
		n = listxattr(path, *list, (size_t)n);
		if (n >= 0) {
			*len = (size_t)n;
			return 0;
		}
		if (errno != ERANGE) {
			return -errno;
		}
	}
	return -ERANGE;
}

/* Read one EA's xattr into e (name already set); 1: gone, 0, -errno. */
static int read_one(TALLOC_CTX *mem, const char *path, const char *x,
		    struct fscc_ea *e)
{
	uint8_t *v = talloc_size(mem, XVALUE_MAX);
	ssize_t n = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	n = getxattr(path, x, v, XVALUE_MAX);
	if (n < 0) {
		talloc_free(v);
		return errno == ENODATA ? 1 : -errno;
	}
	if (n < 1) {
		talloc_free(v);
		return 1;	/* not ours to show: no Flags byte */
	}
	e->flags = v[0] & FSCC_FILE_NEED_EA;
	e->value_len = (uint16_t)(n - 1);
	e->value = e->value_len != 0 ? v + 1 : NULL;
	return 0;
}

NTSTATUS smbd_ea_read(TALLOC_CTX *mem, int fd, struct fscc_ea **eas,
		      size_t *n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct fdpath fp;
	const char *path = fd_path(fd, &fp);
	struct fscc_ea *arr = NULL;
	char *list = NULL;
	size_t len = 0, off = 0, cnt = 0;
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	*eas = NULL;
	*n = 0;
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ret = list_xattrs(tmp, path, &list, &len);
	if (ret != 0) {
		status = smbd_map_errno(-ret);
		goto out;
	}
	for (off = 0; off < len; off += strlen(list + off) + 1) {
		const char *x = list + off;
		struct fscc_ea e = {};
		size_t nlen = 0;
		char *name = NULL;

		if (!is_ea_xattr(x, &nlen) || cnt == SMBD_EA_MAX_NAMES) {
			continue;
		}
		arr = talloc_realloc(tmp, arr, struct fscc_ea, cnt + 1);
		if (arr == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		name = talloc_strndup(arr, x + PREFIX_LEN, nlen);
		if (name == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		smbd_ea_upper(name, nlen);
		e.name = name;
		e.name_len = (uint8_t)nlen;
		ret = read_one(arr, path, x, &e);
		if (ret < 0) {
			status = smbd_map_errno(-ret);
			goto out;
		}
		if (ret == 0) {
			arr[cnt++] = e;
		}
	}
	if (cnt != 0) {
		*eas = talloc_steal(mem, arr);
		*n = cnt;
	}
out:
	talloc_free(tmp);
	return status;
}

/* Where EaSize reads from: a path, followed at its end or not. */
struct xsrc {
	const char *path;
	bool follow;
};

static ssize_t xsrc_list(const struct xsrc *s, char *buf, size_t n)
{
	return s->follow ? listxattr(s->path, buf, n) :
			   llistxattr(s->path, buf, n);
}

static ssize_t xsrc_value_len(const struct xsrc *s, const char *x)
{
	return s->follow ? getxattr(s->path, x, NULL, 0) :
			   lgetxattr(s->path, x, NULL, 0);
}

/* Names listed into a buffer on the stack first: most files have a few
 * short xattrs or none, and one listxattr then does instead of two. */
#define EA_LIST_STACK	1024

/* EaSize; malloc only (runs on workers too). */
static uint32_t ea_size(const struct xsrc *s, bool *sure)
{
	char small[EA_LIST_STACK];
	char *list = small;
	ssize_t n = xsrc_list(s, small, sizeof(small));
	size_t off = 0, total = 0, last = 0;

	/* sure: the answer is the file's, not a passing failure's */
	*sure = n >= 0 || errno == ENOTSUP;
	if (n < 0 && errno == ERANGE) {
		n = xsrc_list(s, NULL, 0);
		*sure = n >= 0 || errno == ENOTSUP;
		if (n <= 0) {
			return 0;
		}
		list = malloc((size_t)n);
		if (list == NULL) {
			*sure = false;
			return 0;
		}
		n = xsrc_list(s, list, (size_t)n);
		*sure = n >= 0;
	}
	for (off = 0; n > 0 && off < (size_t)n;
	     off += strlen(list + off) + 1) {
		size_t nlen = 0;
		ssize_t v = 0;

		if (!is_ea_xattr(list + off, &nlen)) {
			continue;
		}
		v = xsrc_value_len(s, list + off);
		if (v < 0 && errno != ENODATA) {
			*sure = false;
		}
		if (v < 1) {
			continue;
		}
		last = fscc_ea_entry_size(nlen, (size_t)v - 1);
		total += align4(last);
	}
	if (list != small) {
		free(list);
	}
	if (total == 0) {
		return 0;
	}
	total = total - align4(last) + last;	/* the last is not padded */
	return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

/* ea_size, through the memo of fileinfo.c when st is given. */
static uint32_t ea_size_memo(const struct xsrc *s, const struct stat *st)
{
	uint32_t size = 0;
	bool sure = false;

	if (st != NULL && smbd_xmemo_ea_get(st, &size)) {
		return size;
	}
	size = ea_size(s, &sure);
	if (st != NULL && sure) {
		smbd_xmemo_ea_put(st, size);
	}
	return size;
}

uint32_t smbd_ea_size_fd(int fd)
{
	return smbd_ea_size_fd_st(fd, NULL);
}

uint32_t smbd_ea_size_fd_st(int fd, const struct stat *st)
{
	struct fdpath fp;
	struct xsrc s = { .path = fd_path(fd, &fp), .follow = true };

	return ea_size_memo(&s, st);
}

uint32_t smbd_ea_size_at(int dirfd, const char *name)
{
	return smbd_ea_size_at_st(dirfd, name, NULL);
}

uint32_t smbd_ea_size_at_st(int dirfd, const char *name,
			    const struct stat *st)
{
	char path[PATH_MAX];
	struct xsrc s = { .path = path, .follow = false };
	if (!smbd_proc_path(path, sizeof(path), dirfd, name)) {
		return 0;
	}
	return ea_size_memo(&s, st);
}

/* A pull's wire error as the status an EA list earns. */
NTSTATUS smbd_ea_pull_status(int ret)
{
	switch (ret) {
	case 0:
		return NT_STATUS_OK;
	case WIRE_E_NOMEM:
		return NT_STATUS_NO_MEMORY;
	case WIRE_E_TOOBIG:
		return NT_STATUS_EA_TOO_LARGE;
	default:
		return NT_STATUS_EA_LIST_INCONSISTENT;
	}
}

NTSTATUS smbd_ea_pick(TALLOC_CTX *mem, struct fscc_ea *want, size_t nwant,
		      const struct fscc_ea *all, size_t nall)
{
	size_t i = 0, j = 0;

	for (i = 0; i < nwant; i++) {
		char *up = NULL;

		if (!fscc_ea_name_valid(want[i].name, want[i].name_len)) {
			return NT_STATUS_INVALID_EA_NAME;
		}
		for (j = 0; j < nall; j++) {
			if (all[j].name_len == want[i].name_len &&
			    strncasecmp(all[j].name, want[i].name,
					want[i].name_len) == 0) {
				break;
			}
		}
		if (j < nall) {
			want[i] = all[j];
			continue;
		}
		up = talloc_strndup(mem, want[i].name, want[i].name_len);
		if (up == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		smbd_ea_upper(up, want[i].name_len);
		want[i].name = up;
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_ea_check(const struct fscc_ea *eas, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		const struct fscc_ea *e = &eas[i];

		if (!fscc_ea_name_valid(e->name, e->name_len) ||
		    (e->flags & ~FSCC_FILE_NEED_EA) != 0) {
			return NT_STATUS_INVALID_EA_NAME;
		}
		if (e->name_len >= sizeof(KERNEL_EA) - 1 &&
		    strncasecmp(e->name, KERNEL_EA,
				sizeof(KERNEL_EA) - 1) == 0) {
			return NT_STATUS_ACCESS_DENIED;
		}
	}
	return NT_STATUS_OK;
}

static ssize_t find_ea(const struct fscc_ea *arr, size_t n,
		       const struct fscc_ea *e)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (arr[i].name_len == e->name_len &&
		    strncasecmp(arr[i].name, e->name, e->name_len) == 0) {
			return (ssize_t)i;
		}
	}
	return -1;
}

/*
 * The file's EA list as it would be after eas[0, n): cur (a talloc array
 * under mem, grown) with each entry replaced, removed or appended.
 */
static NTSTATUS simulate(TALLOC_CTX *mem, struct fscc_ea **cur, size_t *cnt,
			 const struct fscc_ea *eas, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		ssize_t at = find_ea(*cur, *cnt, &eas[i]);

		if (at >= 0) {
			memmove(&(*cur)[at], &(*cur)[at + 1],
				(*cnt - (size_t)at - 1) * sizeof(**cur));
			(*cnt)--;
		}
		if (eas[i].value_len == 0) {
			continue;
		}
		*cur = talloc_realloc(mem, *cur, struct fscc_ea, *cnt + 1);
		if (*cur == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		(*cur)[(*cnt)++] = eas[i];
	}
	return NT_STATUS_OK;
}

/* Set (value) or remove (no value) one EA; 0 or -errno. */
static int write_one(const char *path, const struct fscc_ea *e)
{
	char x[XNAME_MAX];
	uint8_t *v = NULL;
	int ret = 0;

	xattr_name(x, e->name, e->name_len);
	if (e->value_len == 0) {
		if (removexattr(path, x) != 0 && errno != ENODATA) {
			return -errno;
		}
		return 0;
	}
	v = malloc(1u + e->value_len);
	if (v == NULL) {
		return -ENOMEM;
	}
	v[0] = e->flags;
	memcpy(v + 1, e->value, e->value_len);
	if (setxattr(path, x, v, 1u + e->value_len, 0) != 0) {
		ret = -errno;
	}
	free(v);
	return ret;
}

/* Put back the EAs eas[0, done) changed, from old[0, nold). */
static void undo(const char *path, const struct fscc_ea *eas, size_t done,
		 const struct fscc_ea *old, size_t nold)
{
	size_t i = 0;

	for (i = done; i-- > 0;) {
		ssize_t at = find_ea(old, nold, &eas[i]);
		struct fscc_ea gone = eas[i];

		gone.value_len = 0;
		(void)write_one(path, at >= 0 ? &old[at] : &gone);
	}
}

NTSTATUS smbd_ea_apply(int fd, const struct fscc_ea *eas, size_t n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct fdpath fp;
	const char *path = fd_path(fd, &fp);
	struct fscc_ea *old = NULL, *after = NULL;
	size_t nold = 0, nafter = 0, i = 0;
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_ea_read(tmp, fd, &old, &nold);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	if (nold != 0) {
		after = talloc_memdup(tmp, old, nold * sizeof(*old));
		if (after == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
	}
	nafter = nold;
	status = simulate(tmp, &after, &nafter, eas, n);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	if (fscc_ea_list_size(after, nafter) > FSCC_EA_MAX_TOTAL) {
		status = NT_STATUS_EA_TOO_LARGE;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = write_one(path, &eas[i]);
		if (ret != 0) {
			undo(path, eas, i, old, nold);
			status = smbd_map_errno_in(SMBD_ERRMAP_EA, -ret);
			goto out;
		}
	}
out:
	talloc_free(tmp);
	return status;
}
