/*
 * fileinfo.c - stat -> NT conversions shared by CREATE, CLOSE,
 * QUERY_INFO and QUERY_DIRECTORY. See fileinfo.h for the rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include "smbd/fs/fileinfo.h"
#include "proto/smb2.h"
#include "proto/wire.h"

#define CLUSTER_SIZE		4096ULL

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec) {
		return a->tv_sec < b->tv_sec;
	}
	return a->tv_nsec < b->tv_nsec;
}

uint64_t smbd_create_time_nt(const struct stat *st,
			     const struct timespec *btime)
{
	const struct timespec *t = &st->st_mtim;

	if (ts_before(&st->st_ctim, t)) {
		t = &st->st_ctim;
	}
	if (btime != NULL && (btime->tv_sec != 0 || btime->tv_nsec != 0) &&
	    ts_before(btime, t)) {
		t = btime;
	}
	return smbd_timespec_nt(t);
}

static const char *leaf_of(const char *name)
{
	const char *slash = NULL;

	if (name == NULL) {
		return "";
	}
	slash = strrchr(name, '/');
	return slash != NULL ? slash + 1 : name;
}

uint32_t smbd_dos_attrs(const struct stat *st, const char *name)
{
	const char *leaf = leaf_of(name);
	uint32_t attrs = 0;

	if (S_ISDIR(st->st_mode)) {
		attrs |= FILE_ATTRIBUTE_DIRECTORY;
	} else {
		attrs |= FILE_ATTRIBUTE_ARCHIVE;
		if ((st->st_mode & S_IWUSR) == 0) {
			attrs |= FILE_ATTRIBUTE_READONLY;
		}
	}
	if (leaf[0] == '.' && strcmp(leaf, ".") != 0 &&
	    strcmp(leaf, "..") != 0) {
		attrs |= FILE_ATTRIBUTE_HIDDEN;
	}
	if (attrs == 0) {
		attrs = FILE_ATTRIBUTE_NORMAL;
	}
	return attrs;
}

uint64_t smbd_alloc_size(const struct stat *st)
{
	uint64_t bytes = 0;

	if (S_ISDIR(st->st_mode) || st->st_blocks <= 0) {
		return 0;
	}
	bytes = (uint64_t)st->st_blocks * 512;
	if (bytes > UINT64_MAX - CLUSTER_SIZE) {
		return bytes;
	}
	return (bytes + CLUSTER_SIZE - 1) & ~(CLUSTER_SIZE - 1);
}

uint64_t smbd_end_of_file(const struct stat *st)
{
	if (S_ISDIR(st->st_mode) || st->st_size < 0) {
		return 0;
	}
	return (uint64_t)st->st_size;
}

uint64_t smbd_file_index(const struct stat *st)
{
	return (uint64_t)st->st_ino;
}

/* ---- ChangeTime a client set: in memory, keyed by inode ---- */

#define CTIME_SLOTS	256

struct ctime_override {
	dev_t dev;
	ino_t ino;
	struct timespec ctime;	/* the file's ctime when it was set */
	uint64_t nt;		/* what to report meanwhile */
	bool used;
};

static struct ctime_override ctime_tab[CTIME_SLOTS];
static pthread_mutex_t ctime_lock = PTHREAD_MUTEX_INITIALIZER;

static struct ctime_override *ctime_slot(const struct stat *st)
{
	uint64_t h = (uint64_t)st->st_ino * 0x9E3779B97F4A7C15ULL ^
		     (uint64_t)st->st_dev;

	return &ctime_tab[(h >> 32) % CTIME_SLOTS];
}

/* The remembered ChangeTime of st, if it still holds. */
static bool remembered_change_time(const struct stat *st, uint64_t *nt)
{
	const struct ctime_override *o = NULL;
	bool found = false;

	pthread_mutex_lock(&ctime_lock);
	o = ctime_slot(st);
	if (o->used && o->dev == st->st_dev && o->ino == st->st_ino &&
	    o->ctime.tv_sec == st->st_ctim.tv_sec &&
	    o->ctime.tv_nsec == st->st_ctim.tv_nsec) {
		*nt = o->nt;
		found = true;
	}
	pthread_mutex_unlock(&ctime_lock);
	return found;
}

/* The remembered ChangeTime of st, or its ctime. */
static uint64_t change_time_of(const struct stat *st)
{
	uint64_t nt = 0;

	if (remembered_change_time(st, &nt)) {
		return nt;
	}
	return smbd_timespec_nt(&st->st_ctim);
}

bool smbd_remembered_change_time(int fd, uint64_t *nt)
{
	struct smbd_stat sx = {};

	if (smbd_stat_fd(fd, &sx) != 0) {
		return false;
	}
	return remembered_change_time(&sx.st, nt);
}

void smbd_store_change_time(int fd, uint64_t nt)
{
	struct ctime_override *o = NULL;
	struct smbd_stat sx = {};

	if (smbd_stat_fd(fd, &sx) != 0) {
		return;
	}
	pthread_mutex_lock(&ctime_lock);
	o = ctime_slot(&sx.st);
	o->dev = sx.st.st_dev;
	o->ino = sx.st.st_ino;
	o->ctime = sx.st.st_ctim;
	o->nt = nt;
	o->used = true;
	pthread_mutex_unlock(&ctime_lock);
}

void smbd_ntinfo_fill(const struct smbd_stat *sx, const char *name,
		      struct smbd_ntinfo *ni)
{
	const struct stat *st = &sx->st;

	ni->create_time = sx->create_time;
	ni->access_time = smbd_timespec_nt(&st->st_atim);
	ni->write_time = smbd_timespec_nt(&st->st_mtim);
	ni->change_time = change_time_of(st);
	ni->alloc_size = smbd_alloc_size(st);
	ni->end_of_file = smbd_end_of_file(st);
	ni->file_index = smbd_file_index(st);
	ni->attrs = smbd_dos_attrs(st, name);
	if (sx->have_attrs) {
		/* What the client set, plus what the mode says. */
		ni->attrs &= FILE_ATTRIBUTE_DIRECTORY |
			     FILE_ATTRIBUTE_READONLY;
		ni->attrs |= sx->stored_attrs;
		if (ni->attrs == 0) {
			ni->attrs = FILE_ATTRIBUTE_NORMAL;
		}
	}
	if (sx->sparse) {
		ni->attrs &= ~FILE_ATTRIBUTE_NORMAL;
		ni->attrs |= FILE_ATTRIBUTE_SPARSE_FILE;
	}
	ni->is_dir = S_ISDIR(st->st_mode);
	ni->nlink = ni->is_dir ? 1 : (uint32_t)st->st_nlink;
}

/* ---- stat with birth time and the stored creation time ---- */

/*
 * user.wgsmb.dosinfo: what a client set that Linux cannot keep, 16 bytes
 * little-endian: version (1), which fields are set (bit 0 creation time,
 * bit 1 attributes, bit 2 sparse: a flag, no field), 2 reserved,
 * attributes (4), creation time (8).
 */
#define DOSINFO_XATTR		"user.wgsmb.dosinfo"
#define DOSINFO_SIZE		16
#define DOSINFO_VERSION		1
#define DOSINFO_HAVE_CRTIME	0x01
#define DOSINFO_HAVE_ATTRS	0x02
#define DOSINFO_SPARSE		0x04

struct dosinfo {
	uint8_t have;
	uint32_t attrs;
	uint64_t create_time;
};

static void dosinfo_pull(const uint8_t *v, struct dosinfo *di)
{
	di->have = v[0] == DOSINFO_VERSION ? v[1] : 0;
	di->attrs = wire_le32(v + 4);
	di->create_time = wire_le64(v + 8);
}

static void dosinfo_push(const struct dosinfo *di, uint8_t *v)
{
	memset(v, 0, DOSINFO_SIZE);
	v[0] = DOSINFO_VERSION;
	v[1] = di->have;
	wire_setle32(v + 4, di->attrs);
	wire_setle64(v + 8, di->create_time);
}

static void statx_ts(const struct statx_timestamp *sx, struct timespec *ts)
{
	ts->tv_sec = (time_t)sx->tv_sec;
	ts->tv_nsec = (long)sx->tv_nsec;
}

static void statx_to_stat(const struct statx *sx, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->st_ino = (ino_t)sx->stx_ino;
	st->st_mode = (mode_t)sx->stx_mode;
	st->st_nlink = (nlink_t)sx->stx_nlink;
	st->st_uid = (uid_t)sx->stx_uid;
	st->st_gid = (gid_t)sx->stx_gid;
	st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	statx_ts(&sx->stx_atime, &st->st_atim);
	statx_ts(&sx->stx_mtime, &st->st_mtim);
	statx_ts(&sx->stx_ctime, &st->st_ctim);
}

bool smbd_proc_path(char *path, size_t size, int fd, const char *name)
{
	static const char pre[] = "/proc/self/fd/";
	char digits[12];
	size_t nd = 0, len = sizeof(pre) - 1, nl = 0;
	unsigned int v = (unsigned int)fd;

	if (size > 0) {
		path[0] = '\0';
	}
	if (fd < 0 || size < len + sizeof(digits)) {
		return false;
	}
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(path, pre, len);
	while (nd > 0) {
		path[len++] = digits[--nd];
	}
	if (name != NULL && name[0] != '\0') {
		nl = strlen(name);
		if (len + 1 + nl >= size) {
			return false;
		}
		path[len++] = '/';
		memcpy(path + len, name, nl);
		len += nl;
	}
	path[len] = '\0';
	return true;
}

/*
 * What a client stored for the file, read through /proc so that it works
 * for O_PATH fds and for names relative to a directory fd alike. Returns
 * true if the file has any extended attribute at all (as far as the read
 * of this one tells: false means "not known").
 */
static bool stored_dosinfo(const char *path, bool follow, struct dosinfo *di,
			   bool *sure)
{
	uint8_t v[DOSINFO_SIZE];
	ssize_t n = 0;

	di->have = 0;
	n = follow ? getxattr(path, DOSINFO_XATTR, v, sizeof(v)) :
		     lgetxattr(path, DOSINFO_XATTR, v, sizeof(v));
	if (n == (ssize_t)sizeof(v)) {
		dosinfo_pull(v, di);
	}
	/* sure: the answer is the file's, not a passing failure's */
	*sure = n >= 0 || errno == ERANGE || errno == ENODATA ||
		errno == ENOTSUP;
	return n >= 0 || errno == ERANGE;
}

/*
 * ---- what a file's own xattrs said, per thread ----
 *
 * Every stat of a file (the CREATE reply, each QUERY_INFO, each listed
 * entry) read its DOS info xattr, and QUERY_INFO and listings listed its
 * xattrs for EaSize. The memo keeps both per object (st_dev, st_ino)
 * with the object's st_ctime when they were read; the statx that every
 * stat does anyway says whether they still hold.
 *
 * Seeing changes: setxattr and removexattr change ctime, ours (DOS
 * attributes, sparse, EAs, descriptors) and other programs' alike, so a
 * memo whose ctime no longer matches is read again. A ctime in the last
 * two seconds is not trusted (timestamps are coarse: two changes within
 * one tick share a ctime), so such objects are read every time until
 * their last change is older; a change after a memo was taken then
 * always gives a new ctime. A reused inode number has a new ctime. The
 * same rule as the descriptor cache (fs/acl.c).
 *
 * Per thread (the loops and the workers stat), so no locks; bounded:
 * XMEMO_SETS sets of XMEMO_WAYS slots (a set full of others' replaces
 * one of them in turn), mapped by a thread's first stat (pages touched
 * as sets fill) and unmapped when it ends. Sized for the files a
 * workgroup's computers list over and over: with 256 direct-mapped
 * slots, nine computers each listing their own folder of 200 files
 * (bench/run.sh's office run) missed almost every time on the scan
 * workers, each miss an lgetxattr and two llistxattr per listed entry.
 */
#define XMEMO_SETS		1024u	/* power of two */
#define XMEMO_WAYS		4u

struct xmemo {
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
	bool used;
	bool di_known;		/* di and has_xattrs hold */
	bool has_xattrs;
	bool no_xattrs;		/* a listxattr found none at all */
	bool ea_known;		/* ea_size holds */
	struct dosinfo di;
	uint32_t ea_size;
};

#define XMEMO_BYTES	(XMEMO_SETS * XMEMO_WAYS * sizeof(struct xmemo))

static __thread struct xmemo *xmemo;	/* XMEMO_SETS * XMEMO_WAYS */
static __thread struct xmemo xmemo_spare;	/* when mmap failed */
static __thread unsigned xmemo_turn;	/* the next one replaced */
static pthread_key_t xmemo_key;		/* frees a thread's table */
static pthread_once_t xmemo_once = PTHREAD_ONCE_INIT;
static bool xmemo_key_ok;

static void xmemo_unmap(void *tab)
{
	(void)munmap(tab, XMEMO_BYTES);
}

static void xmemo_key_make(void)
{
	xmemo_key_ok = pthread_key_create(&xmemo_key, xmemo_unmap) == 0;
}

/*
 * This thread's table, made on first use; NULL if out of memory. Mapped,
 * not calloc'd: its pages stay the kernel's shared zero page until a set
 * on them is written, so a thread that stats a few files costs a few
 * pages, not 256 KiB (calloc from the heap clears it all).
 */
static struct xmemo *xmemo_table(void)
{
	void *tab = NULL;

	if (xmemo == NULL) {
		pthread_once(&xmemo_once, xmemo_key_make);
		if (!xmemo_key_ok) {
			return NULL;
		}
		tab = mmap(NULL, XMEMO_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tab == MAP_FAILED) {
			return NULL;
		}
		if (pthread_setspecific(xmemo_key, tab) != 0) {
			xmemo_unmap(tab);
			return NULL;
		}
		xmemo = tab;
	}
	return xmemo;
}

/*
 * st's slot: the one of its set that holds (st_dev, st_ino), whatever
 * its ctime, else a free one, else the set's next in turn.
 */
static struct xmemo *xmemo_slot(const struct stat *st)
{
	uint64_t h = ((uint64_t)st->st_ino ^ ((uint64_t)st->st_dev << 32)) *
		     0x9e3779b97f4a7c15ull;
	struct xmemo *tab = xmemo_table();
	struct xmemo *set = NULL;
	struct xmemo *free_slot = NULL;

	if (tab == NULL) {
		return &xmemo_spare;
	}
	set = &tab[((h >> 40) & (XMEMO_SETS - 1)) * XMEMO_WAYS];
	for (unsigned i = 0; i < XMEMO_WAYS; i++) {
		if (!set[i].used) {
			free_slot = free_slot != NULL ? free_slot : &set[i];
		} else if (set[i].dev == st->st_dev &&
			   set[i].ino == st->st_ino) {
			return &set[i];
		}
	}
	if (free_slot != NULL) {
		return free_slot;
	}
	return &set[xmemo_turn++ % XMEMO_WAYS];
}

static bool xmemo_matches(const struct xmemo *m, const struct stat *st)
{
	return m->used && m->dev == st->st_dev && m->ino == st->st_ino &&
	       m->ctime.tv_sec == st->st_ctim.tv_sec &&
	       m->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* st's slot, made st's (emptied if it was another's or older), or NULL
 * while st's ctime is too recent to be trusted. */
static struct xmemo *xmemo_take(const struct stat *st)
{
	struct xmemo *m = xmemo_slot(st);
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (st->st_ctim.tv_sec + 2 > now.tv_sec) {
		return NULL;
	}
	if (!xmemo_matches(m, st)) {
		*m = (struct xmemo){
			.dev = st->st_dev, .ino = st->st_ino,
			.ctime = st->st_ctim, .used = true,
		};
	}
	return m;
}

bool smbd_xmemo_ea_get(const struct stat *st, uint32_t *ea_size)
{
	const struct xmemo *m = xmemo_slot(st);

	if (!xmemo_matches(m, st) || !m->ea_known) {
		return false;
	}
	*ea_size = m->ea_size;
	return true;
}

void smbd_xmemo_ea_put(const struct stat *st, uint32_t ea_size)
{
	struct xmemo *m = xmemo_take(st);

	if (m != NULL) {
		m->ea_known = true;
		m->ea_size = ea_size;
	}
}

/* Extents asked for per FS_IOC_FIEMAP call. */
#define FIEMAP_BATCH		32u
/* Past this many extents the count of blocks is near enough. */
#define FIEMAP_MAX_CALLS	8

uint64_t smbd_extent_bytes(const struct fiemap_extent *e, uint32_t n,
			   bool *last)
{
	uint64_t sum = 0;

	*last = false;
	for (uint32_t i = 0; i < n; i++) {
		/* inline data lives in the inode: no cluster of its own */
		if ((e[i].fe_flags & FIEMAP_EXTENT_DATA_INLINE) == 0) {
			sum += e[i].fe_length;
		}
		if (e[i].fe_flags & FIEMAP_EXTENT_LAST) {
			*last = true;
		}
	}
	return sum;
}

/*
 * Filesystems (st_dev) whose FIEMAP said "not supported" (tmpfs, for
 * one): a property of the filesystem, so their files skip the listxattr,
 * open and ioctl of data_blocks_only from then on. Stat runs on the
 * worker threads too, hence the atomics; the slots only ever go from
 * empty (0) to a device + 1, and a full table only means more ioctls.
 */
#define NOFIEMAP_SLOTS		8
static _Atomic unsigned long long nofiemap_dev[NOFIEMAP_SLOTS];

static bool fiemap_unsupported(dev_t dev)
{
	unsigned long long key = (unsigned long long)dev + 1;

	for (int i = 0; i < NOFIEMAP_SLOTS; i++) {
		unsigned long long v = atomic_load_explicit(
			&nofiemap_dev[i], memory_order_relaxed);

		if (v == key) {
			return true;
		}
		if (v == 0) {
			return false;
		}
	}
	return false;
}

static void fiemap_mark_unsupported(dev_t dev)
{
	unsigned long long key = (unsigned long long)dev + 1;

	for (int i = 0; i < NOFIEMAP_SLOTS; i++) {
		unsigned long long v = 0;

		if (atomic_compare_exchange_strong(&nofiemap_dev[i], &v, key) ||
		    v == key) {
			return;
		}
	}
}

/*
 * The bytes of data extents of fd (delayed allocations included), or -1
 * when FIEMAP cannot tell; *unsupported says whether it cannot because
 * the filesystem has no FIEMAP.
 */
static int64_t fiemap_data_bytes(int fd, bool *unsupported)
{
	union {
		struct fiemap fm;
		uint8_t raw[sizeof(struct fiemap) +
			    FIEMAP_BATCH * sizeof(struct fiemap_extent)];
	} u;
	uint64_t start = 0, sum = 0;

	*unsupported = false;
	for (int call = 0; call < FIEMAP_MAX_CALLS; call++) {
		const struct fiemap_extent *e = u.fm.fm_extents;
		uint32_t n = 0;
		bool last = false;

		memset(&u, 0, sizeof(u));
		u.fm.fm_start = start;
		u.fm.fm_length = FIEMAP_MAX_OFFSET - start;
		u.fm.fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) != 0) {
			*unsupported = errno == ENOTTY || errno == EOPNOTSUPP;
			return -1;
		}
		n = u.fm.fm_mapped_extents;
		sum += smbd_extent_bytes(e, n, &last);
		if (n < FIEMAP_BATCH || last) {
			return (int64_t)sum;
		}
		start = e[n - 1].fe_logical + e[n - 1].fe_length;
	}
	return -1;
}

/* smbd_truncating_begin() and the rest: fileinfo.h */
static struct {
	pthread_mutex_t mu;
	_Atomic unsigned n;	/* marked: lets the common case skip mu */
	struct {
		dev_t dev;
		ino_t ino;
		unsigned refs;
	} slot[SMBD_TRUNCATING_MAX];
} truncating = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The slot marking st's file, else (free) the first free one, else -1;
 * under truncating.mu. */
static int truncating_slot(const struct stat *st, bool free)
{
	int first_free = -1;

	for (int i = 0; i < SMBD_TRUNCATING_MAX; i++) {
		if (truncating.slot[i].refs == 0) {
			first_free = first_free < 0 ? i : first_free;
		} else if (truncating.slot[i].dev == st->st_dev &&
			   truncating.slot[i].ino == st->st_ino) {
			return i;
		}
	}
	return free ? first_free : -1;
}

bool smbd_truncating_begin(const struct stat *st)
{
	int i = 0;

	pthread_mutex_lock(&truncating.mu);
	i = truncating_slot(st, true);
	if (i >= 0) {
		truncating.slot[i].dev = st->st_dev;
		truncating.slot[i].ino = st->st_ino;
		truncating.slot[i].refs++;
		atomic_fetch_add(&truncating.n, 1);
	}
	pthread_mutex_unlock(&truncating.mu);
	return i >= 0;
}

void smbd_truncating_end(const struct stat *st)
{
	int i = 0;

	pthread_mutex_lock(&truncating.mu);
	i = truncating_slot(st, false);
	if (i >= 0) {
		truncating.slot[i].refs--;
		atomic_fetch_sub(&truncating.n, 1);
	}
	pthread_mutex_unlock(&truncating.mu);
}

bool smbd_truncating(const struct stat *st)
{
	int i = 0;

	if (atomic_load_explicit(&truncating.n, memory_order_relaxed) == 0) {
		return false;
	}
	pthread_mutex_lock(&truncating.mu);
	i = truncating_slot(st, false);
	pthread_mutex_unlock(&truncating.mu);
	return i >= 0;
}

/*
 * st_blocks counts the blocks of extended attributes too: on ext4 a
 * security descriptor (fs/acl.h) does not fit in the inode and takes a
 * block of its own, which would show as 4096 bytes of AllocationSize
 * of an empty file. For a regular file that has extended attributes,
 * count the data extents instead (FIEMAP, exact, delayed allocations
 * and preallocations included). has_xattrs: the caller already knows
 * the file has one (else a listxattr asks). On a filesystem without
 * FIEMAP there is nothing better than st_blocks: nothing is asked.
 * Returns true if that listxattr found no xattr at all (so the memo can
 * spare the next stat of the unchanged file the call).
 */
static bool data_blocks_only(const char *path, bool follow, bool has_xattrs,
			     struct stat *st)
{
	int64_t bytes = 0;
	ssize_t n = 0;
	bool unsupported = false;
	int fd = -1;

	if (!S_ISREG(st->st_mode) || st->st_blocks <= 0 ||
	    fiemap_unsupported(st->st_dev)) {
		return false;
	}
	if (smbd_truncating(st)) {
		/* FIEMAP would wait for the truncate: what it leaves */
		blkcnt_t most = (blkcnt_t)((st->st_size + 511) / 512);

		st->st_blocks = st->st_blocks < most ? st->st_blocks : most;
		return false;
	}
	if (!has_xattrs) {
		n = follow ? listxattr(path, NULL, 0) :
			     llistxattr(path, NULL, 0);
		if (n <= 0) {
			return n == 0;
		}
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
			(follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		return false;
	}
	bytes = fiemap_data_bytes(fd, &unsupported);
	close(fd);
	if (unsupported) {
		fiemap_mark_unsupported(st->st_dev);
	}
	if (bytes >= 0 && bytes / 512 < (int64_t)st->st_blocks) {
		st->st_blocks = (blkcnt_t)((bytes + 511) / 512);
	}
	return false;
}

/* The stat part of smbd_stat_at: sx->st and the birth time, if any. */
static int stat_btime(int dirfd, const char *name, int at_flags,
		      struct smbd_stat *sx, struct timespec *btime,
		      bool *has_btime)
{
	struct statx x = {};
	unsigned int mask = STATX_BASIC_STATS | STATX_BTIME;

	*has_btime = false;
	if (statx(dirfd, name, at_flags | AT_STATX_SYNC_AS_STAT, mask,
		  &x) == 0) {
		statx_to_stat(&x, &sx->st);
		if ((x.stx_mask & STATX_BTIME) != 0) {
			statx_ts(&x.stx_btime, btime);
			*has_btime = true;
		}
	} else if (errno != ENOSYS) {
		return -errno;
	} else if (fstatat(dirfd, name, &sx->st, at_flags) != 0) {
		/* Kernels before 4.11: plain fstatat, no birth time. */
		return -errno;
	}
	return 0;
}

int smbd_stat_at(int dirfd, const char *name, int at_flags,
		 struct smbd_stat *sx)
{
	struct timespec btime = {};
	struct dosinfo di = {};
	char path[PATH_MAX];
	bool has_btime = false;
	int rc = 0;

	rc = stat_btime(dirfd, name, at_flags, sx, &btime, &has_btime);
	if (rc != 0) {
		return rc;
	}
	if (!S_ISLNK(sx->st.st_mode) &&
	    smbd_proc_path(path, sizeof(path), dirfd, name)) {
		/* an fd itself: whatever it names */
		bool follow = name[0] == '\0' ||
			      (at_flags & AT_SYMLINK_NOFOLLOW) == 0;
		struct xmemo *m = xmemo_slot(&sx->st);
		bool has_xattrs = false;
		bool no_xattrs = false;

		if (xmemo_matches(m, &sx->st) && m->di_known) {
			di = m->di;
			has_xattrs = m->has_xattrs;
			no_xattrs = m->no_xattrs;
		} else {
			bool sure = false;

			has_xattrs = stored_dosinfo(path, follow, &di, &sure);
			m = sure ? xmemo_take(&sx->st) : NULL;
			if (m != NULL) {
				m->di = di;
				m->has_xattrs = has_xattrs;
				m->di_known = true;
			}
		}

		/* a file without xattrs (memo): st_blocks is all data */
		if (!no_xattrs &&
		    data_blocks_only(path, follow, has_xattrs, &sx->st) &&
		    m != NULL && xmemo_matches(m, &sx->st)) {
			m->no_xattrs = true;
		}
	}
	if ((di.have & DOSINFO_HAVE_CRTIME) != 0) {
		sx->create_time = di.create_time;
	} else {
		sx->create_time = smbd_create_time_nt(&sx->st,
						      has_btime ? &btime :
								  NULL);
	}
	sx->have_attrs = (di.have & DOSINFO_HAVE_ATTRS) != 0;
	sx->stored_attrs = di.attrs & SMBD_STORED_ATTRS;
	sx->sparse = (di.have & DOSINFO_SPARSE) != 0;
	return 0;
}

int smbd_stat_fd(int fd, struct smbd_stat *sx)
{
	return smbd_stat_at(fd, "", AT_EMPTY_PATH, sx);
}

/*
 * Not through the memo: a new file's ctime is under two seconds old, so
 * xmemo_take() would not keep it anyway, and what the creator wrote is
 * known only to this request (another program may set the xattr within
 * the same ctime tick, which a memo could not see).
 */
int smbd_stat_new_fd(int fd, const uint32_t *attrs, bool has_xattrs,
		     struct smbd_stat *sx)
{
	struct timespec btime = {};
	char path[64];
	bool has_btime = false;
	int rc = 0;

	rc = stat_btime(fd, "", AT_EMPTY_PATH, sx, &btime, &has_btime);
	if (rc != 0) {
		return rc;
	}
	if (smbd_proc_path(path, sizeof(path), fd, NULL)) {
		data_blocks_only(path, true, has_xattrs || attrs != NULL,
				 &sx->st);
	}
	sx->create_time = smbd_create_time_nt(&sx->st,
					      has_btime ? &btime : NULL);
	sx->have_attrs = attrs != NULL;
	sx->stored_attrs = attrs != NULL ? *attrs & SMBD_STORED_ATTRS : 0;
	sx->sparse = false;
	return 0;
}

int smbd_ntinfo_fd(int fd, const char *name, struct smbd_ntinfo *ni)
{
	struct smbd_stat sx = {};
	int ret = 0;

	ret = smbd_stat_fd(fd, &sx);
	if (ret != 0) {
		return ret;
	}
	smbd_ntinfo_fill(&sx, name, ni);
	return 0;
}

/* Read-modify-write of the xattr: change what is given (not NULL). */
static int update_dosinfo(int fd, const uint64_t *create_time,
			  const uint32_t *attrs, const bool *sparse)
{
	char path[64];
	uint8_t v[DOSINFO_SIZE];
	struct dosinfo di = {};

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (getxattr(path, DOSINFO_XATTR, v, sizeof(v)) == (ssize_t)sizeof(v)) {
		dosinfo_pull(v, &di);
	}
	if (sparse != NULL) {
		di.have &= (uint8_t)~DOSINFO_SPARSE;
		di.have |= *sparse ? DOSINFO_SPARSE : 0;
	}
	if (create_time != NULL) {
		di.have |= DOSINFO_HAVE_CRTIME;
		di.create_time = *create_time;
	}
	if (attrs != NULL) {
		di.have |= DOSINFO_HAVE_ATTRS;
		di.attrs = *attrs & SMBD_STORED_ATTRS;
	}
	dosinfo_push(&di, v);
	if (setxattr(path, DOSINFO_XATTR, v, sizeof(v), 0) != 0) {
		return -errno;
	}
	return 0;
}

int smbd_store_dos_info(int fd, const uint64_t *create_time,
			const uint32_t *attrs)
{
	return update_dosinfo(fd, create_time, attrs, NULL);
}

int smbd_store_sparse(int fd, bool sparse)
{
	return update_dosinfo(fd, NULL, NULL, &sparse);
}
