/*
 * streams.c - alternate data streams: the name parser and the store of
 * one file per stream beneath the share root (see streams.h).
 */
#include "smbd/fs/streams.h"
#include "smbd/fs/open.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/openpath.h"
#include "smbd/base/errmap.h"
#include "proto/utf16.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- names ---- */

/* UTF-16 code units of a UTF-8 string (4-byte sequences take two). */
static size_t utf16_units(const char *s, size_t len)
{
	size_t n = 0;
	size_t i = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80) {
			n += c >= 0xf0 ? 2 : 1;
		}
	}
	return n;
}

NTSTATUS streams_split(TALLOC_CTX *mem, const char *name, char **base,
		       char **stream)
{
	const char *colon = strchr(name, ':');
	const char *sname = NULL;
	const char *type = NULL;
	size_t slen = 0;

	*base = NULL;
	*stream = NULL;
	if (colon == NULL) {
		*base = talloc_strdup(mem, name);
		return *base != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
	}
	sname = colon + 1;
	if (colon == name || strpbrk(sname, "\\/") != NULL) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	type = strchr(sname, ':');
	slen = type != NULL ? (size_t)(type - sname) : strlen(sname);
	if (type != NULL) {
		type++;
		/* the only stream type of a file: $DATA */
		if (strcasecmp(type, "$DATA") != 0) {
			return NT_STATUS_OBJECT_NAME_INVALID;
		}
	} else if (slen == 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;	/* "file:" */
	}
	if ((slen == 1 && sname[0] == '.') ||
	    (slen == 2 && sname[0] == '.' && sname[1] == '.') ||
	    slen > STREAMS_NAME_MAX * 3 ||
	    utf16_units(sname, slen) > STREAMS_NAME_MAX) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	/* stored as one on-disk name */
	if (slen > 255) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	*base = talloc_strndup(mem, name, (size_t)(colon - name));
	*stream = talloc_strndup(mem, sname, slen);
	if (*base == NULL || *stream == NULL) {
		TALLOC_FREE(*base);
		TALLOC_FREE(*stream);
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

/* ---- the store ---- */

char *streams_dir_rel(TALLOC_CTX *mem, dev_t dev, ino_t ino)
{
	return talloc_asprintf(mem, "%s/%llx-%llx", STREAMS_STORE,
			       (unsigned long long)dev,
			       (unsigned long long)ino);
}

void streams_gen_marker(int dirfd, const char *name, char *buf, size_t len)
{
	int flags = name[0] == '\0' ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW;
	struct statx sx = {};

	if (statx(dirfd, name, flags, STATX_BTIME, &sx) == 0 &&
	    (sx.stx_mask & STATX_BTIME) != 0) {
		snprintf(buf, len, ":gen-%llx.%x",
			 (unsigned long long)sx.stx_btime.tv_sec,
			 (unsigned)sx.stx_btime.tv_nsec);
	} else {
		snprintf(buf, len, ":gen-0");
	}
}

/* The generation marker base_fd's per-file directory must hold. */
static void gen_marker(int base_fd, char *buf, size_t len)
{
	streams_gen_marker(base_fd, "", buf, len);
}

/* Is name one of the store's own entries (a marker), not a stream? */
static bool is_internal(const char *name)
{
	return name[0] == ':' || strcmp(name, ".") == 0 ||
	       strcmp(name, "..") == 0;
}

/*
 * Remove every entry of directory dfd (streams and markers). Returns
 * how many streams it held.
 */
static size_t dir_wipe(int dfd)
{
	struct dirent *de = NULL;
	size_t n = 0;
	DIR *d = NULL;
	int fd = dup(dfd);

	if (fd < 0) {
		return 0;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (unlinkat(dfd, de->d_name, 0) == 0 &&
		    de->d_name[0] != ':') {
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Does dfd (a per-file directory) belong to base_fd's file? */
static bool dir_fresh(int dfd, int base_fd)
{
	char marker[64];
	struct stat st;

	gen_marker(base_fd, marker, sizeof(marker));
	return fstatat(dfd, marker, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Open the per-file directory of base: an fd, or -errno (-ENOENT: it has
 * no streams). A stale one is emptied and -ENOENT returned. */
static int dir_open(int root_fd, int base_fd, const struct stat *base)
{
	char *rel = streams_dir_rel(NULL, base->st_dev, base->st_ino);
	int dfd = -ENOMEM;

	if (rel != NULL) {
		dfd = vfs_open_beneath(root_fd, rel, O_RDONLY | O_DIRECTORY |
				       O_NOFOLLOW, 0);
	}
	talloc_free(rel);
	if (dfd >= 0 && !dir_fresh(dfd, base_fd)) {
		/* another file had this inode: its streams go */
		(void)dir_wipe(dfd);
		close(dfd);
		return -ENOENT;
	}
	return dfd;
}

NTSTATUS streams_resolve(TALLOC_CTX *mem, int root_fd, int base_fd,
			 const struct stat *base, const char *name,
			 char **ondisk)
{
	char *dir = streams_dir_rel(mem, base->st_dev, base->st_ino);
	char *rel = NULL;
	NTSTATUS status = NT_STATUS_OK;
	int dfd = -1;

	*ondisk = NULL;
	if (dir == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	rel = talloc_asprintf(mem, "%s/%s", dir, name);
	if (rel == NULL) {
		talloc_free(dir);
		return NT_STATUS_NO_MEMORY;
	}
	dfd = dir_open(root_fd, base_fd, base);
	if (dfd == -ENOENT) {
		talloc_free(dir);
		*ondisk = rel;
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	if (dfd < 0) {
		talloc_free(dir);
		talloc_free(rel);
		return smbd_map_errno(-dfd);
	}
	close(dfd);
	status = vfs_resolve(mem, root_fd, rel, ondisk);
	talloc_free(rel);
	talloc_free(dir);
	return status;
}

/* How many streams directory dfd holds. */
static size_t dir_count(int dfd)
{
	struct dirent *de = NULL;
	size_t n = 0;
	DIR *d = NULL;
	int fd = dup(dfd);

	if (fd < 0) {
		return 0;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_internal(de->d_name)) {
			n++;
		}
	}
	closedir(d);
	return n;
}

int streams_prepare(int root_fd, int base_fd, const struct stat *base)
{
	char key[64];
	char marker[64];
	int sfd = -1;
	int dfd = -1;
	int fd = -1;
	int ret = 0;

	snprintf(key, sizeof(key), "%llx-%llx",
		 (unsigned long long)base->st_dev,
		 (unsigned long long)base->st_ino);
	if (mkdirat(root_fd, STREAMS_STORE, 0700) != 0 && errno != EEXIST) {
		return -errno;
	}
	sfd = vfs_open_beneath(root_fd, STREAMS_STORE,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (sfd < 0) {
		return sfd;
	}
	if (mkdirat(sfd, key, 0700) != 0 && errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	dfd = openat(sfd, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		goto out;
	}
	gen_marker(base_fd, marker, sizeof(marker));
	if (!dir_fresh(dfd, base_fd)) {
		(void)dir_wipe(dfd);
		fd = openat(dfd, marker, O_WRONLY | O_CREAT | O_CLOEXEC |
			    O_NOFOLLOW, 0600);
		if (fd < 0) {
			ret = -errno;
			goto out;
		}
		close(fd);
	}
	if (dir_count(dfd) >= STREAMS_MAX_PER_FILE) {
		ret = -EDQUOT;
	}
out:
	if (dfd >= 0) {
		close(dfd);
	}
	close(sfd);
	return ret;
}

int streams_list(TALLOC_CTX *mem, int root_fd, int base_fd,
		 const struct stat *base, struct streams_entry **out,
		 size_t *n)
{
	struct streams_entry *v = NULL;
	struct dirent *de = NULL;
	DIR *d = NULL;
	int dfd = -1;

	*out = NULL;
	*n = 0;
	dfd = dir_open(root_fd, base_fd, base);
	if (dfd == -ENOENT) {
		return 0;
	}
	if (dfd < 0) {
		return dfd;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL && *n < STREAMS_MAX_PER_FILE) {
		struct streams_entry *nv = NULL;
		struct stat st;

		if (is_internal(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			continue;
		}
		nv = talloc_realloc(mem, v, struct streams_entry, *n + 1);
		if (nv == NULL) {
			goto nomem;
		}
		v = nv;
		v[*n].name = talloc_strdup(v, de->d_name);
		if (v[*n].name == NULL) {
			goto nomem;
		}
		v[*n].size = (uint64_t)st.st_size;
		v[*n].alloc = (uint64_t)st.st_blocks * 512;
		(*n)++;
	}
	closedir(d);
	*out = v;
	return 0;
nomem:
	closedir(d);
	talloc_free(v);
	*n = 0;
	return -ENOMEM;
}

/* The base path of stream open op: its path before the ':'. */
static char *base_path(TALLOC_CTX *mem, const struct smbd_open *op)
{
	const char *colon = strchr(op->path, ':');

	return talloc_strndup(mem, op->path, colon != NULL ?
			      (size_t)(colon - op->path) : strlen(op->path));
}

int streams_base_fd(const struct smbd_open *op, struct stat *st)
{
	int root = op->tree != NULL ? op->tree->root_fd : -1;
	char *base = NULL;
	int fd = -1;

	if (root < 0 || op->stream == NULL) {
		return -EBADF;
	}
	base = base_path(NULL, op);
	if (base == NULL) {
		return -ENOMEM;
	}
	fd = vfs_open_beneath(root, base, O_PATH | O_NOFOLLOW, 0);
	talloc_free(base);
	if (fd < 0) {
		return fd;
	}
	if (fstat(fd, st) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	if (st->st_dev != op->base_dev || st->st_ino != op->base_ino) {
		close(fd);
		return -ENOENT;	/* its base was replaced */
	}
	return fd;
}

int streams_ntinfo(const struct smbd_open *op, struct smbd_ntinfo *ni)
{
	struct smbd_ntinfo own = {};
	struct stat st;
	char *base = base_path(NULL, op);
	int fd = -1;
	int ret = 0;

	if (base == NULL) {
		return -ENOMEM;
	}
	ret = smbd_ntinfo_fd(op->fd, op->path, &own);
	fd = ret == 0 ? streams_base_fd(op, &st) : -1;
	if (ret == 0 && fd < 0) {
		ret = fd;
	}
	if (ret == 0) {
		ret = smbd_ntinfo_fd(fd, base, ni);
	}
	if (ret == 0) {
		/* the stream's own: its data */
		ni->end_of_file = own.end_of_file;
		ni->alloc_size = own.alloc_size;
	}
	if (fd >= 0) {
		close(fd);
	}
	talloc_free(base);
	return ret;
}

int streams_list_open(TALLOC_CTX *mem, const struct smbd_open *op,
		      struct smbd_ntinfo *ni, struct streams_entry **out,
		      size_t *n)
{
	int root = op->tree != NULL ? op->tree->root_fd : -1;
	char *base = NULL;
	struct stat st;
	int fd = op->fd;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (root < 0 || fd < 0) {
		return 0;
	}
	if (op->stream != NULL) {
		base = base_path(NULL, op);
		if (base == NULL) {
			return -ENOMEM;
		}
		fd = streams_base_fd(op, &st);
		if (fd < 0) {
			talloc_free(base);
			return fd;
		}
		ret = smbd_ntinfo_fd(fd, base, ni);
		talloc_free(base);
	} else if (fstat(fd, &st) != 0) {
		ret = -errno;
	}
	if (ret == 0) {
		ret = streams_list(mem, root, fd, &st, out, n);
	}
	if (fd != op->fd) {
		close(fd);
	}
	return ret;
}

int streams_remove_all(int root_fd, dev_t dev, ino_t ino)
{
	char key[64];
	int sfd = -1;
	int dfd = -1;
	int ret = 0;

	snprintf(key, sizeof(key), "%llx-%llx", (unsigned long long)dev,
		 (unsigned long long)ino);
	sfd = vfs_open_beneath(root_fd, STREAMS_STORE,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (sfd < 0) {
		return sfd == -ENOENT ? 0 : sfd;
	}
	dfd = openat(sfd, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (dfd < 0) {
		ret = errno == ENOENT ? 0 : -errno;
		close(sfd);
		return ret;
	}
	(void)dir_wipe(dfd);
	close(dfd);
	if (unlinkat(sfd, key, AT_REMOVEDIR) != 0) {
		ret = -errno;
	}
	close(sfd);
	return ret;
}

int streams_unlink(int root_fd, const struct smbd_open *op, dev_t dev,
		   ino_t ino)
{
	char *dir = streams_dir_rel(NULL, op->base_dev, op->base_ino);
	struct stat st;
	int dfd = -ENOMEM;
	int ret = 0;

	if (dir != NULL) {
		dfd = vfs_open_beneath(root_fd, dir, O_PATH | O_DIRECTORY |
				       O_NOFOLLOW, 0);
	}
	talloc_free(dir);
	if (dfd < 0) {
		return dfd;
	}
	if (fstatat(dfd, op->stream, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		ret = -errno;
	} else if (st.st_dev != dev || st.st_ino != ino) {
		ret = -ESTALE;	/* replaced meanwhile: not ours */
	} else if (unlinkat(dfd, op->stream, 0) != 0) {
		ret = -errno;
	}
	close(dfd);
	return ret;
}

/* ---- stream opens ---- */

/* Stream opens in the process: the base-file share check walks the
 * opens only while this is not zero. */
static size_t streams_nopen;

/*
 * A base file deleted (delete on close) while opens of its streams were
 * left: its name stays, delete-pending to new opens, until the last of
 * them closes [MS-FSA §2.1.5.4]. Few at a time; a list.
 */
struct doomed {
	struct doomed *next;
	dev_t dev;
	ino_t ino;
	int root_fd;		/* the share root (dup) */
	char *path;		/* its name, share-relative */
	char *share_path;	/* for change notification */
};

static struct doomed *doomed_list;

static struct doomed **doomed_find(dev_t dev, ino_t ino)
{
	struct doomed **pd = &doomed_list;

	while (*pd != NULL && ((*pd)->dev != dev || (*pd)->ino != ino)) {
		pd = &(*pd)->next;
	}
	return pd;
}

bool streams_base_doomed(dev_t dev, ino_t ino)
{
	return doomed_list != NULL && *doomed_find(dev, ino) != NULL;
}

struct stream_walk {
	const struct smbd_open *skip;
	dev_t dev;
	ino_t ino;
};

static int stream_of_one(struct smbd_open *o, void *priv)
{
	const struct stream_walk *b = priv;

	return o != b->skip && o->stream != NULL && o->base_dev == b->dev &&
	       o->base_ino == b->ino;
}

/* Is a stream of (dev, ino) open, but skip? */
static bool streams_open_of(struct smbd_server *srv,
			    const struct smbd_open *skip, dev_t dev, ino_t ino)
{
	struct stream_walk b = {
		.skip = skip,
		.dev = dev,
		.ino = ino,
	};

	if (srv == NULL || streams_nopen == 0) {
		return false;
	}
	return smbd_opens_foreach(srv, NULL, stream_of_one, &b) != 0;
}

/* Unlink the name of d if it still names its inode, then its streams. */
static void doomed_finish(struct doomed *d)
{
	const char *leaf = NULL;
	struct stat st;
	int pfd = vfs_open_parent(d->root_fd, d->path, &leaf);

	if (pfd < 0) {
		return;
	}
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == d->dev && st.st_ino == d->ino &&
	    unlinkat(pfd, leaf, 0) == 0) {
		smbd_watch_report(d->share_path, d->path, FILE_ACTION_REMOVED,
				  FILE_NOTIFY_CHANGE_FILE_NAME, true);
		if (st.st_nlink <= 1) {
			(void)streams_remove_all(d->root_fd, d->dev, d->ino);
		}
	}
	close(pfd);
}

static int doomed_destructor(struct doomed *d)
{
	if (d->root_fd >= 0) {
		close(d->root_fd);
	}
	return 0;
}

bool streams_defer_unlink(const struct smbd_open *op, int root_fd)
{
	const struct smbd_file *f = op->file;
	struct doomed *d = NULL;

	if (f == NULL || op->stream != NULL || op->is_dir ||
	    !streams_open_of(f->srv, op, f->dev, f->ino)) {
		return false;
	}
	if (*doomed_find(f->dev, f->ino) != NULL) {
		return true;	/* already waiting */
	}
	d = talloc_zero(NULL, struct doomed);
	if (d == NULL) {
		return false;	/* then at once, as before */
	}
	d->root_fd = -1;
	talloc_set_destructor(d, doomed_destructor);
	d->dev = f->dev;
	d->ino = f->ino;
	d->path = talloc_strdup(d, op->path);
	d->share_path = op->tree != NULL && op->tree->share != NULL ?
			talloc_strdup(d, op->tree->share->path) : NULL;
	d->root_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	if (d->path == NULL || d->root_fd < 0) {
		talloc_free(d);
		return false;
	}
	d->next = doomed_list;
	doomed_list = d;
	return true;
}

static void stream_att_close(struct smbd_open *op, void *priv)
{
	struct doomed **pd = NULL;
	struct doomed *d = NULL;

	(void)priv;
	if (doomed_list != NULL && op->file != NULL) {
		pd = doomed_find(op->base_dev, op->base_ino);
		d = *pd;
	}
	if (d != NULL && !streams_open_of(op->file->srv, op, d->dev,
					  d->ino)) {
		/* the last stream of a deleted base: it goes now */
		*pd = d->next;
		doomed_finish(d);
		talloc_free(d);
	}
	streams_nopen--;
}

static const struct smbd_open_att_ops stream_att_ops = {
	.close = stream_att_close,
};

int streams_open_mark(struct smbd_open *op, const char *base_path,
		      const struct stat *base, const char *stored)
{
	char *path = talloc_asprintf(op, "%s:%s", base_path, stored);
	char *s = talloc_strdup(op, stored);

	if (path == NULL || s == NULL ||
	    smbd_open_attach(op, op, SMBD_OPEN_STAGE_REQUESTS,
			     &stream_att_ops, NULL) == NULL) {
		talloc_free(path);
		talloc_free(s);
		return -ENOMEM;
	}
	streams_nopen++;
	talloc_free(op->path);
	op->path = path;
	op->stream = s;
	op->base_dev = base->st_dev;
	op->base_ino = base->st_ino;
	return 0;
}

struct base_walk {
	dev_t dev;
	ino_t ino;
	uint32_t access;
};

static int base_conflict_one(struct smbd_open *o, void *priv)
{
	const struct base_walk *b = priv;

	if (o->stream == NULL || o->base_dev != b->dev ||
	    o->base_ino != b->ino) {
		return 0;
	}
	return (b->access & SEC_STD_DELETE) != 0 &&
	       (o->share_access & FILE_SHARE_DELETE) == 0;
}

bool streams_base_conflict(struct smbd_server *srv, dev_t dev, ino_t ino,
			   uint32_t access)
{
	struct base_walk b = {
		.dev = dev,
		.ino = ino,
		.access = access,
	};

	if (streams_nopen == 0 || (access & SEC_STD_DELETE) == 0) {
		return false;
	}
	return smbd_opens_foreach(srv, NULL, base_conflict_one, &b) != 0;
}

/* ---- rename of a stream ---- */

/* Point every open of op's stream file (op too) at its new name. */
static NTSTATUS follow_rename(struct smbd_open *op, const char *stored)
{
	struct smbd_file *f = op->file;
	const char *colon = strchr(op->path, ':');
	size_t blen = colon != NULL ? (size_t)(colon - op->path) : 0;
	char *base = talloc_strndup(NULL, op->path, blen);
	size_t n = f != NULL ? f->nopens : 0;
	size_t i = 0;

	if (base == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (i = 0; i < n; i++) {
		struct smbd_open *o = f->opens[i];
		char *p = talloc_asprintf(o, "%s:%s", base, stored);
		char *s = talloc_strdup(o, stored);

		if (p == NULL || s == NULL || o->stream == NULL) {
			talloc_free(p);
			talloc_free(s);
			continue;	/* keeps its old name */
		}
		talloc_free(o->path);
		o->path = p;
		talloc_free(o->stream);
		o->stream = s;
	}
	talloc_free(base);
	return NT_STATUS_OK;
}

/* Copy all of fd's data to out (from offset 0). 0 or -errno. */
static int copy_all(int in, int out)
{
	off_t from = 0, to = 0;
	char buf[65536];

	for (;;) {
		ssize_t n = copy_file_range(in, &from, out, &to, 1 << 30, 0);

		if (n == 0) {
			return 0;
		}
		if (n > 0) {
			continue;
		}
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
		    errno != EOPNOTSUPP) {
			return -errno;
		}
		break;	/* by hand */
	}
	for (;;) {
		ssize_t n = pread(in, buf, sizeof(buf), from);

		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			return 0;
		}
		if (pwrite(out, buf, (size_t)n, to) != n) {
			return -EIO;
		}
		from += n;
		to += n;
	}
}

/*
 * A stream renamed onto the unnamed data stream ("::$DATA", MS-FSA
 * 2.1.5.15.11.1): the file's data becomes the stream's and the stream
 * goes. Done by copying into the base (its inode, and so its other
 * streams, stays) and unlinking the stream's store file. The unnamed
 * stream exists even when empty, so without replace this is always
 * OBJECT_NAME_COLLISION; with it the file must be empty and not open
 * (INVALID_PARAMETER), as a named target stream. op keeps
 * the old stream's data, now nameless, until it closes.
 */
static NTSTATUS rename_to_default(struct smbd_open *op, bool replace)
{
	struct smbd_server *srv = op->file != NULL ? op->file->srv : NULL;
	char proc[64];
	struct stat st;
	int root = op->tree->root_fd;
	int bfd = streams_base_fd(op, &st);
	int in = -1, out = -1;
	int ret = 0;

	if (bfd < 0) {
		return smbd_map_errno(-bfd);
	}
	if (!replace) {
		/* the unnamed data stream always exists, even empty */
		close(bfd);
		return NT_STATUS_OBJECT_NAME_COLLISION;
	}
	if (st.st_size != 0 || (srv != NULL &&
				smbd_file_find(srv, st.st_dev, st.st_ino) !=
				NULL)) {
		/* as for a named target (streams_rename): it must be
		 * empty and not open, MS-FSA 2.1.5.15.11.1 */
		close(bfd);
		return NT_STATUS_INVALID_PARAMETER;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", bfd);
	out = open(proc, O_WRONLY | O_TRUNC | O_CLOEXEC);
	close(bfd);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", op->fd);
	in = open(proc, O_RDONLY | O_CLOEXEC);
	if (out < 0 || in < 0) {
		ret = -errno;
	} else {
		ret = copy_all(in, out);
	}
	if (in >= 0) {
		close(in);
	}
	if (out >= 0) {
		close(out);
	}
	if (ret == 0 && op->file != NULL) {
		ret = streams_unlink(root, op, op->file->dev, op->file->ino);
	}
	return ret == 0 ? NT_STATUS_OK : smbd_map_errno(-ret);
}

NTSTATUS streams_rename(struct smbd_open *op, const char *newname,
			bool replace)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *full = NULL, *base = NULL, *sname = NULL;
	char *dir = NULL, *rel = NULL, *ondisk = NULL;
	const char *leaf = NULL;
	NTSTATUS status = NT_STATUS_OK;
	struct stat st;
	int root = op->tree != NULL ? op->tree->root_fd : -1;
	int dfd = -1;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (op->stream != NULL && newname[0] != ':') {
		/* "<file>:<stream>": a stream cannot move to a file, and
		 * the file's name is open (ours): what Windows answers */
		talloc_free(tmp);
		return NT_STATUS_SHARING_VIOLATION;
	}
	full = talloc_asprintf(tmp, "x%s", newname);
	if (full == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto done;
	}
	status = streams_split(tmp, full, &base, &sname);
	if (status != NT_STATUS_OK) {
		goto done;
	}
	if (op->stream == NULL || root < 0 || sname == NULL) {
		status = NT_STATUS_INVALID_PARAMETER;
		goto done;
	}
	if (sname[0] == '\0') {
		status = rename_to_default(op, replace);
		goto done;
	}
	dir = streams_dir_rel(tmp, op->base_dev, op->base_ino);
	rel = dir != NULL ? talloc_asprintf(tmp, "%s/%s", dir, sname) : NULL;
	if (rel == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto done;
	}
	status = vfs_resolve(tmp, root, rel, &ondisk);
	leaf = strrchr(ondisk != NULL ? ondisk : rel, '/') + 1;
	if (status == NT_STATUS_OK) {
		bool found = false;

		dfd = vfs_open_beneath(root, dir, O_PATH | O_DIRECTORY, 0);
		found = dfd >= 0 && fstatat(dfd, leaf, &st,
					    AT_SYMLINK_NOFOLLOW) == 0;
		if (found && op->file != NULL && st.st_ino == op->file->ino &&
		    st.st_dev == op->file->dev) {
			leaf = sname;	/* a change of case only */
		} else if (!replace) {
			status = NT_STATUS_OBJECT_NAME_COLLISION;
			goto done;
		} else if (found && (st.st_size != 0 ||
				     smbd_file_find(op->file->srv, st.st_dev,
						    st.st_ino) != NULL)) {
			/* MS-FSA 2.1.5.15.11.1: only an empty target
			 * stream that nobody has open is replaced */
			status = NT_STATUS_INVALID_PARAMETER;
			goto done;
		}
	} else if (status != NT_STATUS_OBJECT_NAME_NOT_FOUND) {
		goto done;
	}
	if (dfd < 0) {
		dfd = vfs_open_beneath(root, dir, O_PATH | O_DIRECTORY, 0);
	}
	if (dfd < 0) {
		status = smbd_map_errno(-dfd);
		goto done;
	}
	if (strcmp(leaf, op->stream) == 0) {
		status = NT_STATUS_OK;	/* renamed to itself */
		goto done;
	}
	if (renameat(dfd, op->stream, dfd, leaf) != 0) {
		status = smbd_map_errno(errno);
		goto done;
	}
	status = follow_rename(op, leaf);
done:
	if (dfd >= 0) {
		close(dfd);
	}
	talloc_free(tmp);
	return status;
}

/* ---- for the front ends ---- */

/* streams.h */
NTSTATUS streams_create_base(struct smbd_tree *tree, const char *ondisk,
			     bool readonly)
{
	const char *leaf = NULL;
	int pfd = -1;
	int fd = -1;

	if (tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	pfd = vfs_open_parent(tree->root_fd, ondisk, &leaf);
	if (pfd < 0) {
		return smbd_map_errno_in(SMBD_ERRMAP_PARENT, -pfd);
	}
	fd = smbd_create_leaf(pfd, leaf, false, readonly);
	close(pfd);
	if (fd < 0) {
		return smbd_map_errno(-fd);
	}
	close(fd);
	return NT_STATUS_OK;
}

/* One FILE_STREAM_INFORMATION entry [MS-FSCC §2.4.43]; *prev is the
 * offset of the one before (SIZE_MAX: none), for its NextEntryOffset. */
static void put_stream_entry(struct wire_wr *w, size_t *prev,
			     const char *name, uint64_t size, uint64_t alloc)
{
	if (*prev != SIZE_MAX) {
		wire_put_align(w, 8);
		wire_patch_u32le(w, *prev, (uint32_t)(w->len - *prev));
	}
	*prev = w->len;
	wire_put_u32le(w, 0);		/* NextEntryOffset */
	wire_put_u32le(w, (uint32_t)utf16_len_of_utf8(name));
	wire_put_u64le(w, size);
	wire_put_u64le(w, alloc);
	wire_put_utf16(w, name);
}

/* streams.h */
NTSTATUS streams_put_info(struct wire_wr *w, const struct smbd_open *op,
			  const struct smbd_ntinfo *ni)
{
	struct streams_entry *v = NULL;
	struct smbd_ntinfo base = *ni;
	size_t prev = SIZE_MAX;
	size_t n = 0;
	size_t i = 0;
	int ret = 0;

	ret = streams_list_open(w->buf, op, &base, &v, &n);
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	if (!base.is_dir) {
		put_stream_entry(w, &prev, "::$DATA", base.end_of_file,
				 base.alloc_size);
	}
	for (i = 0; i < n; i++) {
		char *name = talloc_asprintf(v, ":%s:$DATA", v[i].name);

		if (name == NULL) {
			talloc_free(v);
			return NT_STATUS_NO_MEMORY;
		}
		put_stream_entry(w, &prev, name, v[i].size, v[i].alloc);
	}
	talloc_free(v);
	return NT_STATUS_OK;
}

/* streams.h */
int streams_open_ntinfo(const struct smbd_open *op, struct smbd_ntinfo *ni)
{
	return op->stream != NULL ? streams_ntinfo(op, ni) :
	       smbd_ntinfo_fd(op->fd, op->path, ni);
}
