/*
 * workers.h - a small pthread pool so that file I/O never blocks the
 * event loop.
 *
 * Model: the loop thread submits a job (a function and its argument) and
 * gets a tevent_req back. A worker thread runs the function; completion
 * is signalled to the loop through an eventfd watched by a tevent_fd, and
 * the tevent_req completes on the loop thread. Worker threads never touch
 * talloc, tevent or any smbd object: they only run the job function on
 * memory the job owns.
 *
 * Lifetime rules:
 *  - A job is owned by the pool, not by the tevent_req. Freeing the
 *    tevent_req (the caller went away, e.g. its connection was torn down)
 *    while the job runs leaves the job orphaned: it runs to completion
 *    and the pool frees it afterwards, on the loop thread. A job that has
 *    not started yet is dropped at once.
 *  - File descriptors: pread/pwrite/fsync jobs work on their own dup() of
 *    the caller's fd, closed when the job is freed. So the caller may close
 *    its fd (CLOSE, logoff, teardown) at any moment, and no fd number is
 *    ever closed (and possibly reused) under a running job.
 *  - Buffers: a pread job allocates its buffer and hands it over on recv;
 *    a pwrite job copies its input at send time, or (send_owned) takes
 *    over the talloc object that holds it.
 *  - Freeing the pool stops and joins every thread (jobs already running
 *    finish first; queued ones are dropped). Requests still pending then
 *    are detached and never complete, so free connections first.
 *
 * Fairness: every job names an owner, an opaque key (smbd passes the
 * request's client computer, struct smbd_client, shared by all its
 * connections; NULL for the server's own jobs, such as an open's closing
 * fsync). No owner runs more than smbd_workers_share() jobs at once
 * (max(1, nthreads / 2)), and queued jobs are taken round-robin across
 * owners, so one computer's long queue delays another computer's job by
 * at most one job per worker. The key is
 * only compared, never dereferenced, except by the wait hook.
 *
 * A NULL pool is accepted everywhere: the job then runs synchronously in
 * the caller and the request completes from the next loop iteration.
 */
#ifndef WG_SMBD_WORKERS_H
#define WG_SMBD_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>
#include <tevent.h>

struct smbd_workers;

/*
 * Start nthreads worker threads (0 means 4; capped at 64) as a talloc
 * child of mem. Returns NULL if memory, the eventfd or the threads could
 * not be had.
 */
struct smbd_workers *smbd_workers_new(TALLOC_CTX *mem,
				      struct tevent_context *ev,
				      unsigned nthreads);

/*
 * The same, with threads that run at nice value `nice` (0-19): a pool for
 * CPU-heavy background work (the stream sweep), which then takes the CPU
 * only when the loop and the ordinary workers do not need it. Raising
 * one's own nice value needs no privilege. A thread that cannot (a
 * seccomp filter, say) runs at its inherited priority.
 */
struct smbd_workers *smbd_workers_new_nice(TALLOC_CTX *mem,
					   struct tevent_context *ev,
					   unsigned nthreads, int nice);

/*
 * One more event loop submits jobs (docs/threads.md): a job sent from
 * the thread that runs lp (smbd/loop.h) completes on lp's context,
 * through an eventfd of its own; any other job on the pool's context,
 * which is loop 0's. Add loops 1, 2, ... in order (lp->idx says where
 * its sink is), before lp sends jobs. 0, -EINVAL (out of order),
 * -ENOSPC (64 loops), -errno.
 */
struct smbd_loop;
int smbd_workers_add_loop(struct smbd_workers *w, struct smbd_loop *lp);

/* Jobs queued or running (for stats and tests). */
size_t smbd_workers_busy(const struct smbd_workers *w);

/* The most jobs one owner may have running at once (0 for a NULL pool). */
unsigned smbd_workers_share(const struct smbd_workers *w);

/*
 * Called on the loop thread, once per wait episode, when an idle worker
 * had to pass over owner's queued jobs because owner already ran `share`
 * jobs; the episode lasts until owner's queue is empty. Only called
 * while a request still waits for one of owner's jobs, so owner (a
 * client computer) is alive. The hook must not free the pool.
 */
typedef void (*smbd_workers_wait_fn)(const void *owner, unsigned share,
				     void *data);
void smbd_workers_set_wait_hook(struct smbd_workers *w,
				smbd_workers_wait_fn fn, void *data);

/*
 * A job function runs on a worker thread. It may only use arg and what
 * arg owns (no talloc calls on shared hierarchies, no tevent, no smbd
 * objects). Returns a result >= 0 or -errno.
 */
typedef int (*smbd_job_fn)(void *arg);

/*
 * Run fn(arg) on a worker, counted against owner's share (see above).
 * arg must be NULL or a talloc object: the job takes it over
 * (talloc_steal) so it stays alive while fn runs even if the request is
 * freed. smbd_job_recv() hands it back.
 */
struct tevent_req *smbd_job_send(TALLOC_CTX *mem, struct tevent_context *ev,
				 struct smbd_workers *w, const void *owner,
				 smbd_job_fn fn, void *arg);
/*
 * Returns fn's result, or -errno if the job could not be run (-ENOMEM).
 * If parg is not NULL, *parg is the job's arg, moved under mem_ctx.
 */
int smbd_job_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx, void **parg);

/*
 * Read up to len bytes at offset from fd into a buffer the job owns. Short
 * only at end of file. Errors: -EBADF/-EMFILE (dup), -ENOMEM, pread's.
 */
struct tevent_req *smbd_pread_send(TALLOC_CTX *mem, struct tevent_context *ev,
				   struct smbd_workers *w, const void *owner,
				   int fd,
				   size_t len, uint64_t offset);
/*
 * Returns the number of bytes read (0 at or past end of file) or -errno.
 * On success *buf (may be NULL when 0 bytes) is moved under mem_ctx.
 */
ssize_t smbd_pread_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			uint8_t **buf);

/* Append at end of file instead of at an offset (pwritev2 RWF_APPEND). */
#define SMBD_PWRITE_APPEND	UINT64_MAX
/* pwrite flags */
#define SMBD_PWRITE_SYNC	0x1	/* RWF_DSYNC: write through */

/*
 * Write len bytes of data (copied at send time) at offset, or at the end
 * of file with SMBD_PWRITE_APPEND. Retries short writes.
 */
struct tevent_req *smbd_pwrite_send(TALLOC_CTX *mem, struct tevent_context *ev,
				    struct smbd_workers *w, const void *owner,
				    int fd,
				    const void *data, size_t len,
				    uint64_t offset, unsigned flags);
/*
 * The same without the copy: data (len bytes) lies inside hold, a talloc
 * object the job takes over (stolen, in every case, also on failure) and
 * frees when it is done: a received WRITE frame.
 */
struct tevent_req *smbd_pwrite_send_owned(TALLOC_CTX *mem,
					  struct tevent_context *ev,
					  struct smbd_workers *w,
					  const void *owner, int fd,
					  void *hold, const void *data,
					  size_t len, uint64_t offset,
					  unsigned flags);
/*
 * The same with the data (len bytes) waiting in a pipe, read end pipe_fd,
 * which lies in hold (a talloc object the job takes over as above and
 * frees, closing the pipe, when it is done): spliced into the file, no
 * copy in user memory (a received WRITE's data, smbd_payload). Finished
 * by smbd_pwrite_recv().
 */
struct tevent_req *smbd_pwrite_send_pipe(TALLOC_CTX *mem,
					 struct tevent_context *ev,
					 struct smbd_workers *w,
					 const void *owner, int fd,
					 void *hold, int pipe_fd, size_t len,
					 uint64_t offset, unsigned flags);
/*
 * Read len bytes that the pipe fd already holds (a spliced WRITE's data
 * whose writer is done; blocking or not) into buf. 0, -EIO if the pipe
 * ends short of len, or -errno (EAGAIN: it holds fewer). Thread-safe.
 */
int smbd_pipe_read_all(int fd, void *buf, size_t len);
/* Returns the number of bytes written or -errno (-ENOSPC, -EFBIG ...). */
ssize_t smbd_pwrite_recv(struct tevent_req *req);

/* fsync(fd) on a worker. */
struct tevent_req *smbd_fsync_send(TALLOC_CTX *mem, struct tevent_context *ev,
				   struct smbd_workers *w, const void *owner,
				   int fd);
/* Returns 0 or -errno. */
int smbd_fsync_recv(struct tevent_req *req);

/*
 * Fire and forget: fsync (if sync) and close fd on a worker. Takes over
 * fd (no dup); it is closed even if nothing can be queued. Used by an
 * open's destructor so that teardown does not wait for the disk. The
 * owner is NULL (the server's own jobs).
 */
void smbd_workers_close_fd(struct smbd_workers *w, int fd, bool sync);

#endif
