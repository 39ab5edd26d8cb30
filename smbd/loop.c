/*
 * loop.c - the loop threads and the state lock (loop.h).
 */
#include "smbd/loop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/* The state lock and the loop threads. */
struct smbd_threads {
	struct smbd_server *srv;
	pthread_mutex_t lock;	/* the state lock */
	bool stop;		/* loops leave their threads (state lock) */
	bool solo;		/* one thread left: the lock is not used */
	pthread_t *tids;	/* [nloops], 0 unused */
	/* hold times (loop.h): ticks per ns, and the bucket bounds
	 * (10 us, 100 us, 1 ms, 10 ms) in ticks */
	double ticks_per_ns;
	uint64_t bound[SMBD_HOLD_BUCKETS - 1];
};

static __thread struct smbd_loop *self_loop;

/* the job chain whose completion runs on this thread now (loop.h) */
__thread const struct smbd_lat_jobs *smbd_lat_cur;

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
 * The hold clock: the time-stamp counter on x86 (~10 ns of CPU here,
 * against ~25 for clock_gettime; the kernel's own clock source, so
 * constant and the same on every CPU), else CLOCK_MONOTONIC in ns.
 */
static inline uint64_t hold_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	return mono_ns();
#endif
}

/* One (ticks, ns) pair, the best of five (not preempted in between). */
static void hold_pair(uint64_t *ticks, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;
	unsigned i = 0;

	for (i = 0; i < 5; i++) {
		uint64_t a = mono_ns();
		uint64_t t = hold_now();
		uint64_t b = mono_ns();

		if (b - a < best) {
			best = b - a;
			*ticks = t;
			*ns = a + (b - a) / 2;
		}
	}
}

/* Ticks per ns, measured over ~5 ms (1 without a time-stamp counter). */
static double hold_calibrate(void)
{
#if defined(__x86_64__) || defined(__i386__)
	struct timespec ts = { .tv_nsec = 5000000 };
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;

	hold_pair(&t0, &n0);
	nanosleep(&ts, NULL);
	hold_pair(&t1, &n1);
	if (n1 > n0 && t1 > t0) {
		return (double)(t1 - t0) / (double)(n1 - n0);
	}
#endif
	return 1.0;
}

/*
 * Time-stamp counter ticks per ns, measured once per process (a 5 ms
 * sleep): the lock-hold counters and the request latency share it.
 */
static double tsc_ticks_per_ns;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

static void tsc_calibrate(void)
{
	tsc_ticks_per_ns = hold_calibrate();
}

static double ticks_per_ns(void)
{
	(void)pthread_once(&tsc_once, tsc_calibrate);
	return tsc_ticks_per_ns;
}

uint64_t smbd_hold_us(const struct smbd_server *srv, uint64_t ticks)
{
	if (srv->threads == NULL) {
		return 0;
	}
	return (uint64_t)((double)ticks / srv->threads->ticks_per_ns / 1000);
}

const char *smbd_hold_bucket_name(unsigned b)
{
	static const char *const names[SMBD_HOLD_BUCKETS] = {
		"lt_10us", "lt_100us", "lt_1ms", "lt_10ms", "ge_10ms",
	};

	return b < SMBD_HOLD_BUCKETS ? names[b] : "?";
}

const char *smbd_site_name(unsigned site, char *buf, size_t len)
{
	static const char *const kinds[SMBD_SITE_SMB2] = {
		[SMBD_SITE_LOOP] = "loop",
		[SMBD_SITE_FD] = "fd",
		[SMBD_SITE_READ] = "socket read",
		[SMBD_SITE_TIMER] = "timer",
		[SMBD_SITE_IMMEDIATE] = "immediate",
		[SMBD_SITE_WORKER] = "worker done",
		[SMBD_SITE_CONTROL] = "control",
	};

	if (site < SMBD_SITE_SMB2) {
		snprintf(buf, len, "%s", kinds[site]);
	} else if (site < SMBD_SITE_SMB1) {
		snprintf(buf, len, "SMB2 %s",
			 smb2_cmd_name(site - SMBD_SITE_SMB2));
	} else if (site < SMBD_SITE_NUM) {
		snprintf(buf, len, "SMB1 0x%02x", site - SMBD_SITE_SMB1);
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

/* ---- request latency (loop.h) ---- */

/* The ticks bucket b starts at, and where the next starts. */
static void lat_bounds(unsigned b, uint64_t *lo, uint64_t *hi)
{
	unsigned e = 0;
	uint64_t sub = 0;

	if (b == 0) {
		*lo = 0;
		*hi = 256;
		return;
	}
	e = 8 + (b - 1) / 4;
	sub = (b - 1) % 4;
	*lo = (4 + sub) << (e - 2);
	*hi = (5 + sub) << (e - 2);
}

const char *smbd_lat_phase_name(unsigned phase)
{
	static const char *const names[SMBD_LAT_PHASES] = {
		[SMBD_LAT_TOTAL] = "total",
		[SMBD_LAT_LOCK] = "lock",
		[SMBD_LAT_PRE] = "pre",
		[SMBD_LAT_HANDLER] = "handler",
		[SMBD_LAT_ASYNC] = "async",
		[SMBD_LAT_WQUEUE] = "worker_queue",
		[SMBD_LAT_WRUN] = "worker_run",
		[SMBD_LAT_WBACK] = "worker_back",
		[SMBD_LAT_REPLY] = "reply",
		[SMBD_LAT_FLUSH] = "flush",
		[SMBD_LAT_WRITE] = "write",
	};

	return phase < SMBD_LAT_PHASES ? names[phase] : "?";
}

uint64_t smbd_lat_ns(uint64_t ticks)
{
	return (uint64_t)((double)ticks / ticks_per_ns());
}

uint64_t smbd_lat_quantile_ns(const struct smbd_lat_hist *h, double q)
{
	uint64_t want = 0;
	uint64_t seen = 0;
	uint64_t lo = 0, hi = 0;
	uint64_t n = 0;
	unsigned b = 0;

	/* the buckets may hold a sample only (loop.h) */
	for (b = 0; b < SMBD_LAT_BUCKETS; b++) {
		n += h->hist[b];
	}
	if (n == 0) {
		return 0;
	}
	/* the rank of the quantile, 1-based */
	want = (uint64_t)(q * (double)n);
	if (want < 1) {
		want = 1;
	}
	for (b = 0; b < SMBD_LAT_BUCKETS; b++) {
		if (seen + h->hist[b] >= want) {
			break;
		}
		seen += h->hist[b];
	}
	if (b == SMBD_LAT_BUCKETS) {
		b = SMBD_LAT_BUCKETS - 1;
	}
	lat_bounds(b, &lo, &hi);
	if (h->hist[b] == 0) {
		return smbd_lat_ns(lo);
	}
	return smbd_lat_ns(lo + (uint64_t)((double)(hi - lo) *
					   (double)(want - seen) /
					   (double)h->hist[b]));
}

void smbd_lat_bucket_ns(unsigned b, uint64_t *lo, uint64_t *hi)
{
	uint64_t l = 0, h = 0;

	lat_bounds(b, &l, &h);
	*lo = smbd_lat_ns(l);
	*hi = smbd_lat_ns(h);
}

void smbd_lat_merge(struct smbd_lat *dst, const struct smbd_lat *src)
{
	unsigned c = 0, p = 0, b = 0;

	for (c = 0; c < SMB2_NUM_CMDS; c++) {
		for (p = 0; p < SMBD_LAT_PHASES; p++) {
			struct smbd_lat_hist *d = &dst->h[c][p];
			const struct smbd_lat_hist *s = &src->h[c][p];

			if (s->count == 0) {
				continue;
			}
			d->count += s->count;
			d->ticks += s->ticks;
			for (b = 0; b < SMBD_LAT_BUCKETS; b++) {
				d->hist[b] += s->hist[b];
			}
		}
		dst->requests[c] += src->requests[c];
	}
}

int smbd_loop_schedstat(const struct smbd_loop *lp, uint64_t *cpu_ns,
			uint64_t *delay_ns, uint64_t *slices)
{
	char path[64];
	unsigned long long a = 0, b = 0, c = 0;
	FILE *f = NULL;
	int n = 0;

	*cpu_ns = 0;
	*delay_ns = 0;
	*slices = 0;
	if (lp->tid <= 0) {
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", lp->tid);
	f = fopen(path, "re");
	if (f == NULL) {
		return -errno;
	}
	n = fscanf(f, "%llu %llu %llu", &a, &b, &c);
	fclose(f);
	if (n != 3) {
		return -EINVAL;
	}
	*cpu_ns = a;
	*delay_ns = b;
	*slices = c;
	return 0;
}

bool smbd_loop_after_unlock(smbd_after_fn fn, void *arg)
{
	struct smbd_loop *lp = self_loop;
	unsigned i = 0;

	if (lp == NULL || lp->srv->threads == NULL ||
	    lp->srv->threads->solo) {
		return false;
	}
	for (i = 0; i < lp->nafter; i++) {
		if (lp->after[i].fn == fn && lp->after[i].arg == arg) {
			lp->after[i].n++;
			return true;
		}
	}
	if (lp->nafter == ARRAY_SIZE(lp->after)) {
		return false;
	}
	lp->after[lp->nafter].fn = fn;
	lp->after[lp->nafter].arg = arg;
	lp->after[lp->nafter].n = 1;
	lp->nafter++;
	return true;
}

/* The calls asked for under the lock, now that lp has let go of it. */
static void run_after(struct smbd_loop *lp)
{
	unsigned i = 0;
	unsigned n = lp->nafter;

	/* only this thread adds to the list, and it is not adding now */
	lp->nafter = 0;
	for (i = 0; i < n; i++) {
		lp->after[i].fn(lp->after[i].arg, lp->after[i].n);
	}
}

void smbd_loop_site(unsigned site)
{
	struct smbd_loop *lp = self_loop;

	/* the first command of a hold stays; handler kinds replace */
	if (lp == NULL || lp->hold_site >= SMBD_SITE_SMB2 ||
	    site >= SMBD_SITE_NUM) {
		return;
	}
	lp->hold_site = site;
}

/* lp lets go of the lock: put the hold down to its site. */
static void hold_end(struct smbd_threads *th, struct smbd_loop *lp)
{
	struct smbd_holds *h = lp->holds;
	struct smbd_hold_site *s = NULL;
	uint64_t now = hold_now();
	uint64_t d = now > lp->hold_t0 ? now - lp->hold_t0 : 0;
	unsigned b = 0;

	h->count++;
	h->ticks += d;
	if (d > h->max_ticks) {
		h->max_ticks = d;
		h->max_site = lp->hold_site;
	}
	while (b < SMBD_HOLD_BUCKETS - 1 && d >= th->bound[b]) {
		b++;
	}
	h->hist[b]++;
	s = &h->site[lp->hold_site];
	s->count++;
	s->ticks += d;
	if (d > s->max_ticks) {
		s->max_ticks = d;
	}
	if (b == SMBD_HOLD_BUCKETS - 1) {
		char name[32];

		WG_LOG_RL(WG_LOG_DEBUG, WG_CLS_GEN,
			  "loop %u held the state lock %llu us (%s)", lp->idx,
			  (unsigned long long)smbd_hold_us(th->srv, d),
			  smbd_site_name(lp->hold_site, name, sizeof(name)));
	}
}

/*
 * The clock is read only when the lock is found held, so the common,
 * uncontended acquisition costs one trylock and one hold_now().
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
		lp->hold_site = SMBD_SITE_LOOP;
		lp->hold_t0 = hold_now();
	}
}

void smbd_state_unlock(struct smbd_server *srv)
{
	struct smbd_threads *th = srv->threads;
	struct smbd_loop *lp = self_loop;

	if (th == NULL || th->solo) {
		return;
	}
	if (lp == NULL || lp->srv != srv) {
		pthread_mutex_unlock(&th->lock);
		return;
	}
	if (lp->holds != NULL) {
		hold_end(th, lp);
	}
	pthread_mutex_unlock(&th->lock);
	if (lp->nafter > 0) {
		run_after(lp);
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

/* tevent names the kind of handler it is about to run (loop.h). */
static void trace_fd(struct tevent_fd *fde, enum tevent_event_trace_point tp,
		     void *priv)
{
	if (tp == TEVENT_EVENT_TRACE_BEFORE_HANDLER) {
		smbd_loop_site(SMBD_SITE_FD);
	}
}

static void trace_timer(struct tevent_timer *te,
			enum tevent_event_trace_point tp, void *priv)
{
	if (tp == TEVENT_EVENT_TRACE_BEFORE_HANDLER) {
		smbd_loop_site(SMBD_SITE_TIMER);
	}
}

static void trace_immediate(struct tevent_immediate *im,
			    enum tevent_event_trace_point tp, void *priv)
{
	if (tp == TEVENT_EVENT_TRACE_BEFORE_HANDLER) {
		smbd_loop_site(SMBD_SITE_IMMEDIATE);
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
	tevent_set_trace_fd_callback(lp->ev, trace_fd, lp);
	tevent_set_trace_timer_callback(lp->ev, trace_timer, lp);
	tevent_set_trace_immediate_callback(lp->ev, trace_immediate, lp);
	lp->holds = talloc_zero(lp, struct smbd_holds);
	if (lp->holds == NULL) {
		return -ENOMEM;
	}
	return 0;
}

/*
 * `loop priority`: the calling thread (an event loop) gets that nice value;
 * workers keep theirs. 0 changes nothing. A refusal (a value below 0
 * without CAP_SYS_NICE or RLIMIT_NICE) is logged once per process and the
 * loop runs on at its old priority.
 */
/* the main thread's nice before smbd_loop_priority_early changed it */
static int base_nice;
static bool base_set;

void smbd_loop_priority_early(int nice)
{
	int old = 0;

	if (nice == 0) {
		return;
	}
	errno = 0;
	old = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (old == -1 && errno != 0) {
		return;
	}
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), nice) == 0) {
		base_nice = old;
		base_set = true;
	}
}

bool smbd_loop_base_nice(int *nice)
{
	if (!base_set) {
		return false;
	}
	*nice = base_nice;
	return true;
}

static void loop_set_priority(struct smbd_server *srv)
{
	static atomic_bool warned;
	int nice = srv->cfg->loop_priority;

	if (nice == 0) {
		return;
	}
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), nice) != 0 &&
	    !atomic_exchange(&warned, true)) {
		DBG_WARN(GEN, "loop priority %d refused: %s; the event loops "
			 "run at their old priority", nice, strerror(errno));
	}
}

static void *loop_main(void *p)
{
	struct smbd_loop *lp = p;
	struct smbd_threads *th = lp->srv->threads;

	loop_set_priority(lp->srv);
	self_loop = lp;
	smbd_state_lock(lp->srv);
	lp->tid = (int)gettid();
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

	/* the main thread runs the first loop; workers are already started */
	loop_set_priority(srv);
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
	th->ticks_per_ns = ticks_per_ns();
	for (i = 0; i < SMBD_HOLD_BUCKETS - 1; i++) {
		static const uint64_t us[SMBD_HOLD_BUCKETS - 1] = {
			10, 100, 1000, 10000,
		};

		th->bound[i] = (uint64_t)(us[i] * 1000 * th->ticks_per_ns);
	}
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
