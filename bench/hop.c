/*
 * hop.c - what the worker hop costs, against inline syscalls and io_uring
 * (issue 16). Standalone; bench/hop.sh builds and runs it:
 *
 *   cc -O2 -pthread -o hop bench/hop.c -luring
 *   hop [-d DIR] [-n FILES] [-o OPS] [-b BIGOPS] [-w WORKERS] [-q]
 *
 * In DIR (default: a fresh directory under /dev/shm, a tmpfs) it makes
 * FILES small files (4 KiB, default 1000) carrying the xattr
 * "user.wgsmb.dosinfo" (24 bytes) and two 8 MiB files for reads and
 * writes, then runs every operation below in every mode, one thread
 * issuing them, first one at a time (depth 1: the per-request cost) then
 * with 8 in flight (depth 8: the loaded case).
 *
 * Operations (the kernel work of SMB requests):
 *   open-noxa   openat2(dirfd, name, O_RDONLY, RESOLVE_BENEATH |
 *               RESOLVE_NO_MAGICLINKS) + statx(fd, "", AT_EMPTY_PATH) +
 *               fgetxattr(fd, "user.wgsmb.absent") (ENODATA) + close
 *   open-xa     the same with fgetxattr(fd, "user.wgsmb.dosinfo") (24 B)
 *   stat        statx(dirfd, name, AT_SYMLINK_NOFOLLOW) +
 *               lgetxattr(path, "user.wgsmb.dosinfo")
 *   read64k, read1m, write64k, write1m
 *               pread/pwrite of 64 KiB or 1 MiB at an aligned offset
 *
 * Modes:
 *   inline      the syscalls on the calling thread (depth 8 = depth 1)
 *   hop         the shape of smbd/fs/workers.c: a job (malloc) and an
 *               owner record (calloc/free) queued under a mutex, a condvar
 *               signal (futex) waking one of W (default 4) workers, the
 *               worker runs the syscalls, appends the job to the done
 *               list under the mutex and writes an eventfd; the loop
 *               thread sleeps in epoll_wait on the eventfd, reads it and
 *               takes the done jobs under the mutex. Like the daemon it
 *               dups the fd a job works on (F_DUPFD_CLOEXEC; the loop
 *               closes the dup on delivery).
 *   uring       io_uring from the loop thread, completion as a loop would
 *               see it: an eventfd registered with the ring, epoll_wait,
 *               read the eventfd, drain the CQ. An open is two
 *               submissions: OPENAT2, then STATX(fd, "", AT_EMPTY_PATH)
 *               -> FGETXATTR -> CLOSE hard-linked (the daemon needs the
 *               fd number for the handle). stat: STATX -> GETXATTR.
 *               read/write: READ/WRITE.
 *   uring-wait  the same, completion by io_uring_submit_and_wait instead
 *               of the eventfd and epoll.
 *   uring-direct  open only: one hard-linked chain with a direct
 *               descriptor: OPENAT2 (to a fixed slot) -> STATX(path) ->
 *               FGETXATTR(fixed) -> CLOSE(fixed); eventfd + epoll.
 *
 * Output: one tab-separated line per (operation, mode, depth):
 *   op mode depth ops p50_us p99_us cpu_us_per_op loop_cpu_us_per_op errs
 * wall: submission to delivery on the loop thread, per operation;
 * cpu: getrusage(RUSAGE_SELF) user+sys of the whole process (workers and
 * io_uring's io-wq threads included) over the timed run, per operation;
 * loop_cpu: getrusage(RUSAGE_THREAD) of the issuing thread alone.
 * If io_uring_setup fails, the uring modes print "uring unavailable:
 * <errno>" on stderr and are skipped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define XA_NAME		"user.wgsmb.dosinfo"
#define XA_ABSENT	"user.wgsmb.absent"
#define XA_LEN		24
#define SMALL_SIZE	4096
#define BIG_SIZE	(8u << 20)
#define MAX_DEPTH	8
#define RING_ENTRIES	64

enum op_kind {
	K_OPEN_NOXA = 0,
	K_OPEN_XA,
	K_STAT,
	K_READ64K,
	K_READ1M,
	K_WRITE64K,
	K_WRITE1M,
	K_COUNT
};

static const char *kind_name[K_COUNT] = {
	"open-noxa", "open-xa", "stat", "read64k", "read1m", "write64k",
	"write1m",
};

enum mode {
	M_INLINE = 0,
	M_HOP,
	M_URING,
	M_URING_WAIT,
	M_URING_DIRECT,
	M_COUNT
};

static const char *mode_name[M_COUNT] = {
	"inline", "hop", "uring", "uring-wait", "uring-direct",
};

struct op {
	struct op *next;		/* hop queues */
	int kind;
	int slot;			/* 0..7: buffer, offset, fd slot */
	int file;			/* small file index */
	int fd;				/* hop: the dup; uring: the opened fd */
	int res;
	int stage;			/* uring: 0 open, 1 the linked rest */
	int pending;			/* uring: CQEs still due */
	struct timespec t0;
	struct statx stx;
	char xbuf[256];
	void *owner;			/* hop: the owner record */
};

static const char *g_dir;
static int g_dirfd = -1;
static int g_rfd = -1, g_wfd = -1;
static int g_nfiles = 1000;
static char **g_names;
static char **g_paths;
static char *g_buf[MAX_DEPTH];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double ts_us(const struct timespec *ts)
{
	return ts->tv_sec * 1e6 + ts->tv_nsec / 1e3;
}

static double cpu_us(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static size_t io_len(int kind)
{
	return (kind == K_READ64K || kind == K_WRITE64K) ? 65536 : 1u << 20;
}

static int is_io(int kind)
{
	return kind >= K_READ64K;
}

static int is_write(int kind)
{
	return kind == K_WRITE64K || kind == K_WRITE1M;
}

static off_t io_off(const struct op *o)
{
	return (off_t)o->slot * (off_t)(1u << 20);
}

/* ---- the syscalls themselves (inline, or on a hop worker) ---- */

static int run_sync(struct op *o, int fd_for_io)
{
	struct open_how how;
	size_t len = 0;
	ssize_t n = 0;
	int fd = -1;

	switch (o->kind) {
	case K_OPEN_NOXA:
	case K_OPEN_XA:
		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, fd_for_io, g_names[o->file],
				  &how, sizeof(how));
		if (fd < 0) {
			return -errno;
		}
		if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS,
			  &o->stx) != 0) {
			close(fd);
			return -errno;
		}
		n = fgetxattr(fd, o->kind == K_OPEN_XA ? XA_NAME : XA_ABSENT,
			      o->xbuf, sizeof(o->xbuf));
		close(fd);
		if (o->kind == K_OPEN_XA && n != XA_LEN) {
			return -EIO;
		}
		if (o->kind == K_OPEN_NOXA && !(n < 0 && errno == ENODATA)) {
			return -EIO;
		}
		return 0;
	case K_STAT:
		if (statx(fd_for_io, g_names[o->file], AT_SYMLINK_NOFOLLOW,
			  STATX_BASIC_STATS, &o->stx) != 0) {
			return -errno;
		}
		n = lgetxattr(g_paths[o->file], XA_NAME, o->xbuf,
			      sizeof(o->xbuf));
		return n == XA_LEN ? 0 : -EIO;
	default:
		len = io_len(o->kind);
		if (is_write(o->kind)) {
			n = pwrite(fd_for_io, g_buf[o->slot], len, io_off(o));
		} else {
			n = pread(fd_for_io, g_buf[o->slot], len, io_off(o));
		}
		return n == (ssize_t)len ? 0 : -EIO;
	}
}

static int op_fd(const struct op *o)
{
	if (!is_io(o->kind)) {
		return g_dirfd;
	}
	return is_write(o->kind) ? g_wfd : g_rfd;
}

/* ---- hop: the shape of smbd/fs/workers.c ---- */

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct op *qh, *qt;		/* queued */
	struct op *dh, *dt;		/* done */
	int efd;
	int ep;
	int stop;
	unsigned nthreads;
	pthread_t th[64];
};

static void q_append(struct op **h, struct op **t, struct op *o)
{
	o->next = NULL;
	if (*t != NULL) {
		(*t)->next = o;
	} else {
		*h = o;
	}
	*t = o;
}

static struct op *q_pop(struct op **h, struct op **t)
{
	struct op *o = *h;

	if (o != NULL) {
		*h = o->next;
		if (*h == NULL) {
			*t = NULL;
		}
		o->next = NULL;
	}
	return o;
}

static void *worker_main(void *p)
{
	struct pool *w = p;
	struct op *o = NULL;
	uint64_t one = 1;
	ssize_t n = 0;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while ((o = q_pop(&w->qh, &w->qt)) == NULL) {
			if (w->stop) {
				pthread_mutex_unlock(&w->mu);
				return NULL;
			}
			pthread_cond_wait(&w->cv, &w->mu);
		}
		pthread_mutex_unlock(&w->mu);

		o->res = run_sync(o, o->fd);

		pthread_mutex_lock(&w->mu);
		/* the daemon frees the owner record once idle */
		free(o->owner);
		o->owner = NULL;
		q_append(&w->dh, &w->dt, o);
		pthread_mutex_unlock(&w->mu);
		do {
			n = write(w->efd, &one, sizeof(one));
		} while (n < 0 && errno == EINTR);
	}
}

static struct pool *pool_new(unsigned nthreads)
{
	struct pool *w = calloc(1, sizeof(*w));
	struct epoll_event ev;
	unsigned i = 0;

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, w->efd, &ev);
	for (i = 0; i < nthreads && i < 64; i++) {
		pthread_create(&w->th[i], NULL, worker_main, w);
		w->nthreads++;
	}
	return w;
}

static void pool_free(struct pool *w)
{
	unsigned i = 0;

	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->nthreads; i++) {
		pthread_join(w->th[i], NULL);
	}
	close(w->efd);
	close(w->ep);
	free(w);
}

/* ---- io_uring ---- */

struct uring {
	struct io_uring ring;
	int efd;
	int ep;
	int direct_ok;
	struct open_how how;
	struct open_how dhow;		/* direct: O_CLOEXEC is EINVAL */
};

static int uring_new(struct uring *u)
{
	struct epoll_event ev;
	int rc = io_uring_queue_init(RING_ENTRIES, &u->ring, 0);

	if (rc < 0) {
		return rc;
	}
	u->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = io_uring_register_eventfd(&u->ring, u->efd);
	if (rc < 0) {
		io_uring_queue_exit(&u->ring);
		return rc;
	}
	u->ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	epoll_ctl(u->ep, EPOLL_CTL_ADD, u->efd, &ev);
	u->direct_ok = io_uring_register_files_sparse(&u->ring,
						      MAX_DEPTH) == 0;
	memset(&u->how, 0, sizeof(u->how));
	u->how.flags = O_RDONLY | O_CLOEXEC;
	u->how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	u->dhow = u->how;
	u->dhow.flags = O_RDONLY;
	return 0;
}

static void uring_free(struct uring *u)
{
	io_uring_queue_exit(&u->ring);
	close(u->efd);
	close(u->ep);
}

static struct io_uring_sqe *get_sqe(struct uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (sqe == NULL) {
		io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
	}
	return sqe;
}

static const char *xa_of(const struct op *o)
{
	return o->kind == K_OPEN_XA ? XA_NAME : XA_ABSENT;
}

/* Queue the SQEs of o's current stage (not submitted yet). */
static void uring_prep(struct uring *u, struct op *o, int direct)
{
	struct io_uring_sqe *sqe = NULL;

	switch (o->kind) {
	case K_OPEN_NOXA:
	case K_OPEN_XA:
		if (direct) {
			sqe = get_sqe(u);
			io_uring_prep_openat2_direct(sqe, g_dirfd,
						     g_names[o->file], &u->dhow,
						     (unsigned)o->slot);
			sqe->flags |= IOSQE_IO_HARDLINK;
			io_uring_sqe_set_data(sqe, o);
			sqe = get_sqe(u);
			io_uring_prep_statx(sqe, g_dirfd, g_names[o->file],
					    AT_SYMLINK_NOFOLLOW,
					    STATX_BASIC_STATS, &o->stx);
			sqe->flags |= IOSQE_IO_HARDLINK;
			io_uring_sqe_set_data(sqe, o);
			sqe = get_sqe(u);
			io_uring_prep_fgetxattr(sqe, o->slot, xa_of(o),
						o->xbuf, sizeof(o->xbuf));
			sqe->flags |= IOSQE_IO_HARDLINK | IOSQE_FIXED_FILE;
			io_uring_sqe_set_data(sqe, o);
			sqe = get_sqe(u);
			io_uring_prep_close_direct(sqe, (unsigned)o->slot);
			io_uring_sqe_set_data(sqe, o);
			o->pending = 4;
			o->stage = 1;
			return;
		}
		if (o->stage == 0) {
			sqe = get_sqe(u);
			io_uring_prep_openat2(sqe, g_dirfd, g_names[o->file],
					      &u->how);
			io_uring_sqe_set_data(sqe, o);
			o->pending = 1;
			return;
		}
		sqe = get_sqe(u);
		io_uring_prep_statx(sqe, o->fd, "", AT_EMPTY_PATH,
				    STATX_BASIC_STATS, &o->stx);
		sqe->flags |= IOSQE_IO_HARDLINK;
		io_uring_sqe_set_data(sqe, o);
		sqe = get_sqe(u);
		io_uring_prep_fgetxattr(sqe, o->fd, xa_of(o), o->xbuf,
					sizeof(o->xbuf));
		sqe->flags |= IOSQE_IO_HARDLINK;
		io_uring_sqe_set_data(sqe, o);
		sqe = get_sqe(u);
		io_uring_prep_close(sqe, o->fd);
		io_uring_sqe_set_data(sqe, o);
		o->pending = 3;
		return;
	case K_STAT:
		sqe = get_sqe(u);
		io_uring_prep_statx(sqe, g_dirfd, g_names[o->file],
				    AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS,
				    &o->stx);
		sqe->flags |= IOSQE_IO_HARDLINK;
		io_uring_sqe_set_data(sqe, o);
		sqe = get_sqe(u);
		io_uring_prep_getxattr(sqe, XA_NAME, o->xbuf,
				       g_paths[o->file], sizeof(o->xbuf));
		io_uring_sqe_set_data(sqe, o);
		o->pending = 2;
		return;
	default:
		sqe = get_sqe(u);
		if (is_write(o->kind)) {
			io_uring_prep_write(sqe, g_wfd, g_buf[o->slot],
					    (unsigned)io_len(o->kind),
					    (uint64_t)io_off(o));
		} else {
			io_uring_prep_read(sqe, g_rfd, g_buf[o->slot],
					   (unsigned)io_len(o->kind),
					   (uint64_t)io_off(o));
		}
		io_uring_sqe_set_data(sqe, o);
		o->pending = 1;
		return;
	}
}

/*
 * One CQE of o. Returns 1 when o is complete, 0 when more is due (a new
 * stage may have been queued).
 */
static int uring_cqe(struct uring *u, struct op *o, int res, int direct)
{
	if (!is_io(o->kind) && o->kind != K_STAT && !direct &&
	    o->stage == 0) {
		o->pending = 0;
		if (res < 0) {
			o->res = res;
			return 1;
		}
		o->fd = res;
		o->stage = 1;
		uring_prep(u, o, 0);
		return 0;
	}
	if (is_io(o->kind)) {
		if (res != (int)io_len(o->kind)) {
			o->res = -EIO;
		}
	} else if (res < 0) {
		/* only the absent xattr may fail, with ENODATA */
		if (!(res == -ENODATA && o->kind == K_OPEN_NOXA)) {
			o->res = res;
		}
	}
	o->pending--;
	return o->pending == 0;
}

/* ---- one timed run ---- */

struct run {
	int kind;
	int mode;
	int depth;
	long ops;
	double *lat;
	long done;
	long issued;
	long errs;
	struct op slots[MAX_DEPTH];
};

static void op_start(struct run *r, struct op *o)
{
	o->file = (int)(r->issued % g_nfiles);
	o->kind = r->kind;
	o->res = 0;
	o->stage = 0;
	o->pending = 0;
	o->fd = -1;
	r->issued++;
	clock_gettime(CLOCK_MONOTONIC, &o->t0);
}

static void op_finish(struct run *r, struct op *o, double t1)
{
	if (o->res != 0) {
		r->errs++;
	}
	if (r->lat != NULL && r->done < r->ops) {
		r->lat[r->done] = t1 - ts_us(&o->t0);
	}
	r->done++;
}

static void run_inline(struct run *r)
{
	struct op *o = &r->slots[0];

	while (r->done < r->ops) {
		op_start(r, o);
		o->res = run_sync(o, op_fd(o));
		op_finish(r, o, now_us());
	}
}

static void hop_submit(struct pool *w, struct run *r, struct op *o)
{
	op_start(r, o);
	/* the daemon dups the fd the job works on */
	o->fd = fcntl(op_fd(o), F_DUPFD_CLOEXEC, 0);
	o->owner = calloc(1, 64);
	pthread_mutex_lock(&w->mu);
	q_append(&w->qh, &w->qt, o);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void run_hop(struct pool *w, struct run *r)
{
	struct epoll_event ev;
	struct op *o = NULL;
	uint64_t cnt = 0;
	int inflight = 0;
	int i = 0;

	for (i = 0; i < r->depth && r->issued < r->ops; i++) {
		/* the job record: talloc_zero in the daemon */
		hop_submit(w, r, &r->slots[i]);
		inflight++;
	}
	while (inflight > 0) {
		if (epoll_wait(w->ep, &ev, 1, -1) < 1) {
			continue;
		}
		if (read(w->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN) {
			r->errs++;
		}
		for (;;) {
			pthread_mutex_lock(&w->mu);
			o = q_pop(&w->dh, &w->dt);
			pthread_mutex_unlock(&w->mu);
			if (o == NULL) {
				break;
			}
			close(o->fd);
			op_finish(r, o, now_us());
			inflight--;
			if (r->issued < r->ops) {
				hop_submit(w, r, o);
				inflight++;
			}
		}
	}
}

static void run_uring(struct uring *u, struct run *r)
{
	struct io_uring_cqe *cqe = NULL;
	struct epoll_event ev;
	struct op *o = NULL;
	uint64_t cnt = 0;
	unsigned head = 0, seen = 0;
	int direct = r->mode == M_URING_DIRECT;
	int wait = r->mode == M_URING_WAIT;
	int inflight = 0;
	int i = 0;

	for (i = 0; i < r->depth && r->issued < r->ops; i++) {
		o = &r->slots[i];
		op_start(r, o);
		uring_prep(u, o, direct);
		inflight++;
	}
	while (inflight > 0) {
		if (wait) {
			io_uring_submit_and_wait(&u->ring, 1);
		} else {
			io_uring_submit(&u->ring);
			if (epoll_wait(u->ep, &ev, 1, -1) < 1) {
				continue;
			}
			if (read(u->efd, &cnt, sizeof(cnt)) < 0 &&
			    errno != EAGAIN) {
				r->errs++;
			}
		}
		seen = 0;
		io_uring_for_each_cqe(&u->ring, head, cqe) {
			o = io_uring_cqe_get_data(cqe);
			seen++;
			if (!uring_cqe(u, o, cqe->res, direct)) {
				continue;
			}
			op_finish(r, o, now_us());
			inflight--;
			if (r->issued < r->ops) {
				op_start(r, o);
				uring_prep(u, o, direct);
				inflight++;
			}
		}
		io_uring_cq_advance(&u->ring, seen);
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void run_case(struct pool *w, struct uring *u, int kind, int mode,
		     int depth, long ops)
{
	struct run r;
	double c0 = 0, c1 = 0, l0 = 0, l1 = 0;
	long warm = ops / 10 > 50 ? ops / 10 : 50;
	int pass = 0;
	int i = 0;

	for (pass = 0; pass < 2; pass++) {
		memset(&r, 0, sizeof(r));
		r.kind = kind;
		r.mode = mode;
		r.depth = depth;
		r.ops = pass == 0 ? warm : ops;
		for (i = 0; i < MAX_DEPTH; i++) {
			r.slots[i].slot = i;
			r.slots[i].fd = -1;
		}
		if (pass == 1) {
			r.lat = calloc((size_t)ops, sizeof(double));
			c0 = cpu_us(RUSAGE_SELF);
			l0 = cpu_us(RUSAGE_THREAD);
		}
		switch (mode) {
		case M_INLINE:
			run_inline(&r);
			break;
		case M_HOP:
			run_hop(w, &r);
			break;
		default:
			run_uring(u, &r);
			break;
		}
	}
	c1 = cpu_us(RUSAGE_SELF);
	l1 = cpu_us(RUSAGE_THREAD);
	qsort(r.lat, (size_t)ops, sizeof(double), cmp_d);
	printf("%s\t%s\t%d\t%ld\t%.1f\t%.1f\t%.2f\t%.2f\t%ld\n",
	       kind_name[kind], mode_name[mode], depth, ops,
	       r.lat[ops / 2], r.lat[(ops * 99) / 100], (c1 - c0) / ops,
	       (l1 - l0) / ops, r.errs);
	fflush(stdout);
	free(r.lat);
}

/* ---- setup ---- */

static int make_file(const char *name, size_t size, int xa)
{
	char *buf = calloc(1, size);
	char xv[XA_LEN];
	int fd = openat(g_dirfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);

	if (fd < 0 || buf == NULL) {
		perror(name);
		exit(1);
	}
	memset(buf, 'x', size);
	if (write(fd, buf, size) != (ssize_t)size) {
		perror(name);
		exit(1);
	}
	memset(xv, 0x20, sizeof(xv));
	if (xa && fsetxattr(fd, XA_NAME, xv, sizeof(xv), 0) != 0) {
		fprintf(stderr, "hop: fsetxattr %s: %s (user xattrs?)\n",
			name, strerror(errno));
		exit(1);
	}
	free(buf);
	return fd;
}

static void setup(void)
{
	char name[64];
	int i = 0;

	g_dirfd = open(g_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g_dirfd < 0) {
		perror(g_dir);
		exit(1);
	}
	g_names = calloc((size_t)g_nfiles, sizeof(char *));
	g_paths = calloc((size_t)g_nfiles, sizeof(char *));
	for (i = 0; i < g_nfiles; i++) {
		snprintf(name, sizeof(name), "f%05d.txt", i);
		g_names[i] = strdup(name);
		if (asprintf(&g_paths[i], "%s/%s", g_dir, name) < 0) {
			exit(1);
		}
		close(make_file(name, SMALL_SIZE, 1));
	}
	g_rfd = make_file("big.r", BIG_SIZE, 0);
	g_wfd = make_file("big.w", BIG_SIZE, 0);
	for (i = 0; i < MAX_DEPTH; i++) {
		g_buf[i] = aligned_alloc(4096, 1u << 20);
		memset(g_buf[i], 'y', 1u << 20);
	}
}

static void cleanup(void)
{
	int i = 0;

	for (i = 0; i < g_nfiles; i++) {
		unlinkat(g_dirfd, g_names[i], 0);
	}
	unlinkat(g_dirfd, "big.r", 0);
	unlinkat(g_dirfd, "big.w", 0);
}

/* Threads of ours named iou-wrk-*: io_uring punted work to io-wq. */
static int count_iowq(void)
{
	char path[300], comm[32];
	struct dirent *de = NULL;
	DIR *d = opendir("/proc/self/task");
	FILE *f = NULL;
	int n = 0;

	if (d == NULL) {
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		f = fopen(path, "r");
		if (f == NULL) {
			continue;
		}
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "iou-wrk", 7) == 0) {
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	static char tmpl[] = "/dev/shm/hop.XXXXXX";
	struct uring u;
	struct pool *w = NULL;
	long ops = 20000, bigops = 2000, n = 0;
	unsigned nworkers = 4;
	int have_uring = 0;
	int made_dir = 0;
	int depths[2] = { 1, MAX_DEPTH };
	int k = 0, m = 0, d = 0, c = 0, rc = 0;

	while ((c = getopt(argc, argv, "d:n:o:b:w:")) != -1) {
		switch (c) {
		case 'd':
			g_dir = optarg;
			break;
		case 'n':
			g_nfiles = atoi(optarg);
			break;
		case 'o':
			ops = atol(optarg);
			break;
		case 'b':
			bigops = atol(optarg);
			break;
		case 'w':
			nworkers = (unsigned)atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: hop [-d DIR] [-n FILES] "
				"[-o OPS] [-b BIGOPS] [-w WORKERS]\n");
			return 64;
		}
	}
	if (g_nfiles < 1 || ops < 100 || bigops < 100 || nworkers < 1) {
		fprintf(stderr, "hop: -n >= 1, -o and -b >= 100, -w >= 1\n");
		return 64;
	}
	if (g_dir == NULL) {
		g_dir = mkdtemp(tmpl);
		if (g_dir == NULL) {
			perror("mkdtemp /dev/shm");
			return 1;
		}
		made_dir = 1;
	}
	setup();

	rc = uring_new(&u);
	if (rc < 0) {
		fprintf(stderr, "uring unavailable: io_uring_setup: %s "
			"(%d)\n", strerror(-rc), -rc);
	} else {
		have_uring = 1;
		if (!u.direct_ok) {
			fprintf(stderr, "uring-direct unavailable: "
				"register_files_sparse failed\n");
		}
	}
	w = pool_new(nworkers);

	printf("#op\tmode\tdepth\tops\tp50_us\tp99_us\tcpu_us\t"
	       "loop_cpu_us\terrs\n");
	for (k = 0; k < K_COUNT; k++) {
		n = (k == K_READ1M || k == K_WRITE1M) ? bigops : ops;
		if (k == K_READ64K || k == K_WRITE64K) {
			n = bigops * 4;
		}
		for (d = 0; d < 2; d++) {
			for (m = 0; m < M_COUNT; m++) {
				if (m == M_INLINE && d == 1) {
					continue;
				}
				if (m >= M_URING && !have_uring) {
					continue;
				}
				if (m == M_URING_DIRECT &&
				    (k > K_OPEN_XA || !u.direct_ok)) {
					continue;
				}
				run_case(w, &u, k, m, depths[d], n);
			}
		}
	}
	if (have_uring) {
		fprintf(stderr, "io-wq worker threads alive: %d\n",
			count_iowq());
	}
	pool_free(w);
	if (have_uring) {
		uring_free(&u);
	}
	cleanup();
	if (made_dir) {
		rmdir(g_dir);
	}
	return 0;
}
