/*
 * loop.c - the loop threads and the state lock (loop.h).
 */
#include "smbd/loop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* The state lock and the loop threads. */
struct smbd_threads {
	struct smbd_server *srv;
	pthread_mutex_t lock;	/* the state lock */
	bool stop;		/* loops leave their threads (state lock) */
	bool solo;		/* one thread left: the lock is not used */
	pthread_t *tids;	/* [nloops], 0 unused */
};

static __thread struct smbd_loop *self_loop;

struct smbd_loop *smbd_loop_self(void)
{
	return self_loop;
}

bool smbd_loop_is_self(const struct smbd_loop *lp)
{
	return self_loop == NULL || self_loop == lp;
}

struct tevent_context *smbd_loop_ev(const struct smbd_server *srv)
{
	if (self_loop != NULL && self_loop->srv == srv) {
		return self_loop->ev;
	}
	return srv->ev;
}

void smbd_loop_wake(struct smbd_loop *lp)
{
	uint64_t one = 1;
	ssize_t n = 0;

	if (lp == NULL || lp == self_loop || lp->wake_fd < 0) {
		return;
	}
	do {
		n = write(lp->wake_fd, &one, sizeof(one));
	} while (n < 0 && errno == EINTR);
}

void smbd_loop_schedule(struct smbd_loop *lp, struct tevent_immediate *im,
			tevent_immediate_handler_t fn, void *priv)
{
	tevent_schedule_immediate(im, lp->ev, fn, priv);
	smbd_loop_wake(lp);
}

void smbd_loop_schedule_conn(struct smbd_conn *conn,
			     struct tevent_immediate *im,
			     tevent_immediate_handler_t fn, void *priv)
{
	if (conn->loop == NULL) {
		/* a connection made by a unit test */
		tevent_schedule_immediate(im, conn->srv->ev, fn, priv);
		return;
	}
	smbd_loop_schedule(conn->loop, im, fn, priv);
}

static uint64_t mono_ns(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The clock is read only when the lock is found held, so the common,
 * uncontended acquisition costs one trylock as before.
 */
void smbd_state_lock(struct smbd_server *srv)
{
	struct smbd_threads *th = srv->threads;
	struct smbd_loop *lp = self_loop;
	uint64_t t0 = 0;
	uint64_t t1 = 0;
	bool waited = false;

	if (th == NULL || th->solo) {
		return;
	}
	if (pthread_mutex_trylock(&th->lock) != 0) {
		t0 = mono_ns();
		pthread_mutex_lock(&th->lock);
		t1 = mono_ns();
		waited = true;
	}
	/* counted under the lock, by the loop's own thread */
	if (lp != NULL && lp->srv == srv) {
		lp->lock_acquired++;
		if (waited) {
			lp->lock_contended++;
			lp->lock_wait_ns += t1 - t0;
			if (t1 - t0 > lp->lock_wait_max_ns) {
				lp->lock_wait_max_ns = t1 - t0;
			}
		}
	}
}

void smbd_state_unlock(struct smbd_server *srv)
{
	if (srv->threads != NULL && !srv->threads->solo) {
		pthread_mutex_unlock(&srv->threads->lock);
	}
}

/*
 * Each loop lets go of the lock only while it waits; at the end of each
 * turn it writes what its connections queued (conn.c), which lets go of
 * it around each writev.
 */
static void loop_trace(enum tevent_trace_point tp, void *priv)
{
	struct smbd_loop *lp = priv;

	switch (tp) {
	case TEVENT_TRACE_BEFORE_WAIT:
		smbd_state_unlock(lp->srv);
		break;
	case TEVENT_TRACE_AFTER_WAIT:
		smbd_state_lock(lp->srv);
		break;
	case TEVENT_TRACE_AFTER_LOOP_ONCE:
		if (lp->flush_head != NULL && lp->flush != NULL) {
			lp->flush(lp);
		}
		break;
	default:
		break;
	}
}

static void wake_handler(struct tevent_context *ev, struct tevent_fd *fde,
			 uint16_t flags, void *private_data)
{
	struct smbd_loop *lp = private_data;
	uint64_t cnt = 0;
	ssize_t n = 0;

	do {
		n = read(lp->wake_fd, &cnt, sizeof(cnt));
	} while (n < 0 && errno == EINTR);
	if (n == sizeof(cnt)) {
		lp->wakes += cnt;
	}
}

static int loop_wake_destructor(struct smbd_loop *lp)
{
	TALLOC_FREE(lp->wake_fde);
	if (lp->wake_fd >= 0) {
		close(lp->wake_fd);
		lp->wake_fd = -1;
	}
	return 0;
}

static int loop_wake_setup(struct smbd_loop *lp)
{
	lp->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (lp->wake_fd < 0) {
		return -errno;
	}
	talloc_set_destructor(lp, loop_wake_destructor);
	lp->wake_fde = tevent_add_fd(lp->ev, lp, lp->wake_fd, TEVENT_FD_READ,
				     wake_handler, lp);
	if (lp->wake_fde == NULL) {
		return -ENOMEM;
	}
	tevent_set_trace_callback(lp->ev, loop_trace, lp);
	return 0;
}

static void *loop_main(void *p)
{
	struct smbd_loop *lp = p;
	struct smbd_threads *th = lp->srv->threads;

	self_loop = lp;
	smbd_state_lock(lp->srv);
	while (!th->stop) {
		if (tevent_loop_once(lp->ev) != 0) {
			DBG_ERR(GEN, "loop %u failed: %s", lp->idx,
				strerror(errno));
			break;
		}
	}
	smbd_state_unlock(lp->srv);
	return NULL;
}

static int threads_destructor(struct smbd_threads *th)
{
	pthread_mutex_destroy(&th->lock);
	return 0;
}

int smbd_loops_start(struct smbd_server *srv)
{
	struct smbd_threads *th = NULL;
	pthread_mutexattr_t attr;
	sigset_t all, old;
	unsigned i = 0;
	int rc = 0;

	if (srv->nloops <= 1) {
		return 0;
	}
	th = talloc_zero(srv, struct smbd_threads);
	if (th == NULL) {
		return -ENOMEM;
	}
	th->srv = srv;
	th->tids = talloc_zero_array(th, pthread_t, srv->nloops);
	if (th->tids == NULL) {
		talloc_free(th);
		return -ENOMEM;
	}
	pthread_mutexattr_init(&attr);
	/* spins a little first: the lock is often let go for one syscall */
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&th->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	talloc_set_destructor(th, threads_destructor);
	for (i = 0; i < srv->nloops; i++) {
		rc = loop_wake_setup(srv->loops[i]);
		if (rc != 0) {
			return rc;
		}
	}
	srv->threads = th;
	self_loop = srv->loops[0];
	smbd_state_lock(srv);
	/* signals go to the main thread, whose loop handles them */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < srv->nloops; i++) {
		rc = pthread_create(&th->tids[i], NULL, loop_main,
				    srv->loops[i]);
		if (rc != 0) {
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		smbd_loops_stop(srv);
		return -rc;
	}
	return 0;
}

void smbd_loops_stop(struct smbd_server *srv)
{
	struct smbd_threads *th = srv->threads;
	unsigned i = 0;

	if (th == NULL || th->solo) {
		return;
	}
	th->stop = true;
	for (i = 1; i < srv->nloops; i++) {
		smbd_loop_wake(srv->loops[i]);
	}
	smbd_state_unlock(srv);
	for (i = 1; i < srv->nloops; i++) {
		if (th->tids[i] != 0) {
			pthread_join(th->tids[i], NULL);
			th->tids[i] = 0;
		}
	}
	/*
	 * One thread left: the lock is let go for good (it is not held
	 * when it is destroyed), and every loop is this one's now
	 * (shutdown frees the connections of all of them).
	 */
	th->solo = true;
	self_loop = NULL;
}
