/*
 * fileops.c - server-side copy, zeroing and allocated-range jobs on the
 * worker pool (see fileops.h).
 *
 * Each job's argument is a talloc object made on the loop thread: the
 * fds it dup()ed, its input, and room for its results. Its destructor
 * (loop thread) closes the fds and frees what the worker malloc()ed.
 * The worker only reads and writes plain fields of it.
 */
#include "smbd/fs/fileops.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_MAX_RANGES		256u
#define COPY_MAX_RANGE		(1024u * 1024u)
#define ZERO_BUF		(64u * 1024u)

/* ---- common: fds the job owns ---- */

struct fds_job {
	int fd[2];
	void *heap;		/* malloc()ed by the worker, or NULL */
};

static int fds_job_destructor(struct fds_job *j)
{
	if (j->fd[0] >= 0) {
		close(j->fd[0]);
	}
	if (j->fd[1] >= 0) {
		close(j->fd[1]);
	}
	free(j->heap);
	return 0;
}

/* dup fd0 (and fd1 if >= 0) into j; false (errno set) on failure. */
static bool fds_job_init(struct fds_job *j, int fd0, int fd1)
{
	j->fd[0] = -1;
	j->fd[1] = -1;
	j->heap = NULL;
	talloc_set_destructor(j, fds_job_destructor);
	j->fd[0] = fcntl(fd0, F_DUPFD_CLOEXEC, 0);
	if (j->fd[0] < 0) {
		return false;
	}
	if (fd1 >= 0) {
		j->fd[1] = fcntl(fd1, F_DUPFD_CLOEXEC, 0);
		if (j->fd[1] < 0) {
			return false;
		}
	}
	return true;
}

/* A request that fails at once with -err (the pool's recv reports it). */
static int fail_job(void *arg)
{
	return *(int *)arg;
}

static struct tevent_req *send_failed(TALLOC_CTX *mem,
				      struct tevent_context *ev,
				      int err)
{
	int *arg = talloc(NULL, int);

	if (arg == NULL) {
		return NULL;
	}
	*arg = -err;
	/* the NULL pool runs it in place; arg is taken over */
	return smbd_job_send(mem, ev, NULL, NULL, fail_job, arg);
}

/* ---- plain I/O helpers (worker thread) ---- */

static int pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n = 0;

	while (done < len) {
		n = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			return -ERANGE;	/* the file shrank under us */
		}
		done += (size_t)n;
	}
	return 0;
}

static int pwrite_full(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n = 0;

	while (done < len) {
		n = pwrite(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			return -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

/* ---- copy ---- */

struct copy_job {
	struct fds_job fds;	/* [0] source, [1] destination */
	struct smbd_copy_range ranges[COPY_MAX_RANGES];
	uint32_t n;
	bool sync;
	uint32_t done;		/* results */
	uint64_t bytes;
};

/* The rest of a range through a buffer: all of it read before writing. */
static int copy_buffered(int src, int dst, uint64_t src_off,
			 uint64_t dst_off, size_t len)
{
	uint8_t *buf = malloc(len);
	int ret = 0;

	if (buf == NULL) {
		return -ENOMEM;
	}
	ret = pread_full(src, buf, len, src_off);
	if (ret == 0) {
		ret = pwrite_full(dst, buf, len, dst_off);
	}
	free(buf);
	return ret;
}

static int copy_one(int src, int dst, const struct smbd_copy_range *r)
{
	loff_t in = (loff_t)r->src_off;
	loff_t out = (loff_t)r->dst_off;
	size_t left = r->len;
	ssize_t n = 0;

	while (left > 0) {
		n = copy_file_range(src, &in, dst, &out, left, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP ||
			      errno == ENOSYS || errno == EINVAL)) {
			return copy_buffered(src, dst, (uint64_t)in,
					     (uint64_t)out, left);
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			return -ERANGE;	/* the source shrank under us */
		}
		left -= (size_t)n;
	}
	return 0;
}

static int copy_job_fn(void *arg)
{
	struct copy_job *j = arg;
	struct stat st;
	uint32_t i = 0;
	int ret = 0;

	for (i = 0; i < j->n; i++) {
		const struct smbd_copy_range *r = &j->ranges[i];

		if (fstat(j->fds.fd[0], &st) != 0) {
			return -errno;
		}
		if (st.st_size < 0 || r->src_off > (uint64_t)st.st_size ||
		    r->len > (uint64_t)st.st_size - r->src_off) {
			return -ERANGE;
		}
		ret = copy_one(j->fds.fd[0], j->fds.fd[1], r);
		if (ret != 0) {
			return ret;
		}
		j->done++;
		j->bytes += r->len;
	}
	if (j->sync && fdatasync(j->fds.fd[1]) != 0) {
		return -errno;
	}
	return 0;
}

struct tevent_req *smbd_copy_ranges_send(TALLOC_CTX *mem,
					 struct tevent_context *ev,
					 struct smbd_workers *w,
					 const void *owner,
					 int src_fd, int dst_fd,
					 const struct smbd_copy_range *ranges,
					 uint32_t n, bool sync)
{
	struct copy_job *j = NULL;
	uint32_t i = 0;
	int err = 0;

	if (n > COPY_MAX_RANGES) {
		return send_failed(mem, ev, EINVAL);
	}
	for (i = 0; i < n; i++) {
		if (ranges[i].len > COPY_MAX_RANGE ||
		    ranges[i].src_off > (uint64_t)INT64_MAX - ranges[i].len ||
		    ranges[i].dst_off > (uint64_t)INT64_MAX - ranges[i].len) {
			return send_failed(mem, ev, EINVAL);
		}
	}
	j = talloc_zero(NULL, struct copy_job);
	if (j == NULL) {
		return NULL;
	}
	if (!fds_job_init(&j->fds, src_fd, dst_fd)) {
		err = errno;
		talloc_free(j);
		return send_failed(mem, ev, err);
	}
	memcpy(j->ranges, ranges, n * sizeof(*ranges));
	j->n = n;
	j->sync = sync;
	return smbd_job_send(mem, ev, w, owner, copy_job_fn, j);
}

int smbd_copy_ranges_recv(struct tevent_req *req, uint32_t *done,
			  uint64_t *bytes)
{
	struct copy_job *j = NULL;
	int ret = smbd_job_recv(req, NULL, (void **)&j);

	*done = 0;
	*bytes = 0;
	if (j != NULL && talloc_get_type(j, struct copy_job) != NULL) {
		*done = j->done;
		*bytes = j->bytes;
	}
	talloc_free(j);
	return ret;
}

/* ---- zeroing ---- */

struct zero_job {
	struct fds_job fds;
	uint64_t off;
	uint64_t end;
	bool punch;
};

static int zero_by_writing(int fd, uint64_t off, uint64_t end)
{
	uint8_t *buf = calloc(1, ZERO_BUF);
	uint64_t n = 0;
	int ret = 0;

	if (buf == NULL) {
		return -ENOMEM;
	}
	while (off < end && ret == 0) {
		n = end - off < ZERO_BUF ? end - off : ZERO_BUF;
		ret = pwrite_full(fd, buf, (size_t)n, off);
		off += n;
	}
	free(buf);
	return ret;
}

static int zero_job_fn(void *arg)
{
	struct zero_job *j = arg;
	int fd = j->fds.fd[0];
	int mode = FALLOC_FL_KEEP_SIZE;
	uint64_t end = j->end;
	struct stat st;

	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (st.st_size < 0 || end > (uint64_t)st.st_size) {
		end = (uint64_t)st.st_size;
	}
	if (j->off >= end) {
		return 0;
	}
	mode |= j->punch ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE;
	if (fallocate(fd, mode, (off_t)j->off, (off_t)(end - j->off)) == 0) {
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL) {
		return -errno;
	}
	return zero_by_writing(fd, j->off, end);
}

struct tevent_req *smbd_zero_range_send(TALLOC_CTX *mem,
					struct tevent_context *ev,
					struct smbd_workers *w,
					const void *owner, int fd,
					uint64_t off, uint64_t end, bool punch)
{
	struct zero_job *j = NULL;
	int err = 0;

	if (off > (uint64_t)INT64_MAX || end > (uint64_t)INT64_MAX) {
		return send_failed(mem, ev, EINVAL);
	}
	j = talloc_zero(NULL, struct zero_job);
	if (j == NULL) {
		return NULL;
	}
	if (!fds_job_init(&j->fds, fd, -1)) {
		err = errno;
		talloc_free(j);
		return send_failed(mem, ev, err);
	}
	j->off = off;
	j->end = end;
	j->punch = punch;
	return smbd_job_send(mem, ev, w, owner, zero_job_fn, j);
}

int smbd_zero_range_recv(struct tevent_req *req)
{
	void *j = NULL;
	int ret = smbd_job_recv(req, NULL, &j);

	talloc_free(j);
	return ret;
}

/* ---- allocated ranges ---- */

struct qar_job {
	struct fds_job fds;	/* fds.heap: the ranges found */
	uint64_t off;
	uint64_t end;
	bool sparse;
	uint32_t max;
	uint32_t n;		/* results */
	uint32_t cap;		/* room in fds.heap */
	bool more;
};

/*
 * Add [off, end) to the job's list: 0, 1 when the list is full (more is
 * set, the walk stops) or -ENOMEM.
 */
static int qar_add(struct qar_job *j, uint64_t off, uint64_t end)
{
	struct smbd_alloc_range *r = j->fds.heap;
	uint32_t cap = 0;

	if (j->n == j->max) {
		j->more = true;
		return 1;
	}
	if (j->n == j->cap) {
		/* grow by doubling, up to max */
		cap = j->cap == 0 ? 8 : j->cap * 2;
		if (cap > j->max || cap < j->cap) {
			cap = j->max;
		}
		r = realloc(r, (size_t)cap * sizeof(*r));
		if (r == NULL) {
			return -ENOMEM;
		}
		j->fds.heap = r;
		j->cap = cap;
	}
	r[j->n].off = off;
	r[j->n].len = end - off;
	j->n++;
	return 0;
}

static int qar_job_fn(void *arg)
{
	struct qar_job *j = arg;
	int fd = j->fds.fd[0];
	uint64_t end = j->end, pos = j->off;
	off_t data = 0, hole = 0;
	struct stat st;
	int ret = 0;

	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (st.st_size < 0 || end > (uint64_t)st.st_size) {
		end = (uint64_t)st.st_size;
	}
	if (!j->sparse) {
		ret = pos < end ? qar_add(j, pos, end) : 0;
		return ret < 0 ? ret : 0;
	}
	while (pos < end && ret == 0) {
		data = lseek(fd, (off_t)pos, SEEK_DATA);
		if (data < 0 && errno == ENXIO) {
			break;		/* only a hole up to the end */
		}
		if (data < 0) {
			/* the filesystem cannot tell: all data */
			ret = qar_add(j, pos, end);
			break;
		}
		if ((uint64_t)data >= end) {
			break;
		}
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > end) {
			hole = (off_t)end;
		}
		ret = qar_add(j, (uint64_t)data, (uint64_t)hole);
		pos = (uint64_t)hole;
	}
	return ret < 0 ? ret : 0;
}

struct tevent_req *smbd_alloc_ranges_send(TALLOC_CTX *mem,
					  struct tevent_context *ev,
					  struct smbd_workers *w,
					  const void *owner, int fd,
					  uint64_t off, uint64_t len,
					  bool sparse, uint32_t max)
{
	struct qar_job *j = NULL;
	int err = 0;

	if (off > UINT64_MAX - len) {
		return send_failed(mem, ev, EINVAL);
	}
	j = talloc_zero(NULL, struct qar_job);
	if (j == NULL) {
		return NULL;
	}
	if (!fds_job_init(&j->fds, fd, -1)) {
		err = errno;
		talloc_free(j);
		return send_failed(mem, ev, err);
	}
	j->off = off;
	j->end = off + len;
	j->sparse = sparse;
	j->max = max;
	return smbd_job_send(mem, ev, w, owner, qar_job_fn, j);
}

int smbd_alloc_ranges_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			   struct smbd_alloc_range **ranges, uint32_t *n,
			   bool *more)
{
	struct qar_job *j = NULL;
	int ret = smbd_job_recv(req, NULL, (void **)&j);

	*ranges = NULL;
	*n = 0;
	*more = false;
	if (ret < 0 || j == NULL ||
	    talloc_get_type(j, struct qar_job) == NULL) {
		talloc_free(j);
		return ret < 0 ? ret : -EINVAL;
	}
	if (j->n > 0) {
		*ranges = talloc_memdup(mem_ctx, j->fds.heap,
					j->n * sizeof(**ranges));
		if (*ranges == NULL) {
			talloc_free(j);
			return -ENOMEM;
		}
	}
	*n = j->n;
	*more = j->more;
	talloc_free(j);
	return 0;
}
