/*
 * openpath.c - the file system core of an open by name (openpath.h),
 * moved from smb2/cmd/create.c so that the SMB1 front end opens files
 * the same way.
 */
#include "smbd/fs/openpath.h"
#include "smbd/fs/open.h"
#include "smbd/fs/vfs.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/lease.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/wtime.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/workers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FILE_GENERIC_READ_ALL	0x00120089u
#define FILE_GENERIC_WRITE_ALL	0x00120116u
#define FILE_GENERIC_EXEC_ALL	0x001200A0u

/* Everything a read-only share or file cannot grant */
#define WRITE_ACCESS	(FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | \
			 FILE_WRITE_ATTRIBUTES | FILE_DELETE_CHILD | \
			 SEC_STD_DELETE | SEC_STD_WRITE_DAC | \
			 SEC_STD_WRITE_OWNER)

/* Largest AllocationSize ("AlSi") we preallocate for */
#define CREATE_MAX_PREALLOC		(1024ULL * 1024 * 1024)

/* May we (effective ids, ACLs, read-only mounts) access fd with mode? */
bool smbd_fd_may(int fd, int mode)
{
	long rc = syscall(SYS_faccessat2, fd, "", mode,
			  AT_EMPTY_PATH | AT_EACCESS);

	if (rc == 0) {
		return true;
	}
	/* no faccessat2: let the open itself decide */
	return errno == ENOSYS;
}

bool smbd_dir_is_empty(int fd)
{
	struct dirent *de = NULL;
	bool empty = true;
	DIR *d = NULL;
	int dfd = -1;

	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		return false;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* List what directory fd holds into l (a worker may call it). */
void smbd_dir_list_left(int fd, struct smbd_dir_left *l)
{
	struct dirent *de = NULL;
	struct stat st;
	DIR *d = NULL;
	int dfd = -1;

	memset(l, 0, sizeof(*l));
	l->more = true;		/* unreadable: not empty */
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		return;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	l->more = false;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (l->n == SMBD_DIR_LEFT_MAX ||
		    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0) {
			l->more = true;
			break;
		}
		l->dev[l->n] = st.st_dev;
		l->ino[l->n] = st.st_ino;
		l->n++;
	}
	closedir(d);
}

/*
 * May a delete on close be asked for a directory holding l? Only if
 * every entry is delete-pending already (it goes when its last open
 * does): smbtorture smb2.notify.rec and mask-change rmdir a directory
 * whose subdirectory was rmdir'ed while another handle held it open.
 * If the entry is still there at the close, the directory stays and the
 * close succeeds [MS-FSA §2.1.5.5 phase 1].
 */
bool smbd_dir_left_empty(struct smbd_server *srv,
			 const struct smbd_dir_left *l)
{
	const struct smbd_file *f = NULL;
	size_t i = 0;

	if (l->more) {
		return false;
	}
	for (i = 0; i < l->n; i++) {
		f = smbd_file_find(srv, l->dev[i], l->ino[i]);
		if (f == NULL || !f->delete_pending) {
			return false;
		}
	}
	return true;
}

/*
 * May we unlink the name whose parent is pfd and whose inode is fd?
 * unlink(2) wants a writable, searchable parent, and in a sticky
 * directory (/tmp-like shares) to own the file or the directory.
 */
bool smbd_may_unlink(int pfd, int fd)
{
	struct stat pst, st;
	uid_t me = 0;

	if (!smbd_fd_may(pfd, W_OK | X_OK)) {
		return false;
	}
	if (fstat(pfd, &pst) != 0 || !(pst.st_mode & S_ISVTX)) {
		return true;
	}
	/* only a sticky folder asks who we are */
	me = geteuid();
	if (me == 0) {
		return true;
	}
	return pst.st_uid == me || (fstat(fd, &st) == 0 && st.st_uid == me);
}

static uid_t our_euid(void);

/*
 * Read and write access to fd (st its stat, or NULL) into acc. Ours
 * with the owner's read and write bits set, both are allowed without
 * asking the kernel: for the file's owner it looks only at those bits
 * (a POSIX ACL's owner entry is them) and capabilities only add. A
 * read-only mount, an immutable file or a security module refusing is
 * then left to the open itself, as faccessat2 without AT_EACCESS
 * support is (smbd_fd_may).
 */
static void probe_rw(int fd, const struct stat *st, struct smbd_fs_access *acc)
{
	if (st != NULL && S_ISREG(st->st_mode) && st->st_uid == our_euid() &&
	    (st->st_mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR)) {
		acc->read = true;
		acc->write = true;
		return;
	}
	/* one call where both are allowed (the check is of the whole
	 * mask), the two apart only when one of them is not */
	if (smbd_fd_may(fd, R_OK | W_OK)) {
		acc->read = true;
		acc->write = true;
	} else {
		acc->read = smbd_fd_may(fd, R_OK);
		acc->write = smbd_fd_may(fd, W_OK);
	}
}

/*
 * Our effective uid once it is not root's: the daemon drops root before
 * it serves anyone and never changes its uid again (smbd/daemon), so a
 * value other than 0 is kept; 0 (still starting) is asked every time.
 */
static uid_t our_euid(void)
{
	static _Atomic unsigned long kept;	/* uid + 1, 0 if not kept */
	unsigned long v = atomic_load_explicit(&kept, memory_order_relaxed);
	uid_t me = 0;

	if (v != 0) {
		return (uid_t)(v - 1);
	}
	me = geteuid();
	if (me != 0) {
		atomic_store_explicit(&kept, (unsigned long)me + 1,
				      memory_order_relaxed);
	}
	return me;
}

void smbd_fs_probe_new(int pfd, int fd, const struct stat *st,
		       struct smbd_fs_access *acc)
{
	probe_rw(fd, st, acc);
	if (!smbd_fd_may(pfd, W_OK | X_OK)) {
		acc->unlink = false;
	} else if (st->st_uid == our_euid()) {
		acc->unlink = true;	/* ours: sticky or not */
	} else {
		acc->unlink = smbd_may_unlink(pfd, fd);
	}
}

/* Probe fd (named ondisk beneath root_fd); blocking, thread-safe. */
void smbd_fs_probe(int root_fd, int fd, const char *ondisk,
		   bool want_unlink, struct smbd_fs_access *acc)
{
	smbd_fs_probe_st(root_fd, fd, NULL, ondisk, want_unlink, acc);
}

void smbd_fs_probe_st(int root_fd, int fd, const struct stat *st,
		      const char *ondisk, bool want_unlink,
		      struct smbd_fs_access *acc)
{
	const char *leaf = NULL;
	int pfd = -1;

	probe_rw(fd, st, acc);
	acc->unlink = false;
	if (!want_unlink || ondisk[0] == '\0') {
		return;		/* the share root is never deleted */
	}
	if (strchr(ondisk, '/') == NULL) {
		/* the parent is the root, which root_fd is already */
		acc->unlink = smbd_may_unlink(root_fd, fd);
		return;
	}
	pfd = vfs_open_parent(root_fd, ondisk, &leaf);
	if (pfd >= 0) {
		acc->unlink = smbd_may_unlink(pfd, fd);
		close(pfd);
	}
}

/*
 * The most a client may get on an object: the tree's maximal access less
 * what the share's read-only flag and the filesystem (acc) forbid.
 */
uint32_t smbd_maximal_access(const struct smbd_tree *tree,
			     const struct smbd_fs_access *acc, bool is_dir)
{
	uint32_t max = tree->maximal_access;

	if (max == 0) {
		max = FILE_ALL_ACCESS;
	}
	if (tree->read_only) {
		max &= ~WRITE_ACCESS;
	}
	if (!acc->read) {
		max &= ~(FILE_READ_DATA | FILE_EXECUTE);
	}
	if (!acc->write) {
		max &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
		if (is_dir) {
			max &= ~FILE_DELETE_CHILD;
		}
	}
	if (!acc->unlink) {
		max &= ~SEC_STD_DELETE;
	}
	return max;
}

uint32_t smbd_map_generic(uint32_t a)
{
	if (a & SEC_GENERIC_READ) {
		a |= FILE_GENERIC_READ_ALL;
	}
	if (a & SEC_GENERIC_WRITE) {
		a |= FILE_GENERIC_WRITE_ALL;
	}
	if (a & SEC_GENERIC_EXECUTE) {
		a |= FILE_GENERIC_EXEC_ALL;
	}
	if (a & SEC_GENERIC_ALL) {
		a |= FILE_ALL_ACCESS;
	}
	return a & ~(SEC_GENERIC_READ | SEC_GENERIC_WRITE |
		     SEC_GENERIC_EXECUTE | SEC_GENERIC_ALL);
}

/* Requested access (generic and MAXIMUM_ALLOWED resolved) against max. */
NTSTATUS smbd_grant_access(uint32_t desired, uint32_t max,
			   uint32_t *granted)
{
	uint32_t want = smbd_map_generic(desired) & ~SEC_FLAG_MAXIMUM_ALLOWED;

	if ((want & ~max) & SEC_FLAG_SYSTEM_SECURITY) {
		return NT_STATUS_PRIVILEGE_NOT_HELD;	/* fs/acl.c adds it */
	}
	if (want & ~max) {
		return NT_STATUS_ACCESS_DENIED;
	}
	*granted = want;
	if (desired & SEC_FLAG_MAXIMUM_ALLOWED) {
		*granted |= max;
	}
	return NT_STATUS_OK;
}

/* Delete on close asked at open time [MS-FSA §2.1.5.1.2.1]. */
NTSTATUS smbd_create_check_doc(uint32_t granted, const struct stat *st,
			       const char *ondisk)
{
	if ((granted & SEC_STD_DELETE) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (ondisk[0] == '\0') {
		return NT_STATUS_CANNOT_DELETE;
	}
	if (S_ISDIR(st->st_mode)) {
		return NT_STATUS_OK;	/* empty or not: see open.h */
	}
	if ((st->st_mode & S_IWUSR) == 0) {
		return NT_STATUS_CANNOT_DELETE;	/* FILE_ATTRIBUTE_READONLY */
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_overwrite_check_attrs(int fd, uint32_t attrs, bool *stored)
{
	const uint32_t sticky = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM;
	struct smbd_stat sx = {};

	*stored = false;
	if (smbd_stat_fd(fd, &sx) != 0 || !sx.have_attrs) {
		return NT_STATUS_OK;
	}
	*stored = true;
	if ((sx.stored_attrs & sticky & ~attrs) != 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	return NT_STATUS_OK;
}

void smbd_overwrite_set_attrs(int fd, const struct stat *st, bool stored,
			      uint32_t attrs)
{
	uint32_t keep = (attrs | FILE_ATTRIBUTE_ARCHIVE) & SMBD_STORED_ATTRS;

	/* nothing stored and nothing but ARCHIVE asked: what the file
	 * shows by default already (as a create stores nothing then) */
	if (stored || (keep & ~FILE_ATTRIBUTE_ARCHIVE) != 0) {
		(void)smbd_store_dos_info(fd, NULL, &keep);
	}
	/* stored first: the xattr needs the write bit */
	if ((attrs & FILE_ATTRIBUTE_READONLY) != 0) {
		(void)fchmod(fd, st->st_mode & 07777 & ~(mode_t)0222);
	}
}

/* AllocationSize of a new or overwritten file: best effort. */
void smbd_create_prealloc(int fd, uint64_t size)
{
	if (size == 0 || size > CREATE_MAX_PREALLOC) {
		return;
	}
	(void)fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size);
}

/*
 * A worker's truncate of an overwritten file (to 0) or a SET_INFO's cut
 * (to len): it owns a dup of the fd.
 */
struct trunc_job {
	int fd;
	uint64_t len;
	uint64_t alloc_size;
};

static int trunc_job_destructor(struct trunc_job *t)
{
	if (t->fd >= 0) {
		close(t->fd);
	}
	return 0;
}

/* Worker thread: 0 or -errno. */
static int trunc_job_run(void *p)
{
	struct trunc_job *t = p;
	struct stat st = {};
	bool marked = false;
	int rc = 0;

	/* the loops' stats of it skip FIEMAP meanwhile (fileinfo.h) */
	marked = fstat(t->fd, &st) == 0 && smbd_truncating_begin(&st);
	if (ftruncate(t->fd, (off_t)t->len) != 0) {
		rc = -errno;
	}
	if (marked) {
		smbd_truncating_end(&st);
	}
	if (rc == 0) {
		smbd_create_prealloc(t->fd, t->alloc_size);
	}
	return rc;
}

static struct tevent_req *trunc_job_send(TALLOC_CTX *mem,
					 struct tevent_context *ev,
					 struct smbd_workers *w,
					 const void *owner, int fd,
					 uint64_t len, uint64_t alloc_size)
{
	struct trunc_job *t = NULL;
	struct tevent_req *req = NULL;

	t = talloc_zero(mem, struct trunc_job);
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->fd = -1;
	talloc_set_destructor(t, trunc_job_destructor);
	t->len = len;
	t->alloc_size = alloc_size;
	t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (t->fd < 0) {
		int err = errno;

		talloc_free(t);
		errno = err;
		return NULL;
	}
	req = smbd_job_send(mem, ev, w, owner, trunc_job_run, t);
	if (req == NULL) {
		talloc_free(t);
		errno = ENOMEM;
	}
	return req;
}

struct tevent_req *smbd_trunc_send(TALLOC_CTX *mem, struct tevent_context *ev,
				   struct smbd_workers *w, const void *owner,
				   int fd, uint64_t alloc_size)
{
	return trunc_job_send(mem, ev, w, owner, fd, 0, alloc_size);
}

bool smbd_fd_is_big(int fd)
{
	struct stat st = {};

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_blocks * 512 >= SMBD_TRUNC_OFFLOAD_MIN;
}

int smbd_hold_big(int dirfd, const char *leaf)
{
	int fd = openat(dirfd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && !smbd_fd_is_big(fd)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

bool smbd_cut_is_big(uint64_t size, uint64_t len)
{
	return size > len && size - len >= SMBD_TRUNC_OFFLOAD_MIN;
}

bool smbd_cut_offload(int fd, uint64_t len)
{
	struct stat st = {};

	return fstat(fd, &st) == 0 && st.st_size >= 0 &&
	       smbd_cut_is_big((uint64_t)st.st_size, len);
}

struct tevent_req *smbd_cut_send(TALLOC_CTX *mem, struct tevent_context *ev,
				 struct smbd_workers *w, const void *owner,
				 int fd, uint64_t len)
{
	return trunc_job_send(mem, ev, w, owner, fd, len, 0);
}

int smbd_trunc_recv(struct tevent_req *req)
{
	void *arg = NULL;
	int ret = smbd_job_recv(req, NULL, &arg);

	talloc_free(arg);	/* closes the dup */
	return ret;
}

NTSTATUS smbd_trunc_open_find(struct smbd_server *srv,
			      const struct smbd_tree *tree, uint64_t fid,
			      int ret, const uint8_t *lease_guid,
			      const uint8_t *lease_key, struct smbd_open **pop)
{
	struct smbd_open *op = smbd_open_find(srv, fid);

	*pop = NULL;
	if (op == NULL || op->tree != tree) {
		return NT_STATUS_FILE_CLOSED;
	}
	if (ret < 0) {
		talloc_free(op);
		return smbd_map_errno(-ret);
	}
	if (op->file != NULL && op->file->nopens > 1) {
		(void)smbd_oplock_break_lease(op->file, op, lease_guid,
					      lease_key,
					      SMBD_OPLOCK_OP_OVERWRITE, 0);
	}
	*pop = op;
	return NT_STATUS_OK;
}

/*
 * The fd an existing file is kept open with: a readable directory fd, a
 * file fd with the access the handle needs (O_PATH when the handle needs
 * no data and we may not read it).
 */
int smbd_open_data_fd(int root_fd, const char *ondisk, bool is_dir,
		      uint32_t granted, uint32_t max, bool truncate)
{
	bool need_w = truncate ||
		      (granted & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
	bool can_r = (max & FILE_READ_DATA) != 0;
	int flags = 0;
	int fd = -1;

	if (is_dir) {
		fd = vfs_open_beneath(root_fd, ondisk, O_RDONLY | O_DIRECTORY,
				      0);
		if (fd == -EACCES && (granted & FILE_LIST_DIRECTORY) == 0) {
			fd = vfs_open_beneath(root_fd, ondisk,
					      O_PATH | O_DIRECTORY, 0);
		}
		return fd;
	}
	if (need_w) {
		flags = can_r ? O_RDWR : O_WRONLY;
	} else {
		flags = can_r ? O_RDONLY : O_PATH;
	}
	if (flags != O_PATH) {
		/* openat2() refuses these with O_PATH (EINVAL) */
		flags |= O_NOCTTY | O_NONBLOCK;
	}
	return vfs_open_beneath(root_fd, ondisk, flags, 0);
}

/* mkdir or O_CREAT|O_EXCL the leaf under its parent; returns fd/-errno. */
int smbd_create_leaf(int pfd, const char *leaf, bool is_dir, bool ro)
{
	struct stat st;
	int fd = -1;

	if (is_dir) {
		if (mkdirat(pfd, leaf, 0777) != 0) {
			return -errno;
		}
		fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			unlinkat(pfd, leaf, AT_REMOVEDIR);
		}
		return fd;
	}
	fd = openat(pfd, leaf, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_NOCTTY | O_CLOEXEC, 0666);
	if (fd < 0) {
		return -errno;
	}
	/* FILE_ATTRIBUTE_READONLY: drop the write bits; our fd keeps
	 * write access */
	if (ro && fstat(fd, &st) == 0) {
		(void)fchmod(fd, st.st_mode & ~(mode_t)0222);
	}
	return fd;
}


NTSTATUS smbd_open_set_delete_pending(struct smbd_open *op, bool pending)
{
	struct stat st;

	if ((op->access & SEC_STD_DELETE) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->file == NULL || op->fd < 0) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (!pending) {
		/* the file's mark only: the open's create-time delete on
		 * close stays and marks it again at its close [MS-FSA
		 * §2.1.5.15.3, §2.1.5.5] (smbtorture base.delete.deltest24) */
		op->file->delete_pending = false;
		return NT_STATUS_OK;
	}
	if (op->path[0] == '\0') {
		return NT_STATUS_CANNOT_DELETE;
	}
	if (fstat(op->fd, &st) != 0) {
		return smbd_map_errno(errno);
	}
	if (S_ISDIR(st.st_mode)) {
		if (!smbd_dir_is_empty(op->fd)) {
			return NT_STATUS_DIRECTORY_NOT_EMPTY;
		}
	} else if ((st.st_mode & S_IWUSR) == 0) {
		return NT_STATUS_CANNOT_DELETE;
	}
	op->file->delete_pending = true;
	smbd_file_signal_delete_pending(op->file);
	return NT_STATUS_OK;
}

/* ---- FileBasicInformation through an open ---- */

/* Path under /proc that reaches an fd, for calls that refuse O_PATH. */
static void proc_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static int fd_utimens(int fd, const struct timespec ts[2])
{
	char path[64];

	if (futimens(fd, ts) == 0) {
		return 0;
	}
	if (errno != EBADF) {
		return -errno;
	}
	proc_fd_path(fd, path, sizeof(path));
	if (utimensat(AT_FDCWD, path, ts, 0) != 0) {
		return -errno;
	}
	return 0;
}

static int fd_chmod(int fd, mode_t mode)
{
	char path[64];

	if (fchmod(fd, mode) == 0) {
		return 0;
	}
	if (errno != EBADF) {
		return -errno;
	}
	proc_fd_path(fd, path, sizeof(path));
	if (chmod(path, mode) != 0) {
		return -errno;
	}
	return 0;
}

/* ---- FileBasicInformation ---- */

/* 0 and -1 (and -2, SMB 3.x "resume") leave a time alone. */
static NTSTATUS basic_time(uint64_t v, struct timespec *ts)
{
	int64_t nt = (int64_t)v;

	if (nt == 0 || nt == -1 || nt == -2) {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_OMIT;
		return NT_STATUS_OK;
	}
	if (!smbd_nt_timespec(nt, ts)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/* A time field that is to be set (not 0, -1 or -2). */
static bool basic_time_given(uint64_t v)
{
	int64_t nt = (int64_t)v;

	return nt != 0 && nt != -1 && nt != -2;
}

/*
 * Keep the creation time and attributes Linux has no place for (see
 * fileinfo.h). A file system without user xattrs just keeps reporting
 * what it can.
 */
static void basic_store(struct smbd_open *op, const uint64_t *create,
			const uint32_t *attrs)
{
	int ret = 0;

	if (create == NULL && attrs == NULL) {
		return;
	}
	ret = smbd_store_dos_info(op->fd, create, attrs);
	if (ret != 0) {
		DBG_DEBUG(VFS, "%s: times/attributes not kept: %s", op->path,
			  strerror(-ret));
	}
}

/*
 * Creation time and attributes. READONLY is the owner write bit (files
 * only, see smbd_dos_attrs()); storing needs write permission, so it
 * happens while the file is writable.
 */
static NTSTATUS basic_attrs(struct smbd_open *op, uint64_t create,
			    uint32_t attrs)
{
	const uint64_t *pc = basic_time_given(create) ? &create : NULL;
	const uint32_t *pa = attrs != 0 ? &attrs : NULL;
	struct stat st = {};
	mode_t mode = 0;
	int ret = 0;

	if ((attrs & FILE_ATTRIBUTE_DIRECTORY) != 0 && !op->is_dir) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (pa == NULL || op->is_dir) {
		basic_store(op, pc, pa);
		return NT_STATUS_OK;
	}
	if (fstat(op->fd, &st) != 0) {
		return smbd_map_errno(errno);
	}
	mode = st.st_mode & 07777;
	if ((attrs & FILE_ATTRIBUTE_READONLY) != 0) {
		basic_store(op, pc, pa);
		mode &= ~(mode_t)S_IWUSR;
	} else {
		mode |= S_IWUSR;
	}
	if (mode != (st.st_mode & 07777)) {
		ret = fd_chmod(op->fd, mode);
	}
	if ((attrs & FILE_ATTRIBUTE_READONLY) == 0) {
		basic_store(op, pc, pa);
	}
	return ret == 0 ? NT_STATUS_OK : smbd_map_errno(-ret);
}

/*
 * What a FileBasicInformation set reports to change notify [MS-FSA
 * 2.1.5.14.2]: one kind per field given; a ChangeTime alone, none.
 */
static uint32_t basic_filter(uint64_t create, uint64_t access,
			     uint64_t write, uint32_t attrs)
{
	uint32_t filter = 0;

	if (basic_time_given(create)) {
		filter |= FILE_NOTIFY_CHANGE_CREATION;
	}
	if (basic_time_given(access)) {
		filter |= FILE_NOTIFY_CHANGE_LAST_ACCESS;
	}
	if (basic_time_given(write)) {
		filter |= FILE_NOTIFY_CHANGE_LAST_WRITE;
	}
	if (attrs != 0) {
		filter |= FILE_NOTIFY_CHANGE_ATTRIBUTES;
	}
	return filter;
}

/* smbd_open_set_basic on the object op->fd is open on */
static NTSTATUS set_basic(struct smbd_open *op, uint64_t create,
			  uint64_t access, uint64_t write, uint64_t change,
			  uint32_t attrs)
{
	struct timespec ts[2] = {};
	NTSTATUS status = NT_STATUS_OK;
	bool keep_change = false;
	int ret = 0;

	status = basic_time(access, &ts[0]);
	if (status == NT_STATUS_OK) {
		status = basic_time(write, &ts[1]);
	}
	if (status == NT_STATUS_OK &&
	    ((int64_t)create < -2 || (int64_t)change < -2)) {
		status = NT_STATUS_INVALID_PARAMETER;
	}
	if (op->is_dir && (attrs & FILE_ATTRIBUTE_TEMPORARY)) {
		status = NT_STATUS_INVALID_PARAMETER;	/* as at CREATE */
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* A ChangeTime set before stays through what we change now. */
	if (!basic_time_given(change)) {
		keep_change = smbd_remembered_change_time(op->fd, &change);
	}
	smbd_wtime_flush(op);	/* a held write time update first */
	if (ts[0].tv_nsec != UTIME_OMIT || ts[1].tv_nsec != UTIME_OMIT) {
		ret = fd_utimens(op->fd, ts);
		if (ret != 0) {
			return smbd_map_errno(-ret);
		}
	}
	if (ts[1].tv_nsec != UTIME_OMIT) {
		smbd_wtime_set_explicit(op);	/* it stays (wtime.h) */
	}
	status = basic_attrs(op, create, attrs);
	/* ChangeTime last: every change above moved ctime. */
	if (keep_change || basic_time_given(change)) {
		smbd_store_change_time(op->fd, change);
	}
	smbd_watch_modified(op, basic_filter(create, access, write, attrs));
	return status;
}

NTSTATUS smbd_open_set_basic(struct smbd_open *op, uint64_t create,
			     uint64_t access, uint64_t write, uint64_t change,
			     uint32_t attrs)
{
	NTSTATUS status = NT_STATUS_OK;
	struct stat st;
	int own = op->fd;
	int fd = -1;

	if (op->stream == NULL) {
		return set_basic(op, create, access, write, change, attrs);
	}
	/* a stream's times and attributes are its base file's: the same
	 * change, made through the base's fd */
	fd = streams_base_fd(op, &st);
	if (fd < 0) {
		return smbd_map_errno(-fd);
	}
	op->fd = fd;
	status = set_basic(op, create, access, write, change, attrs);
	op->fd = own;
	close(fd);
	return status;
}

void smbd_open_set_size_begin(struct smbd_open *op, struct smbd_wtime_io *io)
{
	smbd_wtime_flush(op);	/* a held write time update first */
	smbd_wtime_size_begin(op, io);
}

int smbd_open_set_size_end(struct smbd_open *op,
			   const struct smbd_wtime_io *io, int ret)
{
	smbd_wtime_write_end(op, io);	/* a time set through op stays */
	if (ret != 0 || op == NULL) {
		return ret;
	}
	/* a size change; the ARCHIVE attribute is set with it (fs/watch.h) */
	smbd_watch_modified(op, FILE_NOTIFY_CHANGE_SIZE |
			    FILE_NOTIFY_CHANGE_ATTRIBUTES);
	return 0;
}

int smbd_open_set_size(struct smbd_open *op, uint64_t len)
{
	struct smbd_wtime_io io;
	int ret = 0;

	smbd_open_set_size_begin(op, &io);
	if (ftruncate(op->fd, (off_t)len) != 0) {
		ret = -errno;
	}
	return smbd_open_set_size_end(op, &io, ret);
}

/* ---- renaming through an open ---- */

typedef bool (*open_pred)(const struct smbd_open *o, const char *path,
			  size_t len);

static bool open_is(const struct smbd_open *o, const char *path, size_t len)
{
	return strcmp(o->path, path) == 0;
}

static bool open_is_under(const struct smbd_open *o, const char *path,
			  size_t len)
{
	return strncmp(o->path, path, len) == 0 && o->path[len] == '/';
}

/*
 * Renaming a file acts as if its directory were opened for FILE_ADD_FILE
 * sharing read and write but not delete (what Windows answers in
 * smbtorture smb2.rename and smb2.notify.rec). So an open of that
 * directory conflicts if it has DELETE access or does not share write.
 * Opens for attributes only take no part in sharing checks (Word's save
 * sequence holds one).
 */
static bool open_blocks_rename_in(const struct smbd_open *o,
				  const char *dir, size_t len)
{
	const uint32_t shared = FILE_READ_DATA | FILE_WRITE_DATA |
				FILE_APPEND_DATA | FILE_EXECUTE |
				SEC_STD_DELETE;

	if (!o->is_dir || strcmp(o->path, dir) != 0 ||
	    (o->access & shared) == 0) {
		return false;
	}
	return (o->access & SEC_STD_DELETE) != 0 ||
	       (o->share_access & FILE_SHARE_WRITE) == 0;
}

struct match_walk {
	open_pred pred;
	const char *path;
	size_t len;
};

static int match_one(struct smbd_open *o, void *priv)
{
	const struct match_walk *m = priv;

	return o->path != NULL && m->pred(o, m->path, m->len);
}

/* Is there an open other than self on share, for which pred holds? */
static bool opens_match(struct smbd_server *srv, const struct smbd_open *self,
			open_pred pred, const char *path)
{
	struct match_walk m = {
		.pred = pred,
		.path = path,
		.len = strlen(path),
	};
	struct smbd_opens_filter f = {
		.share_path = self->tree->share->path,
		.except = self,
	};

	return smbd_opens_foreach(srv, &f, match_one, &m) != 0;
}

/* The directory part of a rel path ("" for the share root). */
static char *parent_of(TALLOC_CTX *mem, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		return talloc_strdup(mem, "");
	}
	return talloc_strndup(mem, path, (size_t)(slash - path));
}

/* The on-disk parent of path ("" for the root) plus leaf of rel. */
static char *with_client_leaf(TALLOC_CTX *mem, const char *ondisk,
			      const char *rel)
{
	const char *slash = strrchr(ondisk, '/');
	const char *leaf = strrchr(rel, '/');

	leaf = leaf != NULL ? leaf + 1 : rel;
	if (slash == NULL) {
		return talloc_strdup(mem, leaf);
	}
	return talloc_asprintf(mem, "%.*s/%s", (int)(slash - ondisk), ondisk,
			       leaf);
}

/*
 * Where rel lands on disk. *exists says whether another file already has
 * that name. Renaming a file to its own name in another case targets the
 * client's spelling and does not count as existing.
 */
static NTSTATUS rename_target(TALLOC_CTX *mem, struct smbd_open *op,
			      const char *rel, char **dst, bool *exists,
			      bool *is_dir)
{
	struct stat st = {};
	char *ondisk = NULL;
	NTSTATUS status = NT_STATUS_OK;
	int fd = -1;

	*exists = false;
	*is_dir = false;
	status = vfs_resolve(mem, op->tree->root_fd, rel, &ondisk);
	if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND) {
		*dst = ondisk;
		return NT_STATUS_OK;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (strcmp(ondisk, op->path) == 0) {
		*dst = with_client_leaf(mem, ondisk, rel);
		return *dst != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
	}
	*dst = ondisk;
	*exists = true;
	fd = vfs_open_beneath(op->tree->root_fd, ondisk,
			      O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		*is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
		close(fd);
	}
	return NT_STATUS_OK;
}

/*
 * renameat2() between two paths beneath root; returns 0 or -errno. A big
 * file it replaces is let go on one of w's workers (smbd_hold_big).
 */
static int rename_beneath(int root_fd, const char *from, const char *to,
			  bool replace, struct smbd_workers *w)
{
	const char *from_leaf = NULL, *to_leaf = NULL;
	struct stat st = {};
	int ofd = -1, nfd = -1, held = -1;
	int ret = 0;

	ofd = vfs_open_parent(root_fd, from, &from_leaf);
	if (ofd < 0) {
		return ofd;
	}
	nfd = vfs_open_parent(root_fd, to, &to_leaf);
	if (nfd < 0) {
		close(ofd);
		return nfd;
	}
	if (replace) {
		held = smbd_hold_big(nfd, to_leaf);
	}
	ret = renameat2(ofd, from_leaf, nfd, to_leaf,
			replace ? 0 : RENAME_NOREPLACE);
	if (ret != 0 && errno == EINVAL && !replace) {
		/* File systems without RENAME_NOREPLACE: check, then go. */
		if (fstatat(nfd, to_leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			errno = EEXIST;
		} else {
			ret = renameat(ofd, from_leaf, nfd, to_leaf);
		}
	}
	ret = ret == 0 ? 0 : -errno;
	smbd_workers_close_fd(w, held, false);
	close(ofd);
	close(nfd);
	return ret;
}

NTSTATUS smbd_open_rename(struct smbd_open *op, char *name, const char *rel,
			  bool replace, bool (*break_wait)(void *priv),
			  void *priv)
{
	struct smbd_server *srv = op->tree->sess->conn->srv;
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *dst = NULL;
	char *old = NULL, *parent = NULL;
	bool exists = false, is_dir = false;
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (rel[0] == '\0' || op->path[0] == '\0') {
		status = NT_STATUS_ACCESS_DENIED;	/* the share root */
	}
	if (status == NT_STATUS_OK) {
		status = rename_target(tmp, op, rel, &dst, &exists, &is_dir);
	}
	if (status != NT_STATUS_OK || strcmp(dst, op->path) == 0) {
		goto done;	/* an error, or renamed to itself */
	}
	if (exists && !replace) {
		status = NT_STATUS_OBJECT_NAME_COLLISION;
		goto done;
	}
	status = smbd_acl_rename_check(op->tree, op->tree->sess, dst,
				       op->is_dir, exists, is_dir);
	if (status != NT_STATUS_OK) {
		goto done;
	}
	/* Like Windows: no replacing directories or open files, and no
	 * renaming a directory with opens beneath it. */
	if ((exists && (is_dir || opens_match(srv, op, open_is, dst))) ||
	    (op->is_dir && opens_match(srv, op, open_is_under, op->path))) {
		status = NT_STATUS_ACCESS_DENIED;
		goto done;
	}
	old = talloc_strdup(tmp, op->path);
	parent = parent_of(tmp, op->path);
	if (old == NULL || parent == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto done;
	}
	if (opens_match(srv, op, open_blocks_rename_in, parent)) {
		status = NT_STATUS_SHARING_VIOLATION;
		goto done;
	}
	if (break_wait != NULL && break_wait(priv)) {
		status = NT_STATUS_PENDING;	/* then all of it again */
		goto done;
	}
	ret = rename_beneath(op->tree->root_fd, old, dst, replace,
			     srv->workers);
	if (ret != 0) {
		status = smbd_map_errno(-ret);
		goto done;
	}
	DBG_DEBUG(VFS, "renamed '%s' -> '%s'", old, dst);
	/* every open of old or beneath it, op's own too, follows */
	smbd_opens_rename_subtree(srv, op->tree->share->path, old, dst);
	smbd_watch_renamed(op, old, dst);
	if (op->client_name != NULL) {
		talloc_free(op->client_name);
		op->client_name = talloc_steal(op, name);
	}
done:
	talloc_free(tmp);
	return status;
}

/* ---- hard links ---- */

NTSTATUS smbd_open_link(struct smbd_open *op, const char *rel)
{
	struct smbd_tree *tree = op->tree;
	TALLOC_CTX *tmp = NULL;
	char *ondisk = NULL;
	const char *leaf = NULL;
	NTSTATUS status = NT_STATUS_OK;
	char src[64];
	int pfd = -1;
	int rc = 0;

	if (tree == NULL || tree->root_fd < 0 || op->fd < 0) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->is_dir || op->stream != NULL) {
		return NT_STATUS_FILE_IS_A_DIRECTORY;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = vfs_resolve(tmp, tree->root_fd, rel, &ondisk);
	if (status != NT_STATUS_OBJECT_NAME_NOT_FOUND) {
		talloc_free(tmp);
		return status == NT_STATUS_OK ?
		       NT_STATUS_OBJECT_NAME_COLLISION : status;
	}
	pfd = vfs_open_parent(tree->root_fd, ondisk, &leaf);
	if (pfd < 0) {
		talloc_free(tmp);
		return smbd_map_errno_in(SMBD_ERRMAP_PARENT, -pfd);
	}
	/* the open's own inode, whatever its name now: linkat(2) of the
	 * /proc name follows it (AT_EMPTY_PATH would need privilege) */
	proc_fd_path(op->fd, src, sizeof(src));
	rc = linkat(AT_FDCWD, src, pfd, leaf, AT_SYMLINK_FOLLOW) == 0 ? 0 :
	     -errno;
	close(pfd);
	talloc_free(tmp);
	if (rc != 0) {
		return rc == -EEXIST ? NT_STATUS_OBJECT_NAME_COLLISION :
		       smbd_map_errno(-rc);
	}
	return NT_STATUS_OK;
}

/* ---- an open by name, for front ends without SMB2's extras ---- */

/*
 * An SMB1 open is granted FILE_READ_ATTRIBUTES besides what it asks for
 * wherever it may have it, as Windows does (smbtorture raw.acls: a
 * READ_CONTROL open reports READ_CONTROL | FILE_READ_ATTRIBUTES).
 *
 * With MAXIMUM_ALLOWED, what GENERIC_READ and GENERIC_EXECUTE map to is
 * granted as far as max allows, not demanded in full (Windows over SMB1:
 * smbtorture base.maximum_allowed); GENERIC_WRITE and GENERIC_ALL and
 * the specific rights named stay demanded.
 */
static uint32_t open_max_generic(uint32_t desired, uint32_t max)
{
	uint32_t soft = desired & (SEC_GENERIC_READ | SEC_GENERIC_EXECUTE);

	if (!(desired & SEC_FLAG_MAXIMUM_ALLOWED) || soft == 0) {
		return desired;
	}
	return (desired & ~soft) | (smbd_map_generic(soft) & max);
}

#define OPEN_FILE_MODE_MASK	0x0000103Eu	/* FileModeInformation */
#define OPEN_ACCESS_RESERVED	0x0CE0FE00u

static NTSTATUS open_register(struct smbd_tree *tree,
			      const struct smbd_open_args *a, int fd,
			      const struct stat *st, const char *ondisk,
			      uint32_t granted, uint32_t max,
			      struct smbd_open **pop)
{
	struct smbd_open *op = talloc_zero(tree, struct smbd_open);
	int rc = -ENOMEM;

	if (op == NULL) {
		close(fd);
		return NT_STATUS_NO_MEMORY;
	}
	op->fd = -1;
	talloc_set_destructor(op, smbd_open_destructor);
	op->is_dir = S_ISDIR(st->st_mode);
	op->path = talloc_strdup(op, ondisk);
	op->client_name = talloc_strdup(op, a->name);
	op->access = granted;
	op->maximal_access = max | granted;
	op->share_access = a->share;
	if (a->compat_exclusive) {
		op->compat_conn = a->compat_conn;
		op->compat_pid = a->compat_pid;
	}
	op->create_options = a->options;
	op->create_disposition = a->disposition;
	op->delete_on_close = (a->options & FILE_DELETE_ON_CLOSE) != 0;
	op->mode = a->options & OPEN_FILE_MODE_MASK;
	op->open_time_nt = smbd_nt_now();
	if (op->path != NULL && op->client_name != NULL) {
		rc = smbd_file_attach(tree->sess->conn->srv, op, st);
	}
	if (rc != 0) {
		close(fd);
		talloc_free(op);
		return NT_STATUS_NO_MEMORY;
	}
	op->fd = fd;
	rc = smbd_open_register(tree, op);
	if (rc != 0) {
		talloc_free(op);
		return smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, -rc);
	}
	*pop = op;
	return NT_STATUS_OK;
}

/* The token the open is checked as: the requester's (smbd_open_args) */
static const struct se_token *open_token(const struct smbd_tree *tree,
					 const struct smbd_open_args *a)
{
	return a->token != NULL ? a->token :
	       smbd_acl_token_of(tree, tree->sess);
}

/* Oplocks and leases of f the open breaks (batch_only: batch oplocks
 * only): true to wait for them. */
static bool open_breaks(struct smbd_file *f, const struct smbd_open_args *a,
			uint32_t granted, bool truncate, bool batch_only)
{
	unsigned flags = ((a->options & FILE_DELETE_ON_CLOSE) ?
			  SMBD_BREAK_DELETE : 0) |
			 (batch_only ? SMBD_BREAK_BATCH_ONLY : 0);

	if (smbd_oplock_stat_open(granted) && !truncate) {
		return false;
	}
	if (a->renames) {
		/* batch oplocks to none, leases lose handle caching */
		bool wait = smbd_oplock_break_lease(f, NULL, NULL, NULL,
						    SMBD_OPLOCK_OP_OVERWRITE,
						    flags |
						    SMBD_BREAK_BATCH_ONLY);

		if (!batch_only && !smbd_lease_stat_open(granted) &&
		    smbd_lease_break_file(f, NULL, NULL, SMBD_OPLOCK_OP_RENAME,
					  (flags & SMBD_BREAK_DELETE) != 0)) {
			wait = true;
		}
		return wait;
	}
	if (smbd_lease_stat_open(granted) && !truncate) {
		flags |= SMBD_BREAK_NO_LEASES;
	}
	return smbd_oplock_break_lease(f, NULL, NULL, NULL,
				       truncate || a->changes ?
				       SMBD_OPLOCK_OP_OVERWRITE :
				       SMBD_OPLOCK_OP_OPEN, flags);
}

/*
 * Open the existing object at ondisk. base_acc: a named stream's, what
 * the file system lets us do with its base file (which stands for the
 * stream's, as for SMB2's CREATE); NULL for a file or directory.
 * base_ondisk: a named stream's base file, whose descriptor is the
 * stream's [MS-FSA 2.1.5.1.2]; NULL for a file or directory.
 */
static NTSTATUS open_existing(struct smbd_tree *tree,
			      const struct smbd_open_args *a,
			      const char *ondisk,
			      const struct smbd_fs_access *base_acc,
			      const char *base_ondisk,
			      struct smbd_open **pop, uint32_t *action,
			      struct smbd_file **wait)
{
	struct smbd_server *srv = tree->sess->conn->srv;
	uint32_t d = a->disposition;
	uint32_t granted = 0, max = 0;
	struct smbd_fs_access acc;
	struct smbd_file *f = NULL;
	NTSTATUS status = NT_STATUS_OK;
	bool truncate = false, is_dir = false, stored = false, later = false;
	struct stat st, st2;
	int pfd = -1, fd = -1;

	if (d == FILE_CREATE) {
		return NT_STATUS_OBJECT_NAME_COLLISION;
	}
	pfd = vfs_open_beneath(tree->root_fd, ondisk, O_PATH, 0);
	if (pfd < 0) {
		return smbd_map_errno(-pfd);
	}
	if (fstat(pfd, &st) != 0) {
		status = smbd_map_errno(errno);
		goto out;
	}
	is_dir = S_ISDIR(st.st_mode);
	status = NT_STATUS_ACCESS_DENIED;	/* fifos, devices, sockets */
	if (!is_dir && !S_ISREG(st.st_mode)) {
		goto out;
	}
	status = NT_STATUS_FILE_IS_A_DIRECTORY;
	truncate = d == FILE_SUPERSEDE || d == FILE_OVERWRITE ||
		   d == FILE_OVERWRITE_IF;
	if (is_dir && ((a->options & FILE_NON_DIRECTORY_FILE) || truncate)) {
		goto out;
	}
	status = NT_STATUS_NOT_A_DIRECTORY;
	if (!is_dir && (a->options & FILE_DIRECTORY_FILE)) {
		goto out;
	}
	f = smbd_file_find(srv, st.st_dev, st.st_ino);
	status = NT_STATUS_DELETE_PENDING;
	if ((f != NULL && f->delete_pending) ||
	    streams_base_doomed(st.st_dev, st.st_ino)) {
		goto out;
	}
	if (truncate && base_acc == NULL) {
		status = smbd_overwrite_check_attrs(pfd, a->attrs, &stored);
		if (status != NT_STATUS_OK) {
			goto out;
		}
	}
	if (base_acc != NULL) {
		acc = *base_acc;
	} else {
		smbd_fs_probe_st(tree->root_fd, pfd, &st, ondisk, true, &acc);
	}
	max = smbd_maximal_access(tree, &acc, is_dir);
	/* the object's descriptor narrows it, as for SMB2's CREATE */
	status = smbd_acl_open_check(tree, open_token(tree, a),
				     base_ondisk != NULL ? base_ondisk : ondisk,
				     is_dir, a->desired, a->options, &max);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	status = smbd_grant_access(open_max_generic(a->desired, max), max,
				   &granted);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	granted |= max & FILE_READ_ATTRIBUTES;
	status = NT_STATUS_ACCESS_DENIED;
	if (truncate && (max & FILE_WRITE_DATA) == 0) {
		goto out;
	}
	if (a->options & FILE_DELETE_ON_CLOSE) {
		status = smbd_create_check_doc(granted, &st, ondisk);
		if (status != NT_STATUS_OK) {
			goto out;
		}
	}
	status = NT_STATUS_SHARING_VIOLATION;
	if (streams_base_conflict(srv, st.st_dev, st.st_ino, granted)) {
		goto out;
	}
	if (f != NULL) {
		/* batch oplocks break before the share-mode check (the
		 * holder may close), the others only for an open that
		 * passes it [MS-FSA §2.1.5.1.2] */
		if (open_breaks(f, a, granted, truncate, true)) {
			*wait = f;
			status = NT_STATUS_PENDING;
			goto out;
		}
		status = NT_STATUS_SHARING_VIOLATION;
		if (smbd_share_conflict_compat(f, granted | (truncate ?
							     FILE_WRITE_DATA :
							     0), a->share,
					       a->compat_conn,
					       a->compat_pid)) {
			goto out;
		}
		if (open_breaks(f, a, granted, truncate, false)) {
			*wait = f;
			status = NT_STATUS_PENDING;
			goto out;
		}
	}
	fd = smbd_open_data_fd(tree->root_fd, ondisk, is_dir, granted, max,
			       truncate);
	if (fd < 0) {
		status = smbd_map_errno(-fd);
		goto out;
	}
	if (fstat(fd, &st2) != 0 || st2.st_dev != st.st_dev ||
	    st2.st_ino != st.st_ino) {
		close(fd);
		status = NT_STATUS_OBJECT_NAME_NOT_FOUND;	/* replaced */
		goto out;
	}
	later = truncate && a->trunc_later != NULL && base_acc == NULL &&
		S_ISREG(st2.st_mode) && st2.st_size >= SMBD_TRUNC_OFFLOAD_MIN;
	if (truncate && !later && ftruncate(fd, 0) != 0) {
		status = smbd_map_errno(errno);
		close(fd);
		goto out;
	}
	if (truncate) {
		if (!later) {
			smbd_create_prealloc(fd, a->alloc_size);
		}
		if (base_acc == NULL) {
			/* overwritten: its named streams go, it takes the
			 * request's attributes [MS-FSA 2.1.5.1.2] */
			(void)streams_remove_all(tree->root_fd, st.st_dev,
						 st.st_ino);
			smbd_overwrite_set_attrs(fd, &st2, stored, a->attrs);
		}
	}
	status = open_register(tree, a, fd, &st, ondisk, granted, max,
			       pop);
	if (status == NT_STATUS_OK && later) {
		*a->trunc_later = true;
	}
	*action = !truncate ? FILE_WAS_OPENED :
		  d == FILE_SUPERSEDE ? FILE_WAS_SUPERSEDED :
		  FILE_WAS_OVERWRITTEN;
out:
	close(pfd);
	return status;
}

static NTSTATUS open_new(struct smbd_tree *tree,
			 const struct smbd_open_args *a, const char *ondisk,
			 struct smbd_open **pop, uint32_t *action)
{
	bool is_dir = (a->options & FILE_DIRECTORY_FILE) != 0;
	uint32_t max = tree->maximal_access != 0 ? tree->maximal_access :
		       FILE_ALL_ACCESS;
	uint32_t granted = 0;
	const char *leaf = NULL;
	struct sec_desc *sd = NULL;
	TALLOC_CTX *tmp = NULL;
	NTSTATUS status = NT_STATUS_OK;
	struct smbd_stat sx;
	uint32_t keep = 0;
	bool stored = false;
	int pfd = -1, fd = -1;
	int rc = 0;

	if (tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* the parent's descriptor must allow it, as for SMB2's CREATE */
	status = smbd_acl_create_prepare(tmp, tree, open_token(tree, a),
					 ondisk, is_dir,
					 a->secd, a->desired, &max, &sd);
	if (status == NT_STATUS_OK) {
		status = smbd_grant_access(a->desired, max, &granted);
		granted |= max & FILE_READ_ATTRIBUTES;
	}
	if (status == NT_STATUS_OK && (a->options & FILE_DELETE_ON_CLOSE) &&
	    (granted & SEC_STD_DELETE) == 0) {
		status = NT_STATUS_ACCESS_DENIED;
	}
	if (status == NT_STATUS_OK && (a->options & FILE_DELETE_ON_CLOSE) &&
	    !is_dir && (a->attrs & FILE_ATTRIBUTE_READONLY)) {
		status = NT_STATUS_CANNOT_DELETE;	/* as SMB2's CREATE */
	}
	if (status != NT_STATUS_OK) {
		talloc_free(tmp);
		return status;
	}
	pfd = vfs_open_parent(tree->root_fd, ondisk, &leaf);
	if (pfd < 0) {
		talloc_free(tmp);
		return smbd_map_errno_in(SMBD_ERRMAP_PARENT, -pfd);
	}
	fd = smbd_create_leaf(pfd, leaf, is_dir,
			      (a->attrs & FILE_ATTRIBUTE_READONLY) != 0);
	if (fd < 0) {
		status = smbd_map_errno(-fd);
		goto out;
	}
	if (!is_dir) {
		smbd_create_prealloc(fd, a->alloc_size);
	}
	if (sd != NULL) {
		smbd_watch_own_attrib(tree->share->path, ondisk);
	}
	status = smbd_acl_create_store(fd, sd, a->secd != NULL);
	if (status != NT_STATUS_OK) {
		close(fd);
		goto undo;
	}
	if ((a->attrs & SMBD_STORED_ATTRS & ~FILE_ATTRIBUTE_ARCHIVE) != 0) {
		/* HIDDEN, SYSTEM...: kept as given, a new file's ARCHIVE
		 * too, as SMB2's CREATE [MS-FSA §2.1.5.1.2.1] */
		keep = a->attrs | (is_dir ? 0 : FILE_ATTRIBUTE_ARCHIVE);
		stored = smbd_store_dos_info(fd, NULL, &keep) == 0;
	}
	/* the one stat of the new file, after what was stored: the
	 * reply's too (a->created; the attributes as written) */
	rc = smbd_stat_new_fd(fd, stored ? &keep : NULL, sd != NULL, &sx);
	if (rc != 0) {
		status = smbd_map_errno(-rc);
		close(fd);
		goto undo;
	}
	status = open_register(tree, a, fd, &sx.st, ondisk, granted, max,
			       pop);
	if (status != NT_STATUS_OK) {
		goto undo;
	}
	if (a->created != NULL) {
		*a->created = sx;
	}
	*action = FILE_WAS_CREATED;
	smbd_watch_created(*pop);
	goto out;
undo:
	unlinkat(pfd, leaf, is_dir ? AT_REMOVEDIR : 0);
out:
	close(pfd);
	talloc_free(tmp);
	return status;
}

/*
 * Named stream `stream` of the file at ondisk (its base, found: an O_PATH
 * fd and its stat): open or create it in the store (fs/streams.h) and
 * mark the open as the stream's. *retry: it came or went meanwhile.
 */
static NTSTATUS open_stream_of(struct smbd_tree *tree,
			       const struct smbd_open_args *a, TALLOC_CTX *tmp,
			       const char *ondisk, int bfd,
			       const struct stat *bst, const char *stream,
			       struct smbd_open **pop, uint32_t *action,
			       struct smbd_file **wait, bool *retry)
{
	struct smbd_server *srv = tree->sess->conn->srv;
	uint32_t d = a->disposition;
	bool may_create = d != FILE_OPEN && d != FILE_OVERWRITE;
	struct smbd_file *bf = smbd_file_find(srv, bst->st_dev, bst->st_ino);
	struct smbd_fs_access acc;
	const char *leaf = NULL;
	char *sondisk = NULL;
	NTSTATUS status = NT_STATUS_OK;
	int rc = 0;

	if ((bf != NULL && bf->delete_pending) ||
	    streams_base_doomed(bst->st_dev, bst->st_ino)) {
		return NT_STATUS_DELETE_PENDING;
	}
	smbd_fs_probe_st(tree->root_fd, bfd, bst, ondisk, true, &acc);
	status = streams_resolve(tmp, tree->root_fd, bfd, bst, stream,
				 &sondisk);
	if (status == NT_STATUS_OK) {
		status = open_existing(tree, a, sondisk, &acc, ondisk, pop,
				       action, wait);
		*retry = status == NT_STATUS_OBJECT_NAME_NOT_FOUND &&
			 may_create;
	} else if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND && may_create) {
		rc = tree->read_only ? -EACCES :
		     streams_prepare(tree->root_fd, bfd, bst);
		if (rc == -EDQUOT) {
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		}
		if (rc != 0) {
			return smbd_map_errno(-rc);
		}
		status = open_new(tree, a, sondisk, pop, action);
		*retry = status == NT_STATUS_OBJECT_NAME_COLLISION &&
			 d != FILE_CREATE;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	leaf = strrchr(sondisk, '/');
	if (streams_open_mark(*pop, ondisk, bst,
			      leaf != NULL ? leaf + 1 : sondisk) != 0) {
		TALLOC_FREE(*pop);
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

/*
 * An open of a named stream (rel: its base file, canonical): the base is
 * created first, empty, when missing and the disposition creates, as
 * SMB2's CREATE does.
 */
static NTSTATUS open_stream(struct smbd_tree *tree,
			    const struct smbd_open_args *a, TALLOC_CTX *tmp,
			    const char *rel, const char *stream,
			    struct smbd_open **pop, uint32_t *action,
			    struct smbd_file **wait)
{
	uint32_t d = a->disposition;
	bool may_create = d != FILE_OPEN && d != FILE_OVERWRITE;
	NTSTATUS status = NT_STATUS_OK;
	char *ondisk = NULL;
	unsigned tries = 0;
	bool retry = true;
	struct stat bst;
	int bfd = -1;

	while (retry && tries++ < 3) {
		retry = false;
		status = vfs_resolve(tmp, tree->root_fd, rel, &ondisk);
		if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND && may_create) {
			status = streams_create_base(tree, ondisk,
				(a->attrs & FILE_ATTRIBUTE_READONLY) != 0);
			retry = status == NT_STATUS_OK ||
				status == NT_STATUS_OBJECT_NAME_COLLISION;
			continue;
		}
		if (status != NT_STATUS_OK) {
			break;
		}
		bfd = vfs_open_beneath(tree->root_fd, ondisk, O_PATH, 0);
		if (bfd < 0) {
			status = smbd_map_errno(-bfd);
			retry = status == NT_STATUS_OBJECT_NAME_NOT_FOUND;
			continue;
		}
		if (fstat(bfd, &bst) != 0) {
			status = smbd_map_errno(errno);
		} else {
			status = open_stream_of(tree, a, tmp, ondisk, bfd,
						&bst, stream, pop, action,
						wait, &retry);
		}
		close(bfd);
	}
	return status;
}

NTSTATUS smbd_open_by_name(struct smbd_tree *tree,
			   const struct smbd_open_args *a,
			   struct smbd_open **pop, uint32_t *action,
			   struct smbd_file **wait)
{
	TALLOC_CTX *tmp = NULL;
	struct smbd_open_args sa;
	char *rel = NULL, *ondisk = NULL, *base = NULL, *stream = NULL;
	uint32_t d = a->disposition;
	uint32_t o = a->options;
	NTSTATUS status = NT_STATUS_OK;
	unsigned tries = 0;

	*pop = NULL;
	*wait = NULL;
	if (a->trunc_later != NULL) {
		*a->trunc_later = false;
	}
	if (tree->root_fd < 0 ||
	    (tree->share->type != WG_SHARE_DISK &&
	     !(tree->share->type == WG_SHARE_PRINT && a->spool &&
	       d == FILE_CREATE))) {
		return NT_STATUS_ACCESS_DENIED;
	}
	/* reserved access bits are denied, and no access at all is a
	 * valid open, as Windows does (smbtorture base.createx_access) */
	if (a->desired & OPEN_ACCESS_RESERVED) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (d > FILE_OVERWRITE_IF ||
	    (a->share & ~(FILE_SHARE_READ | FILE_SHARE_WRITE |
			  FILE_SHARE_DELETE)) != 0 ||
	    ((o & FILE_DIRECTORY_FILE) && (o & FILE_NON_DIRECTORY_FILE)) ||
	    ((o & FILE_DIRECTORY_FILE) &&
	     (a->attrs & FILE_ATTRIBUTE_TEMPORARY))) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((o & FILE_DIRECTORY_FILE) && d != FILE_CREATE && d != FILE_OPEN &&
	    d != FILE_OPEN_IF) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (o & FILE_OPEN_BY_FILE_ID) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	status = smbd_open_admit(tree->sess);
	if (status != NT_STATUS_OK) {
		return status;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = streams_split(tmp, a->name, &base, &stream);
	if (status == NT_STATUS_OK && stream != NULL &&
	    (o & FILE_DIRECTORY_FILE)) {
		/* a named stream is never a directory */
		status = NT_STATUS_NOT_A_DIRECTORY;
	}
	if (status == NT_STATUS_OK && stream != NULL && stream[0] == '\0') {
		/* "file::$DATA": the file itself */
		sa = *a;
		sa.options |= FILE_NON_DIRECTORY_FILE;
		a = &sa;
		stream = NULL;
	}
	if (status == NT_STATUS_OK) {
		status = vfs_canonicalize(tmp, base, false, &rel);
	}
	if (status == NT_STATUS_OK && stream != NULL) {
		status = open_stream(tree, a, tmp, rel, stream, pop, action,
				     wait);
		tries = 2;	/* done */
	}
	while (status == NT_STATUS_OK && tries++ < 2) {
		status = vfs_resolve(tmp, tree->root_fd, rel, &ondisk);
		if (status == NT_STATUS_OK) {
			status = open_existing(tree, a, ondisk, NULL, NULL, pop,
					       action, wait);
			if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND &&
			    d != FILE_OPEN && d != FILE_OVERWRITE) {
				status = NT_STATUS_OK;	/* gone: create */
				continue;
			}
			break;
		}
		if (status != NT_STATUS_OBJECT_NAME_NOT_FOUND ||
		    d == FILE_OPEN || d == FILE_OVERWRITE) {
			break;
		}
		status = open_new(tree, a, ondisk, pop, action);
		if (status == NT_STATUS_OBJECT_NAME_COLLISION &&
		    d != FILE_CREATE) {
			status = NT_STATUS_OK;	/* came: open it */
			continue;
		}
		break;
	}
	talloc_free(tmp);
	if (status == NT_STATUS_OK && *pop == NULL) {
		status = NT_STATUS_OBJECT_NAME_NOT_FOUND;	/* racing */
	}
	return status;
}
